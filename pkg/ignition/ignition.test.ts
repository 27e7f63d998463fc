import { describe, expect, it } from "@jest/globals";
import { dataUrl, decodeIgnitionFile, detectedMediaType, ignitionConfig, ignitionFile } from "./ignition.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("ignition files", () => {
  it("encodes text like MCO: base64 data URL with Go's sniffed media type", () => {
    expect(dataUrl(text('{"a":1}'))).toBe("data:text/plain;charset=utf-8;base64,eyJhIjoxfQ==");
    expect(ignitionFile("/etc/containers/policy.json", text("{}"))).toEqual({
      overwrite: true,
      path: "/etc/containers/policy.json",
      contents: { compression: "", source: "data:text/plain;charset=utf-8;base64,e30=" },
      mode: 420,
    });
  });

  it("gzips deterministically and decodes back", () => {
    const big = text("x".repeat(10000));
    const a = ignitionFile("/etc/crio/policies/a.json", big, { gzip: true });
    const b = ignitionFile("/etc/crio/policies/a.json", big, { gzip: true });
    expect(a).toEqual(b);
    expect(a.contents.compression).toBe("gzip");
    expect(a.contents.source.startsWith("data:application/x-gzip;base64,")).toBe(true);
    expect(Buffer.from(decodeIgnitionFile(a)).toString()).toBe("x".repeat(10000));
  });

  it("sniffs binary content as octet-stream", () => {
    expect(detectedMediaType(new Uint8Array([0, 1, 2]))).toBe("application/octet-stream");
  });

  it("omits storage when there are no files", () => {
    expect(ignitionConfig([])).toEqual({ ignition: { version: "3.5.0" } });
  });
});
