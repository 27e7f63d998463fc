/** Compares strings by UTF-16 code units, the stable order used wherever output must be deterministic. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
