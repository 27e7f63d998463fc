import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  authFilePaths,
  authKeyLookupOrder,
  lookupCredentials,
  type CredentialLookupOptions,
  type RegistryCredentials,
} from "./credentials.ts";

const auth = (user: string, password: string): { auth: string } => ({
  auth: Buffer.from(`${user}:${password}`).toString("base64"),
});

describe("credentials lookup (containers-auth.json(5))", () => {
  let root: string;
  let home: string;
  let runtimeDir: string;

  const write = (path: string, value: unknown): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  };
  const options = (env: Record<string, string | undefined> = {}, extra: CredentialLookupOptions = {}) => ({
    env: { XDG_RUNTIME_DIR: runtimeDir, ...env },
    homeDir: home,
    uid: 4242,
    ...extra,
  });
  const user = async (key: string, opts: CredentialLookupOptions): Promise<string | undefined> =>
    (await lookupCredentials(key, opts))?.credentials.username;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "ipc-credentials-"));
    home = join(root, "home");
    runtimeDir = join(root, "run");
    mkdirSync(home, { recursive: true });
    mkdirSync(runtimeDir, { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("searches the files in containers/image's order", () => {
    expect(authFilePaths(options()).map((p) => p.path.replace(root, "ROOT"))).toEqual([
      "ROOT/run/containers/auth.json",
      "ROOT/home/.config/containers/auth.json",
      "ROOT/home/.docker/config.json",
      "ROOT/home/.dockercfg",
    ]);
    expect(
      authFilePaths(options({ XDG_RUNTIME_DIR: undefined, XDG_CONFIG_HOME: "/xdg", DOCKER_CONFIG: "/dc" })),
    ).toEqual([
      { path: "/run/containers/4242/auth.json", legacyFormat: false },
      { path: "/xdg/containers/auth.json", legacyFormat: false },
      { path: "/dc/config.json", legacyFormat: false },
      { path: join(home, ".dockercfg"), legacyFormat: true },
    ]);
  });

  it("skips a configured XDG_RUNTIME_DIR that does not exist", () => {
    const paths = authFilePaths(options({ XDG_RUNTIME_DIR: join(root, "missing") }));
    expect(paths[0]?.path).toBe(join(home, ".config", "containers", "auth.json"));
  });

  it("uses only the named file: the authFile option, else REGISTRY_AUTH_FILE", () => {
    expect(authFilePaths(options({ REGISTRY_AUTH_FILE: "/env/auth.json" }))).toEqual([
      { path: "/env/auth.json", legacyFormat: false },
    ]);
    expect(
      authFilePaths(options({ REGISTRY_AUTH_FILE: "/env/auth.json" }, { authFile: "/opt/a.json" })),
    ).toEqual([{ path: "/opt/a.json", legacyFormat: false }]);
  });

  it("returns nothing when no file exists", async () => {
    expect(await lookupCredentials("quay.io/a/b", options())).toBeUndefined();
  });

  it("takes the first file with credentials for the registry", async () => {
    write(join(home, ".docker", "config.json"), { auths: { "quay.io": auth("docker-user", "p1") } });
    expect(await lookupCredentials("quay.io/a/b", options())).toEqual({
      credentials: { username: "docker-user", password: "p1" },
      source: join(home, ".docker", "config.json"),
    });
    write(join(home, ".config", "containers", "auth.json"), { auths: { "quay.io": auth("xdg-user", "p2") } });
    expect(await user("quay.io/a/b", options())).toBe("xdg-user");
    write(join(runtimeDir, "containers", "auth.json"), { auths: { "quay.io": auth("runtime-user", "p3") } });
    expect(await user("quay.io/a/b", options())).toBe("runtime-user");
    // A file without an entry for the registry does not stop the search.
    expect(await user("other.example/x", options())).toBeUndefined();
    write(join(home, ".docker", "config.json"), { auths: { "other.example": auth("o", "p") } });
    expect(await user("other.example/x", options())).toBe("o");
  });

  it("prefers the most specific repository-path key inside a file", async () => {
    const file = join(root, "namespaced.json");
    write(file, {
      auths: {
        "registry.example": auth("host", "p"),
        "registry.example/team": auth("team", "p"),
        "registry.example/team/app": auth("app", "p"),
        "registry.example/team/app/sub": auth("deeper", "p"),
      },
    });
    const only = options({}, { authFile: file });
    expect(await user("registry.example/team/app", only)).toBe("app");
    expect(await user("registry.example/team/other", only)).toBe("team");
    expect(await user("registry.example/teamx/app", only)).toBe("host");
    expect(await user("registry.example", only)).toBe("host");
    expect(authKeyLookupOrder("quay.io/repo/ns/image", "quay.io", false)).toEqual([
      "quay.io/repo/ns/image",
      "quay.io/repo/ns",
      "quay.io/repo",
      "quay.io",
    ]);
  });

  it("matches a host with its port exactly", async () => {
    const file = join(root, "ports.json");
    write(file, { auths: { "localhost:5000": auth("five", "p"), localhost: auth("none", "p") } });
    const only = options({}, { authFile: file });
    expect(await user("localhost:5000/a", only)).toBe("five");
    expect(await user("localhost/a", only)).toBe("none");
    expect(await user("localhost:6000/a", only)).toBeUndefined();
  });

  it("normalises URL keys and Docker Hub's names", async () => {
    const file = join(root, "urls.json");
    write(file, {
      auths: {
        "https://index.docker.io/v1/": auth("hub", "p"),
        "http://old.example/v2/": auth("old", "p"),
      },
    });
    const only = options({}, { authFile: file });
    expect(await user("docker.io/library/busybox", only)).toBe("hub");
    expect(await user("old.example/x", only)).toBe("old");
  });

  it("reads the legacy ~/.dockercfg by host only", async () => {
    const legacyHome = join(root, "legacy-home");
    write(join(legacyHome, ".dockercfg"), { "https://legacy.example/v1/": auth("legacy", "pw") });
    const opts = { env: { XDG_RUNTIME_DIR: runtimeDir }, homeDir: legacyHome };
    rmSync(join(runtimeDir, "containers"), { recursive: true, force: true });
    expect(await user("legacy.example/a/b", opts)).toBe("legacy");
  });

  it("trims NULs from passwords, keeps identity tokens, skips entries without user:password", async () => {
    const file = join(root, "odd.json");
    write(file, {
      auths: {
        "nul.example": { auth: Buffer.from("u:secret\0\0").toString("base64") },
        "token.example": { ...auth("u", "p"), identitytoken: "refresh-me" },
        "helper.example": {},
      },
    });
    const only = options({}, { authFile: file });
    expect((await lookupCredentials("nul.example/a", only))?.credentials.password).toBe("secret");
    expect((await lookupCredentials("token.example/a", only))?.credentials).toEqual({
      username: "u",
      password: "p",
      identityToken: "refresh-me",
    });
    expect(await lookupCredentials("helper.example/a", only)).toBeUndefined();
  });

  it("asks the credential helper a file names for the registry host", async () => {
    const file = join(root, "helpers.json");
    write(file, {
      credHelpers: { "ecr.example": "ecr-login" },
      auths: { "ecr.example": auth("ignored", "p") },
    });
    const calls: string[] = [];
    const runCredentialHelper = async (helper: string, registry: string): Promise<RegistryCredentials> => {
      calls.push(`${helper} ${registry}`);
      return { username: "AWS", password: "from-helper" };
    };
    const found = await lookupCredentials(
      "ecr.example/team/app",
      options({}, { authFile: file, runCredentialHelper }),
    );
    expect(found?.credentials).toEqual({ username: "AWS", password: "from-helper" });
    expect(found?.source).toMatch(/docker-credential-ecr-login/);
    expect(calls).toEqual(["ecr-login ecr.example"]);
  });

  it("fails clearly on a file that is not JSON, and on keys with a scheme or digest", async () => {
    const file = join(root, "broken.json");
    write(file, "{ not json");
    await expect(lookupCredentials("quay.io/a", options({}, { authFile: file }))).rejects.toThrow(
      /broken\.json is not valid JSON/,
    );
    await expect(lookupCredentials("https://quay.io", options())).rejects.toThrow(/http\[s\]:\/\/ prefix/);
  });

  it("never puts a byte of a login into a message, whatever is malformed around it", async () => {
    const login = Buffer.from("secretuser:secretpassword").toString("base64");
    const poisoned = [
      `{"auths":{"quay.io":{"auth":"${login}"x}}}`,
      `{"auths":{"quay.io":{"auth":"${login}`,
      login,
      `{"auths": ${login}}`,
      `{"auths":{"quay.io":{"auth":"${login}"}},}`,
    ];
    for (const [i, text] of poisoned.entries()) {
      const file = join(root, `poisoned-${i}.json`);
      write(file, text);
      const error = await lookupCredentials("quay.io/a", options({}, { authFile: file })).then(
        () => new Error("no error"),
        (e: unknown) => e as Error,
      );
      expect(error.message).toMatch(/poisoned-\d\.json is not valid JSON/);
      // Not even a few characters of the base64 login, nor of what it decodes to.
      for (let start = 0; start + 6 <= login.length; start++)
        expect(error.message).not.toContain(login.slice(start, start + 6));
      expect(error.message).not.toMatch(/secret/);
      expect(error.cause).toBeUndefined();
    }
    await expect(lookupCredentials("quay.io/a@sha256:x", options())).rejects.toThrow(/'@'/);
    await expect(lookupCredentials("quay.io/a:tag", options())).rejects.toThrow(/':' character after host/);
  });
});
