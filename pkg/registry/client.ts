// A small OCI distribution (registry v2 API) client for reading: manifests, blobs and tags, with the
// checks a signature verifier needs — every byte is verified against the digest it was asked for or
// announced, every body has a hard size limit, every operation a time limit — and authentication and
// TLS the containers/image way (see auth.ts, credentials.ts, transport.ts).
//
// Registry discovery follows containers/image (docker/docker_client.go detectProperties): the first
// request to a registry is `GET /v2/` over HTTPS; only for a registry listed as insecure does a failure
// there lead to a second try over plain HTTP. The answer (scheme, and the auth challenge of a 401) is
// remembered for the client's lifetime.
import { Authenticator, parseWwwAuthenticate, repositoryScope, type AuthChallenge } from "./auth.ts";
import { lookupCredentials, type CredentialLookupOptions, type RegistryCredentials } from "./credentials.ts";
import { DigestVerifier, computeDigest, isDigest, parseDigest } from "./digest.ts";
import { RegistryError, errorText, parseErrorBody } from "./errors.ts";
import {
  ManifestFormatError,
  guessManifestMediaType,
  parseManifest,
  type ParsedManifest,
} from "./manifest.ts";
import type { Descriptor, ImageIndex, ImageManifest } from "./manifest.ts";
import {
  SUPPORTED_MANIFEST_TYPES,
  isImageManifestType,
  isIndexManifestType,
  normalizeContentType,
} from "./media-types.ts";
import { chooseInstance, NoMatchingInstanceError, type ChooseInstanceOptions } from "./platform.ts";
import {
  HttpTransport,
  awaitWithSignal,
  redactUrl,
  type HttpResponse,
  type TransportOptions,
} from "./transport.ts";

/** A repository on a registry: `{registry: "quay.io", repository: "openshift/release"}`. */
export interface RepositoryName {
  /** host[:port] as in the image reference; "docker.io" is reached at registry-1.docker.io. */
  registry: string;
  /** The path inside the registry, e.g. "library/busybox". */
  repository: string;
}

/** A repository plus a tag or a digest. */
export interface ImageReference extends RepositoryName {
  reference: string;
}

export interface RegistryClientOptions extends TransportOptions {
  /**
   * Where credentials come from: the containers-auth.json(5) lookup (the default, `{}`), with its
   * options; or false for anonymous access only.
   */
  credentials?: CredentialLookupOptions | false;
  /** Credentials per registry host[:port], used instead of any file (like --creds). */
  staticCredentials?: Readonly<Record<string, RegistryCredentials>>;
  /** Time limit of each operation (one manifest, blob or tag page, including auth), ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest manifest accepted. Default 4 MiB, containers/image's iolimits.MaxManifestBodySize. */
  maxManifestBytes?: number;
  /** Largest tag-list page accepted. Default 4 MiB. */
  maxTagListBytes?: number;
}

export interface RequestOptions {
  /** Cancels the operation, in addition to the client's time limit. */
  signal?: AbortSignal;
}

export interface ManifestRequestOptions extends RequestOptions {
  /** Accept header media types; every type this client parses by default. */
  accept?: readonly string[];
  maxBytes?: number;
}

export interface FetchedManifest {
  mediaType: string;
  /**
   * The manifest's digest: the one asked for when fetched by digest (after checking the bytes against it),
   * otherwise sha256 of the bytes (after checking them against Docker-Content-Digest, when sent).
   */
  digest: string;
  bytes: Uint8Array;
  parsed: ParsedManifest;
}

export interface ManifestHead {
  mediaType: string;
  /** Docker-Content-Digest, or the digest asked for; undefined when neither is known. */
  digest: string | undefined;
  size: number | undefined;
}

export interface BlobRequestOptions extends RequestOptions {
  /** Hard limit: refused before reading when Content-Length is larger, aborted when the body grows past it. */
  maxBytes: number;
  /** The size from the descriptor, when known: more (or fewer) bytes are an error. */
  expectedSize?: number;
}

export interface TagListOptions extends RequestOptions {
  /** The `n` page size to ask for; the registry may ignore it (distribution 2.8 does). */
  pageSize?: number;
  /** Give up after this many pages. Default 10 000. */
  maxPages?: number;
}

