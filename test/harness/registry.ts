// A real OCI registry on loopback for tests: distribution 2.8 (Debian's docker-registry, fetched by
// hack/ensure-registry-tools.sh) with its own config in a temporary directory, listening on
// 127.0.0.1:<free port> over plain HTTP, storing on the filesystem there, logging to a file there.
//
//   const registry = await startRegistry();                       // anonymous read and write
//   const registry = await startRegistry({ auth: { type: "htpasswd", users: { alice: "secret" } } });
//   const registry = await startRegistry({ auth: { type: "token", users: { alice: "secret" } } });
//   const registry = await startRegistry({ tls: true });  // HTTPS, self-signed; CA in caCertificatePem
//   …
//   await registry.stop();
//
// "htpasswd" is distribution's Basic auth (bcrypt hashes, made here with a small bcrypt implementation
// because node:crypto has none). "token" is the Docker token flow real registries use: a token server
// in this process (node:http on 127.0.0.1) issues ES256 JWTs the registry verifies against a self-signed
// certificate made here with node:crypto, and records every token request for assertions. `tls` serves
// HTTPS with a self-signed certificate for 127.0.0.1, laid out in a containers-certs.d directory.
//
// The registry runs under a small shell watchdog in its own process group: stop() ends the group, an
// "exit" handler kills it if the test process ends without stop(), and the watchdog ends it if the test
// process dies without running its handlers (SIGKILL). IPC_KEEP_REGISTRY=1 keeps the directory.
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { der, oid, seq, time } from "./der.ts";
import { runToolScript } from "./tools.ts";

// ---------------------------------------------------------------------------------------------------
// Tools

export interface RegistryTools {
  dockerRegistry: string;
  cosign: string;
}

let tools: Promise<RegistryTools> | undefined;

/** Runs hack/ensure-registry-tools.sh once per process (its progress goes to our stderr). */
export function ensureRegistryTools(): Promise<RegistryTools> {
  tools ??= runEnsureScript().catch((error: unknown) => {
    tools = undefined;
    throw error;
  });
  return tools;
}

async function runEnsureScript(): Promise<RegistryTools> {
  const get = await runToolScript("ensure-registry-tools.sh");
  return { dockerRegistry: get("DOCKER_REGISTRY"), cosign: get("COSIGN") };
}

// ---------------------------------------------------------------------------------------------------
// The registry

export type RegistryAuth =
  | { type: "none" }
  /** Basic auth against an htpasswd file with these users (name → password). */
  | { type: "htpasswd"; users: Record<string, string> }
  /**
   * Bearer tokens from a token server in this process. Users get every action they ask for; anonymous
   * requests get `pull` only when anonymousPull is set, and a token without access otherwise.
   */
  | { type: "token"; users: Record<string, string>; anonymousPull?: boolean };

export interface RegistryOptions {
  auth?: RegistryAuth;
  /**
   * Serve HTTPS with a self-signed certificate for 127.0.0.1 (CA:TRUE, so it is its own CA), instead of
   * plain HTTP. The certificate is in `caCertificatePem`, and laid out containers-certs.d(5)-style in
   * `certsDirectory`.
   */
  tls?: boolean;
  /** Keep the directory (config, data, log) after stop(); default: env IPC_KEEP_REGISTRY=1. */
  keepDir?: boolean;
  /** Time to wait for /v2/ to answer. Default 20 s. */
  startTimeoutMs?: number;
}

export interface TokenRequestRecord {
  /** The user of the request's Basic credentials, "" for an anonymous request. */
  username: string;
  service: string;
  scopes: string[];
  /** What the token grants, as `repository:<name>:<actions>`. */
  granted: string[];
}

