// Jest global setup of the integration project: starts the control plane shared by all test files
// (env.ts) and installs crds/ into it. A failure is not fatal to the run: it is handed to the tests
// through env.ts, so tests that don't use the control plane still run and pass.
//
// Loaded through jest-global-setup.mjs: Jest require()s a .ts global setup through its transform,
// which breaks the ESM ".ts" imports; a .mjs is import()ed, and Node strips the types itself.
import path from "node:path";
import { startControlPlane, type ControlPlane } from "./controlplane.ts";
import { crdFiles, installCrds } from "./crds.ts";
import { SKIP_ENV, START_ERROR_ENV, STATE_FILE_ENV } from "./env.ts";
import { sharedTestUsers } from "./users.ts";

/** The part of Jest's project config we use (Jest's types are not a dependency of ours). */
interface ProjectConfig {
  rootDir: string;
}

function log(message: string): void {
  process.stderr.write(`[test control plane] ${message}\n`);
}

export default async function globalSetup(
  _globalConfig: unknown,
  projectConfig: ProjectConfig,
): Promise<void> {
  if (process.env[SKIP_ENV] === "1") {
    log(`not started (${SKIP_ENV}=1)`);
    return;
  }
  delete process.env[STATE_FILE_ENV];
  delete process.env[START_ERROR_ENV];
  const started = Date.now();
  let plane: ControlPlane | undefined;
  try {
    plane = await startControlPlane({ users: [...sharedTestUsers] });
    const crdDir = path.join(projectConfig.rootDir, "crds");
    const crds = crdFiles(crdDir).length > 0 ? await installCrds(plane.kubeConfig, crdDir) : [];
    process.env[STATE_FILE_ENV] = plane.stateFile;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    log(
      `kube-apiserver ${plane.tools.k8sVersion} at ${plane.server} ready in ${seconds} s` +
        (crds.length > 0 ? `, ${crds.length} CRDs from crds/ installed` : "") +
        ` (logs in ${plane.dir})`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.env[START_ERROR_ENV] = message;
    log(`FAILED to start; tests that need it will fail with:\n${message}`);
    await plane?.stop({ keepDir: true }).catch(() => undefined);
  }
}
