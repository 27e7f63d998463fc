// Random manifest folders for fuzzing the offline commands: hostile names, apiVersions, scopes and
// keys, YAML that is not an object or not YAML at all, mixed with well-formed policies (so that many
// folders do render something whose output can be judged).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";

const hostileName = fc.oneof(
  fc.constantFrom(
    "..",
    ".",
    "",
    "a/b",
    "../../containers/policy",
    "Team-A",
    "x".repeat(300),
    "ok",
    "team-a",
    "a\u0000b",
  ),
  fc.string({ maxLength: 20 }),
);
const goodName = fc.constantFrom("team-a", "team-b", "apps", "release", "p1", "p2");
const hostileScope = fc.oneof(
  fc.constantFrom(
    "",
    "*",
    "quay.io/a\nb",
    "registry.example.com/team",
    "*.example.com",
    "quay.io/a:tag",
    "docker.io",
  ),
  fc.string({ maxLength: 30 }),
);
const goodScope = fc.constantFrom(
  "registry.example.com/team",
  "registry.example.com/team/app",
  "*.example.com",
  "quay.io/org/app:v1",
  "quay.io/org/app@sha256:" + "a".repeat(64),
  "docker.io/library/busybox",
  "mirror.example.net:5000/x",
);

interface ObjectSpec {
  kind: string;
  apiVersion: string | undefined;
  name: string;
  namespace: string | undefined;
  scopes: string[];
  keyData: string;
}

function manifest(o: ObjectSpec): Record<string, unknown> {
  const apiVersion =
    o.kind === "MachineConfigPool" && o.apiVersion === "config.openshift.io/v1"
      ? "machineconfiguration.openshift.io/v1"
      : o.kind === "ConfigMap"
        ? "v1"
        : o.apiVersion;
  return {
    ...(apiVersion !== undefined && { apiVersion }),
    kind: o.kind,
    metadata: { name: o.name, ...(o.namespace !== undefined && { namespace: o.namespace }) },
    spec: {
      scopes: o.scopes,
      policy: {
        rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: o.keyData } },
        signedIdentity: { matchPolicy: "MatchRepoDigestOrExact" },
      },
    },
  };
}

/** Files (each a list of YAML documents) of a random folder; `keyData` is a usable public key. */
export function hostileFolder(keyData: string): fc.Arbitrary<string[][]> {
  const keys = fc.constantFrom(
    keyData,
    "",
    "bm90IGEga2V5",
    "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0KZ2FyYmFnZQotLS0tLUVORCBQVUJMSUMgS0VZLS0tLS0K",
  );
  const hostile = fc.record({
    kind: fc.constantFrom("ClusterImagePolicy", "ImagePolicy", "MachineConfigPool", "ConfigMap"),
    apiVersion: fc.constantFrom("config.openshift.io/v1", "x/v1", undefined, "config.openshift.io/v1alpha1"),
    name: hostileName,
    namespace: fc.option(hostileName, { nil: undefined }),
    scopes: fc.array(hostileScope, { maxLength: 3 }),
    keyData: keys,
  });
  const wellFormed = fc.record({
    kind: fc.constantFrom("ClusterImagePolicy", "ImagePolicy"),
    apiVersion: fc.constant("config.openshift.io/v1"),
    name: goodName,
    namespace: fc.option(fc.oneof(goodName, hostileName), { nil: undefined }),
    scopes: fc.uniqueArray(goodScope, { minLength: 1, maxLength: 3 }),
    keyData: fc.constant(keyData),
  });
  const document = fc.oneof(
    { weight: 3, arbitrary: wellFormed.map((o) => JSON.stringify(manifest(o))) },
    { weight: 3, arbitrary: hostile.map((o) => JSON.stringify(manifest(o))) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("a: &a [1]\nb: [*a, *a]", "kind: [", "---\n---", "{}", "[]", "null"),
    },
  );
  return fc.array(fc.array(document, { minLength: 1, maxLength: 4 }), { maxLength: 4 });
}

export function writeHostileFolder(dir: string, files: string[][]): void {
  files.forEach((documents, i) => writeFileSync(join(dir, `m${i}.yaml`), documents.join("\n---\n")));
}
