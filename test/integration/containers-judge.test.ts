// pkg/containers against the real thing: containers/image itself (hack/policy-judge, built from
// go.podman.io/image/v5) decides which policy.json files are valid, and we check that our parser
// agrees, file by file and message by message, and that everything our serializer writes is
// accepted.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { Policy } from "../../pkg/containers/policy.ts";
import {
  atomicScopeIsValid,
  dockerScopeIsValid,
  parsePolicyJson,
  type ScopeValidator,
} from "../../pkg/containers/policy-parse.ts";
import { serializePolicyJson } from "../../pkg/containers/policy-serialize.ts";
import { policy as validPolicy } from "../../pkg/containers/testing/arbitraries.ts";
import { buildPolicyJudge } from "../harness/tools.ts";

let judgePath = "";
let workDir = "";
/** The transports the judge binary registers; only their scopes are validated by containers/image. */
let judgeValidators: Record<string, ScopeValidator> = {};

type Verdict = { ok: true } | { ok: false; message: string };

/** Writes each text to its own file and asks containers/image for a verdict on each. */
function judge(texts: readonly string[], batch: string): Verdict[] {
  const dir = fs.mkdtempSync(path.join(workDir, `${batch}-`));
  const files = texts.map((text, i) => {
    const file = path.join(dir, `p${i}.json`);
    fs.writeFileSync(file, text);
    return file;
  });
  const out = execFileSync(judgePath, ["parse", ...files], { encoding: "utf8", maxBuffer: 64 << 20 });
  const byFile = new Map<string, Verdict>();
  for (const line of out.split("\n")) {
    if (line.startsWith("ok ")) {
      byFile.set(line.slice(3), { ok: true });
    } else if (line.startsWith("error ")) {
      const [file = "", message = ""] = line.slice(6).split(/: (.*)/s);
      // NewPolicyFromFile wraps the message; the judge puts it on one line.
      byFile.set(file, {
        ok: false,
        message: message.replace(`invalid policy in ${JSON.stringify(file)}: `, ""),
      });
    }
  }
  return files.map((file) => byFile.get(file) ?? { ok: false, message: `no verdict for ${file}` });
}

/** Our verdict, in the judge's terms (it prints messages on one line). */
function ours(text: string): Verdict {
  const result = parsePolicyJson(text, { scopeValidators: judgeValidators });
  return result.ok ? { ok: true } : { ok: false, message: result.message.replaceAll("\n", " ") };
}

beforeAll(
  () => {
    // The first build fetches containers/image and compiles it: minutes. Later runs use the cache.
    judgePath = buildPolicyJudge();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "containers-judge-"));
    // The judge links the docker transport; whether it also registers atomic decides if atomic
    // scopes are validated, so ask it rather than assume.
    const probe = JSON.stringify({
      default: [{ type: "reject" }],
      transports: { atomic: { "a/b/c/d": [{ type: "reject" }] } },
    });
    const [atomic] = judge([probe], "probe");
    judgeValidators = { docker: dockerScopeIsValid, ...(atomic?.ok ? {} : { atomic: atomicScopeIsValid }) };
  },
  20 * 60 * 1000,
);

