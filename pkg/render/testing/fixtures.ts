// Builders for render tests: policies with real key material (the validation corpus's keys), and
// snapshots with the defaults a cluster has.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Image } from "../../apis/config/v1/image.ts";
import type { ClusterImagePolicy } from "../../apis/config/v1/clusterimagepolicy.ts";
import type {
  ImagePolicy,
  ImageSigstorePolicySpec,
  PolicyRootOfTrust,
} from "../../apis/config/v1/imagepolicy.ts";
import type { ClusterSimpleSigningPolicy } from "../../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import { NEWEST_CRIO } from "../crio-version.ts";
import { defaultPools, type Snapshot } from "../snapshot.ts";

const corpus = join(import.meta.dirname, "../../../test/fixtures/validation/valid");
const load = <T>(file: string): T => parse(readFileSync(join(corpus, file), "utf8")) as T;

const publicKeyPolicy = load<ClusterImagePolicy>("cip-publickey-with-rekor.yaml");
const fulcioPolicy = load<ClusterImagePolicy>("cip-fulcio-keyless.yaml");
const pkiPolicy = load<ClusterImagePolicy>("cip-pki-email-and-intermediates.yaml");
export const gpgPolicy = load<ClusterSimpleSigningPolicy>("cssp-gpg-lookaside.yaml");

export const roots = {
  publicKey: (): PolicyRootOfTrust => {
    const root = structuredClone(publicKeyPolicy.spec.policy.rootOfTrust);
    if (root.publicKey) delete root.publicKey.rekorKeyData;
    return root;
  },
  publicKeyWithRekor: (): PolicyRootOfTrust => structuredClone(publicKeyPolicy.spec.policy.rootOfTrust),
  fulcio: (): PolicyRootOfTrust => structuredClone(fulcioPolicy.spec.policy.rootOfTrust),
  pki: (): PolicyRootOfTrust => structuredClone(pkiPolicy.spec.policy.rootOfTrust),
};

export function spec(
  scopes: string[],
  rootOfTrust: PolicyRootOfTrust = roots.publicKey(),
): ImageSigstorePolicySpec {
  return { scopes, policy: { rootOfTrust } };
}

export function cip(name: string, scopes: string[], rootOfTrust?: PolicyRootOfTrust): ClusterImagePolicy {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterImagePolicy",
    metadata: { name, generation: 1 },
    spec: spec(scopes, rootOfTrust),
  };
}

export function ip(
  namespace: string,
  name: string,
  scopes: string[],
  rootOfTrust?: PolicyRootOfTrust,
): ImagePolicy {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "ImagePolicy",
    metadata: { name, namespace, generation: 1 },
    spec: spec(scopes, rootOfTrust),
  };
}

export function cssp(name: string, scopes: string[], lookaside?: string): ClusterSimpleSigningPolicy {
  const policy = structuredClone(gpgPolicy);
  policy.metadata = { name, generation: 1 };
  policy.spec.scopes = scopes;
  if (lookaside === undefined) delete policy.spec.lookaside;
  else policy.spec.lookaside = lookaside;
  return policy;
}

/** The `cluster` Image config with these registry sources. */
export function image(registrySources: Record<string, string[]>): Image {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "Image",
    metadata: { name: "cluster", uid: "image-uid" },
    spec: { registrySources },
  };
}

export function snapshot(parts: Partial<Snapshot> = {}): Snapshot {
  return {
    clusterImagePolicies: [],
    imagePolicies: [],
    simpleSigningPolicies: [],
    imageDigestMirrorSets: [],
    imageTagMirrorSets: [],
    imageContentSourcePolicies: [],
    pools: defaultPools(),
    crioVersion: NEWEST_CRIO,
    controllerVersion: "test",
    ...parts,
  };
}