export interface RunningRegistry {
  /** "127.0.0.1:PORT": the registry part of image references. */
  host: string;
  /** "http://127.0.0.1:PORT", or https:// with the `tls` option. */
  url: string;
  /** With `tls`: the PEM of the registry's certificate, which is also its CA. */
  caCertificatePem?: string;
  /** With `tls`: a certs.d directory holding `127.0.0.1:PORT/ca.crt`, for the client's certsDirectories. */
  certsDirectory?: string;
  dir: string;
  logFile: string;
  /** For "token" auth: the token server, and every request it answered. */
  tokenServer?: { url: string; requests: TokenRequestRecord[] };
  /** The last lines of the registry's log, for failure messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const TOKEN_SERVICE = "ipc-test-registry";
const TOKEN_ISSUER = "ipc-test-token-issuer";

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const { dockerRegistry } = await ensureRegistryTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-registry-"));
  const keepDir = options.keepDir ?? process.env.IPC_KEEP_REGISTRY === "1";
  const logFile = path.join(dir, "registry.log");
  let tokenServer: TokenServer | undefined;
  try {
    const auth = options.auth ?? { type: "none" };
    let authConfig = "";
    if (auth.type === "htpasswd") {
      const htpasswd = Object.entries(auth.users)
        .map(([user, password]) => `${user}:${bcryptHash(password, 4, randomBytes(16))}\n`)
        .join("");
      fs.writeFileSync(path.join(dir, "htpasswd"), htpasswd);
      authConfig = `auth:\n  htpasswd:\n    realm: ipc-test-registry\n    path: ${path.join(dir, "htpasswd")}\n`;
    } else if (auth.type === "token") {
      tokenServer = await startTokenServer(auth.users, auth.anonymousPull ?? false);
      fs.writeFileSync(path.join(dir, "token-ca.pem"), tokenServer.certificatePem);
      authConfig =
        `auth:\n  token:\n    realm: ${tokenServer.url}/token\n    service: ${TOKEN_SERVICE}\n` +
        `    issuer: ${TOKEN_ISSUER}\n    rootcertbundle: ${path.join(dir, "token-ca.pem")}\n`;
    }

    const serverCertificate = options.tls
      ? selfSignedCertificate({
          commonName: "127.0.0.1",
          ipAddresses: ["127.0.0.1"],
          dnsNames: ["localhost"],
        })
      : undefined;
    let tlsConfig = "";
    if (serverCertificate !== undefined) {
      fs.writeFileSync(path.join(dir, "server.crt"), serverCertificate.certificatePem);
      fs.writeFileSync(path.join(dir, "server.key"), serverCertificate.privateKeyPem, { mode: 0o600 });
      tlsConfig = `  tls:\n    certificate: ${path.join(dir, "server.crt")}\n    key: ${path.join(dir, "server.key")}`;
    }

    // A free port can be taken between our probe and the registry's bind: retry with another.
    for (let attempt = 1; ; attempt++) {
      const port = await freeLoopbackPort();
      const host = `127.0.0.1:${port}`;
      const configFile = path.join(dir, "config.yml");
      fs.writeFileSync(
        configFile,
        [
          "version: 0.1",
          "log:",
          "  level: info",
          "  accesslog:",
          "    disabled: false",
          "storage:",
          "  filesystem:",
          `    rootdirectory: ${path.join(dir, "data")}`,
          "  delete:",
          "    enabled: true",
          "  maintenance:",
          "    uploadpurging:",
          "      enabled: false",
          "http:",
          `  addr: ${host}`,
          "  headers:",
          "    X-Content-Type-Options: [nosniff]",
          tlsConfig,
          authConfig,
        ].join("\n"),
      );
      const logStart = fileSize(logFile);
      const processGroup = await spawnWatched(
        dockerRegistry,
        ["serve", configFile],
        logFile,
        keepDir ? "" : dir,
      );
      const killOnExit = (): void => {
        signalGroup(processGroup, "SIGKILL");
        if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
      };
      process.once("exit", killOnExit);
      const stopProcess = async (): Promise<void> => {
        process.off("exit", killOnExit);
        await stopGroup(processGroup);
      };
      const url = `${serverCertificate ? "https" : "http"}://${host}`;
      const ca = serverCertificate?.certificatePem;
      const ready = await waitUntilServing(url, ca, processGroup, options.startTimeoutMs ?? 20_000);
      if (ready !== "ready") {
        await stopProcess();
        const log = tailFile(logFile, 30, logStart);
        if (ready === "exited" && /address already in use/.test(log) && attempt < 5) continue;
        throw new Error(
          `docker-registry did not start on ${host} (${ready}); its log ${logFile} ends with:\n${log}`,
        );
      }
      let certsDirectory: string | undefined;
      if (ca !== undefined) {
        certsDirectory = path.join(dir, "certs.d");
        fs.mkdirSync(path.join(certsDirectory, host), { recursive: true });
        fs.writeFileSync(path.join(certsDirectory, host, "ca.crt"), ca);
      }
      const server = tokenServer;
      let stopped = false;
      return {
        host,
        url,
        dir,
        logFile,
        ...(ca !== undefined && certsDirectory !== undefined ? { caCertificatePem: ca, certsDirectory } : {}),
        ...(server ? { tokenServer: { url: server.url, requests: server.requests } } : {}),
        logTail: (lines = 40) => tailFile(logFile, lines),
        stop: async () => {
          if (stopped) return;
          stopped = true;
          await stopProcess();
          await server?.close();
          if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    await tokenServer?.close();
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Polls /v2/ until the registry answers (200, or 401 with auth), the process exits, or time runs out. */
async function waitUntilServing(
  url: string,
  ca: string | undefined,
  group: number,
  timeoutMs: number,
): Promise<"ready" | "exited" | "timed out"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupLeaderRunning(group)) return "exited";
    const status = await probeStatus(`${url}/v2/`, ca);
    if (status === 200 || status === 401) return "ready";
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return "timed out";
}

