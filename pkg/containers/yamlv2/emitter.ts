// gopkg.in/yaml.v2's Marshal output for nested maps of strings and booleans: the block style MCO's
// registries.d file is written in. This is a port of the parts of emitterc.go such a document goes
// through (scalar analysis and style choice, plain/single/double-quoted writers with yaml.v2's
// folding at column 80, simple and "? " complex keys, "{}" for an empty map), keeping its column
// and whitespace bookkeeping so that line breaks fall where Go puts them.
//
// Strings containing line breaks would need yaml.v2's literal block style and are refused.

import { yamlV2CanUsePlain } from "./resolve.ts";
import { sortYamlV2Keys } from "./key-order.ts";
import { codePoints, utf8Length } from "../go/utf8.ts";

export type YamlV2Value = string | boolean | YamlV2Mapping;
export interface YamlV2Mapping {
  readonly [key: string]: YamlV2Value;
}

const BEST_INDENT = 2;
const BEST_WIDTH = 80;
const MAX_SIMPLE_KEY_LENGTH = 128;

/** yaml.Marshal of a map: keys in yaml.v2 order, two-space indentation, a trailing newline. */
export function marshalYamlV2(document: YamlV2Mapping): string {
  const e = new Emitter();
  e.mapping(document, -1);
  e.writeIndent(0); // document end
  return e.out;
}

type ScalarStyle = "plain" | "single" | "double";

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
}

const isBreak = (cp: number): boolean =>
  cp === 0x0d || cp === 0x0a || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isBlank = (cp: number | undefined): boolean => cp === 0x20 || cp === 0x09;
const isBlankZ = (cp: number | undefined): boolean =>
  cp === undefined || cp === 0 || isBlank(cp) || isBreak(cp);
/** is_printable: what yaml.v2 may write literally (no C0/C1 controls, no astral characters). */
const isPrintable = (cp: number): boolean =>
  cp === 0x0a ||
  (cp >= 0x20 && cp <= 0x7e) ||
  (cp >= 0xa0 && cp <= 0xd7ff) ||
  (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);

/** yaml_emitter_analyze_scalar */
function analyzeScalar(value: number[]): ScalarAnalysis {
  if (value.length === 0) {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;

  const start = String.fromCodePoint(...value.slice(0, 3));
  if (start === "---" || start === "...") {
    blockIndicators = true;
    flowIndicators = true;
  }
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? 0;
    const ch = String.fromCodePoint(c);
    const followedByWhitespace = i + 1 >= value.length || isBlank(value[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === "?" || ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (",?[]{}".includes(ch)) {
      flowIndicators = true;
    } else if (ch === ":") {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === "#" && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }

    if (!isPrintable(c)) specialCharacters = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i + 1 === value.length) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i + 1 === value.length) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  }

  let flowPlainAllowed = true;
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
  }
  if (breakSpace || spaceBreak || specialCharacters) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (flowIndicators) flowPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, flowPlainAllowed, blockPlainAllowed, singleQuotedAllowed };
}

class Emitter {
  out = "";
  private column = 0;
  private whitespace = true;
  private indention = true;

  /** A block mapping at parentIndent + 2, or "{}" when empty. */
  mapping(map: YamlV2Mapping, parentIndent: number): void {
    const keys = sortYamlV2Keys(Object.keys(map));
    if (keys.length === 0) {
      this.writeIndicator("{", true, true, false);
      this.writeIndicator("}", false, false, false);
      return;
    }
    const indent = parentIndent < 0 ? 0 : parentIndent + BEST_INDENT;
    for (const key of keys) {
      const keyPoints = codePoints(key);
      const analysis = analyzeScalar(keyPoints);
      this.writeIndent(indent);
      // yaml_emitter_check_simple_key
      if (!analysis.multiline && utf8Length(key) <= MAX_SIMPLE_KEY_LENGTH) {
        this.scalar(key, keyPoints, analysis, indent, true);
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.scalar(key, keyPoints, analysis, indent, false);
        this.writeIndent(indent);
        this.writeIndicator(":", true, false, true);
      }
      const value = map[key];
      if (typeof value === "string")
        this.scalar(value, codePoints(value), analyzeScalar(codePoints(value)), indent, false);
      else if (typeof value === "boolean")
        this.writePlain(codePoints(String(value)), indent + BEST_INDENT, true);
      else if (value !== undefined) this.mapping(value, indent);
    }
  }

