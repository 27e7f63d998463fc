// encoding/json's string encoder with HTML escaping on (the json.Marshal default): the exact bytes
// Go writes for a string, so a rendered policy.json equals MCO's json.MarshalIndent output.

const hexDigits = "0123456789abcdef";

/** Nothing to escape: printable ASCII without '"', '\\', '<', '>' or '&' (scopes, base64, names). */
const PLAIN = /^[\x20-\x21\x23-\x25\x27-\x3b=\x3f-\x5b\x5d-\x7e]*$/;

/** A JSON string literal as Go's json.Marshal writes it. */
export function goJsonString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u < 0x80) {
      switch (u) {
        case 0x22:
          out += '\\"';
          continue;
        case 0x5c:
          out += "\\\\";
          continue;
        case 0x08:
          out += "\\b";
          continue;
        case 0x0c:
          out += "\\f";
          continue;
        case 0x0a:
          out += "\\n";
          continue;
        case 0x0d:
          out += "\\r";
          continue;
        case 0x09:
          out += "\\t";
          continue;
      }
      // Control bytes and the HTML-sensitive <, >, & become \u00XX; everything else is literal.
      if (u < 0x20 || u === 0x3c || u === 0x3e || u === 0x26) {
        out += "\\u00" + hexDigits[u >> 4] + hexDigits[u & 0xf];
      } else {
        out += s[i];
      }
      continue;
    }
    if (u === 0x2028 || u === 0x2029) {
      // JSONP-unsafe line separators.
      out += "\\u202" + hexDigits[u & 0xf];
      continue;
    }
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff) {
      // An unpaired surrogate stands for bytes that are not UTF-8; Go writes those as \ufffd.
      out += "\\ufffd";
      continue;
    }
    out += s[i];
  }
  return out + '"';
}
