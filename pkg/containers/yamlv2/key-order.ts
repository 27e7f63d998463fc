// The order gopkg.in/yaml.v2 writes map keys in (sorter.go keyList.Less), which is what MCO's
// registries.d file has: ghodss/yaml turns the Go struct into JSON, reads that into a map, and
// yaml.v2 sorts the map's keys with this function. It is a "natural" order, not a byte order:
//   - at the first differing rune, two letters compare by code point;
//   - a letter sorts after anything that is not a letter;
//   - runs of digits compare as numbers ("test2.com" < "test10.com");
//   - a prefix sorts first.

import { isGoDigit, isGoLetter } from "../go/unicode.ts";
import { codePoints, compareCodePoints } from "../go/utf8.ts";

/** keyList.Less for two string keys. */
export function yamlV2KeyLess(a: string, b: string): boolean {
  const ar = codePoints(a);
  const br = codePoints(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] ?? 0;
    const bc = br[i] ?? 0;
    if (ac === bc) continue;
    const al = isGoLetter(ac);
    const bl = isGoLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    // Go accumulates digit runs in an int64 that silently wraps; BigInt.asIntN keeps that.
    let an = 0n;
    let bn = 0n;
    if (ac === 0x30 || bc === 0x30) {
      // A zero after a non-zero digit of the shared prefix is not a leading zero.
      for (let j = i - 1; j >= 0 && isGoDigit(ar[j] ?? 0); j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isGoDigit(ar[ai] ?? 0); ai++)
      an = BigInt.asIntN(64, an * 10n + BigInt((ar[ai] ?? 0) - 0x30));
    let bi = i;
    for (; bi < br.length && isGoDigit(br[bi] ?? 0); bi++)
      bn = BigInt.asIntN(64, bn * 10n + BigInt((br[bi] ?? 0) - 0x30));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

/**
 * Sorts keys the way yaml.v2 does. keyList.Less is not transitive for some keys with leading zeros
 * ("a10b" < "a1c" < "a01" < "a10b"); Go then sorts a randomly ordered map, so its output is not
 * even stable. Starting from byte order makes ours deterministic, and identical to Go's whenever
 * Go's is well defined.
 */
export function sortYamlV2Keys(keys: readonly string[]): string[] {
  const byBytes = [...keys].sort(compareCodePoints);
  return byBytes.sort((x, y) => (yamlV2KeyLess(x, y) ? -1 : yamlV2KeyLess(y, x) ? 1 : 0));
}
