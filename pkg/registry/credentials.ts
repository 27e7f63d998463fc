// Registry credentials from the usual files, looked up exactly as containers/image does
// (container-libs image/pkg/docker/config/config.go getAuthFilePaths / findCredentialsInFile, documented
// in containers-auth.json(5)):
//
//   1. the auth file the user named (our `authFile` option, or $REGISTRY_AUTH_FILE, which podman and skopeo
//      turn into --authfile) — and then *only* that file; otherwise, in order:
//   2. ${XDG_RUNTIME_DIR}/containers/auth.json (/run/containers/<uid>/auth.json without XDG_RUNTIME_DIR)
//   3. ${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json
//   4. $DOCKER_CONFIG/config.json, or $HOME/.docker/config.json without DOCKER_CONFIG
//   5. $HOME/.dockercfg (Docker's legacy format: the "auths" map is the whole file)
//
// The first file that yields credentials wins. Inside a file: a `credHelpers` entry for the registry host
// runs `docker-credential-<helper> get`; otherwise `auths` keys are tried from the most specific,
// `host/ns/repo`, up to `host` (not in the legacy file); finally keys written as URLs
// (`https://index.docker.io/v1/`) are normalised to a host and compared. A missing file is skipped; a file
// that is not valid JSON is an error, as it is for containers/image.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface RegistryCredentials {
  username: string;
  password: string;
  /** An OAuth2 refresh token (`identitytoken` in the file); used instead of the password for Bearer tokens. */
  identityToken?: string;
}

export interface FoundCredentials {
  credentials: RegistryCredentials;
  /** Where they came from, for messages: a file path, or `credential helper docker-credential-X`. */
  source: string;
}

export interface AuthFilePath {
  path: string;
  /** The ~/.dockercfg format: a bare map of auths, matched by registry host only. */
  legacyFormat: boolean;
}

/** Runs a credential helper's `get` for a registry host; undefined when it has nothing for it. */
export type CredentialHelperRunner = (
  helper: string,
  registry: string,
) => Promise<RegistryCredentials | undefined>;

export interface CredentialLookupOptions {
  /** Read only this file, like --authfile. */
  authFile?: string;
  /** Environment to read REGISTRY_AUTH_FILE, XDG_*, DOCKER_CONFIG from; process.env by default. */
  env?: Record<string, string | undefined>;
  /** Home directory; os.homedir() by default. */
  homeDir?: string;
  /** User id for /run/containers/<uid>/auth.json; process.getuid() by default. */
  uid?: number;
  /** How to run credential helpers named in `credHelpers`; runs docker-credential-<helper> by default. */
  runCredentialHelper?: CredentialHelperRunner;
}

/** The auth files to search, in order (some may not exist). */
export function authFilePaths(options: CredentialLookupOptions = {}): AuthFilePath[] {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? homedir();
  const userFile = options.authFile ?? (env.REGISTRY_AUTH_FILE || undefined);
  if (userFile !== undefined) return [{ path: userFile, legacyFormat: false }];

  const paths: AuthFilePath[] = [];
  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir) {
    // containers/image warns about a missing XDG_RUNTIME_DIR and goes on with the other files.
    if (existsSync(runtimeDir))
      paths.push({ path: join(runtimeDir, "containers", "auth.json"), legacyFormat: false });
  } else {
    const uid = options.uid ?? process.getuid?.() ?? 0;
    paths.push({ path: `/run/containers/${uid}/auth.json`, legacyFormat: false });
  }
  const configHome = env.XDG_CONFIG_HOME || join(home, ".config");
  paths.push({ path: join(configHome, "containers", "auth.json"), legacyFormat: false });
  const dockerConfig = env.DOCKER_CONFIG;
  paths.push({
    path: dockerConfig ? join(dockerConfig, "config.json") : join(home, ".docker", "config.json"),
    legacyFormat: false,
  });
  paths.push({ path: join(home, ".dockercfg"), legacyFormat: true });
  return paths;
}

/**
 * Credentials for `key`: a registry host[:port], or host/namespace…/repository (the most specific entry
 * in a file wins). undefined when no file has any.
 */
export async function lookupCredentials(
  key: string,
  options: CredentialLookupOptions = {},
): Promise<FoundCredentials | undefined> {
  validateKey(key);
  const slash = key.indexOf("/");
  const registry = slash === -1 ? key : key.slice(0, slash);
  for (const file of authFilePaths(options)) {
    const found = await findCredentialsInFile(key, registry, file, options);
    if (found !== undefined) return found;
  }
  return undefined;
}

function validateKey(key: string): void {
  if (key.startsWith("http://") || key.startsWith("https://")) {
    throw new Error(`credential key ${key} contains an http[s]:// prefix`);
  }
  if (key.includes("@")) throw new Error(`credential key ${key} contains a '@' character`);
  const slash = key.indexOf("/");
  if (slash !== -1 && key.slice(slash + 1).includes(":")) {
    throw new Error(`credential key ${key} contains a ':' character after host[:port]`);
  }
}

interface AuthFileContents {
  auths: Record<string, { auth?: string; identitytoken?: string }>;
  credHelpers: Record<string, string>;
}

/** ` (line L, column C)` of a JSON.parse error, from its position alone; "" when it gives none. */
function jsonErrorPosition(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /at position (\d+)/.exec(message);
  if (!position)
    return message.includes("end of JSON") || message.includes("Unexpected end")
      ? " (it ends too early)"
      : "";
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  return ` (line ${line}, column ${before.length - before.lastIndexOf("\n")})`;
}

