// The version this build reports (MachineConfig annotation, logs, --version).
import { readFileSync } from "node:fs";

function packageVersion(): string {
  try {
    const url = new URL("../../package.json", import.meta.url);
    // From dist/pkg/cli the package root is one level further up.
    const text = (() => {
      try {
        return readFileSync(url, "utf8");
      } catch {
        return readFileSync(new URL("../../../package.json", import.meta.url), "utf8");
      }
    })();
    return (JSON.parse(text) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export const CONTROLLER_VERSION = `image-policy-controller-${packageVersion()}`;
