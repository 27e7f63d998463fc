// node test/harness/watchdog.ts STATE_FILE
// Started (detached) next to every test control plane. Stops its etcd and kube-apiserver when the
// process that started them dies without stopping them: a crashed or killed Jest, a Ctrl-C (the
// servers run in their own process groups, so the terminal's SIGINT does not reach them). Exits by
// itself once the control plane is stopped normally.
import fs from "node:fs";
import { isRunning, sleep, stopProcess } from "./processes.ts";
import { readState } from "./state.ts";

const stateFile = process.argv[2];
if (!stateFile) {
  console.error("usage: watchdog.ts STATE_FILE");
  process.exit(2);
}

for (;;) {
  const state = readState(stateFile);
  if (!state || state.stopped) process.exit(0);
  if (!isRunning(state.owner)) {
    console.error(`${new Date().toISOString()} owner ${state.owner.pid} is gone: stopping the control plane`);
    for (const record of [state.apiServer.process, state.etcd.process]) {
      if (record) await stopProcess(record, 5000).catch((error: unknown) => console.error(error));
    }
    if (state.removeDir) fs.rmSync(state.dir, { recursive: true, force: true });
    process.exit(0);
  }
  await sleep(250);
}
