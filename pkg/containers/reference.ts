// Docker image references as containers/image reads them (its fork of distribution/reference,
// docker/reference in go.podman.io/image/v5): ParseNormalizedNamed with its docker.io defaulting,
// the same grammar, the same error messages, and the familiar/full forms used in policy scopes.

import { goToLower } from "./go/unicode.ts";

/** A parsed, normalised reference: always has a domain; tag and digest are optional. */
export interface DockerReference {
  /** Registry host, with ":port" if given; "docker.io" when the input had no registry. */
  readonly domain: string;
  /** Repository path below the domain; "library/" is added for official docker.io images. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export type ParseReferenceResult = { ok: true; reference: DockerReference } | { ok: false; message: string };

const DEFAULT_DOMAIN = "docker.io";
const LEGACY_DEFAULT_DOMAIN = "index.docker.io";
const OFFICIAL_REPO_PREFIX = "library";
const NAME_TOTAL_LENGTH_MAX = 255;

// The grammar of reference/regexp.go. Its separator `(?:[._]|__|[-]*)` may match the empty string,
// which is harmless for Go's linear-time engine but makes a backtracking engine exponential on
// inputs such as "aaaa…!"; `-+` accepts exactly the same language.
const nameComponent = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const domainComponent = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`;
const domainPattern = String.raw`${domainComponent}(?:\.${domainComponent})*(?::[0-9]+)?`;
const tagPattern = String.raw`[\w][\w.-]{0,127}`;
const digestPattern = String.raw`[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}`;
const namePattern = String.raw`(?:${domainPattern}/)?${nameComponent}(?:/${nameComponent})*`;

/** reference.DomainRegexp, anchored. */
export const anchoredDomainRegexp = new RegExp(`^${domainPattern}$`);
/** reference.NameRegexp, anchored (a possibly unnormalised name). */
export const anchoredNameRegexp = new RegExp(`^${namePattern}$`);
/** reference.DomainRegexp followed by "/": a name that starts with an explicit registry. */
export const domainPrefixRegexp = new RegExp(`^${domainPattern}/`);
const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const splitNameRegexp = new RegExp(`^(?:(${domainPattern})/)?(${nameComponent}(?:/${nameComponent})*)$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;
// opencontainers/go-digest: the algorithms a Go program links in, and their hex lengths.
const digestAlgorithms: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const goDigestRegexp = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** reference.ParseNormalizedNamed: parses a reference, defaulting to docker.io/library/. */
export function parseDockerReference(s: string): ParseReferenceResult {
  if (anchoredIdentifierRegexp.test(s)) {
    return fail(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(s);
  const tagSep = remainder.indexOf(":");
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (goToLower(remoteName) !== remoteName) {
    return fail("invalid reference format: repository name must be lowercase");
  }
  return parseReference(`${domain}/${remainder}`);
}

/** reference.Parse: the grammar check without normalisation. */
export function parseReference(s: string): ParseReferenceResult {
  const matches = referenceRegexp.exec(s);
  if (!matches) {
    if (s === "") return fail("repository name must have at least one component");
    if (referenceRegexp.test(goToLower(s))) return fail("repository name must be lowercase");
    return fail("invalid reference format");
  }
  const name = matches[1] ?? "";
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const nameParts = splitNameRegexp.exec(name);
  const reference: { domain: string; path: string; tag?: string; digest?: string } = {
    domain: nameParts?.[1] ?? "",
    path: nameParts?.[2] ?? name,
  };
  const tag = matches[2];
  if (tag !== undefined && tag !== "") reference.tag = tag;
  const digest = matches[3];
  if (digest !== undefined && digest !== "") {
    const digestError = validateDigest(digest);
    if (digestError) return fail(digestError);
    reference.digest = digest;
  }
  return { ok: true, reference };
}

/** go-digest's Digest.Validate, with its error texts. */
function validateDigest(d: string): string | undefined {
  const i = d.indexOf(":");
  if (i <= 0 || i + 1 === d.length) return "invalid checksum digest format";
  const algorithm = d.slice(0, i);
  const encoded = d.slice(i + 1);
  const hexLength = Object.hasOwn(digestAlgorithms, algorithm) ? digestAlgorithms[algorithm] : undefined;
  if (hexLength === undefined) {
    return goDigestRegexp.test(d) ? "unsupported digest algorithm" : "invalid checksum digest format";
  }
  if (encoded.length !== hexLength) return "invalid checksum digest length";
  return /^[a-f0-9]+$/.test(encoded) ? undefined : "invalid checksum digest format";
}

/** splitDockerDomain: a first component with "." or ":" or equal to "localhost" is a registry. */
function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf("/");
  let domain: string;
  let remainder: string;
  if (i === -1 || (!/[.:]/.test(name.slice(0, i)) && name.slice(0, i) !== "localhost")) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = name.slice(0, i);
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes("/")) {
    remainder = `${OFFICIAL_REPO_PREFIX}/${remainder}`;
  }
  return [domain, remainder];
}

/** Name(): "domain/path", the repository without tag or digest. */
export function repositoryName(ref: DockerReference): string {
  return ref.domain === "" ? ref.path : `${ref.domain}/${ref.path}`;
}

/** String(): the full normalised reference, "domain/path[:tag][@digest]". */
export function referenceString(ref: DockerReference): string {
  return (
    repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "")
  );
}

/** reference.FamiliarName: the short form a user would type ("busybox", "quay.io/x/y"). */
export function familiarName(ref: DockerReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const parts = ref.path.split("/");
  return parts.length === 2 && parts[0] === OFFICIAL_REPO_PREFIX ? (parts[1] ?? "") : ref.path;
}

/** reference.FamiliarString: the familiar name with tag and digest. */
export function familiarString(ref: DockerReference): string {
  return (
    familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : "") + (ref.digest ? `@${ref.digest}` : "")
  );
}

/** reference.IsNameOnly: neither tag nor digest. */
export function isNameOnly(ref: DockerReference): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

function fail(message: string): ParseReferenceResult {
  return { ok: false, message };
}
