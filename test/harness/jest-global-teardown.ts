// Jest global teardown of the integration project: stops the shared control plane (a test file may
// have restarted its API server, so the processes are found through the state file).
import { attachControlPlane } from "./controlplane.ts";
import { STATE_FILE_ENV } from "./env.ts";

export default async function globalTeardown(): Promise<void> {
  const stateFile = process.env[STATE_FILE_ENV];
  if (!stateFile) return;
  delete process.env[STATE_FILE_ENV];
  let plane;
  try {
    plane = attachControlPlane(stateFile);
  } catch {
    return; // already stopped
  }
  await plane.stop();
}
