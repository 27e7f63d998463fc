// Node's module compile cache for the command line: V8 code cache of every module loaded, reused
// by the next run, which then skips most of the compiling. A quiet optimisation: whatever goes wrong,
// the command runs without it.
import { lstatSync, mkdirSync } from "node:fs";
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The cache directory: NODE_COMPILE_CACHE when set (Node has then enabled it already), else
 * `image-policy-compile-cache-<uid>` under os.tmpdir(). Node's own default, `node-compile-cache` in
 * the temporary directory, is shared by every user of the machine: the first user to create it owns
 * it, and whoever can write into it can plant code that another user's process would then run. Ours
 * is used only if it is a real directory of this user that nobody else can write to.
 */
export function compileCacheDirectory(): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `image-policy-compile-cache${uid === undefined ? "" : `-${uid}`}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
  }
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) return undefined; // a symbolic link or a file planted under our name
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * Enables the compile cache for the modules imported from now on; true when it is on. Honours
 * NODE_COMPILE_CACHE (another directory, which Node has then enabled at start-up) and
 * NODE_DISABLE_COMPILE_CACHE=1 (off).
 */
export function enableCompileCache(): boolean {
  // Looked up, not imported by name: Node before 22.1 has no enableCompileCache.
  const enable = nodeModule.enableCompileCache as typeof nodeModule.enableCompileCache | undefined;
  if (enable === undefined || process.env.NODE_DISABLE_COMPILE_CACHE) return false;
  try {
    const dir = process.env.NODE_COMPILE_CACHE ? undefined : compileCacheDirectory();
    if (!process.env.NODE_COMPILE_CACHE && dir === undefined) return false;
    const { status } = enable(dir);
    const { ENABLED, ALREADY_ENABLED } = nodeModule.constants.compileCacheStatus;
    return status === ENABLED || status === ALREADY_ENABLED;
  } catch {
    return false;
  }
}