export interface ResolvedImage {
  /** The index or manifest list the reference named, when it named one. */
  index?: FetchedManifest & { parsed: ImageIndex };
  /** The single-platform manifest: the reference's own, or the instance chosen from the index. */
  manifest: FetchedManifest & { parsed: ImageManifest };
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_TAG_LIST_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BODY_BYTES = 64 * 1024;

// distribution/reference grammar (reference/regexp.go).
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const REGISTRY_HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

interface RegistryEndpoint {
  baseUrl: URL;
  challenges: AuthChallenge[];
}

export class RegistryClient {
  readonly #transport: HttpTransport;
  readonly #auth: Authenticator;
  readonly #options: RegistryClientOptions;
  readonly #timeoutMs: number;
  readonly #endpoints = new Map<string, Promise<RegistryEndpoint>>();
  readonly #credentials = new Map<
    string,
    Promise<{ credentials: RegistryCredentials; source: string } | undefined>
  >();

  constructor(options: RegistryClientOptions = {}) {
    this.#options = options;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#transport = new HttpTransport(options);
    this.#auth = new Authenticator(this.#transport, this.#timeoutMs);
  }

  /** Fetches a manifest by tag or digest, verifies its digest and parses it. */
  async getManifest(
    repo: RepositoryName,
    reference: string,
    options: ManifestRequestOptions = {},
  ): Promise<FetchedManifest> {
    checkName(repo);
    checkReference(reference);
    const accept = options.accept ?? SUPPORTED_MANIFEST_TYPES;
    const maxBytes = options.maxBytes ?? this.#options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    return this.#operation(options, async (signal) => {
      const path = `/v2/${repo.repository}/manifests/${reference}`;
      const response = await this.#request(repo, "GET", path, { accept: accept.join(", ") }, signal);
      await this.#expectOk(response, repo, `manifest ${describe(repo, reference)}`);
      const byDigest = isDigest(reference);
      const verifier = byDigest ? new DigestVerifier(reference) : undefined;
      const bytes = await response.readBody(maxBytes, (chunk) => verifier?.update(chunk));
      const url = redactUrl(response.url);
      if (verifier !== undefined) {
        const actual = verifier.actual();
        if (actual !== reference) {
          throw new RegistryError(
            `manifest ${describe(repo, reference)}: the registry sent content with digest ${actual}`,
            { reason: "digest-mismatch", registry: repo.registry, url },
          );
        }
      }
      checkContentDigest(response, bytes, repo, reference, url);
      const mediaType = manifestMediaType(response, bytes);
      let parsed: ParsedManifest;
      try {
        parsed = parseManifest(bytes, mediaType);
      } catch (error) {
        if (!(error instanceof ManifestFormatError)) throw error;
        throw new RegistryError(`manifest ${describe(repo, reference)}: ${error.message}`, {
          reason: "bad-response",
          registry: repo.registry,
          url,
          cause: error,
        });
      }
      return { mediaType, digest: byDigest ? reference : computeDigest(bytes), bytes, parsed };
    });
  }

  /** HEAD of a manifest: its media type, digest and size, without the body. */
  async headManifest(
    repo: RepositoryName,
    reference: string,
    options: ManifestRequestOptions = {},
  ): Promise<ManifestHead> {
    checkName(repo);
    checkReference(reference);
    const accept = options.accept ?? SUPPORTED_MANIFEST_TYPES;
    return this.#operation(options, async (signal) => {
      const path = `/v2/${repo.repository}/manifests/${reference}`;
      const response = await this.#request(repo, "HEAD", path, { accept: accept.join(", ") }, signal);
      await this.#expectOk(response, repo, `manifest ${describe(repo, reference)}`);
      response.discard();
      const announced = response.header("docker-content-digest");
      if (announced !== undefined && !isDigest(announced)) {
        throw new RegistryError(
          `manifest ${describe(repo, reference)}: invalid Docker-Content-Digest ${announced}`,
          {
            reason: "bad-response",
            registry: repo.registry,
            url: redactUrl(response.url),
          },
        );
      }
      if (announced !== undefined && isDigest(reference) && announced !== reference) {
        throw new RegistryError(
          `manifest ${describe(repo, reference)}: the registry announced digest ${announced}`,
          { reason: "digest-mismatch", registry: repo.registry, url: redactUrl(response.url) },
        );
      }
      const length = response.header("content-length");
      return {
        mediaType: normalizeContentType(response.header("content-type")),
        digest: announced ?? (isDigest(reference) ? reference : undefined),
        size: length === undefined || !/^\d+$/.test(length) ? undefined : Number(length),
      };
    });
  }

  /** Fetches a blob, refusing more than maxBytes, and verifies it against its digest. */
  async getBlob(repo: RepositoryName, digest: string, options: BlobRequestOptions): Promise<Uint8Array> {
    checkName(repo);
    if (!isDigest(digest)) throw new TypeError(`invalid blob digest ${JSON.stringify(digest)}`);
    const { maxBytes, expectedSize } = options;
    const what = `blob ${describe(repo, digest)}`;
    if (expectedSize !== undefined && expectedSize > maxBytes) {
      throw new RegistryError(`${what} is ${expectedSize} bytes, more than the limit of ${maxBytes} bytes`, {
        reason: "size-limit",
        registry: repo.registry,
      });
    }
    const limit = expectedSize ?? maxBytes;
    return this.#operation(options, async (signal) => {
      const response = await this.#request(repo, "GET", `/v2/${repo.repository}/blobs/${digest}`, {}, signal);
      await this.#expectOk(response, repo, what);
      const verifier = new DigestVerifier(digest);
      const url = redactUrl(response.url);
      let bytes: Uint8Array;
      try {
        bytes = await response.readBody(limit, (chunk) => verifier.update(chunk));
      } catch (error) {
        if (error instanceof RegistryError && error.reason === "size-limit" && expectedSize !== undefined) {
          throw new RegistryError(`${what}: the registry sent more than the expected ${expectedSize} bytes`, {
            reason: "size-limit",
            registry: repo.registry,
            url,
          });
        }
        throw error;
      }
      if (expectedSize !== undefined && bytes.length !== expectedSize) {
        throw new RegistryError(
          `${what}: the registry sent ${bytes.length} bytes, expected ${expectedSize}`,
          {
            reason: "size-limit",
            registry: repo.registry,
            url,
          },
        );
      }
      const actual = verifier.actual();
      if (actual !== digest) {
        throw new RegistryError(`${what}: the registry sent content with digest ${actual}`, {
          reason: "digest-mismatch",
          registry: repo.registry,
          url,
        });
      }
      return bytes;
    });
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages, in the registry's order. */
  async listTags(repo: RepositoryName, options: TagListOptions = {}): Promise<string[]> {
    checkName(repo);
    const maxPages = options.maxPages ?? 10_000;
    const maxBytes = this.#options.maxTagListBytes ?? DEFAULT_MAX_TAG_LIST_BYTES;
    const tags: string[] = [];
    let path = `/v2/${repo.repository}/tags/list`;
    if (options.pageSize !== undefined) path += `?n=${options.pageSize}`;
    const seen = new Set<string>();
    for (let page = 0; ; page++) {
      if (page >= maxPages) {
        throw new RegistryError(`tags of ${describe(repo)}: more than ${maxPages} pages`, {
          reason: "bad-response",
          registry: repo.registry,
        });
      }
      seen.add(path);
      const next = await this.#operation(options, async (signal) => {
        const response = await this.#request(repo, "GET", path, { accept: "application/json" }, signal);
        await this.#expectOk(response, repo, `tags of ${describe(repo)}`);
        const bytes = await response.readBody(maxBytes);
        tags.push(...parseTagList(bytes, repo, redactUrl(response.url)));
        return nextPagePath(response, repo);
      });
      if (next === undefined) return tags;
      if (seen.has(next)) {
        throw new RegistryError(`tags of ${describe(repo)}: the registry's next page link loops (${next})`, {
          reason: "bad-response",
          registry: repo.registry,
        });
      }
      path = next;
    }
  }

  /**
   * The single-platform manifest for a reference: the manifest itself, or, for an index or manifest list,
   * the instance containers/image would pull for the platform (fetched by its digest).
   */
  async resolveImage(
    image: ImageReference,
    options: ChooseInstanceOptions & RequestOptions = {},
  ): Promise<ResolvedImage> {
    const top = await this.getManifest(image, image.reference, options);
    if (top.parsed.kind === "manifest") return { manifest: top as ResolvedImage["manifest"] };
    const index = top as NonNullable<ResolvedImage["index"]>;
    let chosen: Descriptor;
    try {
      chosen = chooseInstance(index.parsed, options);
    } catch (error) {
      if (!(error instanceof NoMatchingInstanceError)) throw error;
      throw new RegistryError(`${describe(image, image.reference)}: ${error.message}`, {
        reason: "bad-response",
        registry: image.registry,
        cause: error,
      });
    }
    if (!isImageManifestType(chosen.mediaType)) {
      throw new RegistryError(
        `${describe(image, image.reference)}: the chosen instance ${chosen.digest} has media type ` +
          `${chosen.mediaType}, not a single-image manifest`,
        { reason: "bad-response", registry: image.registry },
      );
    }
    const instance = await this.getManifest(image, chosen.digest, { ...options, accept: [chosen.mediaType] });
    if (instance.parsed.kind !== "manifest" || instance.mediaType !== chosen.mediaType) {
      throw new RegistryError(
        `${describe(image, chosen.digest)}: the index says ${chosen.mediaType}, the registry served ${instance.mediaType}`,
        { reason: "bad-response", registry: image.registry },
      );
    }
    return { index, manifest: instance as ResolvedImage["manifest"] };
  }

  /** Closes idle connections. The client can still be used afterwards. */
  close(): void {
    this.#transport.close();
  }

  // --- internals ---

  /** Runs one operation under the client's time limit and the caller's signal. */
  #operation<T>(options: RequestOptions, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return run(options.signal ? AbortSignal.any([timeout, options.signal]) : timeout);
  }

  /** A request to the registry with authentication: proactive when the challenge is known, retried once on 401. */
  async #request(
    repo: RepositoryName,
    method: "GET" | "HEAD",
    path: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const endpoint = await this.#endpoint(repo.registry, signal);
    const url = new URL(path, endpoint.baseUrl);
    const scopes = [repositoryScope(repo.repository)];
    const send = (authorization: string | undefined): Promise<HttpResponse> =>
      this.#transport.request({
        method,
        url,
        headers: { ...headers, ...(authorization ? { authorization } : {}) },
        signal,
        registry: repo.registry,
      });

    const firstAuth = await this.#authRequest(repo, endpoint, endpoint.challenges, scopes, signal);
    const firstAuthorization = await this.#auth.authorization(firstAuth);
    const first = await send(firstAuthorization);
    if (first.status !== 401) return first;
    // The ping may have been answered without a challenge, or the token's scope was too narrow, or the
    // token expired early: authenticate once more with this answer's challenge and the scope it asks for.
    const challenges = parseWwwAuthenticate(first.headers["www-authenticate"] ?? []);
    const asked = challenges
      .filter((c) => c.scheme === "bearer" && c.parameters.scope)
      .flatMap((c) => (c.parameters.scope as string).split(" "))
      .filter((s) => s !== "" && !scopes.includes(s));
    const retryAuth = await this.#authRequest(repo, endpoint, challenges, [...scopes, ...asked], signal);
    this.#auth.invalidate(retryAuth);
    const retryAuthorization = await this.#auth.authorization(retryAuth);
    if (retryAuthorization === undefined || retryAuthorization === firstAuthorization) return first;
    first.discard();
    if (endpoint.challenges.length === 0) endpoint.challenges = challenges;
    return send(retryAuthorization);
  }

  async #authRequest(
    repo: RepositoryName,
    endpoint: RegistryEndpoint,
    challenges: readonly AuthChallenge[],
    scopes: string[],
    signal: AbortSignal,
  ) {
    const found = challenges.length > 0 ? await this.#credentialsFor(repo) : undefined;
    return {
      registry: repo.registry,
      challenges,
      scopes,
      credentials: found?.credentials,
      credentialsSource: found?.source,
      insecure: endpoint.baseUrl.protocol === "http:" || this.#transport.isInsecure(repo.registry),
      signal,
    };
  }

  #credentialsFor(
    repo: RepositoryName,
  ): Promise<{ credentials: RegistryCredentials; source: string } | undefined> {
    const key = `${repo.registry}/${repo.repository}`;
    let found = this.#credentials.get(key);
    if (found === undefined) {
      const fixed = this.#options.staticCredentials?.[repo.registry];
      const lookup = this.#options.credentials;
      found =
        fixed !== undefined
          ? Promise.resolve({ credentials: fixed, source: "the staticCredentials option" })
          : lookup === false
            ? Promise.resolve(undefined)
            : lookupCredentials(key, lookup ?? {}).catch((error: unknown) => {
                throw new RegistryError(`${repo.registry}: looking up credentials: ${errorText(error)}`, {
                  reason: "unauthorized",
                  registry: repo.registry,
                  cause: error,
                });
              });
      found.catch(() => this.#credentials.delete(key));
      this.#credentials.set(key, found);
    }
    return found;
  }

  /**
   * Scheme and auth challenge of a registry, from `GET /v2/` (cached; retried after a failure). The ping
   * is shared by concurrent operations, so it runs under its own time limit, not the first caller's signal.
   */
  #endpoint(registry: string, signal: AbortSignal): Promise<RegistryEndpoint> {
    let endpoint = this.#endpoints.get(registry);
    if (endpoint === undefined) {
      endpoint = this.#ping(registry, AbortSignal.timeout(this.#timeoutMs));
      endpoint.catch(() => this.#endpoints.delete(registry));
      this.#endpoints.set(registry, endpoint);
    }
    const host = apiHost(registry);
    const where = this.#transport.isInsecure(registry)
      ? `https://${host}/v2/ or http://${host}/v2/`
      : `https://${host}/v2/`;
    return awaitWithSignal(endpoint, signal, registry, where);
  }

  async #ping(registry: string, signal: AbortSignal): Promise<RegistryEndpoint> {
    const host = apiHost(registry);
    const schemes = this.#transport.isInsecure(registry) ? ["https", "http"] : ["https"];
    const failures: RegistryError[] = [];
    for (const scheme of schemes) {
      const baseUrl = new URL(`${scheme}://${host}/`);
      try {
        const response = await this.#transport.request({
          method: "GET",
          url: new URL("/v2/", baseUrl),
          signal,
          registry,
        });
        response.discard();
        if (response.status === 200 || response.status === 401) {
          const challenges =
            response.status === 401 ? parseWwwAuthenticate(response.headers["www-authenticate"] ?? []) : [];
          return { baseUrl, challenges };
        }
        failures.push(
          new RegistryError(
            `${registry}: ${redactUrl(response.url)} answered HTTP ${response.status}, not a registry?`,
            {
              reason: "http-status",
              registry,
              url: redactUrl(response.url),
              status: response.status,
            },
          ),
        );
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        if (error.reason === "timeout" || error.reason === "cancelled") throw error; // no time for a fallback
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0] as RegistryError;
    const last = failures[failures.length - 1] as RegistryError;
    throw new RegistryError(failures.map((f) => f.message).join("; "), {
      reason: last.reason,
      registry,
      ...(last.status === undefined ? {} : { status: last.status }),
      cause: last,
    });
  }

  /** Turns a non-2xx answer into a RegistryError with the distribution error codes of its body. */
  async #expectOk(response: HttpResponse, repo: RepositoryName, what: string): Promise<void> {
    if (response.status >= 200 && response.status < 300) return;
    let errors: ReturnType<typeof parseErrorBody> = [];
    try {
      errors = parseErrorBody(await response.readBody(MAX_ERROR_BODY_BYTES));
    } catch {
      response.discard();
    }
    const codes = errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join("; ");
    const url = redactUrl(response.url);
    if (response.status === 401 || response.status === 403) {
      const found = await this.#credentialsFor(repo).catch(() => undefined);
      const hint = found
        ? `the credentials from ${found.source} were not accepted`
        : `no credentials found for ${repo.registry}/${repo.repository}`;
      throw new RegistryError(
        `${what}: access denied (HTTP ${response.status}${codes ? `, ${codes}` : ""}); ${hint}`,
        { reason: "unauthorized", registry: repo.registry, url, status: response.status, errors },
      );
    }
    throw new RegistryError(`${what}: HTTP ${response.status}${codes ? ` (${codes})` : ""}`, {
      reason: "http-status",
      registry: repo.registry,
      url,
      status: response.status,
      errors,
    });
  }
}

