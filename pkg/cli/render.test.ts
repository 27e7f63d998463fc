import { describe, expect, it } from "@jest/globals";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { main } from "./main.ts";
import { capture } from "./testing/capture.ts";

const root = join(import.meta.dirname, "../..");
const golden = join(root, "test/fixtures/render/examples");

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d).sort()) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("image-policy render", () => {
  it("renders the bundled examples exactly as the golden files (UPDATE_GOLDEN=1 rewrites them)", async () => {
    const out = mkdtempSync(join(tmpdir(), "render-"));
    const io = capture();
    const status = await main(
      ["render", "-f", join(root, "manifests/examples"), "-o", out, "--format", "files"],
      io,
    );
    writeFileSync(join(out, "outcomes.txt"), `exit ${status}\n${io.stdout.join("\n")}\n`);
    if (process.env.UPDATE_GOLDEN === "1") {
      rmSync(golden, { recursive: true, force: true });
      mkdirSync(golden, { recursive: true });
      cpSync(out, golden, { recursive: true });
    }
    expect(tree(out)).toEqual(tree(golden));
    expect(status).toBe(1); // the examples include a deliberate ImagePolicy conflict
  });

  it("writes one MachineConfig per pool whose files are the node files", async () => {
    const out = mkdtempSync(join(tmpdir(), "render-"));
    expect(await main(["render", "-f", join(root, "manifests/examples"), "-o", out], capture())).toBe(1);
    const mc = parse(
      readFileSync(join(out, "machineconfigs/99-worker-generated-registries.yaml"), "utf8"),
    ) as {
      metadata: { labels: Record<string, string> };
      spec: { config: { storage: { files: { path: string; contents: { source: string } }[] } } };
    };
    expect(mc.metadata.labels).toEqual({ "machineconfiguration.openshift.io/role": "worker" });
    const policy = mc.spec.config.storage.files.find((f) => f.path === "/etc/containers/policy.json");
    const data = Buffer.from((policy?.contents.source ?? "").split(",")[1] ?? "", "base64").toString();
    expect(data).toBe(readFileSync(join(out, "etc/containers/policy.json"), "utf8"));
  });

  it("drops the managed release policy when ClusterVersion overrides it, and says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    cpSync(join(root, "manifests/examples"), dir, { recursive: true });
    const cvPath = join(dir, "01-clusterversion.yaml");
    const cv = parse(readFileSync(cvPath, "utf8")) as { spec: Record<string, unknown> };
    cv.spec.overrides = [
      {
        kind: "ClusterImagePolicy",
        group: "config.openshift.io",
        namespace: "",
        name: "openshift",
        unmanaged: true,
      },
    ];
    writeFileSync(cvPath, JSON.stringify(cv));
    const io = capture();
    const status = await main(["render", "-f", dir], io);
    expect(io.stdout).toContain("Excluded        ClusterImagePolicy/openshift: overridden");
    expect(io.stdout.some((l) => l.includes("ClusterImagePolicy openshift"))).toBe(false);
    // Without the cluster policy, team A's release-repository scope no longer conflicts.
    expect(status).toBe(0);
  });

  it("prints why an applied scope's mirrors get no sigstore attachments", async () => {
    const io = capture();
    const input = join(
      import.meta.dirname,
      "../../test/fixtures/mco-corpus/cases/p09-port-scope-host-mirror/in",
    );
    expect(await main(["render", "-f", input], io)).toBe(0);
    expect(io.stdout).toContain(
      "Applied         ClusterImagePolicy c (1 scope): the mirrors of registry.example.com:5000 get no sigstore attachments: containers/image cannot rewrite its images onto them (rewriting reference: invalid reference format)",
    );
  });

  it("reports an invalid policy and renders the rest; exits 2 on unusable input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      "apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: bad}\nspec:\n  scopes: [busybox]\n  policy: {rootOfTrust: {policyType: PKI}}\n",
    );
    cpSync(join(root, "manifests/examples/11-keyless-fulcio.yaml"), join(dir, "good.yaml"));
    const io = capture();
    expect(await main(["render", "-f", dir], io)).toBe(1);
    expect(io.stdout[0]).toMatch(/^Invalid +ClusterImagePolicy bad: spec.scopes\[0\]: Invalid value/);
    expect(io.stdout[1]).toMatch(/^Applied +ClusterImagePolicy example-app-keyless/);
    writeFileSync(join(dir, "broken.yaml"), "kind: [");
    expect(await main(["render", "-f", dir], capture())).toBe(2);
    expect(await main(["render", "-f", dir, "--crio-version", "latest"], capture())).toBe(2);
  });
});
