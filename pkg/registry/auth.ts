// Registry authentication: parsing WWW-Authenticate challenges, and the Docker token flow
// (distribution's docs/spec/auth/token.md and oauth.md), as containers/image implements it
// (docker/docker_client.go getBearerToken / getBearerTokenOAuth2 / setupRequestAuth):
//
// - The registry's challenge comes from the 401 of `GET /v2/` (the ping) or of any later request.
// - Basic: the credentials are sent with every request.
// - Bearer: a token is fetched from `realm` with `service` and `scope=repository:<name>:pull` (plus the
//   scope a 401 asks for), anonymously or with the credentials as Basic auth (GET), or with an identity
//   token as an OAuth2 refresh token (POST, grant_type=refresh_token, client_id=containers/image). Tokens
//   are cached per realm, service, scopes and credentials until they expire (at least 60 s, as there).
//
// Credentials never go over plain HTTP to a registry or realm that is not explicitly insecure.
import type { RegistryCredentials } from "./credentials.ts";
import { RegistryError, errorText, parseErrorBody } from "./errors.ts";
import { awaitWithSignal, redactUrl, type HttpTransport } from "./transport.ts";

export interface AuthChallenge {
  /** Lower-cased: "basic", "bearer", … */
  scheme: string;
  /** Parameter names lower-cased (realm, service, scope, error, …). */
  parameters: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parses WWW-Authenticate header values (RFC 7235): each value may hold several challenges, e.g.
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull", Basic realm="x"`.
 * Unparsable parts are skipped rather than failing the whole header.
 */
export function parseWwwAuthenticate(values: readonly string[]): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const value of values) {
    let i = 0;
    const skipSpace = (): void => {
      while (i < value.length && (value[i] === " " || value[i] === "\t")) i++;
    };
    const readToken = (): string => {
      const start = i;
      while (i < value.length && TOKEN_CHAR.test(value[i] as string)) i++;
      return value.slice(start, i);
    };
    let current: AuthChallenge | undefined;
    while (i < value.length) {
      skipSpace();
      if (value[i] === ",") {
        i++;
        continue;
      }
      const token = readToken();
      if (token === "") {
        i++; // not a token character: skip it
        continue;
      }
      skipSpace();
      if (value[i] === "=" && current !== undefined) {
        i++;
        skipSpace();
        let paramValue: string;
        if (value[i] === '"') {
          i++;
          paramValue = "";
          while (i < value.length && value[i] !== '"') {
            if (value[i] === "\\" && i + 1 < value.length) i++;
            paramValue += value[i];
            i++;
          }
          i++; // closing quote
        } else {
          paramValue = readToken();
        }
        current.parameters[token.toLowerCase()] = paramValue;
      } else if (value[i] === "=") {
        // A parameter before any scheme: malformed; skip its value.
        i++;
        readToken();
      } else {
        // A token68 credential form (`Negotiate abc==`) has no parameters we use; treat it as a scheme.
        current = { scheme: token.toLowerCase(), parameters: {} };
        challenges.push(current);
      }
    }
  }
  return challenges;
}

