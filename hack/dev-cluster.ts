// A local control plane to run the controller against (`make dev-cluster`): the integration
// tests' kube-apiserver + etcd, with the CRDs and the master/worker pools installed. Prints the
// kubeconfig path and runs until Ctrl-C.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient, MACHINE_CONFIG_POOLS } from "../pkg/kube/index.ts";
import { defaultPools } from "../pkg/render/snapshot.ts";
import { startControlPlane } from "../test/harness/controlplane.ts";
import { installCrds } from "../test/harness/crds.ts";

const root = join(import.meta.dirname, "..");
const plane = await startControlPlane({ baseDir: mkdtempSync(join(tmpdir(), "image-policy-dev-")) });
await installCrds(plane.kubeConfig, join(root, "crds"));
const client = new KubeClient(plane.kubeConfig);
for (const pool of defaultPools()) await client.resource(MACHINE_CONFIG_POOLS).create(pool);
client.close();
console.log(`kube-apiserver ${plane.server} is ready; kubeconfig: ${plane.kubeconfigPath}`);
console.log(
  `run: node dist/pkg/cli/main.js controller --kubeconfig ${plane.kubeconfigPath} --metrics-bind-address 127.0.0.1:8080`,
);
console.log("Ctrl-C stops it.");
const stop = async (): Promise<void> => {
  await plane.stop();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
// The control plane's processes do not hold the event loop: keep this process alive until a signal.
setInterval(() => undefined, 1 << 30);
