// Keeping each MachineConfig under the API server's request size limit. etcd refuses values over
// 1.5 MiB, and a refused MachineConfig means no node gets any update. When the files would push
// past a safe threshold, namespace policies (then policy.json) are delivered gzip-compressed,
// largest saving first, which the machine-config daemon decodes.
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import { machineConfigBytes, type NodeFile } from "./machineconfig.ts";

/** etcd's limit is 1.5 MiB per value; keep a margin for metadata the server adds. */
export const MACHINE_CONFIG_SAFE_BYTES = 1024 * 1024;
export const MACHINE_CONFIG_LIMIT_BYTES = 1.5 * 1024 * 1024;

export interface Fitted {
  machineConfigs: MachineConfig[];
  compressed: Set<string>;
  warnings: string[];
  errors: string[];
}

/**
 * `encodedBytes(file, gzip)` is the size of the file's Ignition data URL; `build` makes the
 * MachineConfigs with the given paths compressed. Both should be memoised by the caller.
 */
export function fitMachineConfigs(
  files: NodeFile[],
  build: (compressed: ReadonlySet<string>) => MachineConfig[],
  encodedBytes: (file: NodeFile, gzip: boolean) => number,
  safeBytes = MACHINE_CONFIG_SAFE_BYTES,
): Fitted {
  const compressed = new Set<string>();
  let machineConfigs = build(compressed);
  const largest = (): number => Math.max(0, ...machineConfigs.map(machineConfigBytes));
  let size = largest();
  if (size <= safeBytes) return { machineConfigs, compressed, warnings: [], errors: [] };

  // Namespace files before policy.json (which nodes read on every pull without a namespace file),
  // each group by the bytes compression saves.
  const savings = [...new Map(files.map((f) => [f.path, f])).values()]
    .map((file) => ({ file, saved: encodedBytes(file, false) - encodedBytes(file, true) }))
    .filter((s) => s.saved > 0)
    .sort(
      (a, b) =>
        Number(a.file.path.endsWith("/policy.json")) - Number(b.file.path.endsWith("/policy.json")) ||
        b.saved - a.saved,
    );
  // Choose by the estimate, then check with one real build (and continue if the estimate was short).
  let estimate = size;
  for (const { file, saved } of savings) {
    if (estimate <= safeBytes) break;
    compressed.add(file.path);
    estimate -= saved;
  }
  machineConfigs = build(compressed);
  size = largest();
  for (const { file } of savings) {
    if (size <= safeBytes) break;
    if (compressed.has(file.path)) continue;
    compressed.add(file.path);
    machineConfigs = build(compressed);
    size = largest();
  }
  const warnings = [
    `${compressed.size} node file(s) are delivered gzip-compressed so each MachineConfig stays under ${safeBytes} bytes (largest now ${size})`,
  ];
  const errors =
    size > MACHINE_CONFIG_LIMIT_BYTES
      ? [
          `a MachineConfig would be ${size} bytes even with every file compressed, over the ${MACHINE_CONFIG_LIMIT_BYTES}-byte limit`,
        ]
      : [];
  return { machineConfigs, compressed, warnings, errors };
}
