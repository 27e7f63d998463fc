// The controller's memory with large MachineConfigs it does not own: 100 `rendered-worker-*`
// MachineConfigs of about 500 KB each (as the Machine Config Operator keeps one per rendered
// configuration) sit in the cluster; the controller runs as its own process, and its RSS (VmRSS of
// that process, not of this driver) is sampled once it is ready and has reconciled. Prints figures,
// asserts nothing. `node test/bench/controller/machineconfig-cache.ts [CONTROLLER_TREE]` runs the
// controller of another checkout (e.g. an older commit, to compare), default this one.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineConfig } from "../../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import { KubeClient, MACHINE_CONFIG_POOLS, MACHINE_CONFIGS } from "../../../pkg/kube/index.ts";
import { defaultPools } from "../../../pkg/render/snapshot.ts";
import { startControlPlane } from "../../harness/controlplane.ts";
import { installCrds } from "../../harness/crds.ts";
import { freePort } from "../../harness/tools.ts";

const root = join(import.meta.dirname, "../../..");
const controllerTree = process.argv[2] ?? root;
const RENDERED = 100;
const RENDERED_BYTES = 500 * 1024;

function renderedMachineConfig(i: number): MachineConfig {
  // Random-looking base64 data, so no layer compresses it away.
  const data = Buffer.alloc((RENDERED_BYTES * 3) / 4, 0);
  for (let j = 0; j < data.length; j++) data[j] = (j * 2654435761 + i * 97) & 0xff;
  return {
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfig",
    metadata: { name: `rendered-worker-${i.toString(16).padStart(32, "0")}` },
    spec: {
      config: {
        ignition: { version: "3.5.0" },
        storage: {
          files: [{ path: "/etc/big", contents: { source: `data:;base64,${data.toString("base64")}` } }],
        },
      },
    },
  };
}

function vmRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "0");
}

const plane = await startControlPlane({ baseDir: mkdtempSync(join(tmpdir(), "bench-mc-cache-")) });
try {
  await installCrds(plane.kubeConfig, join(root, "crds"));
  const client = new KubeClient(plane.kubeConfig);
  for (const pool of defaultPools()) await client.resource(MACHINE_CONFIG_POOLS).create(pool);
  for (let i = 0; i < RENDERED; i++) await client.resource(MACHINE_CONFIGS).create(renderedMachineConfig(i));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(controllerTree, "pkg/cli/main.ts"),
      "controller",
      "--kubeconfig",
      plane.kubeconfigPath,
      "--metrics-bind-address",
      `127.0.0.1:${port}`,
      "--log-level",
      "error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    // Positive signals, not sleeps: /readyz (informers synced), then the controller's first write.
    const started = performance.now();
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (performance.now() - started > 120_000) throw new Error("the controller did not become ready");
      await new Promise((r) => setTimeout(r, 100));
    }
    for (;;) {
      const names = (await client.resource(MACHINE_CONFIGS).list()).items.map((mc) => mc.metadata.name);
      if (names.includes("99-worker-generated-registries")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    let peak = 0;
    for (let sample = 0; sample < 20; sample++) {
      peak = Math.max(peak, vmRssKiB(child.pid ?? 0));
      await new Promise((r) => setTimeout(r, 100));
    }
    process.stdout.write(
      `controller (${controllerTree === root ? "this tree" : controllerTree}) with ${RENDERED} rendered-* MachineConfigs of ${RENDERED_BYTES / 1024} KB present: ` +
        `peak VmRSS ${(peak / 1024).toFixed(0)} MiB once ready and reconciled\n`,
    );
  } finally {
    child.kill("SIGTERM");
  }
  client.close();
} finally {
  await plane.stop();
}
