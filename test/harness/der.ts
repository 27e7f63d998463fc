// Minimal DER encoding, enough for the X.509 certificates the test harness mints (registry TLS
// certificates, Fulcio and PKI test chains). Shared by registry.ts and signing.ts.

export function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}
export const seq = (...parts: Buffer[]): Buffer => der(0x30, Buffer.concat(parts));
export const set = (...parts: Buffer[]): Buffer => der(0x31, Buffer.concat(parts));
export const octets = (b: Buffer): Buffer => der(0x04, b);
export const utf8 = (s: string): Buffer => der(0x0c, Buffer.from(s, "utf8"));
export const bool = (b: boolean): Buffer => der(0x01, Buffer.from([b ? 0xff : 0]));
export function integer(n: number | Buffer): Buffer {
  let bytes = typeof n === "number" ? Buffer.from([n]) : n;
  if (typeof n === "number" && n > 255) {
    const out: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
    bytes = Buffer.from(out);
  }
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return der(0x02, bytes);
}
export function oid(text: string): Buffer {
  const [first = 0, second = 0, ...rest] = text.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let n = arc; ; n = Math.floor(n / 128)) {
      groups.unshift((n % 128) | (groups.length > 0 ? 0x80 : 0));
      if (n < 128) break;
    }
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}
export function time(date: Date): Buffer {
  const iso = date
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z"); // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? der(0x17, Buffer.from(iso.slice(2), "ascii"))
    : der(0x18, Buffer.from(iso, "ascii"));
}
export function bitString(bits: number[]): Buffer {
  // Named bit list: DER drops trailing zero bits.
  let last = -1;
  bits.forEach((b, i) => {
    if (b) last = i;
  });
  const used = last + 1;
  const bytes = Buffer.alloc(Math.max(1, Math.ceil(used / 8)));
  bits.forEach((b, i) => {
    if (b) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (0x80 >> (i & 7));
  });
  const unused = used === 0 ? 0 : (8 - (used % 8)) % 8;
  return der(0x03, Buffer.concat([Buffer.from([unused]), used === 0 ? Buffer.alloc(0) : bytes]));
}
