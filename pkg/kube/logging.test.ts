import { PassThrough } from "node:stream";
import { describe, expect, it } from "@jest/globals";
import { KubeApiError } from "./errors.ts";
import { createLogger, objectRef } from "./logging.ts";

function capture(level: "info" | "debug" = "info") {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.setEncoding("utf8");
  let buffered = "";
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) if (part) lines.push(JSON.parse(part) as Record<string, unknown>);
  });
  return { logger: createLogger({ level, stream, fields: { app: "ipc" } }), lines };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createLogger", () => {
  it("writes one JSON object per line: timestamp, level, msg first, then fields", async () => {
    const { logger, lines } = capture();
    logger
      .child({ controller: "imagepolicy" })
      .child({
        reconcileID: "r1",
        object: objectRef({ kind: "ClusterImagePolicy", metadata: { name: "p" } }),
      })
      .info("reconciled", { durationMs: 12 });
    await tick();
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0] ?? {}).slice(0, 3)).toEqual(["timestamp", "level", "msg"]);
    expect(lines[0]).toMatchObject({
      level: "info",
      msg: "reconciled",
      app: "ipc",
      controller: "imagepolicy",
      reconcileID: "r1",
      object: { kind: "ClusterImagePolicy", name: "p" },
      durationMs: 12,
    });
    expect(Date.parse(String(lines[0]?.timestamp))).not.toBeNaN();
  });

  it("serialises errors with their Kubernetes code and reason, and filters by level", async () => {
    const { logger, lines } = capture("info");
    logger.debug("hidden");
    logger.error("failed", { err: new KubeApiError(409, "Conflict", "modified", "PUT /x") });
    await tick();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.err).toEqual({
      name: "KubeApiError",
      message: "modified",
      statusCode: 409,
      reason: "Conflict",
    });
  });

  it("objectRef leaves out what an object does not have", () => {
    expect(objectRef({ metadata: { name: "a", namespace: "ns" } })).toEqual({ name: "a", namespace: "ns" });
  });
});

describe("errorFields", () => {
  it("handles errors from another realm and non-errors", async () => {
    const { runInNewContext } = await import("node:vm");
    const foreign = runInNewContext(
      'Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })',
    ) as unknown;
    const { errorFields } = await import("./logging.ts");
    expect(errorFields(foreign)).toEqual({
      name: "Error",
      message: "connect ECONNREFUSED",
      code: "ECONNREFUSED",
    });
    expect(errorFields("plain")).toEqual({ message: "plain" });
    expect(errorFields(new Error("outer", { cause: new Error("inner") }))).toEqual({
      name: "Error",
      message: "outer",
      cause: { name: "Error", message: "inner" },
    });
  });
});
