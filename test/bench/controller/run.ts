// Controller benchmark on the test control plane: prints figures, asserts nothing. Run with
// `node test/bench/controller/run.ts` (make bench-controller). Measures (1) latency from a policy
// write to the updated MachineConfig (median and p99 over 100 changes, debounce included), (2)
// MachineConfig writes per burst of 1,000 policy creations, (3) the controller's RSS with 1,000
// ClusterImagePolicies and 10,000 ImagePolicies loaded. The controller runs as its own process, so
// the RSS figure (VmRSS of that process, sampled) is the controller's alone, not this load
// generator's.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MachineConfig } from "../../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import { decodeIgnitionFile, type IgnitionConfig } from "../../../pkg/ignition/ignition.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  IMAGE_POLICIES,
  KubeClient,
  MACHINE_CONFIG_POOLS,
  MACHINE_CONFIGS,
} from "../../../pkg/kube/index.ts";
import { defaultPools } from "../../../pkg/render/snapshot.ts";
import { cip, ip } from "../../../pkg/render/testing/fixtures.ts";
import { startControlPlane } from "../../harness/controlplane.ts";
import { installCrds } from "../../harness/crds.ts";

const root = join(import.meta.dirname, "../../..");

function vmRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "0") / 1024;
}

const plane = await startControlPlane({ baseDir: mkdtempSync(join(tmpdir(), "bench-controller-")) });
try {
  await installCrds(plane.kubeConfig, join(root, "crds"));
  const client = new KubeClient(plane.kubeConfig);
  for (const pool of defaultPools()) await client.resource(MACHINE_CONFIG_POOLS).create(pool);
  const controller = spawn(
    process.execPath,
    [
      join(root, "pkg/cli/main.ts"),
      "controller",
      "--kubeconfig",
      plane.kubeconfigPath,
      "--metrics-bind-address",
      "0",
      "--log-level",
      "error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const controllerPid = controller.pid ?? 0;

  const mcs = client.resource(MACHINE_CONFIGS);
  const hasScope = async (scope: string): Promise<boolean> => {
    try {
      const mc = await mcs.get("99-worker-generated-registries");
      const file = ((mc.spec.config as unknown as IgnitionConfig).storage?.files ?? []).find(
        (f) => f.path === "/etc/containers/policy.json",
      );
      return file ? Buffer.from(decodeIgnitionFile(file)).toString().includes(`"${scope}"`) : false;
    } catch {
      return false;
    }
  };
  const waitFor = async (scope: string): Promise<void> => {
    while (!(await hasScope(scope))) await new Promise((r) => setTimeout(r, 10));
  };

  // (1) latency
  const latencies: number[] = [];
  for (let i = 0; i < 100; i++) {
    const start = performance.now();
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip(`latency-${i}`, [`latency-${i}.example.com`]));
    await waitFor(`latency-${i}.example.com`);
    latencies.push(performance.now() - start);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `write → MachineConfig latency over 100 changes: median ${latencies[50]?.toFixed(0)} ms, p99 ${latencies[98]?.toFixed(0)} ms (debounce 300 ms)`,
  );

  // (2) writes per burst
  const list = await mcs.list();
  const watch = new AbortController();
  const writes = new Map<string, number>();
  const counting = (async () => {
    try {
      for await (const e of mcs.watch({
        resourceVersion: list.metadata.resourceVersion,
        signal: watch.signal,
      })) {
        if (e.type === "MODIFIED" || e.type === "ADDED") {
          const name = (e.object as MachineConfig).metadata.name ?? "";
          writes.set(name, (writes.get(name) ?? 0) + 1);
        }
      }
    } catch {
      // aborted
    }
  })();
  const burstStart = performance.now();
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        client.resource(CLUSTER_IMAGE_POLICIES).create(cip(`burst-${i + j}`, [`burst-${i + j}.example.com`])),
      ),
    );
  }
  await waitFor("burst-999.example.com");
  const burstMs = performance.now() - burstStart;
  await new Promise((r) => setTimeout(r, 2000));
  watch.abort();
  await counting;
  console.log(
    `burst of 1,000 creations: ${[...writes].map(([n, c]) => `${n} ${c} writes`).join(", ")}; converged ${burstMs.toFixed(0)} ms after the first write`,
  );

  // (3) memory with 1,000 CIPs (already loaded: 1,100) and 10,000 ImagePolicies in 1,000 namespaces
  for (let n = 0; n < 1000; n++) {
    await client.request("POST", "/api/v1/namespaces", { body: { metadata: { name: `bench-ns-${n}` } } });
  }
  for (let i = 0; i < 10000; i += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, j) =>
        client
          .resource(IMAGE_POLICIES)
          .create(
            ip(`bench-ns-${(i + j) % 1000}`, `ip-${i + j}`, [
              `apps-${(i + j) % 1000}.example.net/app-${i + j}`,
            ]),
          ),
      ),
    );
  }
  // Sampled while the controller takes in the 10,000 ImagePolicies and renders (15 s).
  let peak = 0;
  for (let sample = 0; sample < 30; sample++) {
    peak = Math.max(peak, vmRssMiB(controllerPid));
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(
    `controller process RSS with 1,100 ClusterImagePolicies and 10,000 ImagePolicies loaded: peak ${peak.toFixed(0)} MiB, then ${vmRssMiB(controllerPid).toFixed(0)} MiB (VmRSS of the controller's own process)`,
  );
  controller.kill("SIGTERM");
  client.close();
} finally {
  await plane.stop();
}