/** Where a registry's API is: Docker Hub's "docker.io" is served by registry-1.docker.io. */
function apiHost(registry: string): string {
  return registry === "docker.io" ? "registry-1.docker.io" : registry;
}

function describe(repo: RepositoryName, reference?: string): string {
  const name = `${repo.registry}/${repo.repository}`;
  if (reference === undefined) return name;
  return isDigest(reference) ? `${name}@${reference}` : `${name}:${reference}`;
}

function checkName(repo: RepositoryName): void {
  if (!REGISTRY_HOST.test(repo.registry))
    throw new TypeError(`invalid registry host ${JSON.stringify(repo.registry)}`);
  if (!REPOSITORY.test(repo.repository) || repo.repository.length > 255) {
    throw new TypeError(`invalid repository name ${JSON.stringify(repo.repository)}`);
  }
}

function checkReference(reference: string): void {
  if (!TAG.test(reference) && !isDigest(reference)) {
    throw new TypeError(`invalid tag or digest ${JSON.stringify(reference)}`);
  }
}

/** Checks Docker-Content-Digest, when the registry sends one, against the bytes received. */
function checkContentDigest(
  response: HttpResponse,
  bytes: Uint8Array,
  repo: RepositoryName,
  reference: string,
  url: string,
): void {
  const announced = response.header("docker-content-digest");
  if (announced === undefined) return;
  const parsed = parseDigest(announced);
  if (parsed === undefined) {
    throw new RegistryError(
      `manifest ${describe(repo, reference)}: invalid Docker-Content-Digest ${announced}`,
      {
        reason: "bad-response",
        registry: repo.registry,
        url,
      },
    );
  }
  const actual = computeDigest(bytes, parsed.algorithm);
  if (actual !== announced) {
    throw new RegistryError(
      `manifest ${describe(repo, reference)}: the registry announced digest ${announced} but sent content with digest ${actual}`,
      { reason: "digest-mismatch", registry: repo.registry, url },
    );
  }
}