  /** encoder.stringv + yaml_emitter_select_scalar_style + yaml_emitter_process_scalar */
  private scalar(
    s: string,
    value: number[],
    analysis: ScalarAnalysis,
    indent: number,
    simpleKey: boolean,
  ): void {
    checkWritable(s, value, analysis);
    let style: ScalarStyle = yamlV2CanUsePlain(s) ? "plain" : "double";
    if (style === "plain" && (!analysis.blockPlainAllowed || (value.length === 0 && simpleKey)))
      style = "single";
    if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
    // The scalar's own indent (for folded continuation lines) is one step in from its mapping.
    const scalarIndent = indent + BEST_INDENT;
    if (style === "plain") this.writePlain(value, scalarIndent, !simpleKey);
    else if (style === "single") this.writeSingleQuoted(value, scalarIndent, !simpleKey);
    else this.writeDoubleQuoted(value, scalarIndent, !simpleKey);
  }

  private put(s: string): void {
    this.out += s;
    this.column++;
  }

  private putBreak(): void {
    this.out += "\n";
    this.column = 0;
  }

  writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.out += indicator;
    this.column += indicator.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private writePlain(value: number[], indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i] ?? 0;
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && value[i + 1] !== 0x20)
          this.writeIndent(indent);
        else this.put(" ");
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(value: number[], indent: number, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i] ?? 0;
      if (c === 0x20) {
        const fold =
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i > 0 &&
          i < value.length - 1 &&
          value[i + 1] !== 0x20;
        if (fold) this.writeIndent(indent);
        else this.put(" ");
        spaces = true;
      } else {
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDoubleQuoted(value: number[], indent: number, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // yaml.v2's is_bom looks at the start of the value whatever the position, so a value that
    // starts with U+FEFF has every character escaped.
    const escapeAll = value[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const c = value[i] ?? 0;
      if (escapeAll || !isPrintable(c) || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put("\\");
        for (const ch of doubleQuotedEscape(c)) this.put(ch);
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < value.length - 1) {
          this.writeIndent(indent);
          if (value[i + 1] === 0x20) this.put("\\");
        } else {
          this.put(" ");
        }
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }
}

/**
 * ghodss/yaml hands yaml.v2 the JSON text of the value, and yaml.v2's reader refuses DEL, C1
 * controls other than NEL, U+FFFE and U+FFFF there ("control characters are not allowed"), so MCO
 * fails rather than writing such a string. Line breaks would need block scalars, not ported here.
 */
function checkWritable(s: string, value: number[], analysis: ScalarAnalysis): void {
  if (
    value.some((c) => c === 0x7f || (c >= 0x80 && c <= 0x9f && c !== 0x85) || c === 0xfffe || c === 0xffff)
  ) {
    throw new RangeError(`yaml.v2 refuses control characters: ${JSON.stringify(s)}`);
  }
  if (analysis.multiline)
    throw new RangeError(`yaml.v2 serialisation of line breaks is not supported: ${JSON.stringify(s)}`);
}

/** The escape after "\" in a double-quoted scalar, as yaml_emitter_write_double_quoted_scalar. */
function doubleQuotedEscape(c: number): string {
  const named: Record<number, string> = {
    0x00: "0",
    0x07: "a",
    0x08: "b",
    0x09: "t",
    0x0a: "n",
    0x0b: "v",
    0x0c: "f",
    0x0d: "r",
    0x1b: "e",
    0x22: '"',
    0x5c: "\\",
    0x85: "N",
    0xa0: "_",
    0x2028: "L",
    0x2029: "P",
  };
  const n = named[c];
  if (n !== undefined) return n;
  const hex = c.toString(16).toUpperCase();
  if (c <= 0xff) return "x" + hex.padStart(2, "0");
  if (c <= 0xffff) return "u" + hex.padStart(4, "0");
  return "U" + hex.padStart(8, "0");
}
