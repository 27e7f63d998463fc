// Where a position in a bundled file (dist/pkg/cli/*.js) came from, through the source map esbuild
// writes beside it (`make build`): the benchmark attributes profile samples to the package or
// source folder a function was written in, not to the chunk it was bundled into.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface SourceMap {
  sources: string[];
  mappings: string;
}

/** Per generated line: segments as [generated column, source index], by column. */
type Lines = [number, number][][];

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes the Base64 VLQ "mappings" of a version 3 source map (generated column and source only). */
function decodeMappings(mappings: string): Lines {
  const lines: Lines = [];
  let source = 0;
  for (const line of mappings.split(";")) {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length >= 4) {
        source += fields[1] ?? 0;
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

const maps = new Map<string, { sources: string[]; lines: Lines } | undefined>();

/**
 * The original file of a 0-based line and column in a bundled file, or undefined when the file has
 * no source map (a module loaded from node_modules as is, or a build without maps).
 */
export function originalFile(url: string, line: number, column: number): string | undefined {
  const file = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    if (!existsSync(mapFile)) {
      maps.set(file, undefined);
    } else {
      const map = JSON.parse(readFileSync(mapFile, "utf8")) as SourceMap;
      maps.set(file, {
        sources: map.sources.map((s) => resolve(dirname(file), s)),
        lines: decodeMappings(map.mappings),
      });
    }
  }
  const map = maps.get(file);
  const segments = map?.lines[line];
  if (!map || !segments || segments.length === 0) return undefined;
  // The last segment that starts at or before the column.
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((segments[mid]?.[0] ?? 0) <= column) low = mid;
    else high = mid - 1;
  }
  const index = segments[low]?.[1];
  return index === undefined ? undefined : map.sources[index];
}
