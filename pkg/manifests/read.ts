// Reads Kubernetes manifests from files and directories: multi-document YAML or JSON, `kind: List`
// expanded. Problems with one file or document are reported and the rest is still read.
import { readdirSync, readFileSync, statSync } from "node:fs";
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

/** Files named directly are read whatever their extension; directories are walked for manifests. */
export function listManifestFiles(paths: string[], problems: ManifestProblem[]): string[] {
  const files: string[] = [];
  const walk = (path: string, named: boolean): void => {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      problems.push({ source: path, message: `cannot read: ${errorText(error)}` });
      return;
    }
    if (isDirectory) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry), false);
    } else if (named || MANIFEST_EXTENSIONS.some((ext) => path.endsWith(ext))) {
      files.push(path);
    }
  };
  for (const path of paths) walk(path, true);
  return files;
}

export function parseManifestText(text: string, file: string): ManifestSet {
  const documents: ManifestDocument[] = [];
  const problems: ManifestProblem[] = [];
  const parsed = parseAllDocuments(text, { prettyErrors: true });
  const docs = Array.isArray(parsed) ? parsed : [parsed];
  docs.forEach((doc, i) => {
    const source = docs.length > 1 ? `${file}#${i + 1}` : file;
    const syntaxError = doc.errors[0];
    if (syntaxError) {
      const at = syntaxError.linePos?.[0];
      const where = at ? ` at line ${at.line}, column ${at.col}` : "";
      const reason = firstLine(syntaxError.message).replace(/ at line \d+, column \d+:?$/, "");
      problems.push({ source, message: `YAML syntax error${where}: ${reason}` });
      return;
    }
    const value: unknown = doc.toJS();
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
  for (const file of listManifestFiles(paths, problems)) {
    let text: string;
    try {
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
