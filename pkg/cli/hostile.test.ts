// Hostile input for the offline commands: the corpus under test/fixtures/hostile, cases that cannot
// be committed (links, devices, huge files), and random folders. Whatever the input: no exception
// escapes `main`, every failure is one line, nothing is written outside OUT, and every policy.json
// written parses as containers/image parses it (the integration judge test runs containers/image
// itself on rendered files).
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import { main } from "./main.ts";
import { capture } from "./testing/capture.ts";
import { hostileFolder, writeHostileFolder } from "./testing/hostile-folders.ts";

const root = join(import.meta.dirname, "../..");
const corpus = join(root, "test/fixtures/hostile");
const good = join(root, "manifests/examples/11-keyless-fulcio.yaml");
const publicKeyData =
  readFileSync(join(root, "manifests/examples/20-team-a-imagepolicies.yaml"), "utf8").match(
    /keyData: (.*)/,
  )?.[1] ?? "";
const ESCAPE_MARKERS = ["/tmp/ipc-hostile-escape", "/tmp/ipc-hostile-pool"];

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found.sort();
}

interface Run {
  status: number;
  stdout: string[];
  stderr: string[];
  /** Files written under OUT, relative to it. */
  written: string[];
  out: string;
}

/** `render -f INPUT -o OUT` in a fresh parent folder; asserts the invariants that hold for any input. */
async function renderHostile(input: string, extra: string[] = []): Promise<Run> {
  const parent = mkdtempSync(join(tmpdir(), "hostile-"));
  const out = join(parent, "out");
  const io = capture();
  const status = await main(["render", "-f", input, "-o", out, ...extra], io);
  expect([0, 1, 2]).toContain(status);
  expect(readdirSync(parent).filter((entry) => entry !== "out")).toEqual([]); // nothing beside OUT
  for (const marker of ESCAPE_MARKERS) expect(existsSync(marker)).toBe(false);
  for (const line of io.stderr) expect(line).not.toMatch(/\n\s+at /); // no stack trace
  const written = filesUnder(out);
  for (const file of written.filter((f) => f.endsWith(".json"))) {
    const parsed = parsePolicyJson(readFileSync(join(out, file), "utf8"));
    expect({ file, ok: parsed.ok }).toEqual({ file, ok: true });
  }
  return { status, stdout: io.stdout, stderr: io.stderr, written, out };
}

async function validateHostile(input: string): Promise<{ status: number; stderr: string[] }> {
  const io = capture();
  const status = await main(["validate", "-f", input], io);
  expect([0, 1, 2]).toContain(status);
  for (const line of io.stderr) expect(line).not.toMatch(/\n\s+at /);
  return { status, stderr: io.stderr };
}

describe("the hostile corpus (test/fixtures/hostile)", () => {
  it("covers every case below", () => {
    expect(readdirSync(corpus).sort()).toEqual(
      [
        "alias-bomb",
        "duplicate-names",
        "missing-apiversion",
        "namespace-forms",
        "namespace-into-policy-json",
        "namespace-out-of-output",
        "pool-traversal",
        "unknown-apiversion",
      ].sort(),
    );
  });

  it("a namespace never walks into policy.json: the ImagePolicy is Invalid, the rest applies", async () => {
    const run = await renderHostile(join(corpus, "namespace-into-policy-json"));
    expect(run.status).toBe(1);
    expect(run.stdout.join("\n")).toMatch(
      /Invalid +ImagePolicy \.\.\/\.\.\/containers\/policy\/evil: metadata\.namespace: Invalid value: "\.\.\/\.\.\/containers\/policy": a lowercase RFC 1123 label/,
    );
    expect(run.stdout.join("\n")).toMatch(/Applied +ClusterImagePolicy good/);
    expect(run.written).toEqual([
      "etc/containers/policy.json",
      "etc/containers/registries.d/sigstore-registries.yaml",
      "machineconfigs/99-master-generated-registries.yaml",
      "machineconfigs/99-worker-generated-registries.yaml",
    ]);
    const policyJson = readFileSync(join(run.out, "etc/containers/policy.json"), "utf8");
    expect(policyJson).toContain("registry.example.com/good");
    expect(policyJson).not.toContain("quay.io/evil");
    expect((await validateHostile(join(corpus, "namespace-into-policy-json"))).status).toBe(1);
  });

  it("a namespace never walks out of OUT", async () => {
    const run = await renderHostile(join(corpus, "namespace-out-of-output"));
    expect(run.status).toBe(1);
    expect(run.written.some((file) => file.includes("crio"))).toBe(false);
  });

  it("namespaces the API server refuses are refused, each with its reason", async () => {
    const run = await renderHostile(join(corpus, "namespace-forms"));
    expect(run.status).toBe(1);
    const invalid = run.stdout.filter((line) => line.startsWith("Invalid"));
    expect(invalid).toHaveLength(4);
    expect(invalid.join("\n")).toContain("must be no more than 63 characters");
    const validation = await validateHostile(join(corpus, "namespace-forms"));
    expect(validation.status).toBe(1);
    expect(
      validation.stderr.filter((line) => line.includes("metadata.namespace: Invalid value")),
    ).toHaveLength(4);
  });

  it.each([
    [
      "pool-traversal",
      2,
      1,
      /MachineConfigPool\/\.\.\/\.\.\/\.\.\/tmp\/ipc-hostile-pool: metadata\.name: Invalid value/,
    ],
    ["unknown-apiversion", 2, 2, /no matches for kind "ClusterImagePolicy" in version "x\/v1"/],
    ["missing-apiversion", 2, 2, /ClusterImagePolicy: apiVersion not set/],
    // validate checks objects one by one (its corpus holds alternatives with one name): both valid.
    ["duplicate-names", 2, 0, /b\.yaml: ClusterImagePolicy same is also defined in .*a\.yaml/],
    ["alias-bomb", 2, 1, /bomb\.yaml: cannot be read as YAML: Excessive alias count/],
  ])(
    "%s: render exits %d, validate %d, and says why in one line",
    async (name, renderStatus, validateStatus, why) => {
      const run = await renderHostile(join(corpus, name));
      expect(run.status).toBe(renderStatus);
      expect(run.written).toEqual([]);
      expect(run.stderr.join("\n")).toMatch(why);
      const validation = await validateHostile(join(corpus, name));
      expect(validation.status).toBe(validateStatus);
      if (validateStatus !== 0) expect(validation.stderr.join("\n")).toMatch(why);
    },
  );
});