/** The HTTP status of a GET, or undefined when there is no answer (yet). */
function probeStatus(url: string, ca: string | undefined): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = (url.startsWith("https:") ? https : http).get(
      url,
      { ...(ca ? { ca } : {}), agent: false, signal: AbortSignal.timeout(1000) },
      (response) => {
        response.resume();
        resolve(response.statusCode);
      },
    );
    request.on("error", () => resolve(undefined));
  });
}

// ---------------------------------------------------------------------------------------------------
// Processes

/**
 * Starts `binary args` under a bash watchdog, as the leader of a new process group, output appended to
 * logFile. The watchdog ends the binary, and removes `removeDir` (unless ""), when our process
 * disappears without stopping it. Returns the group id.
 */
async function spawnWatched(
  binary: string,
  args: string[],
  logFile: string,
  removeDir: string,
): Promise<number> {
  fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} ${binary} ${args.join(" ")}\n`);
  const watchdog = [
    "parent=$1 dir=$2; shift 2",
    '"$@" & child=$!',
    "trap 'kill $child 2>/dev/null; wait $child; exit' TERM INT",
    'while kill -0 "$parent" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done',
    "kill $child 2>/dev/null; wait $child",
    'if ! kill -0 "$parent" 2>/dev/null && [ -n "$dir" ]; then rm -rf "$dir"; fi',
  ].join("\n");
  const fd = fs.openSync(logFile, "a");
  try {
    const watchdogArgs = [
      "-c",
      watchdog,
      "registry-watchdog",
      String(process.pid),
      removeDir,
      binary,
      ...args,
    ];
    const child = spawn("bash", watchdogArgs, {
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.unref();
    if (child.pid === undefined) throw new Error("the registry watchdog has no pid");
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

function groupLeaderRunning(group: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${group}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  }
}

function groupRunning(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
}

async function stopGroup(group: number): Promise<void> {
  signalGroup(group, "SIGTERM");
  const deadline = Date.now() + 5000;
  while (groupRunning(group) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 25));
  if (groupRunning(group)) signalGroup(group, "SIGKILL");
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function tailFile(file: string, lines: number, from = 0): string {
  try {
    const text = fs.readFileSync(file).subarray(from).toString("utf8");
    return text.trim().split("\n").slice(-lines).join("\n");
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Token server (distribution's docs/spec/auth/token.md; verified by registry/auth/token/token.go)

interface TokenServer {
  url: string;
  certificatePem: string;
  requests: TokenRequestRecord[];
  close(): Promise<void>;
}

async function startTokenServer(users: Record<string, string>, anonymousPull: boolean): Promise<TokenServer> {
  const { certificatePem, privateKey, spkiDer } = selfSignedCertificate({
    commonName: "ipc-test-token-signer",
  });
  const keyId = libtrustKeyId(spkiDer);
  const requests: TokenRequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://token.invalid");
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== "/token" || req.method !== "GET") {
      reply(404, { errors: [{ code: "NOT_FOUND", message: "no such endpoint" }] });
      return;
    }
    let username = "";
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const decoded = authorization.startsWith("Basic ")
        ? Buffer.from(authorization.slice(6), "base64").toString("utf8")
        : "";
      const colon = decoded.indexOf(":");
      const user = decoded.slice(0, colon);
      if (colon === -1 || !Object.hasOwn(users, user) || users[user] !== decoded.slice(colon + 1)) {
        reply(401, { errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] });
        return;
      }
      username = user;
    }
    const scopes = url.searchParams
      .getAll("scope")
      .flatMap((s) => s.split(" "))
      .filter((s) => s !== "");
    const access: { type: string; name: string; actions: string[] }[] = [];
    for (const scope of scopes) {
      const [type, ...rest] = scope.split(":");
      const actions = (rest.pop() ?? "").split(",").filter((a) => a !== "");
      const name = rest.join(":"); // repository names cannot hold ':', but registry hosts in names could
      const granted = username !== "" ? actions : anonymousPull ? actions.filter((a) => a === "pull") : [];
      if (type !== undefined && name !== "" && granted.length > 0)
        access.push({ type, name, actions: granted });
    }
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(privateKey, keyId, {
      iss: TOKEN_ISSUER,
      sub: username,
      aud: url.searchParams.get("service") ?? "",
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    requests.push({
      username,
      service: url.searchParams.get("service") ?? "",
      scopes,
      granted: access.map((a) => `${a.type}:${a.name}:${a.actions.join(",")}`),
    });
    reply(200, {
      token,
      access_token: token,
      expires_in: 300,
      issued_at: new Date(now * 1000).toISOString(),
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    certificatePem,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

function signJwt(privateKey: KeyObject, keyId: string, claims: Record<string, unknown>): string {
  const signingInput = `${base64url(JSON.stringify({ typ: "JWT", alg: "ES256", kid: keyId }))}.${base64url(
    JSON.stringify(claims),
  )}`;
  // JWS ES256 wants the raw r||s signature, not DER.
  const signature = sign("sha256", Buffer.from(signingInput), { key: privateKey, dsaEncoding: "ieee-p1363" });
  return `${signingInput}.${base64url(signature)}`;
}

/**
 * The key ID distribution looks up a JWT's `kid` by (docker/libtrust keyIDFromCryptoKey): SHA-256 of the
 * DER SubjectPublicKeyInfo, first 240 bits, base32 without padding, in 12 colon-separated groups of 4.
 */
export function libtrustKeyId(spkiDer: Buffer): string {
  const digest = createHash("sha256").update(spkiDer).digest().subarray(0, 30);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let encoded = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      encoded += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return (encoded.match(/.{1,4}/g) ?? []).join(":");
}

/** A random positive serial, minimally encoded as DER requires (Go refuses a redundant leading zero). */
function serialNumber(): Buffer {
  const serial = randomBytes(8);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x40;
  return serial;
}

export interface SelfSignedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo of the key. */
  spkiDer: Buffer;
}

/**
 * A self-signed ECDSA P-256 certificate (CA:TRUE, so it can be trusted as its own root), valid from an
 * hour ago for a day, with the given names as subjectAltNames. Made with node:crypto and the DER helpers
 * of der.ts, because Node can parse certificates but not create them.
 */
export function selfSignedCertificate(
  options: { commonName: string; dnsNames?: string[]; ipAddresses?: string[] } = { commonName: "ipc-test" },
): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spkiDer = publicKey.export({ type: "spki", format: "der" });
  const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(der(0x31, seq(oid("2.5.4.3"), der(0x0c, Buffer.from(options.commonName, "utf8")))));
  const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
    seq(oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));
  const altNames = [
    ...(options.dnsNames ?? []).map((dns) => der(0x82, Buffer.from(dns, "ascii"))),
    ...(options.ipAddresses ?? []).map((ip) => der(0x87, Buffer.from(ip.split(".").map(Number)))),
  ];
  const extensions = [
    extension("2.5.29.19", true, seq(der(0x01, Buffer.from([0xff])))), // basicConstraints CA:TRUE
    ...(altNames.length > 0 ? [extension("2.5.29.17", false, seq(...altNames))] : []),
  ];
  const now = Date.now();
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, serialNumber()),
    ecdsaWithSha256,
    name,
    seq(time(new Date(now - 3600_000)), time(new Date(now + 24 * 3600_000))),
    name,
    spkiDer,
    der(0xa3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = seq(tbs, ecdsaWithSha256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = certificate.toString("base64").match(/.{1,64}/g) ?? [];
  return {
    certificatePem: `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    privateKey,
    spkiDer,
  };
}

