// Reads Kubernetes manifests from files and directories: multi-document YAML or JSON, `kind: List`
// expanded. Problems with one file or document are reported and the rest is still read.
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export interface ManifestDocument {
  /** `file` or `file#N` (1-based document number) for messages. */
  source: string;
  object: Record<string, unknown>;
}

export interface ManifestProblem {
  source: string;
  message: string;
}

export interface ManifestSet {
  documents: ManifestDocument[];
  problems: ManifestProblem[];
}

const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"];

/**
 * Bounds of one read, so a hostile folder cannot make it run or grow forever. A manifest larger than
 * the API server accepts in one request (3 MiB) could never be applied; the others are far beyond
 * any real cluster's policy folder.
 */
export const READ_LIMITS = {
  maxFileBytes: 3 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxFiles: 10_000,
  maxDepth: 32,
};

/**
 * Files named directly are read whatever their extension; directories are walked for manifests.
 * Each real directory is visited once (symbolic links to a parent or to each other loop otherwise),
 * to a bounded depth and file count; anything past a bound is a problem, not a silent cut.
 */
export function listManifestFiles(
  paths: string[],
  problems: ManifestProblem[],
  stats?: Map<string, Stats>,
): string[] {
  const files: string[] = [];
  const visited = new Set<string>();
  let limitReported = false;
  const walk = (path: string, named: boolean, depth: number): void => {
    let isDirectory: boolean;
    try {
      const stat = statSync(path);
      stats?.set(path, stat);
      isDirectory = stat.isDirectory();
    } catch (error) {
      problems.push({ source: path, message: `cannot read: ${errorText(error)}` });
      return;
    }
    if (isDirectory) {
      const real = realpathSync(path);
      if (visited.has(real)) return; // reached again through a link: read once
      visited.add(real);
      if (depth > READ_LIMITS.maxDepth) {
        problems.push({
          source: path,
          message: `more than ${READ_LIMITS.maxDepth} directories deep; not read`,
        });
        return;
      }
      let entries: string[];
      try {
        entries = readdirSync(path).sort();
      } catch (error) {
        problems.push({ source: path, message: `cannot read: ${errorText(error)}` });
        return;
      }
      for (const entry of entries) walk(join(path, entry), false, depth + 1);
    } else if (named || MANIFEST_EXTENSIONS.some((ext) => path.endsWith(ext))) {
      if (files.length < READ_LIMITS.maxFiles) {
        files.push(path);
      } else if (!limitReported) {
        limitReported = true;
        problems.push({
          source: path,
          message: `more than ${READ_LIMITS.maxFiles} manifest files; the rest are not read`,
        });
      }
    }
  };
  for (const path of paths) walk(path, true, 0);
  return files;
}

export function parseManifestText(text: string, file: string): ManifestSet {
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  // Without yaml's prettyErrors, which counts the lines of every file read (a tenth of parsing a
  // folder of small files): the position is computed here for the rare document with an error.
  const parsed = parseAllDocuments(text, { prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  docs.forEach((doc, i) => {
    const source = docs.length > 1 ? `${file}#${i + 1}` : file;
    const syntaxError = doc.errors[0];
    if (syntaxError) {
      const at = linePos(text, syntaxError.pos[0]);
      const where = ` at line ${at.line}, column ${at.col}`;
      const reason = firstLine(syntaxError.message);
      problems.push({ source, message: `YAML syntax error${where}: ${reason}` });
      return;
    }
    let value: unknown;
    try {
      // yaml refuses excessive aliases (a "billion laughs" document) by throwing; nesting deeper
      // than the stack is a RangeError. Either is a problem with this document, not a crash.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({
        source,
        message: `cannot be read as YAML: ${firstLine(String((error as Error).message ?? error))}`,
      });
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push({
        source,
        message: `not a Kubernetes object (a YAML ${Array.isArray(value) ? "list" : typeof value})`,
      });
      return;
    }
    const object = value as Record<string, unknown>;
    if (object.kind === "List" && Array.isArray(object.items)) {
      object.items.forEach((item: unknown, j) => {
        if (item && typeof item === "object" && !Array.isArray(item)) {
          documents.push({ source: `${source} items[${j}]`, object: item as Record<string, unknown> });
        } else {
          problems.push({ source: `${source} items[${j}]`, message: "not a Kubernetes object" });
        }
      });
      return;
    }
    documents.push({ source, object });
  });
  return { documents, problems };
}

export function readManifests(paths: string[]): ManifestSet {
  const problems: ManifestProblem[] = [];
  const documents: ManifestDocument[] = [];
  let totalBytes = 0;
  // Each file's status from the walk, so that it is not asked for twice.
  const stats = new Map<string, Stats>();
  for (const file of listManifestFiles(paths, problems, stats)) {
    let text: string;
    try {
      const stat = stats.get(file) ?? statSync(file);
      const size = stat.size;
      if (!stat.isFile()) {
        problems.push({ source: file, message: "not a regular file; not read" });
        continue;
      }
      if (size > READ_LIMITS.maxFileBytes) {
        problems.push({
          source: file,
          message: `${size} bytes, more than the ${READ_LIMITS.maxFileBytes} the API server accepts in one request; not read`,
        });
        continue;
      }
      totalBytes += size;
      if (totalBytes > READ_LIMITS.maxTotalBytes) {
        problems.push({
          source: file,
          message: `the manifests read so far exceed ${READ_LIMITS.maxTotalBytes} bytes; not read`,
        });
        continue;
      }
      text = readFileSync(file, "utf8");
    } catch (error) {
      problems.push({ source: file, message: `cannot read: ${errorText(error)}` });
      continue;
    }
    const set = parseManifestText(text, file);
    documents.push(...set.documents);
    problems.push(...set.problems);
  }
  return { documents, problems };
}

/** The 1-based line and column of an offset, as yaml's LineCounter (prettyErrors) reports it. */
function linePos(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: offset - lineStart + 1 };
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

function errorText(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    const code = String((error as { code: unknown }).code);
    if (code === "ENOENT") return "no such file or directory";
    if (code === "EACCES") return "permission denied";
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
