// The probe and metrics endpoint: GET /healthz (the process serves requests), /readyz (every named
// readiness check passes, e.g. "informers-synced") and /metrics (Prometheus text format). Answers
// follow kube-apiserver's healthz handlers: 200 "ok", or 500 with one "[+]name ok" /
// "[-]name failed: reason" line per check (also on success with ?verbose).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { discardLogger, errorFields, type Logger } from "./logging.ts";

/** true: passing; false or a string (the reason): failing. May be async; a throw fails. */
export type Check = () => boolean | string | Promise<boolean | string>;

export interface BindAddress {
  /** undefined: every interface. */
  host: string | undefined;
  port: number;
}

/**
 * Go-style listen addresses: ":8080" (every interface), "127.0.0.1:0" (loopback, any free port),
 * "[::1]:8080". "0" means disabled (undefined), as controller-runtime's --metrics-bind-address.
 */
export function parseBindAddress(address: string): BindAddress | undefined {
  if (address === "0") return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new Error(`invalid bind address ${JSON.stringify(address)} (want host:port)`);
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

export interface HealthServerOptions {
  /** parseBindAddress syntax; default ":8080". */
  bindAddress?: string;
  /** Served at /metrics when given. */
  registry?: Registry;
  logger?: Logger;
}

export class HealthServer {
  readonly #bind: BindAddress;
  readonly #registry: Registry | undefined;
  readonly #logger: Logger;
  readonly #readyChecks = new Map<string, Check>();
  readonly #healthChecks = new Map<string, Check>([["ping", () => true]]);
  #server: http.Server | undefined;

  constructor(options: HealthServerOptions = {}) {
    const bind = parseBindAddress(options.bindAddress ?? ":8080");
    if (!bind) throw new Error('the health server is disabled by bind address "0"; do not construct it');
    this.#bind = bind;
    this.#registry = options.registry;
    this.#logger = options.logger ?? discardLogger;
  }

  addReadyCheck(name: string, check: Check): void {
    this.#readyChecks.set(name, check);
  }

  addHealthCheck(name: string, check: Check): void {
    this.#healthChecks.set(name, check);
  }

  /** Listens; resolves to the bound address (the actual port when 0 was asked for). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.#server) return this.address();
    const server = http.createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        this.#logger.error("health server request failed", { err: errorFields(error) });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#bind.port, this.#bind.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = this.address();
    this.#logger.info("serving health probes and metrics", address);
    return address;
  }

  address(): { host: string; port: number } {
    const info = this.#server?.address() as AddressInfo | null | undefined;
    if (!info) throw new Error("the health server is not listening");
    return { host: info.address, port: info.port };
  }

  /** A URL for a client on this host ("http://127.0.0.1:port"). */
  get url(): string {
    const { host, port } = this.address();
    const reachable = host === "::" || host === "0.0.0.0" ? "127.0.0.1" : host;
    return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    switch (url.pathname) {
      case "/healthz":
      case "/livez":
        return this.#checks(url, "healthz", this.#healthChecks, response);
      case "/readyz":
        return this.#checks(url, "readyz", this.#readyChecks, response);
      case "/metrics":
        if (this.#registry) {
          const body = await this.#registry.metrics();
          response.writeHead(200, { "Content-Type": this.#registry.contentType }).end(body);
          return;
        }
        break;
    }
    response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
  }

  async #checks(
    url: URL,
    what: string,
    checks: Map<string, Check>,
    response: http.ServerResponse,
  ): Promise<void> {
    const results = await Promise.all(
      [...checks].map(async ([name, check]) => {
        try {
          const result = await check();
          return { name, ok: result === true, reason: typeof result === "string" ? result : "" };
        } catch (error) {
          return { name, ok: false, reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ok = results.every((r) => r.ok);
    const verbose = url.searchParams.has("verbose");
    let body = "ok";
    if (!ok || verbose) {
      body = results
        // As kube-apiserver does: a failure's reason (which can name hosts, files or errors) only
        // for a caller who asks with ?verbose; a probe needs the status code alone.
        .map((r) =>
          r.ok
            ? `[+]${r.name} ok`
            : `[-]${r.name} failed: ${verbose ? r.reason || "no reason given" : "reason withheld"}`,
        )
        .concat(ok ? `${what} check passed` : `${what} check failed`)
        .join("\n");
    }
    response.writeHead(ok ? 200 : 500, { "Content-Type": "text/plain; charset=utf-8" }).end(`${body}\n`);
  }
}
