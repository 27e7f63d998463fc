// HTTP(S) for the registry client, on node:http/node:https rather than fetch: Node does not expose the
// undici Agent its fetch is built on (so a per-registry CA or client certificate would need the npm
// undici package), fetch transparently decompresses bodies (digests are over the raw bytes), and its
// redirect handling cannot be told to refuse a downgrade to plain HTTP. Here every request gets:
//
// - TLS settings per registry host, the containers way (containers-certs.d(5)): for host[:port], the first
//   of $HOME/.config/containers/certs.d (non-root only), /etc/containers/certs.d, /etc/docker/certs.d that
//   has a host[:port] directory is used; in it `*.crt` files are CAs *added* to the system roots, and
//   `name.cert` + `name.key` pairs are client certificates. A `certDir` option replaces that search for
//   every host (skopeo's --cert-dir), and `caCertificates` (a PEM file or a directory) adds CAs for every host.
// - Insecure registries (containers-registries.conf(5) `insecure = true`): HTTPS without certificate
//   verification; the client also falls back to plain HTTP for them (see client.ts). No other host is ever
//   contacted over plain HTTP.
// - Redirects followed (blob downloads usually go to object storage), with the Authorization header
//   dropped when the redirect leaves the origin, and never from HTTPS to plain HTTP.
// - A caller-supplied AbortSignal (the client uses one per operation, with a timeout) covering connection,
//   headers and body; body reads with a hard size limit.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { RegistryError, errorText } from "./errors.ts";

export interface TransportOptions {
  /** host[:port] of registries reached without TLS verification, and over plain HTTP if HTTPS fails. */
  insecureRegistries?: readonly string[];
  /** Use this directory's *.crt / *.cert / *.key for every host instead of searching certs.d directories. */
  certDir?: string;
  /** The certs.d directories searched for a host[:port] subdirectory, first match wins. */
  certsDirectories?: readonly string[];
  /** Extra CA certificates for every host: a PEM file, or a directory of *.crt / *.pem files. */
  caCertificates?: string;
  userAgent?: string;
}

export const DEFAULT_USER_AGENT = "image-policy-controller";
const MAX_REDIRECTS = 10;

export function defaultCertsDirectories(): string[] {
  const dirs = ["/etc/containers/certs.d", "/etc/docker/certs.d"];
  // containers/image only looks in the user's directory when running rootless.
  if (process.getuid?.() !== 0) dirs.unshift(join(homedir(), ".config", "containers", "certs.d"));
  return dirs;
}

export interface HttpRequest {
  method: "GET" | "HEAD" | "POST";
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  signal: AbortSignal;
  /** Registry host[:port] for error messages. */
  registry: string;
}

export interface HttpResponse {
  status: number;
  /** The URL that answered, after redirects. */
  url: URL;
  /** Every header, lower-cased name → all values in order. */
  headers: Readonly<Record<string, readonly string[]>>;
  header(name: string): string | undefined;
  /** Reads the whole body, refusing (before reading, from Content-Length, or while reading) more than maxBytes. */
  readBody(maxBytes: number, onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array>;
  /** Releases the connection without reading the body. */
  discard(): void;
}

interface TlsSettings {
  ca?: string[];
  cert?: string[];
  key?: string[];
  rejectUnauthorized: boolean;
}

export class HttpTransport {
  readonly userAgent: string;
  readonly #insecure: ReadonlySet<string>;
  readonly #options: TransportOptions;
  readonly #agents = new Map<string, https.Agent>();
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  #extraCas: string[] | undefined;

  constructor(options: TransportOptions = {}) {
    this.#options = options;
    this.#insecure = new Set(options.insecureRegistries ?? []);
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  }

  isInsecure(host: string): boolean {
    return this.#insecure.has(host);
  }

