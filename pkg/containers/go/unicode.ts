// Go's unicode package predicates and case mapping, per code point. JS offers the same Unicode
// categories through property escapes; only the case mapping needs care (see goToLower).

const letter = /^\p{L}$/u;
const decimalDigit = /^\p{Nd}$/u;
// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space only.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsLetter */
export function isGoLetter(cp: number): boolean {
  return letter.test(String.fromCodePoint(cp));
}

/** unicode.IsDigit (category Nd, not just ASCII). */
export function isGoDigit(cp: number): boolean {
  return decimalDigit.test(String.fromCodePoint(cp));
}

/** unicode.IsPrint */
export function isGoPrint(cp: number): boolean {
  return printable.test(String.fromCodePoint(cp));
}

/**
 * strings.ToLower: Go maps each code point on its own with the simple (one-to-one) mapping. JS
 * toLowerCase applies the full mappings, which differ for U+0130 (to "i" plus a combining dot) and
 * depend on context for a final sigma; mapping one code point at a time and keeping U+0130 → "i"
 * gives Go's result.
 */
export function goToLower(s: string): string {
  let out = "";
  for (const ch of s) {
    if (ch === "\u0130") {
      out += "i";
      continue;
    }
    const lower = ch.toLowerCase();
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}