/**
 * The manifest's media type: the Content-Type when it names a format we know; otherwise (missing, or a
 * generic type such as application/json or text/plain that some CDNs send) guessed from the body.
 */
function manifestMediaType(response: HttpResponse, bytes: Uint8Array): string {
  const contentType = normalizeContentType(response.header("content-type"));
  if (isImageManifestType(contentType) || isIndexManifestType(contentType)) return contentType;
  const guessed = guessManifestMediaType(bytes);
  return guessed !== "" ? guessed : contentType;
}

function parseTagList(bytes: Uint8Array, repo: RepositoryName, url: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RegistryError(`tags of ${describe(repo)}: invalid JSON: ${errorText(error)}`, {
      reason: "bad-response",
      registry: repo.registry,
      url,
    });
  }
  const tags =
    typeof parsed === "object" && parsed !== null ? (parsed as { tags?: unknown }).tags : undefined;
  if (tags === null || tags === undefined) return []; // distribution sends "tags": null for an empty repository
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === "string")) {
    throw new RegistryError(`tags of ${describe(repo)}: "tags" is not an array of strings`, {
      reason: "bad-response",
      registry: repo.registry,
      url,
    });
  }
  return tags as string[];
}

/** The path (with query) of the next page from a `Link: </v2/…?last=x&n=2>; rel="next"` header. */
function nextPagePath(response: HttpResponse, repo: RepositoryName): string | undefined {
  for (const value of response.headers.link ?? []) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const match = /^\s*<([^>]*)>\s*((?:;[^;]*)*)$/.exec(part);
      if (match === null) continue;
      const params = match[2] ?? "";
      if (!/;\s*rel\s*=\s*"?next"?\s*(;|$)/i.test(params)) continue;
      const next = new URL(match[1] ?? "", response.url);
      if (next.origin !== response.url.origin) {
        throw new RegistryError(
          `tags of ${describe(repo)}: next page link points to another host (${next.origin})`,
          {
            reason: "bad-response",
            registry: repo.registry,
          },
        );
      }
      return `${next.pathname}${next.search}`;
    }
  }
  return undefined;
}