// ---------------------------------------------------------------------------------------------------
// bcrypt (Provos & Mazières; the $2b$ variant golang.org/x/crypto/bcrypt verifies)

let blowfishInitialState: Uint32Array | undefined;

/**
 * Blowfish's initial P-array and S-boxes: the fractional hexadecimal digits of π, 1042 words of them,
 * computed with Machin's formula (π = 16·atan(1/5) − 4·atan(1/239)) in fixed point, rather than
 * pasting four kilobytes of constants.
 */
function piFractionWords(): Uint32Array {
  if (blowfishInitialState !== undefined) return blowfishInitialState;
  const words = 18 + 4 * 256;
  const bits = BigInt(words * 32 + 64); // 64 guard bits absorb the truncation of ~10⁴ series terms
  const one = 1n << bits;
  const arctanInverse = (x: bigint): bigint => {
    let term = one / x;
    let sum = term;
    const xSquared = x * x;
    for (let k = 1n; term !== 0n; k++) {
      term /= xSquared;
      sum += (k % 2n === 1n ? -term : term) / (2n * k + 1n);
    }
    return sum;
  };
  const fraction = 16n * arctanInverse(5n) - 4n * arctanInverse(239n) - 3n * one;
  const state = new Uint32Array(words);
  for (let i = 0; i < words; i++) {
    state[i] = Number((fraction >> (bits - BigInt((i + 1) * 32))) & 0xffffffffn);
  }
  blowfishInitialState = state;
  return state;
}

