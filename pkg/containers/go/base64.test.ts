import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { base64Encode, canonicalBase64, goBase64Decode } from "./base64.ts";

// Offsets are those Go's base64.StdEncoding.DecodeString reports.
describe("goBase64Decode", () => {
  it.each([
    ["", []],
    ["QQ==", [0x41]],
    ["QUI=", [0x41, 0x42]],
    ["QUJD", [0x41, 0x42, 0x43]],
    ["QR==", [0x41]], // non-zero padding bits are accepted
    ["Q\nU\r\nJD\n", [0x41, 0x42, 0x43]], // CR and LF are skipped anywhere
    ["QQ=\n=", [0x41]],
  ])("decodes %j", (input, bytes) => {
    expect(goBase64Decode(input)).toEqual({ ok: true, bytes: Uint8Array.from(bytes) });
  });

  it.each([
    ["Q", 0],
    ["QU", 0],
    ["QUJ", 0],
    ["QUJDQ", 4],
    ["=QQ=", 0],
    ["Q===", 1],
    ["QQ=", 3],
    ["QQ=x", 2],
    ["QQ==QQ==", 4],
    ["QQ==\n\nx", 6],
    ["QUJD@", 4],
    ["QUJD QUJD", 4],
    ["é", 0],
    ["QUJDé", 4],
  ])("refuses %j at byte %i", (input, offset) => {
    expect(goBase64Decode(input)).toEqual({
      ok: false,
      message: `illegal base64 data at input byte ${offset}`,
    });
  });

  it("round-trips any bytes through the standard encoding", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = goBase64Decode(base64Encode(bytes));
        expect(decoded).toEqual({ ok: true, bytes });
      }),
    );
  });
});

describe("canonicalBase64", () => {
  it("rewrites what Go would re-encode differently, and refuses what Go refuses", () => {
    expect(canonicalBase64("QR==")).toBe("QQ==");
    expect(canonicalBase64("QU\nJD")).toBe("QUJD");
    expect(canonicalBase64("QUJD")).toBe("QUJD");
    expect(canonicalBase64("QUJ")).toBeUndefined();
  });
});
