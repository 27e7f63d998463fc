// The two pieces of Go's fmt/strconv that leak into containers/image error messages: %q
// (strconv.Quote) for keys, types and references, and %#v of a float64 for a stray JSON number.

import { isGoPrint } from "./unicode.ts";
import { codePoints } from "./utf8.ts";

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** strconv.Quote / fmt's %q of a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const cp of codePoints(s)) {
    if (cp === 0x22 || cp === 0x5c) {
      out += "\\" + String.fromCharCode(cp);
    } else if (isGoPrint(cp)) {
      out += String.fromCodePoint(cp);
    } else {
      switch (cp) {
        case 0x07:
          out += "\\a";
          break;
        case 0x08:
          out += "\\b";
          break;
        case 0x0c:
          out += "\\f";
          break;
        case 0x0a:
          out += "\\n";
          break;
        case 0x0d:
          out += "\\r";
          break;
        case 0x09:
          out += "\\t";
          break;
        case 0x0b:
          out += "\\v";
          break;
        default:
          if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
          else if (cp < 0x10000) out += "\\u" + hex(cp, 4);
          else out += "\\U" + hex(cp, 8);
      }
    }
  }
  return out + '"';
}

/**
 * fmt's %v (and %#v) of a float64: the shortest digits that round-trip, in %e form when the
 * decimal exponent is below -4 or at least 6 ("1e+06", "1e-05"), otherwise plain ("100000").
 */
export function goFormatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const abs = Math.abs(x);
  if (abs === 0) return sign + "0";
  // toExponential() without an argument yields the shortest round-tripping digits, like Go's
  // strconv with precision -1.
  const [mantissa = "0", expText = "0"] = abs.toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? "." + digits.slice(1) : "";
    const expAbs = Math.abs(exp);
    return `${sign}${digits[0] ?? "0"}${frac}e${exp < 0 ? "-" : "+"}${expAbs < 10 ? "0" : ""}${expAbs}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + "0".repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