/** A bcrypt hash `$2b$<cost>$<salt><hash>` of password with a 16-byte salt. */
export function bcryptHash(password: string, cost: number, salt: Uint8Array): string {
  const key = Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]); // C bcrypt uses the NUL
  if (key.length > 73) throw new Error("bcrypt passwords are limited to 72 bytes");
  if (salt.length !== 16) throw new Error("bcrypt needs a 16-byte salt");
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error("bcrypt cost must be 4..31");

  const state = Uint32Array.from(piFractionWords()); // P = state[0..17], S-boxes = state[18..]
  const S = 18;
  const f = (x: number): number =>
    ((((state[S + (x >>> 24)] as number) + (state[S + 256 + ((x >>> 16) & 0xff)] as number)) ^
      (state[S + 512 + ((x >>> 8) & 0xff)] as number)) +
      (state[S + 768 + (x & 0xff)] as number)) >>>
    0;
  const block = new Uint32Array(2);
  const encipher = (): void => {
    let left = block[0] as number;
    let right = block[1] as number;
    for (let i = 0; i < 16; i += 2) {
      left = (left ^ (state[i] as number)) >>> 0;
      right = (right ^ f(left)) >>> 0;
      right = (right ^ (state[i + 1] as number)) >>> 0;
      left = (left ^ f(right)) >>> 0;
    }
    block[0] = (right ^ (state[17] as number)) >>> 0;
    block[1] = (left ^ (state[16] as number)) >>> 0;
  };
  const streamWord = (data: Uint8Array, position: { at: number }): number => {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = ((word << 8) | (data[position.at] as number)) >>> 0;
      position.at = (position.at + 1) % data.length;
    }
    return word;
  };
  const expandKey = (keyBytes: Uint8Array, saltBytes: Uint8Array | undefined): void => {
    const keyPosition = { at: 0 };
    for (let i = 0; i < 18; i++) state[i] = ((state[i] as number) ^ streamWord(keyBytes, keyPosition)) >>> 0;
    const saltPosition = { at: 0 };
    block[0] = 0;
    block[1] = 0;
    for (let i = 0; i < state.length; i += 2) {
      if (saltBytes !== undefined) {
        block[0] = ((block[0] as number) ^ streamWord(saltBytes, saltPosition)) >>> 0;
        block[1] = ((block[1] as number) ^ streamWord(saltBytes, saltPosition)) >>> 0;
      }
      encipher();
      state[i] = block[0] as number;
      state[i + 1] = block[1] as number;
    }
  };

  expandKey(key, salt);
  for (let round = 0; round < 2 ** cost; round++) {
    expandKey(key, undefined);
    expandKey(salt, undefined);
  }
  const magic = Buffer.from("OrpheanBeholderScryDoubt", "ascii");
  const output = Buffer.alloc(24);
  for (let i = 0; i < 24; i += 8) {
    block[0] = magic.readUInt32BE(i);
    block[1] = magic.readUInt32BE(i + 4);
    for (let j = 0; j < 64; j++) encipher();
    output.writeUInt32BE(block[0] as number, i);
    output.writeUInt32BE(block[1] as number, i + 4);
  }
  const costText = String(cost).padStart(2, "0");
  return `$2b$${costText}$${bcryptBase64(salt)}${bcryptBase64(output.subarray(0, 23))}`;
}

/** Base64 with bcrypt's alphabet, no padding. */
function bcryptBase64(bytes: Uint8Array): string {
  const standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bcrypt = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Buffer.from(bytes)
    .toString("base64")
    .replace(/=+$/, "")
    .replace(/[A-Za-z0-9+/]/g, (c) => bcrypt[standard.indexOf(c)] as string);
}
