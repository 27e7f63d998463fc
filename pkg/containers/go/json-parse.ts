// A JSON reader with Go encoding/json's behaviour, for the parts of it that containers/image's
// policy parser exposes:
//   - the whole input is first checked by a port of Go's scanner state machine, so syntax errors
//     carry Go's exact wording ("invalid character 'x' after top-level value", "unexpected end of
//     JSON input", …), computed over the UTF-8 bytes as Go does;
//   - objects keep every member in order, duplicates included (JSON.parse would silently keep the
//     last one; containers/image rejects duplicates, so the decoder above needs to see them);
//   - strings are unquoted like Go: invalid UTF-8 and unpaired surrogate escapes become U+FFFD.

import { decodeUtf8Lossy, utf8Bytes } from "./utf8.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** bytes[start, end) as Go reads them into a string. */
function decodeRun(bytes: Uint8Array, start: number, end: number): string {
  try {
    return strictUtf8.decode(bytes.subarray(start, end));
  } catch {
    return decodeUtf8Lossy(bytes, start, end);
  }
}

export type JsonNode =
  | { kind: "object"; members: JsonMember[] }
  | { kind: "array"; items: JsonNode[] }
  | { kind: "string"; value: string }
  | { kind: "number"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" };

export interface JsonMember {
  key: string;
  value: JsonNode;
}

export type JsonParseResult = { ok: true; value: JsonNode } | { ok: false; message: string; offset: number };

/** Parses one JSON document (text or UTF-8 bytes) exactly as Go's json.Unmarshal would accept it. */
export function parseGoJson(input: string | Uint8Array): JsonParseResult {
  const bytes = typeof input === "string" ? utf8Bytes(input) : input;
  const syntaxError = checkValid(bytes);
  if (syntaxError) return { ok: false, ...syntaxError };
  return { ok: true, value: buildTree(bytes) };
}

// ---- Validation: Go's scanner (encoding/json/scanner.go), one byte at a time. ----

const MAX_NESTING_DEPTH = 10000;
const PARSE_OBJECT_KEY = 0;
const PARSE_OBJECT_VALUE = 1;
const PARSE_ARRAY_VALUE = 2;

type Step = (s: Scanner, c: number) => boolean; // false: error recorded in s.err

interface Scanner {
  step: Step;
  parseState: number[];
  endTop: boolean;
  err: string | undefined;
  bytes: number;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** quoteChar in scanner.go: the offending byte, quoted like strconv.Quote(string(rune(c))). */
function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    12: "\\f",
    10: "\\n",
    13: "\\r",
    9: "\\t",
    11: "\\v",
  };
  const n = named[c];
  if (n !== undefined) return `'${n}'`;
  if (c === 0x5c) return "'\\\\'";
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, "0")}'`;
  // Bytes 0x80-0x9f are C1 controls when read as runes, 0xa0 and 0xad are not printable in Go.
  if ((c >= 0x80 && c < 0xa0) || c === 0xa0 || c === 0xad) return `'\\u00${c.toString(16).padStart(2, "0")}'`;
  return `'${String.fromCharCode(c)}'`;
}

function fail(s: Scanner, c: number, context: string): boolean {
  s.step = stateError;
  s.err = `invalid character ${quoteChar(c)} ${context}`;
  return false;
}

function push(s: Scanner, c: number, state: number): boolean {
  s.parseState.push(state);
  return s.parseState.length <= MAX_NESTING_DEPTH || fail(s, c, "exceeded max depth");
}

function pop(s: Scanner): void {
  s.parseState.pop();
  if (s.parseState.length === 0) {
    s.step = stateEndTop;
    s.endTop = true;
  } else {
    s.step = stateEndValue;
  }
}

const stateError: Step = () => false;

const stateBeginValueOrEmpty: Step = (s, c) => {
  if (isSpace(c)) return true;
  if (c === 0x5d) return stateEndValue(s, c);
  return stateBeginValue(s, c);
};

const stateBeginValue: Step = (s, c) => {
  if (isSpace(c)) return true;
  switch (c) {
    case 0x7b: // {
      s.step = stateBeginStringOrEmpty;
      return push(s, c, PARSE_OBJECT_KEY);
    case 0x5b: // [
      s.step = stateBeginValueOrEmpty;
      return push(s, c, PARSE_ARRAY_VALUE);
    case 0x22:
      s.step = stateInString;
      return true;
    case 0x2d: // -
      s.step = stateNeg;
      return true;
    case 0x30:
      s.step = state0;
      return true;
    case 0x74:
      s.step = literal("true", 1);
      return true;
    case 0x66:
      s.step = literal("false", 1);
      return true;
    case 0x6e:
      s.step = literal("null", 1);
      return true;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return true;
  }
  return fail(s, c, "looking for beginning of value");
};

