// Which public keys a node can use is containers/image's decision, not ours: for each kind of key, an
// image in a real registry is signed correctly with it, and hack/policy-judge (go.podman.io/image/v5)
// is asked whether a policy requiring that key admits the image. A key the judge cannot use makes
// every pull in the scope fail, so render must call it unusable (the policy Invalid) exactly when
// the judge refuses a correct signature, and accept it exactly when the judge admits.
import { execFile } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { certificatesProblem, publicKeyProblem } from "../../pkg/render/key-material.ts";
import { pushImage } from "../harness/oci-images.ts";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "../harness/registry.ts";
import {
  attachCertificateSignature,
  attachKeySignature,
  createCertificateAuthority,
  issueCertificate,
  type SigningKey,
} from "../harness/signing.ts";
import { buildPolicyJudge } from "../harness/tools.ts";

const execFileAsync = promisify(execFile);

function signingKey(pair: { privateKey: KeyObject; publicKey: KeyObject }): SigningKey {
  return { ...pair, publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString() };
}

/** Every kind of key a user might paste into keyData; the judge decides which ones work. */
const KEYS: Record<string, () => SigningKey> = {
  "ECDSA P-256": () => signingKey(generateKeyPairSync("ec", { namedCurve: "P-256" })),
  "ECDSA P-384": () => signingKey(generateKeyPairSync("ec", { namedCurve: "P-384" })),
  "ECDSA P-521": () => signingKey(generateKeyPairSync("ec", { namedCurve: "P-521" })),
  "ECDSA P-224": () => signingKey(generateKeyPairSync("ec", { namedCurve: "secp224r1" })),
  "ECDSA secp256k1": () => signingKey(generateKeyPairSync("ec", { namedCurve: "secp256k1" })),
  "RSA 512": () => signingKey(generateKeyPairSync("rsa", { modulusLength: 512 })),
  "RSA 1024": () => signingKey(generateKeyPairSync("rsa", { modulusLength: 1024 })),
  "RSA 2048": () => signingKey(generateKeyPairSync("rsa", { modulusLength: 2048 })),
  "RSA 4096": () => signingKey(generateKeyPairSync("rsa", { modulusLength: 4096 })),
  Ed25519: () => signingKey(generateKeyPairSync("ed25519")),
};

describe("public keys: render accepts exactly what containers/image can use", () => {
  let judgePath = "";
  let work = "";
  let registry: RunningRegistry;

  beforeAll(
    async () => {
      judgePath = buildPolicyJudge();
      await ensureRegistryTools();
      work = fs.mkdtempSync(path.join(os.tmpdir(), "key-judge-"));
      registry = await startRegistry();
    },
    15 * 60 * 1000,
  );

  afterAll(async () => {
    await registry?.stop();
  });

  /** containers/image's verdict on a signed image under one sigstoreSigned requirement. */
  async function judge(
    index: string,
    repository: string,
    digest: string,
    requirement: unknown,
  ): Promise<{ allowed: boolean; error?: string }> {
    const dir = path.join(work, index);
    fs.mkdirSync(path.join(dir, "registries.d"), { recursive: true });
    fs.writeFileSync(
      path.join(dir, "registries.d", "sigstore.yaml"),
      `docker:\n  ${registry.host}:\n    use-sigstore-attachments: true\n`,
    );
    const policy = {
      default: [{ type: "reject" }],
      transports: { docker: { [registry.host]: [requirement] } },
    };
    fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(policy));
    const { stdout } = await execFileAsync(judgePath, [
      "admit",
      "--policy",
      path.join(dir, "policy.json"),
      "--registries.d",
      path.join(dir, "registries.d"),
      "--insecure",
      `${registry.host}/${repository}@${digest}`,
    ]);
    return JSON.parse(stdout.trim()) as { allowed: boolean; error?: string };
  }

  function report(title: string, rows: { key: string; judge: string; render: string; why: string }[]): void {
    process.stdout.write(
      `\n${title}:\n${rows
        .map(
          (r) =>
            `${r.judge === r.render ? "  " : "!!"} ${r.key.padEnd(16)} judge=${r.judge.padEnd(8)} render=${r.render.padEnd(8)} ${r.why.slice(0, 120)}`,
        )
        .join("\n")}\n`,
    );
  }

  it("for the root CA of a PKI, every kind of key", async () => {
    const rows: { key: string; judge: string; render: string; why: string }[] = [];
    for (const [index, keyType] of (
      ["ecdsa-p256", "rsa-2048", "ecdsa-secp256k1", "rsa-512"] as const
    ).entries()) {
      const ca = createCertificateAuthority(`pki-${keyType}`, { rootKeyType: keyType });
      const leaf = issueCertificate(
        { commonName: "signer", emails: ["release@example.com"] },
        ca.intermediate,
      );
      const repository = `pki/k${index}`;
      const image = await pushImage(registry.url, repository, "v1", { seed: `pki-${keyType}` });
      await attachCertificateSignature(registry.url, repository, image.digest, {
        leaf,
        chain: [ca.intermediate, ca.root],
      });
      const verdict = await judge(`pki-${index}`, repository, image.digest, {
        type: "sigstoreSigned",
        pki: {
          caRootsData: Buffer.from(ca.root.certificatePem).toString("base64"),
          caIntermediatesData: Buffer.from(ca.intermediate.certificatePem).toString("base64"),
          subjectEmail: "release@example.com",
        },
        signedIdentity: { type: "matchRepository" },
      });
      const problem = certificatesProblem(ca.root.certificatePem, "pki.caRootsData");
      rows.push({
        key: keyType,
        judge: verdict.allowed ? "usable" : "refused",
        render: problem === undefined ? "usable" : "refused",
        why: verdict.error ?? problem ?? "",
      });
    }
    report("PKI root CA keys, containers/image vs render", rows);
    expect(rows.filter((r) => ["ecdsa-p256", "rsa-2048"].includes(r.key)).map((r) => r.judge)).toEqual([
      "usable",
      "usable",
    ]);
    expect(rows.filter((r) => r.judge !== r.render)).toEqual([]);
  }, 120_000);

  it("for every kind of key", async () => {
    const rows: { key: string; judge: string; render: string; why: string }[] = [];
    for (const [index, [name, make]] of Object.entries(KEYS).entries()) {
      const key = make();
      const repository = `keys/k${index}`;
      const image = await pushImage(registry.url, repository, "v1", { seed: name });
      await attachKeySignature(registry.url, repository, image.digest, key);
      const verdict = await judge(`k${index}`, repository, image.digest, {
        type: "sigstoreSigned",
        keyData: Buffer.from(key.publicKeyPem).toString("base64"),
        signedIdentity: { type: "matchRepository" },
      });
      const problem = publicKeyProblem(key.publicKeyPem, "keyData");
      rows.push({
        key: name,
        judge: verdict.allowed ? "usable" : "refused",
        render: problem === undefined ? "usable" : "refused",
        why: verdict.error ?? problem ?? "",
      });
    }
    report("public keys, containers/image vs render", rows);
    // The judge must admit the keys nodes are known to use, or the test is not testing keys.
    expect(
      rows.filter((r) => ["ECDSA P-256", "RSA 2048", "Ed25519"].includes(r.key)).map((r) => r.judge),
    ).toEqual(["usable", "usable", "usable"]);
    expect(rows.filter((r) => r.judge !== r.render)).toEqual([]);
  }, 120_000);
});
