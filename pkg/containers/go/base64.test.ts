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

  // Well-formed input takes a fast path; the same text with line breaks takes Go's own algorithm.
  // Both must read the same bytes, non-zero padding bits included.
  it("reads well-formed text and the same text with line breaks alike", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.integer({ min: 0, max: 15 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (bytes, paddingBits, breaks) => {
          let text = base64Encode(bytes);
          const pad = text.indexOf("=");
          if (pad > 0) {
            // Set bits the decoder must ignore in the last significant character.
            const last = alphabetIndex(text[pad - 1] ?? "A");
            const spare = pad === text.length - 2 ? 0xf : 0x3;
            text = text.slice(0, pad - 1) + alphabetChar(last | (paddingBits & spare)) + text.slice(pad);
          }
          let broken = text;
          for (const at of breaks) {
            const i = at % (broken.length + 1);
            broken = `${broken.slice(0, i)}\n${broken.slice(i)}`;
          }
          const fast = goBase64Decode(text);
          expect(fast).toEqual({ ok: true, bytes });
          expect(goBase64Decode(broken)).toEqual(fast);
        },
      ),
    );
  });
});

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const alphabetIndex = (c: string): number => ALPHABET.indexOf(c);
const alphabetChar = (i: number): string => ALPHABET[i] ?? "A";

describe("canonicalBase64", () => {
  it("rewrites what Go would re-encode differently, and refuses what Go refuses", () => {
    expect(canonicalBase64("QR==")).toBe("QQ==");
    expect(canonicalBase64("QU\nJD")).toBe("QUJD");
    expect(canonicalBase64("QUJD")).toBe("QUJD");
    expect(canonicalBase64("QUJ")).toBeUndefined();
  });
});
