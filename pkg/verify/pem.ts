// PEM as Go's encoding/pem reads it: Decode finds the first well-formed block and returns the rest;
// text before it is skipped. Certificates and keys from policies and from signatures go through here.

export interface PemBlock {
  type: string;
  bytes: Buffer;
}

const BEGIN = /-----BEGIN ([^\r\n-]*)-----[ \t]*\r?\n/g;

/** pem.Decode: the first block and the bytes after it, or undefined when there is no valid block. */
export function pemDecode(input: string | Uint8Array): { block: PemBlock; rest: string } | undefined {
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  BEGIN.lastIndex = 0;
  for (let match = BEGIN.exec(text); match !== null; match = BEGIN.exec(text)) {
    const type = match[1] ?? "";
    const bodyStart = match.index + match[0].length;
    const endMarker = `-----END ${type}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    if (end === -1) continue;
    let body = text.slice(bodyStart, end);
    // Optional RFC 1421 headers ("Key: value" lines) end with a blank line.
    const lines = body.split(/\r?\n/);
    if (lines.length > 0 && (lines[0] ?? "").includes(":")) {
      const blank = lines.findIndex((l) => l.trim() === "");
      body = blank === -1 ? "" : lines.slice(blank + 1).join("\n");
    }
    const compact = body.replace(/[\r\n \t]/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) continue;
    let after = end + endMarker.length;
    // The END line must be followed by a line end or the end of input.
    const tail = /^[ \t]*(\r?\n|$)/.exec(text.slice(after));
    if (tail === null) continue;
    after += tail[0].length;
    return { block: { type, bytes: Buffer.from(compact, "base64") }, rest: text.slice(after) };
  }
  return undefined;
}

/** Every block in order (pem.Decode in a loop until it finds no more). */
export function pemDecodeAll(input: string | Uint8Array): PemBlock[] {
  const blocks: PemBlock[] = [];
  let rest: string = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  for (;;) {
    const decoded = pemDecode(rest);
    if (decoded === undefined) return blocks;
    blocks.push(decoded.block);
    rest = decoded.rest;
  }
}

export function pemEncode(type: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}