describe("hostile input that cannot be committed", () => {
  it("links that loop are walked once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "links-"));
    cpSync(good, join(dir, "good.yaml"));
    symlinkSync(".", join(dir, "again"));
    symlinkSync(".", join(dir, "and-again"));
    mkdirSync(join(dir, "sub"));
    symlinkSync("..", join(dir, "sub", "up"));
    const run = await renderHostile(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toEqual([expect.stringMatching(/^Applied +ClusterImagePolicy example-app-keyless/)]);
  });

  it("an empty folder is reported, not rendered", async () => {
    const run = await renderHostile(mkdtempSync(join(tmpdir(), "empty-")));
    expect(run.status).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/^no manifests found in .*: nothing to render$/)]);
    expect(run.written).toEqual([]);
    expect((await validateHostile(mkdtempSync(join(tmpdir(), "empty-")))).status).toBe(2);
  });

  it("a device or a file larger than the API server accepts is refused unread", async () => {
    const zero = await renderHostile("/dev/zero");
    expect(zero.status).toBe(2);
    expect(zero.stderr).toEqual(["/dev/zero: not a regular file; not read"]);
    const dir = mkdtempSync(join(tmpdir(), "huge-"));
    // The finding was a 10 MB keyData overflowing the stack of a format checker.
    const text = readFileSync(join(root, "manifests/examples/20-team-a-imagepolicies.yaml"), "utf8").replace(
      /keyData: .*/,
      `keyData: ${"A".repeat(10 * 1024 * 1024)}`,
    );
    writeFileSync(join(dir, "huge.yaml"), text);
    const huge = await renderHostile(dir);
    expect(huge.status).toBe(2);
    expect(huge.stderr).toEqual([
      expect.stringMatching(/huge\.yaml: \d+ bytes, more than the 3145728 the API server accepts/),
    ]);
  });

  it("-o naming a file is one line and exit 2", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "out-")), "a-file");
    writeFileSync(file, "");
    const io = capture();
    expect(await main(["render", "-f", good, "-o", file], io)).toBe(2);
    expect(io.stderr).toEqual([`-o ${file}: not a directory`]);
    const below = capture();
    expect(await main(["render", "-f", good, "-o", join(file, "below")], below)).toBe(2);
    expect(below.stderr).toEqual([expect.stringMatching(/a part of the path is a file, not a directory$/)]);
  });
});

describe("random hostile folders (fuzz)", () => {
  it("no exception escapes render or validate, nothing is written outside OUT, every policy.json parses", async () => {
    await fc.assert(
      fc.asyncProperty(hostileFolder(publicKeyData), async (files) => {
        const dir = mkdtempSync(join(tmpdir(), "fuzz-"));
        writeHostileFolder(dir, files);
        await renderHostile(dir);
        await validateHostile(dir);
      }),
      { numRuns: 60 },
    );
  });
});
