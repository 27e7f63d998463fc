/** Compares strings by UTF-16 code units, the stable order used wherever output must be deterministic. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares strings by their UTF-8 bytes: Go's string order (sort.Strings, `<` on strings). */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
