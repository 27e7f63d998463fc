// Go's encoding/base64 StdEncoding, which is what encoding/json uses for []byte fields such as
// keyData. Go's decoder is lenient in two ways a strict decoder is not: it skips '\r' and '\n'
// anywhere, and it accepts non-zero padding bits ("QR==" decodes like "QQ=="). Its error names the
// byte offset where decoding failed, and containers/image reports that message verbatim.

import { utf8Bytes } from "./utf8.ts";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const decodeMap = new Int16Array(256).fill(-1);
for (let i = 0; i < alphabet.length; i++) decodeMap[alphabet.charCodeAt(i)] = i;

const PAD = 0x3d; // '='
const isNewline = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;

export type GoBase64Result = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/**
 * Padded standard base64 without line breaks: the form Go writes and key material almost always
 * has. Go decodes it exactly as Node's decoder does (both ignore non-zero padding bits), so it
 * skips the quantum-by-quantum port below, which policy files with thousands of keys made slow.
 */
const WELL_FORMED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64.StdEncoding.DecodeString, with Go's error text ("illegal base64 data at input byte N"). */
export function goBase64Decode(s: string): GoBase64Result {
  if (WELL_FORMED.test(s)) return { ok: true, bytes: new Uint8Array(Buffer.from(s, "base64")) };
  return decodeQuanta(s);
}

/** Go's decoder itself, for what is not well formed: line breaks, or an error and its offset. */
function decodeQuanta(s: string): GoBase64Result {
  const src = utf8Bytes(s);
  const out: number[] = [];
  const corrupt = (offset: number): GoBase64Result => ({
    ok: false,
    message: `illegal base64 data at input byte ${offset}`,
  });
  let si = 0;
  // One iteration per quantum of four significant characters, like Go's decodeQuantum.
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailingGarbageAt = -1;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: Uint8Array.from(out) };
        // A short final quantum without padding is an error with padding required.
        return corrupt(si - j);
      }
      const c = src[si] ?? 0;
      si++;
      const v = decodeMap[c] ?? -1;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== PAD) return corrupt(si - 1);
      // Padding: valid only after two or three characters of the quantum.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) trailingGarbageAt = si;
      dlen = j;
      break;
    }
    const val = ((dbuf[0] ?? 0) << 18) | ((dbuf[1] ?? 0) << 12) | ((dbuf[2] ?? 0) << 6) | (dbuf[3] ?? 0);
    const decoded = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...decoded.slice(0, dlen - 1));
    if (trailingGarbageAt >= 0) return corrupt(trailingGarbageAt);
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/** base64.StdEncoding.EncodeToString: padded standard alphabet, how Go's JSON writes []byte. */
export function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * The base64 text Go writes back after reading s into a []byte, or undefined when Go would refuse
 * s. Equal for every canonical input; differs for inputs with line breaks or non-zero padding bits.
 */
export function canonicalBase64(s: string): string | undefined {
  const decoded = goBase64Decode(s);
  return decoded.ok ? base64Encode(decoded.bytes) : undefined;
}
