// Go strings are UTF-8 bytes and Go's libraries count, index and repair them byte by byte. These
// helpers let the ports in this folder work on the same bytes, so offsets in error messages and
// replacement of broken sequences match what a Go program reports.

const encoder = new TextEncoder();

/** The UTF-8 bytes of a JS string; a lone surrogate becomes U+FFFD, as it would in a Go string. */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The UTF-8 length of s in bytes (Go's len(s)). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Decodes one rune at bytes[i] like Go's utf8.DecodeRune: an invalid or truncated sequence yields
 * U+FFFD with width 1, so each bad byte becomes its own replacement character.
 */
export function decodeRune(bytes: Uint8Array, i: number): { rune: number; width: number } {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return { rune: b0, width: 1 };
  const invalid = { rune: 0xfffd, width: 1 };
  const cont = (k: number): number => {
    const b = bytes[i + k];
    return b !== undefined && (b & 0xc0) === 0x80 ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 < 0 ? invalid : { rune: ((b0 & 0x1f) << 6) | c1, width: 2 };
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const b1 = bytes[i + 1] ?? 0;
    // Overlong forms (E0 80..9F) and UTF-16 surrogates (ED A0..BF) are invalid in Go.
    if ((b0 === 0xe0 && b1 < 0xa0) || (b0 === 0xed && b1 > 0x9f)) return invalid;
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 < 0 || c2 < 0) return invalid;
    return { rune: ((b0 & 0x0f) << 12) | (c1 << 6) | c2, width: 3 };
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const b1 = bytes[i + 1] ?? 0;
    if ((b0 === 0xf0 && b1 < 0x90) || (b0 === 0xf4 && b1 > 0x8f)) return invalid;
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 < 0 || c2 < 0 || c3 < 0) return invalid;
    return { rune: ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, width: 4 };
  }
  return invalid;
}

/** Decodes bytes to a JS string the way Go converts []byte to runes: every invalid byte is U+FFFD. */
export function decodeUtf8Lossy(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = "";
  for (let i = start; i < end;) {
    const { rune, width } = decodeRune(bytes, i);
    out += String.fromCodePoint(rune);
    i += width;
  }
  return out;
}

/** The code points of s, with lone surrogates replaced by U+FFFD (what a Go string would hold). */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0xfffd;
    out.push(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
  }
  return out;
}

const isSurrogate = (u: number): boolean => u >= 0xd800 && u <= 0xdfff;

/** Compares strings by code point, which is the byte order of their UTF-8 forms (Go's a < b). */
export function compareCodePoints(a: string, b: string): number {
  // Where the strings first differ, two code units outside the surrogate range (after a prefix
  // that does not end inside a pair) are the code points there: their order is the answer. Keys
  // are sorted thousands of times per render, so this avoids splitting both into code points.
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && isSurrogate(a.charCodeAt(i - 1))) return compareByCodePoints(a, b);
  if (i === n) return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  const ua = a.charCodeAt(i);
  const ub = b.charCodeAt(i);
  if (isSurrogate(ua) || isSurrogate(ub)) return compareByCodePoints(a, b);
  return ua < ub ? -1 : 1;
}

function compareByCodePoints(a: string, b: string): number {
  const ca = codePoints(a);
  const cb = codePoints(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return ca.length === cb.length ? 0 : ca.length < cb.length ? -1 : 1;
}
