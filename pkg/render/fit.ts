// Keeping each MachineConfig under the API server's request size limit. etcd refuses values over
// 1.5 MiB, and a refused MachineConfig means no node gets any update. When the files would push
// past a safe threshold, namespace policies (then policy.json) are delivered gzip-compressed,
// largest saving first, which the machine-config daemon decodes.
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import { machineConfigBytes, type NodeFile } from "./machineconfig.ts";

/** etcd's limit is 1.5 MiB per value; keep a margin for metadata the server adds. */
export const MACHINE_CONFIG_SAFE_BYTES = 1024 * 1024;
export const MACHINE_CONFIG_LIMIT_BYTES = 1.5 * 1024 * 1024;
/** JSON of one Ignition file entry apart from its data URL (path, mode, keys, punctuation). */
const FILE_OVERHEAD_BYTES = 200;

export interface Fitted {
  machineConfigs: MachineConfig[];
  compressed: Set<string>;
  warnings: string[];
  errors: string[];
}

export interface FitInput {
  files: NodeFile[];
  /** Builds the MachineConfigs with the given paths compressed. */
  build: (compressed: ReadonlySet<string>) => MachineConfig[];
  /** The largest MachineConfig's size without any file. */
  emptyBytes: number;
  /** The length of a file's data URL, plain or gzip-compressed (memoised by the caller). */
  encodedBytes: (file: NodeFile, gzip: boolean) => number;
  safeBytes?: number;
}

export function fitMachineConfigs(input: FitInput): Fitted {
  const safeBytes = input.safeBytes ?? MACHINE_CONFIG_SAFE_BYTES;
  const unique = [...new Map(input.files.map((f) => [f.path, f])).values()];
  const compressed = new Set<string>();
  const encoded = (f: NodeFile): number =>
    input.encodedBytes(f, compressed.has(f.path)) + FILE_OVERHEAD_BYTES;
  // Choose by estimate (plain data URL lengths are computed, not encoded), then build once and check.
  let estimate = input.emptyBytes + unique.reduce((sum, f) => sum + encoded(f), 0);
  if (estimate > safeBytes) {
    // Namespace files before policy.json (which nodes read on every pull without a namespace
    // file), each group by the bytes compression saves.
    const savings = unique
      .map((file) => ({ file, saved: input.encodedBytes(file, false) - input.encodedBytes(file, true) }))
      .filter((s) => s.saved > 0)
      .sort(
        (a, b) =>
          Number(a.file.path.endsWith("/policy.json")) - Number(b.file.path.endsWith("/policy.json")) ||
          b.saved - a.saved,
      );
    for (const { file, saved } of savings) {
      if (estimate <= safeBytes) break;
      compressed.add(file.path);
      estimate -= saved;
    }
  }
  const machineConfigs = input.build(compressed);
  const size = Math.max(0, ...machineConfigs.map(machineConfigBytes));
  const warnings =
    compressed.size > 0
      ? [
          `${compressed.size} node file(s) are delivered gzip-compressed so each MachineConfig stays under ${safeBytes} bytes (largest now ${size})`,
        ]
      : [];
  const errors =
    size > MACHINE_CONFIG_LIMIT_BYTES
      ? [
          `a MachineConfig would be ${size} bytes even with ${compressed.size} file(s) compressed, over the ${MACHINE_CONFIG_LIMIT_BYTES}-byte limit: ` +
            `every namespace policy file repeats the whole cluster policy, so reduce the cluster policies or the namespaces with ImagePolicies`,
        ]
      : [];
  return { machineConfigs, compressed, warnings, errors };
}