export function repositoryScope(repository: string, actions = "pull"): string {
  return `repository:${repository}:${actions}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const MINIMUM_TOKEN_LIFETIME_S = 60;
const TOKEN_REFRESH_MARGIN_MS = 10_000;
const MAX_TOKEN_BODY_BYTES = 1024 * 1024; // containers/image iolimits.MaxAuthTokenBodySize

export interface AuthorizationRequest {
  /** Registry host[:port], for messages and the insecure check. */
  registry: string;
  challenges: readonly AuthChallenge[];
  scopes: readonly string[];
  credentials: RegistryCredentials | undefined;
  /** A description of where the credentials came from, for cache keys and messages. */
  credentialsSource: string | undefined;
  /** True when the registry itself is reached over plain HTTP or is explicitly insecure. */
  insecure: boolean;
  signal: AbortSignal;
}

/** Turns challenges into an Authorization header value, fetching and caching Bearer tokens. */
export class Authenticator {
  readonly #transport: HttpTransport;
  readonly #tokens = new Map<string, Promise<CachedToken>>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  /** timeoutMs limits each token request, which concurrent operations may share. */
  constructor(transport: HttpTransport, timeoutMs: number, now: () => number = Date.now) {
    this.#transport = transport;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  /** The Authorization header for a request, or undefined to send none. */
  async authorization(request: AuthorizationRequest): Promise<string | undefined> {
    for (const challenge of request.challenges) {
      if (challenge.scheme === "basic") {
        const { credentials } = request;
        if (credentials === undefined || credentials.username === "") return undefined;
        return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      }
      if (challenge.scheme === "bearer") {
        const token = await this.#bearerToken(challenge, request);
        return `Bearer ${token}`;
      }
    }
    return undefined; // no challenge we support: try without, as containers/image does
  }

  /** Forgets cached tokens for a request's scopes (after the registry refused one). */
  invalidate(request: AuthorizationRequest): void {
    for (const challenge of request.challenges) {
      if (challenge.scheme === "bearer") this.#tokens.delete(this.#cacheKey(challenge, request));
    }
  }

  #cacheKey(challenge: AuthChallenge, request: AuthorizationRequest): string {
    return JSON.stringify([
      challenge.parameters.realm ?? "",
      challenge.parameters.service ?? "",
      [...request.scopes].sort(),
      request.credentialsSource ?? "",
      request.credentials?.username ?? "",
    ]);
  }

  async #bearerToken(challenge: AuthChallenge, request: AuthorizationRequest): Promise<string> {
    const key = this.#cacheKey(challenge, request);
    const cached = this.#tokens.get(key);
    const where = challenge.parameters.realm ?? "the token server";
    if (cached !== undefined) {
      try {
        const token = await awaitWithSignal(cached, request.signal, request.registry, where);
        if (token.expiresAt - TOKEN_REFRESH_MARGIN_MS > this.#now()) return token.token;
      } catch (error) {
        if (request.signal.aborted) throw error;
        // a failed fetch is not cached beyond its own callers; fetch again below
      }
      if (this.#tokens.get(key) === cached) this.#tokens.delete(key);
    }
    const pending = this.#fetchToken(challenge, request, AbortSignal.timeout(this.#timeoutMs));
    this.#tokens.set(key, pending);
    pending.catch(() => {
      if (this.#tokens.get(key) === pending) this.#tokens.delete(key);
    });
    return (await awaitWithSignal(pending, request.signal, request.registry, where)).token;
  }

  async #fetchToken(
    challenge: AuthChallenge,
    request: AuthorizationRequest,
    signal: AbortSignal,
  ): Promise<CachedToken> {
    const { registry, credentials } = request;
    const realmText = challenge.parameters.realm;
    if (!realmText) {
      throw new RegistryError(`${registry}: Bearer challenge without a realm`, {
        reason: "bad-response",
        registry,
      });
    }
    let realm: URL;
    try {
      realm = new URL(realmText);
    } catch {
      throw new RegistryError(`${registry}: Bearer realm ${JSON.stringify(realmText)} is not a URL`, {
        reason: "bad-response",
        registry,
      });
    }
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && request.insecure)) {
      throw new RegistryError(
        `${registry}: refusing token realm ${redactUrl(realm)}: plain HTTP is only used for insecure registries`,
        { reason: "unauthorized", registry, url: redactUrl(realm) },
      );
    }
    const service = challenge.parameters.service;
    const scopes = request.scopes.filter((s) => s !== "");
    const headers: Record<string, string> = {};
    let method: "GET" | "POST" = "GET";
    let body: string | undefined;
    const url = new URL(realm);
    if (credentials?.identityToken) {
      method = "POST";
      const form = new URLSearchParams();
      if (service) form.append("service", service);
      for (const scope of scopes) form.append("scope", scope);
      form.append("grant_type", "refresh_token");
      form.append("refresh_token", credentials.identityToken);
      form.append("client_id", "containers/image");
      body = form.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else {
      if (credentials?.username) url.searchParams.append("account", credentials.username);
      if (service) url.searchParams.append("service", service);
      for (const scope of scopes) url.searchParams.append("scope", scope);
      if (credentials?.username && credentials.password) {
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      }
    }

    const response = await this.#transport.request({
      method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
      signal,
      registry,
    });
    const bytes = await response.readBody(MAX_TOKEN_BODY_BYTES);
    if (response.status === 401 || response.status === 403) {
      const who = request.credentialsSource
        ? `the credentials from ${request.credentialsSource} were refused`
        : "anonymous access was refused and no credentials were found";
      throw new RegistryError(
        `${registry}: token server ${redactUrl(realm)}: ${who} (HTTP ${response.status})`,
        {
          reason: "unauthorized",
          registry,
          url: redactUrl(realm),
          status: response.status,
          errors: parseErrorBody(bytes),
        },
      );
    }
    if (response.status !== 200) {
      throw new RegistryError(
        `${registry}: token server ${redactUrl(realm)} answered HTTP ${response.status}`,
        {
          reason: "http-status",
          registry,
          url: redactUrl(realm),
          status: response.status,
          errors: parseErrorBody(bytes),
        },
      );
    }
    return parseTokenResponse(bytes, this.#now(), registry, realm);
  }
}

/** {token | access_token, expires_in, issued_at}, as docker/distribution's token servers answer. */
export function parseTokenResponse(
  bytes: Uint8Array,
  now: number,
  registry: string,
  realm: URL,
): CachedToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new RegistryError(
      `${registry}: token server ${redactUrl(realm)} sent invalid JSON: ${errorText(error)}`,
      {
        reason: "bad-response",
        registry,
        url: redactUrl(realm),
      },
    );
  }
  const fields = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const token =
    typeof fields.token === "string" && fields.token !== ""
      ? fields.token
      : typeof fields.access_token === "string"
        ? fields.access_token
        : "";
  if (token === "") {
    throw new RegistryError(`${registry}: token server ${redactUrl(realm)} sent no token`, {
      reason: "bad-response",
      registry,
      url: redactUrl(realm),
    });
  }
  let lifetime = typeof fields.expires_in === "number" ? fields.expires_in : 0;
  if (lifetime < MINIMUM_TOKEN_LIFETIME_S) lifetime = MINIMUM_TOKEN_LIFETIME_S;
  const issued = typeof fields.issued_at === "string" ? Date.parse(fields.issued_at) : Number.NaN;
  const issuedAt = Number.isNaN(issued) ? now : issued;
  return { token, expiresAt: issuedAt + lifetime * 1000 };
}
