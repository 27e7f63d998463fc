// The CRI-O release a render targets, and which policy features its containers/image can parse.
// An older CRI-O refuses the whole policy.json when one requirement uses a field it does not know,
// so a policy that needs a newer node is reported Invalid instead of being written.

export interface CrioVersion {
  major: number;
  minor: number;
}

/** The newest CRI-O this renderer knows; the default target. */
export const NEWEST_CRIO: CrioVersion = { major: 1, minor: 35 };

export function parseCrioVersion(text: string): CrioVersion | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text.trim());
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function formatCrioVersion(v: CrioVersion): string {
  return `${v.major}.${v.minor}`;
}

function atLeast(v: CrioVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/**
 * The first CRI-O release (by the containers/image it vendors) that parses each feature
 * (../shared reference: sigstore-verification §1.3 version table).
 */
export const CRIO_FEATURES = {
  sigstoreKey: { major: 1, minor: 25, what: "sigstore signatures (sigstoreSigned)" },
  rekorKey: { major: 1, minor: 27, what: "Rekor public keys (rekorPublicKeyData)" },
  fulcio: { major: 1, minor: 27, what: "Fulcio certificates (fulcio)" },
  keyLists: { major: 1, minor: 32, what: "key lists (keyDatas)" },
  pki: { major: 1, minor: 33, what: "PKI roots (pki)" },
  namespacePolicies: { major: 1, minor: 28, what: "per-namespace signature policies (/etc/crio/policies)" },
} as const;

export type CrioFeature = keyof typeof CRIO_FEATURES;

/** Undefined when `version` supports `feature`, else the reason it does not. */
export function unsupportedFeature(version: CrioVersion, feature: CrioFeature): string | undefined {
  const f = CRIO_FEATURES[feature];
  if (atLeast(version, f.major, f.minor)) return undefined;
  return `${f.what} need CRI-O ${f.major}.${f.minor} or newer; the target is CRI-O ${formatCrioVersion(version)}`;
}
