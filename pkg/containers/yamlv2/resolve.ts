// Whether yaml.v2 may write a string unquoted (encode.go stringv): only if, read back as a plain
// scalar, it would still be a string (resolve.go resolve) and it is not a YAML 1.1 base-60 float.
// "123", "1.5", "true", "yes", "on", "~", "null", "" and "2024-01-31" all resolve to something else
// and are written double-quoted.

/** True when yaml.v2 writes s without quotes as far as its type is concerned. */
export function yamlV2CanUsePlain(s: string): boolean {
  return resolvesToString(s) && !isBase60Float(s);
}

// resolveMap: the YAML 1.1 literals yaml.v2 recognises. "<<" (merge) never gets this far, as its
// first character has no hint.
const nonStringLiterals = new Set([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"],
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"],
  ...["", "~", "null", "Null", "NULL"],
  ...[".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"],
]);

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** resolve("", s) == "!!str" */
function resolvesToString(s: string): boolean {
  const first = s === "" ? "N" : s[0];
  let hint: "N" | "S" | "D" | "M" | "." | undefined;
  if (first === "N") hint = "N";
  else if (first === "+" || first === "-") hint = "S";
  else if (first !== undefined && first >= "0" && first <= "9") hint = "D";
  else if (first !== undefined && "yYnNtTfFoO~".includes(first)) hint = "M";
  else if (first === ".") hint = ".";
  if (hint === undefined) return true;
  if (nonStringLiterals.has(s)) return false;
  if (hint === ".") return !goParseFloatOk(s);
  if (hint === "D" || hint === "S") {
    if (isYamlTimestamp(s)) return false;
    const plain = s.replaceAll("_", "");
    if (goParseIntOk(plain, true) || goParseIntOk(plain, false)) return false;
    if (yamlStyleFloat.test(plain) && goParseFloatOk(plain)) return false;
    // strconv.ParseInt(x, 2, 64) or ParseUint(x, 2, 64) of what follows "0b" (a sign is allowed
    // there), or ParseInt("-" + x, 2, 64) after "-0b".
    const binary = /^0b([-+]?)([01]+)$/.exec(plain);
    if (binary) {
      const n = BigInt("0b" + (binary[2] ?? ""));
      if (binary[1] === "-" ? n <= 2n ** 63n : fitsUint64(n)) return false;
    }
    const negativeBinary = /^-0b([01]+)$/.exec(plain);
    if (negativeBinary && BigInt("0b" + (negativeBinary[1] ?? "")) <= 2n ** 63n) return false;
  }
  return true;
}

function isBase60Float(s: string): boolean {
  return s !== "" && /^[-+0-9]/.test(s) && s.includes(":") && base60Float.test(s);
}

const fitsUint64 = (n: bigint): boolean => n >= 0n && n < 2n ** 64n;

/** strconv.ParseInt(s, 0, 64) (signed) or strconv.ParseUint(s, 0, 64) succeeds; s has no "_". */
function goParseIntOk(s: string, signed: boolean): boolean {
  let negative = false;
  let rest = s;
  if (signed && (rest.startsWith("+") || rest.startsWith("-"))) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "") return false;
  let base = 10;
  if (rest[0] === "0") {
    const p = rest[1]?.toLowerCase();
    if (rest.length >= 3 && (p === "b" || p === "o" || p === "x")) {
      base = p === "b" ? 2 : p === "o" ? 8 : 16;
      rest = rest.slice(2);
    } else {
      base = 8;
      rest = rest.slice(1);
    }
  }
  const digits = { 2: /^[01]*$/, 8: /^[0-7]*$/, 10: /^[0-9]*$/, 16: /^[0-9a-fA-F]*$/ }[base];
  if (!digits?.test(rest)) return false;
  let n = 0n;
  for (const ch of rest) n = n * BigInt(base) + BigInt(parseInt(ch, 16));
  if (!signed) return fitsUint64(n);
  return negative ? n <= 2n ** 63n : n < 2n ** 63n;
}

/**
 * strconv.ParseFloat(s, 64) succeeds, for the inputs that reach it here: a decimal number whose
 * underscores sit between digits (Go's underscoreOK) and whose value does not overflow.
 */
function goParseFloatOk(s: string): boolean {
  const m = /^[-+]?(?:([0-9_]*)\.?([0-9_]*))(?:[eE][-+]?([0-9][0-9_]*))?$/.exec(s);
  if (!m || !/[0-9]/.test((m[1] ?? "") + (m[2] ?? "")) || !underscoresOk(s)) return false;
  return Number.isFinite(Number(s.replaceAll("_", "")));
}

/** strconv's underscoreOK for a number without base prefix: every "_" between two digits. */
function underscoresOk(s: string): boolean {
  let saw = "^";
  for (const ch of s.replace(/^[-+]/, "")) {
    if (ch >= "0" && ch <= "9") saw = "0";
    else if (ch === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}

// resolve.go parseTimestamp: four digits and a "-", then one of these time.Parse layouts.
const timestampLayouts = [
  "2006-1-2T15:4:5.999999999Z07:00",
  "2006-1-2t15:4:5.999999999Z07:00",
  "2006-1-2 15:4:5.999999999",
  "2006-1-2",
];

function isYamlTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  return timestampLayouts.some((layout) => goTimeParses(layout, s));
}

/**
 * time.Parse for the layout elements above: 2006 (four digits), 1 and 2 (month and day, one or two
 * digits), 15 4 5 (hour, minute, second), .999999999 (optional fraction, "." or ","), Z07:00 ("Z"
 * or ±hh:mm), and literals, where a layout space matches any run of spaces.
 */
function goTimeParses(layout: string, value: string): boolean {
  const elements = layout.match(/2006|15|Z07:00|\.999999999|[1245]| |./g) ?? [];
  let v = value;
  let year = 0;
  let month = 0;
  let day = 0;
  // getnum(value, false): one digit, or two when the second is a digit too.
  const num = (): number | undefined => {
    const m = /^[0-9][0-9]?/.exec(v);
    if (!m) return undefined;
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  for (const el of elements) {
    switch (el) {
      case "2006":
        if (!/^[0-9]{4}/.test(v)) return false;
        year = Number(v.slice(0, 4));
        v = v.slice(4);
        break;
      case "1": {
        const n = num();
        if (n === undefined || n < 1 || n > 12) return false;
        month = n;
        break;
      }
      case "2": {
        const n = num();
        if (n === undefined) return false;
        day = n;
        break;
      }
      case "15":
      case "4":
      case "5": {
        const n = num();
        if (n === undefined || n >= (el === "15" ? 24 : 60)) return false;
        break;
      }
      case ".999999999": {
        const m = /^[.,][0-9]+/.exec(v);
        if (m) v = v.slice(m[0].length);
        break;
      }
      case "Z07:00":
        if (v.startsWith("Z")) v = v.slice(1);
        else {
          const m = /^[+-]([0-9]{2}):([0-9]{2})/.exec(v);
          if (!m || Number(m[1]) > 24 || Number(m[2]) > 60) return false;
          v = v.slice(6);
        }
        break;
      case " ":
        if (v !== "" && !v.startsWith(" ")) return false;
        v = v.replace(/^ +/, "");
        break;
      default:
        if (!v.startsWith(el)) return false;
        v = v.slice(el.length);
    }
  }
  if (v !== "") return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= daysInMonth;
}
