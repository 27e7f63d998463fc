// Ignition 3.5 files as the Machine Config Operator writes them (machine-config-operator
// pkg/controller/common/helpers.go NewIgnFileBytesOverwriting): mode 0644, overwrite, contents as a
// base64 data URL whose media type comes from Go's http.DetectContentType. Optional gzip for
// large files, which the machine-config daemon decodes (DecodeIgnitionFileContents).
import { gunzipSync, gzipSync } from "node:zlib";

export const IGNITION_VERSION = "3.5.0";
export const FILE_MODE_0644 = 420;

export interface IgnitionFile {
  overwrite: true;
  path: string;
  contents: { compression: "" | "gzip"; source: string };
  mode: number;
}

export interface IgnitionConfig {
  ignition: { version: string };
  storage?: { files: IgnitionFile[] };
}

/**
 * Go's http.DetectContentType for the contents we write: text (JSON, YAML) sniffs as
 * "text/plain; charset=utf-8", gzip by its magic number; the dataurl package drops the space.
 */
export function detectedMediaType(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08)
    return "application/x-gzip";
  const head = bytes.subarray(0, 512);
  const binary = head.some(
    (b) => b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f),
  );
  return binary ? "application/octet-stream" : "text/plain;charset=utf-8";
}

export function dataUrl(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return `data:${detectedMediaType(bytes)};base64,${buffer.toString("base64")}`;
}

/** The length of dataUrl(bytes) for text contents, without encoding them. */
export function textDataUrlLength(byteLength: number): number {
  return "data:text/plain;charset=utf-8;base64,".length + 4 * Math.ceil(byteLength / 3);
}

export function ignitionFile(
  path: string,
  contents: Uint8Array,
  options: { gzip?: boolean } = {},
): IgnitionFile {
  // mtime 0 and no name keep gzip output deterministic (Node writes neither by default).
  const payload = options.gzip ? gzipSync(contents) : contents;
  return {
    overwrite: true,
    path,
    contents: { compression: options.gzip ? "gzip" : "", source: dataUrl(payload) },
    mode: FILE_MODE_0644,
  };
}

export function ignitionConfig(files: IgnitionFile[]): IgnitionConfig {
  return files.length > 0
    ? { ignition: { version: IGNITION_VERSION }, storage: { files } }
    : { ignition: { version: IGNITION_VERSION } };
}

/** The bytes a node writes for this file (data URL decoded, gunzipped when compressed). */
export function decodeIgnitionFile(file: IgnitionFile): Uint8Array {
  const match = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(file.contents.source);
  if (!match) throw new Error(`${file.path}: contents.source is not a data URL`);
  const raw = match[2]
    ? Buffer.from(match[3] ?? "", "base64")
    : Buffer.from(decodeURIComponent(match[3] ?? ""), "latin1");
  return new Uint8Array(file.contents.compression === "gzip" ? gunzipSync(raw) : raw);
}