const stateBeginStringOrEmpty: Step = (s, c) => {
  if (isSpace(c)) return true;
  if (c === 0x7d) {
    s.parseState[s.parseState.length - 1] = PARSE_OBJECT_VALUE;
    return stateEndValue(s, c);
  }
  return stateBeginString(s, c);
};

const stateBeginString: Step = (s, c) => {
  if (isSpace(c)) return true;
  if (c === 0x22) {
    s.step = stateInString;
    return true;
  }
  return fail(s, c, "looking for beginning of object key string");
};

const stateEndValue: Step = (s, c) => {
  const n = s.parseState.length;
  if (n === 0) {
    s.step = stateEndTop;
    s.endTop = true;
    return stateEndTop(s, c);
  }
  if (isSpace(c)) {
    s.step = stateEndValue;
    return true;
  }
  switch (s.parseState[n - 1]) {
    case PARSE_OBJECT_KEY:
      if (c === 0x3a) {
        s.parseState[n - 1] = PARSE_OBJECT_VALUE;
        s.step = stateBeginValue;
        return true;
      }
      return fail(s, c, "after object key");
    case PARSE_OBJECT_VALUE:
      if (c === 0x2c) {
        s.parseState[n - 1] = PARSE_OBJECT_KEY;
        s.step = stateBeginString;
        return true;
      }
      if (c === 0x7d) {
        pop(s);
        return true;
      }
      return fail(s, c, "after object key:value pair");
    default:
      if (c === 0x2c) {
        s.step = stateBeginValue;
        return true;
      }
      if (c === 0x5d) {
        pop(s);
        return true;
      }
      return fail(s, c, "after array element");
  }
};

const stateEndTop: Step = (s, c) => (isSpace(c) ? true : fail(s, c, "after top-level value"));

const stateInString: Step = (s, c) => {
  if (c === 0x22) {
    s.step = stateEndValue;
    return true;
  }
  if (c === 0x5c) {
    s.step = stateInStringEsc;
    return true;
  }
  return c < 0x20 ? fail(s, c, "in string literal") : true;
};

const stateInStringEsc: Step = (s, c) => {
  if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
    s.step = stateInString;
    return true;
  }
  if (c === 0x75) {
    s.step = hexEscape(4);
    return true;
  }
  return fail(s, c, "in string escape code");
};

function hexEscape(remaining: number): Step {
  return (s, c) => {
    if (!isHex(c)) return fail(s, c, "in \\u hexadecimal character escape");
    s.step = remaining > 1 ? hexEscape(remaining - 1) : stateInString;
    return true;
  };
}

const stateNeg: Step = (s, c) => {
  if (c === 0x30) {
    s.step = state0;
    return true;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return true;
  }
  return fail(s, c, "in numeric literal");
};

const state1: Step = (s, c) => {
  if (isDigit(c)) {
    s.step = state1;
    return true;
  }
  return state0(s, c);
};

const state0: Step = (s, c) => {
  if (c === 0x2e) {
    s.step = stateDot;
    return true;
  }
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return true;
  }
  return stateEndValue(s, c);
};

const stateDot: Step = (s, c) => {
  if (isDigit(c)) {
    s.step = stateDot0;
    return true;
  }
  return fail(s, c, "after decimal point in numeric literal");
};

const stateDot0: Step = (s, c) => {
  if (isDigit(c)) return true;
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return true;
  }
  return stateEndValue(s, c);
};

const stateE: Step = (s, c) => {
  if (c === 0x2b || c === 0x2d) {
    s.step = stateESign;
    return true;
  }
  return stateESign(s, c);
};

const stateESign: Step = (s, c) => {
  if (isDigit(c)) {
    s.step = stateE0;
    return true;
  }
  return fail(s, c, "in exponent of numeric literal");
};

const stateE0: Step = (s, c) => (isDigit(c) ? true : stateEndValue(s, c));

/** The states for the rest of true/false/null after its first letter. */
function literal(word: string, next: number): Step {
  return (s, c) => {
    const expected = word.charCodeAt(next);
    if (c !== expected) return fail(s, c, `in literal ${word} (expecting '${word[next]}')`);
    s.step = next + 1 < word.length ? literal(word, next + 1) : stateEndValue;
    return true;
  };
}