function readAuthFile(file: AuthFilePath): AuthFileContents | undefined {
  let text: string;
  try {
    text = readFileSync(file.path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`reading credentials file ${file.path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Not the parser's message, nor the error as a cause: V8 quotes the text around the error,
    // which here is a base64 login.
    // eslint-disable-next-line preserve-caught-error -- the cause would carry the login
    throw new Error(`credentials file ${file.path} is not valid JSON${jsonErrorPosition(text, error)}`);
  }
  const asRecord = (value: unknown): Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const root = asRecord(parsed);
  const auths: AuthFileContents["auths"] = {};
  for (const [key, entry] of Object.entries(asRecord(file.legacyFormat ? root : root.auths))) {
    const { auth, identitytoken } = asRecord(entry);
    auths[key] = {
      ...(typeof auth === "string" ? { auth } : {}),
      ...(typeof identitytoken === "string" ? { identitytoken } : {}),
    };
  }
  const credHelpers: Record<string, string> = {};
  if (!file.legacyFormat) {
    for (const [key, helper] of Object.entries(asRecord(root.credHelpers))) {
      if (typeof helper === "string") credHelpers[key] = helper;
    }
  }
  return { auths, credHelpers };
}

async function findCredentialsInFile(
  key: string,
  registry: string,
  file: AuthFilePath,
  options: CredentialLookupOptions,
): Promise<FoundCredentials | undefined> {
  const contents = readAuthFile(file);
  if (contents === undefined) return undefined;

  const helper = Object.hasOwn(contents.credHelpers, registry) ? contents.credHelpers[registry] : undefined;
  if (helper !== undefined) {
    const run = options.runCredentialHelper ?? runCredentialHelper;
    const credentials = await run(helper, registry);
    return (
      credentials && { credentials, source: `credential helper docker-credential-${helper} (${file.path})` }
    );
  }

  for (const candidate of authKeyLookupOrder(key, registry, file.legacyFormat)) {
    const entry = Object.hasOwn(contents.auths, candidate) ? contents.auths[candidate] : undefined;
    if (entry !== undefined) return decodeAuthEntry(entry, file.path);
  }
  const normalizedRegistry = normalizeRegistry(registry);
  for (const [entryKey, entry] of Object.entries(contents.auths)) {
    if (normalizeAuthFileKey(entryKey, file.legacyFormat) === normalizedRegistry) {
      return decodeAuthEntry(entry, file.path);
    }
  }
  return undefined;
}

/** quay.io/ns/sub/repo → quay.io/ns/sub/repo, quay.io/ns/sub, quay.io/ns, quay.io. */
export function authKeyLookupOrder(key: string, registry: string, legacyFormat: boolean): string[] {
  if (legacyFormat) return [registry];
  const keys: string[] = [];
  for (let k = key; ;) {
    keys.push(k);
    const slash = k.lastIndexOf("/");
    if (slash === -1) break;
    k = k.slice(0, slash);
  }
  return keys;
}

function decodeAuthEntry(
  entry: { auth?: string; identitytoken?: string },
  path: string,
): FoundCredentials | undefined {
  const decoded = Buffer.from(entry.auth ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  // Docker writes `"host": {}` when a credential helper holds the secret; like containers/image, an entry
  // without "user:password" is skipped (and, as there, ends the search in this file).
  if (colon === -1) return undefined;
  const credentials: RegistryCredentials = {
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1).replace(/^\0+|\0+$/g, ""),
    ...(entry.identitytoken ? { identityToken: entry.identitytoken } : {}),
  };
  return { credentials, source: path };
}

function normalizeAuthFileKey(key: string, legacyFormat: boolean): string {
  let stripped = key.replace(/^http:\/\//, "");
  stripped = stripped.replace(/^https:\/\//, "");
  if (legacyFormat || stripped !== key) stripped = stripped.split("/")[0] ?? "";
  return normalizeRegistry(stripped);
}

function normalizeRegistry(registry: string): string {
  return registry === "registry-1.docker.io" || registry === "docker.io" ? "index.docker.io" : registry;
}

const CREDENTIAL_HELPER_TIMEOUT_MS = 30_000;

/**
 * Runs `docker-credential-<helper> get` with the registry on stdin (the docker-credential-helpers
 * protocol). "credentials not found" means none; a username of `<token>` carries an identity token.
 */
export const runCredentialHelper: CredentialHelperRunner = async (helper, registry) => {
  const program = `docker-credential-${helper}`;
  const child = spawn(program, ["get"], {
    stdio: ["pipe", "pipe", "pipe"],
    signal: AbortSignal.timeout(CREDENTIAL_HELPER_TIMEOUT_MS),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdin.end(registry);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (error) =>
      reject(new Error(`running credential helper ${program}: ${error.message}`, { cause: error })),
    );
    child.once("close", resolve);
  });
  if (exitCode !== 0) {
    const message = (stdout || stderr).trim();
    if (/credentials not found/i.test(message)) return undefined;
    throw new Error(
      `credential helper ${program} failed for ${registry}: ${message || `exit code ${exitCode}`}`,
    );
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new Error(`credential helper ${program} printed something that is not JSON`);
  }
  const username = typeof parsed.Username === "string" ? parsed.Username : "";
  const secret = typeof parsed.Secret === "string" ? parsed.Secret : "";
  if (username === "<token>") return { username: "", password: "", identityToken: secret };
  return { username, password: secret };
};
