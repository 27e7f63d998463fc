// Every path built from a name that came from input (a namespace, a pool, a MachineConfig) goes
// through here: a name is one path segment, and a joined path never leaves its directory. Node
// paths are POSIX whatever the host; output paths are the host's.
import path from "node:path";

export class PathEscapeError extends Error {}

/** NAME as a single file-name segment: not empty, not `.` or `..`, no separator, no NUL. */
export function fileNameSegment(name: string): string {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new PathEscapeError(`${JSON.stringify(name)} is not a usable file name`);
  }
  return name;
}

/**
 * RELATIVE (one or more segments, `/`-separated) joined under ROOT; refuses any result that is not
 * inside ROOT (`..`, an absolute part, NUL).
 */
export function pathInside(root: string, relative: string, paths: path.PlatformPath = path): string {
  if (relative.includes("\0")) throw new PathEscapeError(`${JSON.stringify(relative)} contains a NUL byte`);
  const base = paths.resolve(root);
  const joined = paths.resolve(base, ...relative.split("/").filter((segment) => segment !== ""));
  const inside = paths.relative(base, joined);
  if (inside === "" || inside === ".." || inside.startsWith(`..${paths.sep}`) || paths.isAbsolute(inside)) {
    throw new PathEscapeError(`${JSON.stringify(relative)} leaves ${base}`);
  }
  return joined;
}

/** A file NAME directly in the node directory DIR (an absolute POSIX path). */
export function nodeFilePath(dir: string, name: string): string {
  return pathInside(dir, fileNameSegment(name), path.posix);
}
