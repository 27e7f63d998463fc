// The MachineConfigs `render -o` writes, as YAML: exactly what yaml's stringify writes (lineWidth 0),
// in a few milliseconds. yaml.stringify takes 40-70 ms per MachineConfig of a typical cluster (a
// megabyte of data URLs, copied again at every level of nesting), a tenth of a whole `render`. A
// MachineConfig is maps, lists and scalars whose only long strings are base64 data URLs; every other
// scalar is written by yaml itself (remembered: the same few repeat). Anything unexpected (a key
// that might need quoting, a list in a list) is handed to yaml.stringify whole. Tested equal to
// yaml.stringify on the MachineConfigs of every corpus cluster.
import { stringify } from "yaml";

/** A base64 data URL: no space, no newline, nothing YAML could read as an indicator. */
const DATA_URL = /^data:[A-Za-z0-9.+/=;,_-]*$/;
/** Letters, digits, dots, slashes, dashes: written plain by yaml unless a core-schema word. */
const PLAIN = /^[A-Za-z/][A-Za-z0-9._/-]*$/;
const CORE_WORDS = new Set(["true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"]);
const SIMPLE_KEY = /^[A-Za-z][A-Za-z0-9._/-]*$/;

class NotSimple extends Error {}

export function machineConfigYaml(value: unknown): string {
  try {
    const lines: string[] = [];
    writeMap(value, "", lines, new Map());
    return `${lines.join("\n")}\n`;
  } catch (error) {
    if (!(error instanceof NotSimple)) throw error;
    return stringify(value, { lineWidth: 0 });
  }
}

function scalarText(value: unknown, scalars: Map<unknown, string>): string {
  if (typeof value === "string" && (DATA_URL.test(value) || (PLAIN.test(value) && !CORE_WORDS.has(value)))) {
    return value;
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new NotSimple();
  }
  let text = scalars.get(value);
  if (text === undefined) {
    text = stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
    if (text.includes("\n")) throw new NotSimple();
    scalars.set(value, text);
  }
  return text;
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Writes a map's entries, the first one after `firstPrefix` (a list item's "- "), at `indent`. */
function writeMap(
  value: unknown,
  indent: string,
  lines: string[],
  scalars: Map<unknown, string>,
  firstPrefix?: string,
): void {
  if (!isMap(value)) throw new NotSimple();
  let first = true;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    if (!SIMPLE_KEY.test(key) || CORE_WORDS.has(key)) throw new NotSimple();
    const lead = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    if (Array.isArray(child)) {
      if (child.length === 0) {
        lines.push(`${lead}${key}: []`);
        continue;
      }
      lines.push(`${lead}${key}:`);
      for (const item of child) {
        if (Array.isArray(item)) throw new NotSimple();
        if (isMap(item) && Object.keys(item).length > 0) {
          writeMap(item, `${indent}    `, lines, scalars, `${indent}  - `);
        } else {
          lines.push(`${indent}  - ${isMap(item) ? "{}" : scalarText(item, scalars)}`);
        }
      }
    } else if (isMap(child)) {
      if (Object.values(child).every((v) => v === undefined)) {
        lines.push(`${lead}${key}: {}`);
        continue;
      }
      lines.push(`${lead}${key}:`);
      writeMap(child, `${indent}  `, lines, scalars);
    } else {
      lines.push(`${lead}${key}: ${scalarText(child, scalars)}`);
    }
  }
  if (first) throw new NotSimple(); // an empty map where a value was expected
}
