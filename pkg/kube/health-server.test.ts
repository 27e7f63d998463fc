import { afterEach, describe, expect, it } from "@jest/globals";
import { Counter } from "prom-client";
import { HealthServer, parseBindAddress } from "./health-server.ts";
import { createMetricsRegistry } from "./metrics.ts";

let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server?.url}${path}`);
  return { status: response.status, text: await response.text() };
}

describe("parseBindAddress", () => {
  it("reads Go-style addresses", () => {
    expect(parseBindAddress(":8080")).toEqual({ host: undefined, port: 8080 });
    expect(parseBindAddress("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseBindAddress("[::1]:9443")).toEqual({ host: "::1", port: 9443 });
    expect(parseBindAddress("0")).toBeUndefined();
    expect(() => parseBindAddress("8080")).toThrow(/bind address/);
    expect(() => parseBindAddress(":99999")).toThrow(/bind address/);
  });
});

describe("HealthServer", () => {
  it("answers /healthz while running and /readyz by its checks", async () => {
    let synced = false;
    server = new HealthServer({ bindAddress: "127.0.0.1:0" });
    server.addReadyCheck("informers-synced", () => synced || "2 of 3 informers synced");
    server.addReadyCheck("leader-election", async () => true);
    const { port } = await server.start();
    expect(port).toBeGreaterThan(0);
    expect(await get("/healthz")).toEqual({ status: 200, text: "ok\n" });
    const notReady = await get("/readyz");
    expect(notReady.status).toBe(500);
    expect(notReady.text).toContain("[-]informers-synced failed: reason withheld");
    expect(notReady.text).not.toContain("2 of 3");
    expect((await get("/readyz?verbose")).text).toContain(
      "[-]informers-synced failed: 2 of 3 informers synced",
    );
    expect(notReady.text).toContain("[+]leader-election ok");
    synced = true;
    expect(await get("/readyz")).toEqual({ status: 200, text: "ok\n" });
    expect((await get("/readyz?verbose")).text).toContain("readyz check passed");
    expect((await get("/nope")).status).toBe(404);
  });

  it("fails a check that throws", async () => {
    server = new HealthServer({ bindAddress: "127.0.0.1:0" });
    server.addReadyCheck("broken", () => {
      throw new Error("kaput");
    });
    await server.start();
    const response = await get("/readyz");
    expect(response.status).toBe(500);
    expect(response.text).toContain("[-]broken failed: reason withheld");
    expect((await get("/readyz?verbose")).text).toContain("[-]broken failed: kaput");
  });

  it("serves the registry's metrics, process metrics included", async () => {
    const registry = createMetricsRegistry();
    new Counter({ name: "test_things_total", help: "things", registers: [registry] }).inc(3);
    server = new HealthServer({ bindAddress: "127.0.0.1:0", registry });
    await server.start();
    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain("test_things_total 3");
    expect(metrics.text).toContain("process_cpu_user_seconds_total");
  });

  it("closes with keep-alive connections open", async () => {
    server = new HealthServer({ bindAddress: "127.0.0.1:0" });
    await server.start();
    await get("/healthz");
    await server.close();
    await expect(fetch(`http://127.0.0.1:${1}/`).catch(() => "refused")).resolves.toBe("refused");
    server = undefined;
  });
});
