// A thin REST layer over the Kubernetes API that speaks plain JSON for any resource, identified by
// {group, version, plural, namespaced, kind}. KubeConfig supplies only the TLS trust, client
// certificates and credentials (applyToHTTPSOptions, which re-reads rotating service-account tokens
// and runs exec plugins); bodies are never passed through client-node's typed serializers, which
// drop fields they do not know (every custom resource field, and newer built-in ones).
//
// Writes: create, update (PUT, optimistic concurrency on metadata.resourceVersion), delete, JSON
// merge patch, and server-side apply (`application/apply-patch+yaml`; JSON is valid YAML) with a
// field manager and force, each also on the status subresource. Failures are KubeApiErrors
// (errors.ts); the server's Warning headers are logged.
import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../apis/meta.ts";
import { KubeApiError, isStatus, type Status } from "./errors.ts";
import { discardLogger, type Logger } from "./logging.ts";

/**
 * How to reach one kind of object: its REST path and its kind. `T` is the object's TypeScript type
 * (a phantom: nothing holds a value of it), so `client.resource(CLUSTER_IMAGE_POLICIES)` is typed.
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly __object?: T;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** "/apis/group/version[/namespaces/ns]/plural[/name[/subresource]]" */
export function resourcePath(
  type: ResourceType,
  target: { namespace?: string | undefined; name?: string | undefined; subresource?: string } = {},
): string {
  const base = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  if (type.namespaced && target.name !== undefined && !target.namespace) {
    throw new Error(`${type.plural} are namespaced: a namespace is needed for ${target.name}`);
  }
  if (!type.namespaced && target.namespace) {
    throw new Error(`${type.plural} are cluster-scoped: got namespace ${target.namespace}`);
  }
  let path = base;
  if (target.namespace) path += `/namespaces/${encodeURIComponent(target.namespace)}`;
  path += `/${type.plural}`;
  if (target.name !== undefined) path += `/${encodeURIComponent(target.name)}`;
  if (target.subresource) path += `/${target.subresource}`;
  return path;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** JSON-encoded unless a string. */
  body?: unknown;
  /** Default application/json when there is a body. */
  contentType?: string;
  signal?: AbortSignal;
  /** Whole-request timeout; default the client's requestTimeoutMs. Not applied to watches. */
  timeoutMs?: number;
}

export interface KubeClientOptions {
  /** Default 30 s. */
  requestTimeoutMs?: number;
  userAgent?: string;
  /** Where server Warning headers and nothing else are logged. */
  logger?: Logger;
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  readonly #requestTimeoutMs: number;
  readonly #userAgent: string;
  readonly #logger: Logger;
  // client-node's agents do not keep connections alive: one TLS handshake per request otherwise.
  readonly #agent = new https.Agent({ keepAlive: true });

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? "image-policy-controller";
    this.#logger = options.logger ?? discardLogger;
  }

  /** Closes idle keep-alive connections (open watches end when their signals abort). */
  close(): void {
    this.#agent.destroy();
  }

  /** A client for one resource type. */
  resource<T extends KubeObject = KubeObject>(type: ResourceType<T>): ResourceClient<T> {
    return new ResourceClient<T>(this, type);
  }

  /** One request; resolves to the parsed JSON body (undefined when empty), rejects with KubeApiError. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#requestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const response = await this.#send(method, path, { ...options, signal });
    const text = await readBody(response);
    const request = `${method} ${path}`;
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw KubeApiError.fromResponse(status, text, request);
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KubeApiError(status, "", `${request}: response is not JSON: ${text.slice(0, 200)}`, request);
    }
  }

  /**
   * A streaming GET (watch): resolves once the response headers arrive with 200, to the response,
   * which ends when the server closes the watch or `signal` aborts. Non-200 → KubeApiError.
   */
  async stream(path: string, options: RequestOptions = {}): Promise<http.IncomingMessage> {
    const response = await this.#send("GET", path, options);
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      throw KubeApiError.fromResponse(status, await readBody(response), `GET ${path}`);
    }
    return response;
  }

  async #send(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("the KubeConfig has no current cluster");
    // The server URL may carry a path prefix (API proxies): append, don't resolve.
    const url = new URL(cluster.server.replace(/\/+$/, "") + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const requestOptions: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    // Keep client-node's agent only where it does more than TLS (proxies) or for plain HTTP.
    if (url.protocol === "https:" && !cluster.proxyUrl) requestOptions.agent = this.#agent;
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...(requestOptions.headers as Record<string, string> | undefined),
      Accept: "application/json",
      "User-Agent": this.#userAgent,
    };
    if (payload !== undefined) {
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === "http:" ? http : https;
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = transport.request(
        url,
        { ...requestOptions, method, headers, signal: options.signal },
        resolve,
      );
      req.on("error", reject);
      req.end(payload);
    });
    this.#logWarnings(method, path, response);
    return response;
  }

  #logWarnings(method: string, path: string, response: http.IncomingMessage): void {
    const warning = response.headers.warning;
    if (!warning) return;
    for (const text of Array.isArray(warning) ? warning : [warning]) {
      // RFC 7234 warn-code "299 - \"text\"".
      const message = /^\d{3} \S+ "(.*)"$/s.exec(text)?.[1] ?? text;
      this.#logger.warn("API server warning", { request: `${method} ${path}`, warning: message });
    }
  }
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => (text += chunk));
    response.on("end", () => resolve(text));
    response.on("error", reject);
  });
}

