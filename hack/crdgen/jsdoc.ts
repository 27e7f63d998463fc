// Reads a JSDoc block verbatim. We parse the raw comment text ourselves rather than through the
// TypeScript JSDoc parser, because CEL rules and regular expressions must reach the CRD byte for
// byte (the TypeScript parser treats `{`, `@` and backslashes in tag text specially).

export interface JsDocTag {
  name: string;
  value: string;
}

export interface JsDoc {
  /** The free text before the first tag, lines joined with spaces. */
  description: string;
  tags: JsDocTag[];
}

const TAG_LINE = /^@([A-Za-z][A-Za-z0-9.]*)(?:\s+(.*))?$/;

export function parseJsDoc(commentText: string): JsDoc {
  const body = commentText
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, "").replace(/\s+$/, ""));
  const descriptionLines: string[] = [];
  const tags: JsDocTag[] = [];
  for (const line of body) {
    const tag = TAG_LINE.exec(line.trim());
    if (tag) {
      tags.push({ name: tag[1] ?? "", value: tag[2] ?? "" });
    } else if (tags.length > 0) {
      // A continuation line of the previous tag's value.
      const last = tags[tags.length - 1];
      if (last && line.trim() !== "") last.value = `${last.value} ${line.trim()}`.trim();
    } else {
      descriptionLines.push(line.trim());
    }
  }
  return { description: descriptionLines.join(" ").replace(/\s+/g, " ").trim(), tags };
}

/** Merges several JSDoc blocks (e.g. of a property and of the alias it uses); later blocks win on description. */
export function mergeJsDocs(docs: JsDoc[]): JsDoc {
  const description = docs.map((d) => d.description).find((d) => d !== "") ?? "";
  return { description, tags: docs.flatMap((d) => d.tags) };
}

/**
 * A marker value: either raw text, or a JSON string literal when the value starts with `"` (for
 * values that would otherwise have to contain the comment terminator).
 */
export function markerValue(raw: string): string {
  if (raw.startsWith('"')) {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== "string") throw new Error(`marker value ${raw} is not a JSON string`);
    return parsed;
  }
  return raw;
}