  /** Sends a request and returns once the response headers are in, following redirects. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let method = request.method;
    let headers: Record<string, string> = { "user-agent": this.userAgent, ...request.headers };
    let body = request.body;
    for (let redirects = 0; ; redirects++) {
      const response = await this.#send(method, url, headers, body, request);
      const location = response.header("location");
      if (
        response.status < 300 ||
        response.status >= 400 ||
        response.status === 304 ||
        location === undefined
      ) {
        return response;
      }
      response.discard();
      if (redirects >= MAX_REDIRECTS) {
        throw new RegistryError(`too many redirects fetching ${redactUrl(request.url)}`, {
          reason: "bad-response",
          registry: request.registry,
          url: redactUrl(request.url),
        });
      }
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RegistryError(`refusing redirect to ${redactUrl(next)}: not an HTTP(S) URL`, {
          reason: "bad-response",
          registry: request.registry,
          url: redactUrl(url),
        });
      }
      if (url.protocol === "https:" && next.protocol === "http:") {
        throw new RegistryError(`refusing redirect from HTTPS to plain HTTP (${redactUrl(next)})`, {
          reason: "bad-response",
          registry: request.registry,
          url: redactUrl(url),
        });
      }
      if (next.origin !== url.origin) {
        // Credentials are for the registry; signed storage URLs carry their own authorisation.
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== "authorization"),
        );
      }
      if (response.status === 303 && method === "POST") {
        method = "GET";
        body = undefined;
      }
      url = next;
    }
  }

  #send(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Uint8Array | string | undefined,
    request: HttpRequest,
  ): Promise<HttpResponse> {
    const isHttps = url.protocol === "https:";
    let agent: http.Agent;
    try {
      agent = isHttps ? this.#httpsAgent(url.host) : this.#httpAgent;
    } catch (error) {
      return Promise.reject(
        new RegistryError(`TLS configuration for ${url.host}: ${errorText(error)}`, {
          reason: "unreachable",
          registry: request.registry,
          url: redactUrl(url),
          cause: error,
        }),
      );
    }
    const requestHeaders: Record<string, string> = { ...headers };
    if (body !== undefined) requestHeaders["content-length"] = String(Buffer.byteLength(body));
    const signal = request.signal;
    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (error: unknown): void => reject(networkError(error, url, request.registry, signal));
      if (signal.aborted) {
        fail(signal.reason);
        return;
      }
      const req = (isHttps ? https : http).request(url, { method, headers: requestHeaders, agent, signal });
      let answered = false;
      // Stays attached: an abort after the headers also errors the request, and an unhandled 'error'
      // would crash the process; the body reader reports that case from the response stream.
      req.on("error", (error) => {
        if (!answered) fail(error);
      });
      req.once("response", (res) => {
        answered = true;
        resolve(wrapResponse(res, url, request.registry, signal));
      });
      req.end(body);
    });
  }

  #httpsAgent(host: string): https.Agent {
    let agent = this.#agents.get(host);
    if (agent === undefined) {
      const settings = this.#tlsSettings(host);
      agent = new https.Agent({ keepAlive: true, ...settings });
      this.#agents.set(host, agent);
    }
    return agent;
  }

  #tlsSettings(host: string): TlsSettings {
    const settings: TlsSettings = { rejectUnauthorized: !this.isInsecure(host) };
    const cas: string[] = [];
    const dir = this.#options.certDir ?? this.#hostCertsDirectory(host);
    if (dir !== undefined) {
      const files = readdirSync(dir).sort();
      const certs: string[] = [];
      const keys: string[] = [];
      for (const name of files) {
        if (name.endsWith(".crt")) cas.push(readFileSync(join(dir, name), "utf8"));
        if (name.endsWith(".cert")) {
          const keyName = `${name.slice(0, -".cert".length)}.key`;
          if (!files.includes(keyName))
            throw new Error(`missing key ${keyName} for client certificate ${join(dir, name)}`);
          certs.push(readFileSync(join(dir, name), "utf8"));
          keys.push(readFileSync(join(dir, keyName), "utf8"));
        }
        if (name.endsWith(".key") && !files.includes(`${name.slice(0, -".key".length)}.cert`)) {
          throw new Error(`missing client certificate for key ${join(dir, name)}`);
        }
      }
      if (certs.length > 0) Object.assign(settings, { cert: certs, key: keys });
    }
    this.#extraCas ??= this.#options.caCertificates
      ? readPemFileOrDirectory(this.#options.caCertificates)
      : [];
    cas.push(...this.#extraCas);
    // Node's `ca` replaces the default roots; containers/image adds to the system pool, so include them.
    if (cas.length > 0) settings.ca = [...tls.getCACertificates("default"), ...cas];
    return settings;
  }

  #hostCertsDirectory(host: string): string | undefined {
    for (const base of this.#options.certsDirectories ?? defaultCertsDirectories()) {
      const dir = join(base, host);
      if (existsSync(dir)) return dir;
    }
    return undefined;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
    this.#httpAgent.destroy();
  }
}

function readPemFileOrDirectory(path: string): string[] {
  if (!statSync(path).isDirectory()) return [readFileSync(path, "utf8")];
  return readdirSync(path)
    .filter((name) => name.endsWith(".crt") || name.endsWith(".pem"))
    .sort()
    .map((name) => readFileSync(join(path, name), "utf8"));
}

function wrapResponse(
  res: http.IncomingMessage,
  url: URL,
  registry: string,
  signal: AbortSignal,
): HttpResponse {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) {
    if (values !== undefined) headers[name] = values;
  }
  let consumed = false;
  return {
    status: res.statusCode ?? 0,
    url,
    headers,
    header: (name) => headers[name.toLowerCase()]?.[0],
    discard: () => {
      if (consumed) return;
      consumed = true;
      res.resume();
    },
    readBody: async (maxBytes, onChunk) => {
      if (consumed) throw new Error("response body already read");
      consumed = true;
      const tooLarge = (size: string): RegistryError => {
        res.destroy();
        return new RegistryError(
          `response from ${redactUrl(url)} is ${size}, more than the limit of ${maxBytes} bytes`,
          { reason: "size-limit", registry, url: redactUrl(url) },
        );
      };
      const declared = res.headers["content-length"];
      if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(`${declared} bytes`);
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > maxBytes) throw tooLarge("larger");
          onChunk?.(chunk);
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        throw networkError(error, url, registry, signal);
      }
      if (!res.complete) {
        throw new RegistryError(
          `connection closed before the whole response from ${redactUrl(url)} arrived`,
          {
            reason: "unreachable",
            registry,
            url: redactUrl(url),
          },
        );
      }
      return new Uint8Array(Buffer.concat(chunks, total));
    },
  };
}

/** The error for an operation its AbortSignal ended: a timeout, or the caller cancelling. */
export function abortedError(
  signal: AbortSignal,
  registry: string,
  where: string,
  cause?: unknown,
): RegistryError {
  const reason: unknown = signal.reason;
  // Duck-typed: the DOMException may come from another realm (Jest's VM context) than our Error.
  if (
    typeof reason === "object" &&
    reason !== null &&
    (reason as { name?: unknown }).name === "TimeoutError"
  ) {
    return new RegistryError(`${registry}: no response from ${where} within the time limit`, {
      reason: "timeout",
      registry,
      url: where,
      cause: cause ?? reason,
    });
  }
  return new RegistryError(`${registry}: request to ${where} was cancelled`, {
    reason: "cancelled",
    registry,
    url: where,
    cause: reason ?? cause,
  });
}

/**
 * Waits for a promise shared between operations (a registry ping, a token fetch) under one caller's
 * signal: that caller gives up when its own signal ends, without cancelling the shared work for others.
 */
export function awaitWithSignal<T>(
  shared: Promise<T>,
  signal: AbortSignal,
  registry: string,
  where: string,
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(signal, registry, where));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, registry, where));
    signal.addEventListener("abort", onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function networkError(error: unknown, url: URL, registry: string, signal: AbortSignal): RegistryError {
  const where = redactUrl(url);
  if (signal.aborted) return abortedError(signal, registry, where, error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  let message = `${registry}: cannot reach ${where}: ${errorText(error)}`;
  if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
    message +=
      ` (the registry's certificate is not trusted: put its CA in /etc/containers/certs.d/${url.host}/ca.crt,` +
      ` or mark ${url.host} insecure)`;
  }
  return new RegistryError(message, { reason: "unreachable", registry, url: where, cause: error });
}

const TLS_VERIFY_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The URL without user info or query (signed storage URLs carry credentials in the query). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