/** A list response. */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** "" (default): the latest state, read from etcd. "0": any state, typically the watch cache. */
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this version; from a list's metadata.resourceVersion. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server closes the watch after this long. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One watch event; for ERROR the object is a metav1.Status. */
export type WatchEvent<T> =
  { type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK"; object: T } | { type: "ERROR"; object: Status };

export interface WriteOptions {
  /** Recorded in managedFields; required for apply. */
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: "Ignore" | "Warn" | "Strict";
  signal?: AbortSignal;
}

export interface ApplyOptions extends WriteOptions {
  fieldManager: string;
  /** Take ownership of fields another manager owns (controllers do; default true). */
  force?: boolean;
}

export interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  signal?: AbortSignal;
}

export const MERGE_PATCH = "application/merge-patch+json";
export const JSON_PATCH = "application/json-patch+json";
export const APPLY_PATCH = "application/apply-patch+yaml";

/** Plain-JSON CRUD, patch, apply and watch for one resource type. */
export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly client: KubeClient;
  readonly type: ResourceType<T>;

  constructor(client: KubeClient, type: ResourceType<T>) {
    this.client = client;
    this.type = type;
  }

  get apiVersion(): string {
    return apiVersionOf(this.type);
  }

  path(namespace?: string, name?: string, subresource?: string): string {
    return resourcePath(this.type, subresource ? { namespace, name, subresource } : { namespace, name });
  }

  async get(name: string, namespace?: string, signal?: AbortSignal): Promise<T> {
    return this.#object(await this.client.request("GET", this.path(namespace, name), { signal }));
  }

  /** One page (all of it unless `limit`). */
  async list(options: ListOptions = {}): Promise<ObjectList<T>> {
    const list = (await this.client.request("GET", this.path(options.namespace), {
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        resourceVersionMatch: options.resourceVersionMatch,
        limit: options.limit,
        continue: options.continue,
      },
      signal: options.signal,
    })) as ObjectList<T>;
    // Items of built-in lists carry no apiVersion/kind; set them so cached objects are complete.
    list.items = (list.items ?? []).map((item) => this.#object(item));
    list.metadata ??= {};
    return list;
  }

  /**
   * Every page, followed through `continue` tokens (`pageSize` per request, default 500): the items
   * and the list's resourceVersion, from which a watch continues. All pages are one consistent
   * snapshot; when a continue token expires the whole list starts over, as client-go's pager does.
   */
  async listAll(options: Omit<ListOptions, "limit" | "continue"> & { pageSize?: number } = {}): Promise<{
    items: T[];
    resourceVersion: string;
  }> {
    for (let attempt = 0; ; attempt++) {
      const items: T[] = [];
      let resourceVersion: string;
      let continueToken: string | undefined;
      try {
        do {
          const page = await this.list({
            ...options,
            limit: options.pageSize ?? 500,
            continue: continueToken,
          });
          items.push(...page.items);
          resourceVersion = page.metadata.resourceVersion ?? "";
          continueToken = page.metadata.continue || undefined;
        } while (continueToken);
        return { items, resourceVersion };
      } catch (error) {
        if (!(continueToken && attempt === 0 && error instanceof KubeApiError && error.statusCode === 410)) {
          throw error;
        }
      }
    }
  }

  async create(object: T, options: WriteOptions = {}): Promise<T> {
    const namespace = this.#namespaceOf(object);
    return this.#object(
      await this.client.request("POST", this.path(namespace), {
        body: this.#withType(object),
        query: writeQuery(options),
        signal: options.signal,
      }),
    );
  }

  /** PUT; fails with a conflict when metadata.resourceVersion is stale. */
  async update(object: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(object, undefined, options);
  }

  async updateStatus(object: T, options: WriteOptions = {}): Promise<T> {
    return this.#put(object, "status", options);
  }

  /** Resolves to the final object or Status the server returns (deletion may still be pending). */
  async delete(name: string, namespace?: string, options: DeleteOptions = {}): Promise<unknown> {
    const body: Record<string, unknown> = { apiVersion: "v1", kind: "DeleteOptions" };
    if (options.preconditions) body.preconditions = options.preconditions;
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = options.gracePeriodSeconds;
    return this.client.request("DELETE", this.path(namespace, name), {
      body,
      query: { dryRun: options.dryRun ? "All" : undefined },
      signal: options.signal,
    });
  }

  /** RFC 7386 JSON merge patch (null removes a field; lists are replaced whole). */
  async mergePatch(
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.patch(name, namespace, patch, MERGE_PATCH, options);
  }

  async mergePatchStatus(
    name: string,
    namespace: string | undefined,
    patch: unknown,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.patch(name, namespace, patch, MERGE_PATCH, options, "status");
  }

  async patch(
    name: string,
    namespace: string | undefined,
    patch: unknown,
    contentType: string,
    options: WriteOptions & { force?: boolean } = {},
    subresource?: string,
  ): Promise<T> {
    return this.#object(
      await this.client.request("PATCH", this.path(namespace, name, subresource), {
        body: patch,
        contentType,
        query: { ...writeQuery(options), force: options.force },
        signal: options.signal,
      }),
    );
  }

  /**
   * Server-side apply: `object` is this manager's whole intent for the fields it sets (fields it set
   * before and leaves out now are removed). Creates the object when it does not exist. An apply
   * that changes nothing is not written: the resourceVersion stays.
   */
  async apply(object: T, options: ApplyOptions): Promise<T> {
    return this.#apply(object, options);
  }

  /** Server-side apply of the status subresource (only `status` of `object` is taken). */
  async applyStatus(object: T, options: ApplyOptions): Promise<T> {
    return this.#apply(object, options, "status");
  }

  /**
   * Watch events from `options.resourceVersion` until the server closes the stream (normal end of
   * iteration) or `options.signal` aborts (the iteration throws the abort reason). Connection errors
   * and non-200 answers throw; an ERROR event is yielded, not thrown.
   */
  async *watch(options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const response = await this.client.stream(this.path(options.namespace), {
      query: {
        watch: true,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      },
      signal: options.signal,
    });
    try {
      for await (const line of lines(response)) {
        if (line.trim() === "") continue;
        let event: { type?: string; object?: unknown };
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          throw new Error(`watch ${this.type.plural}: malformed event: ${line.slice(0, 200)}`);
        }
        if (event.type === "ERROR") {
          yield { type: "ERROR", object: isStatus(event.object) ? event.object : { message: line } };
        } else if (
          event.type === "ADDED" ||
          event.type === "MODIFIED" ||
          event.type === "DELETED" ||
          event.type === "BOOKMARK"
        ) {
          yield { type: event.type, object: this.#object(event.object) };
        }
      }
    } finally {
      response.destroy();
    }
  }

  async #put(object: T, subresource: string | undefined, options: WriteOptions): Promise<T> {
    const name = object.metadata.name;
    if (!name) throw new Error(`update ${this.type.kind}: metadata.name is empty`);
    return this.#object(
      await this.client.request("PUT", this.path(this.#namespaceOf(object), name, subresource), {
        body: this.#withType(object),
        query: writeQuery(options),
        signal: options.signal,
      }),
    );
  }

  async #apply(object: T, options: ApplyOptions, subresource?: string): Promise<T> {
    const name = object.metadata.name;
    if (!name) throw new Error(`apply ${this.type.kind}: metadata.name is empty`);
    return this.patch(
      name,
      this.#namespaceOf(object),
      this.#withType(object),
      APPLY_PATCH,
      { ...options, force: options.force ?? true },
      subresource,
    );
  }

  #namespaceOf(object: KubeObject): string | undefined {
    return this.type.namespaced ? object.metadata.namespace : undefined;
  }

  #withType(object: T): T {
    return { ...object, apiVersion: this.apiVersion, kind: this.type.kind };
  }

  #object(value: unknown): T {
    const object = value as T;
    if (object && typeof object === "object") {
      object.apiVersion ??= this.apiVersion;
      object.kind ??= this.type.kind;
      object.metadata ??= {};
    }
    return object;
  }
}

function writeQuery(options: WriteOptions): Record<string, QueryValue> {
  return {
    fieldManager: options.fieldManager,
    dryRun: options.dryRun ? "All" : undefined,
    fieldValidation: options.fieldValidation,
  };
}

/** Newline-delimited lines of a response (watch streams send one JSON object per line). */
async function* lines(response: http.IncomingMessage): AsyncGenerator<string> {
  response.setEncoding("utf8");
  let buffered = "";
  for await (const chunk of response as AsyncIterable<string>) {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
    }
  }
  if (buffered !== "") yield buffered;
}