function checkValid(data: Uint8Array): { message: string; offset: number } | undefined {
  const s: Scanner = { step: stateBeginValue, parseState: [], endTop: false, err: undefined, bytes: 0 };
  for (const c of data) {
    s.bytes++;
    if (!s.step(s, c)) return { message: s.err ?? "", offset: s.bytes };
  }
  // eof(): feeding a space completes a trailing number or reports a half-written literal.
  if (s.endTop) return undefined;
  s.step(s, 0x20);
  if (s.endTop && s.err === undefined) return undefined;
  return { message: s.err ?? "unexpected end of JSON input", offset: s.bytes };
}

// ---- Building the tree: the input is known to be valid, so this only has to be faithful. ----

function buildTree(bytes: Uint8Array): JsonNode {
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < bytes.length && isSpace(bytes[pos] ?? 0)) pos++;
  };
  // Containers being filled, innermost last; an object waits for its value under pendingKey.
  type Frame =
    | { node: { kind: "object"; members: JsonMember[] }; pendingKey: string | undefined }
    | { node: { kind: "array"; items: JsonNode[] } };
  const stack: Frame[] = [];
  let root: JsonNode | undefined;

  const attach = (value: JsonNode): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
    } else if (top.node.kind === "array") {
      top.node.items.push(value);
    } else if ("pendingKey" in top) {
      top.node.members.push({ key: top.pendingKey ?? "", value });
      top.pendingKey = undefined;
    }
  };

  for (;;) {
    skipSpace();
    const top = stack[stack.length - 1];
    const c = bytes[pos] ?? 0;
    if (top && c === 0x2c) {
      pos++;
      continue;
    }
    if (top && (c === 0x7d || c === 0x5d)) {
      pos++;
      stack.pop();
      attach(top.node);
      if (stack.length === 0) break;
      continue;
    }
    if (top && top.node.kind === "object" && "pendingKey" in top && top.pendingKey === undefined) {
      top.pendingKey = readString();
      skipSpace();
      pos++; // ':'
      continue;
    }
    if (c === 0x7b) {
      pos++;
      stack.push({ node: { kind: "object", members: [] }, pendingKey: undefined });
      continue;
    }
    if (c === 0x5b) {
      pos++;
      stack.push({ node: { kind: "array", items: [] } });
      continue;
    }
    attach(readScalar());
    if (stack.length === 0) break;
  }
  return root ?? { kind: "null" };

  function readScalar(): JsonNode {
    const c = bytes[pos] ?? 0;
    if (c === 0x22) return { kind: "string", value: readString() };
    if (c === 0x74) {
      pos += 4;
      return { kind: "bool", value: true };
    }
    if (c === 0x66) {
      pos += 5;
      return { kind: "bool", value: false };
    }
    if (c === 0x6e) {
      pos += 4;
      return { kind: "null" };
    }
    const start = pos;
    while (pos < bytes.length && /[-+.eE0-9]/.test(String.fromCharCode(bytes[pos] ?? 0))) pos++;
    return { kind: "number", text: String.fromCharCode(...bytes.subarray(start, pos)) };
  }

  // unquoteBytes in decode.go.
  function readString(): string {
    pos++; // opening quote
    let out = "";
    for (;;) {
      const c = bytes[pos] ?? 0;
      if (c === 0x22) {
        pos++;
        return out;
      }
      if (c !== 0x5c) {
        // A run up to the next quote or backslash: valid UTF-8 is decoded in one call; a run with
        // invalid bytes rune by rune, each bad byte becoming U+FFFD as in Go (a WHATWG decoder
        // would replace whole maximal subparts instead).
        const start = pos;
        while (pos < bytes.length && bytes[pos] !== 0x22 && bytes[pos] !== 0x5c) pos++;
        out += decodeRun(bytes, start, pos);
        continue;
      }
      const e = bytes[pos + 1] ?? 0;
      const simple: Record<number, string> = {
        0x62: "\b",
        0x66: "\f",
        0x6e: "\n",
        0x72: "\r",
        0x74: "\t",
        0x5c: "\\",
        0x2f: "/",
        0x22: '"',
      };
      if (e !== 0x75) {
        out += simple[e] ?? "";
        pos += 2;
        continue;
      }
      const unit = readU4(pos + 2);
      pos += 6;
      if (unit >= 0xd800 && unit < 0xe000) {
        const low = bytes[pos] === 0x5c && bytes[pos + 1] === 0x75 ? readU4(pos + 2) : -1;
        if (unit < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
          out += String.fromCharCode(unit, low);
          pos += 6;
        } else {
          out += "\ufffd";
        }
        continue;
      }
      out += String.fromCharCode(unit);
    }
  }

  function readU4(at: number): number {
    return parseInt(String.fromCharCode(...bytes.subarray(at, at + 4)), 16);
  }
}
