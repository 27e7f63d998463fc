// The control plane shared by the integration tests. Jest's global setup (jest-global-setup.ts)
// starts one per run and passes it to the test files through environment variables, which Jest
// workers (and the in-band runner) inherit from the main process.
import { attachControlPlane, type ControlPlane } from "./controlplane.ts";

/** Path of the shared control plane's state file. */
export const STATE_FILE_ENV = "IPC_TEST_CONTROL_PLANE";
/** Set instead when the shared control plane failed to start: why. */
export const START_ERROR_ENV = "IPC_TEST_CONTROL_PLANE_ERROR";
/** IPC_SKIP_CONTROLPLANE=1 skips starting it (for runs of tests that don't need it). */
export const SKIP_ENV = "IPC_SKIP_CONTROLPLANE";

let attached: ControlPlane | undefined;

/**
 * The shared control plane: kubeConfig (admin), kubeconfigPath, server, kubeConfigForUser() for the
 * users in sharedTestUsers (users.ts), restartApiServer(). Throws, with the reason, when it is not
 * available; so only tests that need it fail when kube-apiserver cannot be built or started.
 *
 * Restarting its API server affects every test file running at the same time: that is safe with
 * --runInBand (as `make test-integration` runs); otherwise start a private one (startControlPlane).
 */
export function getTestEnvironment(): ControlPlane {
  if (attached) return attached;
  const stateFile = process.env[STATE_FILE_ENV];
  if (stateFile) {
    attached = attachControlPlane(stateFile);
    return attached;
  }
  const startError = process.env[START_ERROR_ENV];
  if (startError) throw new Error(`the test control plane did not start:\n${startError}`);
  if (process.env[SKIP_ENV] === "1") {
    throw new Error(`no test control plane: ${SKIP_ENV}=1 skipped it`);
  }
  throw new Error(
    "no test control plane: run this test in Jest's integration project (its global setup starts one), " +
      "or start one with startControlPlane() (test/harness/controlplane.ts)",
  );
}
