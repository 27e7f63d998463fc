// Raw HTTPS requests to the API server with a KubeConfig's TLS trust and credentials, for the few
// things the generated clients hide: the exact Status body of a rejected request, warning headers,
// health endpoints, discovery.
import https from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";

export interface KubeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface KubeRequestOptions {
  /** Sent as is when a string, as JSON otherwise. */
  body?: unknown;
  /** Defaults to application/json. */
  contentType?: string;
  timeoutMs?: number;
}

/** `path` is relative to the server URL and may carry a query string ("/apis?x=y"). */
export async function kubeRequest(
  kubeConfig: KubeConfig,
  method: string,
  path: string,
  options: KubeRequestOptions = {},
): Promise<KubeResponse> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the KubeConfig has no current cluster");
  const url = new URL(path, cluster.server);
  const requestOptions: https.RequestOptions = { method, headers: {} };
  await kubeConfig.applyToHTTPSOptions(requestOptions);
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(requestOptions.headers as Record<string, string>),
    Accept: "application/json",
  };
  if (payload !== undefined) headers["Content-Type"] = options.contentType ?? "application/json";

  return new Promise<KubeResponse>((resolve, reject) => {
    const request = https.request(url, { ...requestOptions, method, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("error", reject);
      response.on("end", () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    request.setTimeout(options.timeoutMs ?? 30_000, () => {
      request.destroy(new Error(`${method} ${url.href} timed out`));
    });
    request.on("error", reject);
    request.end(payload);
  });
}