afterAll(() => {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

const hex64 = "0123456789abcdef".repeat(4);
const reject = [{ type: "reject" }];
const withDefault = (...requirements: unknown[]): string => JSON.stringify({ default: requirements });
const sigstore = (extra: Record<string, unknown>): string =>
  withDefault({ type: "sigstoreSigned", ...extra });
const identity = (signedIdentity: unknown): string =>
  withDefault({ type: "sigstoreSigned", keyData: "QQ==", signedIdentity });

/** What MCO renders for a cluster: a template base, allowed registries and ClusterImagePolicies. */
const representative: Policy[] = [
  {
    default: [{ type: "insecureAcceptAnything" }],
    transports: { "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] } },
  },
  {
    default: [{ type: "reject" }],
    transports: {
      docker: {
        "quay.io": [{ type: "insecureAcceptAnything" }],
        "quay.io/openshift-release-dev/ocp-release": [
          {
            type: "sigstoreSigned",
            keyData:
              "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFCg==",
            signedIdentity: { type: "matchRepoDigestOrExact" },
          },
        ],
        "*.example.com": [
          {
            type: "sigstoreSigned",
            fulcio: {
              caData: "Q0E=",
              oidcIssuer: "https://token.actions.githubusercontent.com",
              subjectEmail: "ci@example.com",
            },
            rekorPublicKeyData: "UkVLT1I=",
            signedIdentity: {
              type: "remapIdentity",
              prefix: "mirror.example.com",
              signedPrefix: "example.com",
            },
          },
        ],
        "example.com/pki/a/b": [
          {
            type: "sigstoreSigned",
            pki: {
              caRootsData: "Uk9PVA==",
              caIntermediatesData: "SU5U",
              subjectEmail: "a@example.com",
              subjectHostname: "signer.example.com",
            },
            signedIdentity: { type: "exactRepository", dockerRepository: "example.com/pki" },
          },
          {
            type: "sigstoreSigned",
            keyPaths: ["/etc/pki/a.pub", "/etc/pki/b.pub"],
            rekorPublicKeyPaths: ["/etc/pki/rekor.pub"],
            signedIdentity: { type: "matchRepository" },
          },
        ],
        "scope with <html> & \u2028": [
          {
            type: "signedBy",
            keyType: "GPGKeys",
            keyData: "QUJD",
            signedIdentity: { type: "exactReference", dockerReference: `busybox@sha256:${hex64}` },
          },
        ],
      },
      atomic: {
        "quay.io": [{ type: "insecureAcceptAnything" }],
        "quay.io/ns/stream:tag": [{ type: "reject" }],
      },
      "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] },
    },
  },
];

describe("containers/image accepts everything serializePolicyJson writes", () => {
  it("accepts representative rendered policies", () => {
    const texts = representative.map(serializePolicyJson);
    expect(judge(texts, "representative")).toEqual(texts.map(() => ({ ok: true })));
    expect(texts.map(ours)).toEqual(texts.map(() => ({ ok: true })));
  });

  it("accepts 200 random valid policies, and so do we", () => {
    const policies = fc.sample(validPolicy, { numRuns: 200 });
    const texts = policies.map(serializePolicyJson);
    const verdicts = judge(texts, "random");
    const refused = verdicts.flatMap((v, i) => (v.ok ? [] : [{ text: texts[i], message: v.message }]));
    expect(refused).toEqual([]);
    expect(texts.map(ours)).toEqual(verdicts);
  });
});

// Hand-picked documents across every rule: some valid, most not.
const documents: Record<string, string> = {
  "empty input": "",
  "trailing data": `${withDefault({ type: "reject" })} x`,
  "trailing comma": '{"default":[{"type":"reject"}],}',
  "byte order mark": `\ufeff${withDefault({ type: "reject" })}`,
  "not an object": "[]",
  "a number": "1e21",
  "missing default": "{}",
  "unknown top-level key": JSON.stringify({ default: reject, extra: 1 }),
  "duplicate default": '{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}',
  "duplicate scope":
    '{"default":[{"type":"reject"}],"transports":{"docker":{"a":[{"type":"reject"}],"a":[{"type":"reject"}]}}}',
  "duplicate type": '{"default":[{"type":"reject","type":"reject"}]}',
  "empty default": '{"default":[]}',
  "null default": '{"default":null}',
  "empty scope list": JSON.stringify({ default: reject, transports: { docker: { x: [] } } }),
  "transports as array": JSON.stringify({ default: reject, transports: [] }),
  "any docker scope": JSON.stringify({ default: reject, transports: { docker: { "Not A Ref!": reject } } }),
  "deep atomic scope": JSON.stringify({ default: reject, transports: { atomic: { "a.io/b/c/d": reject } } }),
  "atomic scope with a tag on a repository": JSON.stringify({
    default: reject,
    transports: { atomic: { "a.io/repo:tag": reject } },
  }),
  "unknown transport": JSON.stringify({ default: reject, transports: { carrier: { x: reject } } }),
  "null requirement": withDefault(null),
  "string requirement": withDefault("reject"),
  "numeric type": withDefault({ type: 5 }),
  "unknown type": withDefault({ type: "matchAll" }),
  "upper-case TYPE": withDefault({ TYPE: "reject" }),
  "extra key on reject": withDefault({ type: "reject", x: 1 }),
  "signedBy without key": withDefault({ type: "signedBy", keyType: "GPGKeys" }),
  "signedBy with two keys": withDefault({
    type: "signedBy",
    keyType: "GPGKeys",
    keyPath: "/a",
    keyData: "QQ==",
  }),
  "signedBy without keyType": withDefault({ type: "signedBy", keyPath: "/a" }),
  "signedBy unknown keyType": withDefault({
    type: "signedBy",
    keyType: "signedBySigstorePublicKeys",
    keyPath: "/a",
  }),
  "signedBy empty keyPaths": withDefault({ type: "signedBy", keyType: "GPGKeys", keyPaths: [] }),
  "signedBy X509 keyType": withDefault({ type: "signedBy", keyType: "X509Certificates", keyPath: "/a" }),
  "signedBaseLayer without identity": withDefault({ type: "signedBaseLayer" }),
  signedBaseLayer: withDefault({ type: "signedBaseLayer", baseLayerIdentity: { type: "matchRepository" } }),
  "sigstore without key": sigstore({}),
  "sigstore empty keyPath only": sigstore({ keyPath: "" }),
  "sigstore empty keyData": sigstore({ keyData: "" }),
  "sigstore two keys": sigstore({ keyPath: "/a", keyDatas: ["QQ=="] }),
  "sigstore empty keyPaths": sigstore({ keyPaths: [] }),
  "sigstore null keyDatas": sigstore({ keyDatas: null }),
  "sigstore empty rekor paths": sigstore({ keyPath: "/a", rekorPublicKeyPaths: [] }),
  "sigstore two rekor keys": sigstore({
    keyPath: "/a",
    rekorPublicKeyPath: "/r",
    rekorPublicKeyDatas: ["QQ=="],
  }),
  "fulcio without rekor": sigstore({ fulcio: { caPath: "/ca", oidcIssuer: "i", subjectEmail: "e" } }),
  "fulcio without CA": sigstore({ fulcio: { oidcIssuer: "i", subjectEmail: "e" }, rekorPublicKeyPath: "/r" }),
  "fulcio with two CAs": sigstore({
    fulcio: { caPath: "/ca", caData: "QQ==", oidcIssuer: "i", subjectEmail: "e" },
    rekorPublicKeyPath: "/r",
  }),
  "fulcio without issuer": sigstore({
    fulcio: { caPath: "/ca", subjectEmail: "e" },
    rekorPublicKeyPath: "/r",
  }),
  "fulcio without email": sigstore({ fulcio: { caPath: "/ca", oidcIssuer: "i" }, rekorPublicKeyPath: "/r" }),
  "fulcio null": sigstore({ fulcio: null }),
  "pki with rekor": sigstore({ pki: { caRootsPath: "/r", subjectEmail: "e" }, rekorPublicKeyPath: "/r" }),
  "pki without roots": sigstore({ pki: { subjectEmail: "e" } }),
  "pki without subject": sigstore({ pki: { caRootsPath: "/r" } }),
  "pki with two intermediates": sigstore({
    pki: { caRootsPath: "/r", caIntermediatesPath: "/i", caIntermediatesData: "QQ==", subjectEmail: "e" },
  }),
  "pki unknown key": sigstore({ pki: { caRootsPath: "/r", subjectEmail: "e", subjectURI: "u" } }),
  "keyPath as number": sigstore({ keyPath: 5 }),
  "keyPaths as string": sigstore({ keyPaths: "/a" }),
  "keyData as number": sigstore({ keyData: 5 }),
  "keyData as bytes": sigstore({ keyData: [1, 2, 3] }),
  "keyData byte out of range": sigstore({ keyData: [1, 256] }),
  "truncated base64": sigstore({ keyData: "QUJ" }),
  "base64 with junk after padding": sigstore({ keyData: "QQ==QQ==" }),
  "base64 with a newline": sigstore({ keyData: "QU\nJD" }),
  "base64 with odd padding bits": sigstore({ keyData: "QR==" }),
  "base64 with a non-ASCII character": sigstore({ keyData: "QUJDé" }),
  "identity null": identity(null),
  "identity number": identity(5),
  "identity unknown": identity({ type: "matchAny" }),
  "identity extra key": identity({ type: "matchRepository", x: 1 }),
  "exactReference without tag": identity({ type: "exactReference", dockerReference: "quay.io/a/b" }),
  "exactReference upper case": identity({ type: "exactReference", dockerReference: "quay.io/A/b:1" }),
  "exactReference with digest": identity({
    type: "exactReference",
    dockerReference: `quay.io/a/b@sha256:${hex64}`,
  }),
  "exactReference bad digest": identity({
    type: "exactReference",
    dockerReference: `quay.io/a/b@sha256:${hex64.slice(1)}0z`,
  }),
  "exactReference md5 digest": identity({
    type: "exactReference",
    dockerReference: `quay.io/a/b@md5:${"a".repeat(32)}`,
  }),
  "exactReference too long": identity({ type: "exactReference", dockerReference: `a/${"b".repeat(300)}:1` }),
  "exactRepository hex": identity({ type: "exactRepository", dockerRepository: hex64 }),
  "exactRepository empty": identity({ type: "exactRepository", dockerRepository: "" }),
  "exactRepository missing": identity({ type: "exactRepository" }),
  "remapIdentity bad prefix": identity({ type: "remapIdentity", prefix: "-a", signedPrefix: "b.io" }),
  "remapIdentity bad signedPrefix": identity({
    type: "remapIdentity",
    prefix: "a.io",
    signedPrefix: "b.io/",
  }),
  "remapIdentity namespace": identity({
    type: "remapIdentity",
    prefix: "a.io/ns",
    signedPrefix: "b.io:5000",
  }),
  "odd key quoting": '{"default":[{"type":"reject"}],"a\\u0001\\u00ad\\"<":1}',
  "unpaired surrogate scope":
    '{"default":[{"type":"reject"}],"transports":{"docker":{"\\ud800":[{"type":"reject"}]}}}',
};

describe("parsePolicyJson agrees with containers/image", () => {
  it("on every hand-picked document, verdict and message", () => {
    const names = Object.keys(documents);
    const texts = names.map((name) => documents[name] ?? "");
    const theirs = judge(texts, "documents");
    expect(names.map((name, i) => [name, ours(texts[i] ?? "")])).toEqual(
      names.map((name, i) => [name, theirs[i]]),
    );
  });

  it("on 300 random mutations of valid policies", () => {
    const texts = fc.sample(mutatedPolicyText, { numRuns: 300 });
    const theirs = judge(texts, "mutations");
    const disagreements = texts.flatMap((text, i) => {
      const mine = ours(text);
      return JSON.stringify(mine) === JSON.stringify(theirs[i])
        ? []
        : [{ text, ours: mine, containersImage: theirs[i] }];
    });
    expect(disagreements).toEqual([]);
    // The mutations must exercise both outcomes to mean anything.
    expect(theirs.some((v) => v.ok)).toBe(true);
    expect(theirs.filter((v) => !v.ok).length).toBeGreaterThan(100);
  });
});

// ---- Mutations: valid policy → JSON tree → one local change → text (duplicates allowed) ----

type Tree = null | boolean | number | string | Tree[] | { members: [string, Tree][] };

function toTree(value: unknown): Tree {
  if (Array.isArray(value)) return value.map(toTree);
  if (value !== null && typeof value === "object") {
    return { members: Object.entries(value).map(([k, v]): [string, Tree] => [k, toTree(v)]) };
  }
  return value as Tree;
}

function stringify(tree: Tree): string {
  if (Array.isArray(tree)) return `[${tree.map(stringify).join(",")}]`;
  if (tree !== null && typeof tree === "object") {
    return `{${tree.members.map(([k, v]) => `${JSON.stringify(k)}:${stringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(tree);
}

/** Every object and array in the tree, so a mutation can pick one. */
function containers(tree: Tree): (Tree[] | { members: [string, Tree][] })[] {
  if (Array.isArray(tree)) return [tree, ...tree.flatMap(containers)];
  if (tree !== null && typeof tree === "object")
    return [tree, ...tree.members.flatMap(([, v]) => containers(v))];
  return [];
}

const replacements: Tree[] = [null, 5, 1.5, true, "x", "", "QUJ", "@@", [], [1, 300], { members: [] }];
const renamings = (key: string): string[] => [key.toUpperCase(), `${key}s`, key.slice(0, -1), "bogus"];

const mutatedPolicyText: fc.Arbitrary<string> = fc
  .tuple(validPolicy, fc.nat(), fc.nat(), fc.nat(3), fc.nat(20))
  .map(([policy, which, member, kind, choice]) => {
    const tree = toTree(JSON.parse(serializePolicyJson(policy)));
    const all = containers(tree);
    const target = all[which % all.length];
    if (Array.isArray(target)) {
      if (target.length === 0) return stringify(tree);
      const i = member % target.length;
      if (kind === 0) target.splice(i, 1);
      else if (kind === 1) target.push(target[i] ?? null);
      else target[i] = replacements[choice % replacements.length] ?? null;
    } else if (target) {
      const members = target.members;
      if (members.length === 0) return stringify(tree);
      const i = member % members.length;
      const [key, value] = members[i] ?? ["", null];
      if (kind === 0) members.splice(i, 1);
      else if (kind === 1)
        members.push([key, value]); // a duplicate key
      else if (kind === 2) members[i] = [renamings(key)[choice % 4] ?? key, value];
      else members[i] = [key, replacements[choice % replacements.length] ?? null];
    }
    return stringify(tree);
  });
