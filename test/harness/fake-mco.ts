// The test harness playing the Machine Config Operator's part in a rollout, on the real API server:
// it merges the MachineConfigs a pool selects into a `rendered-<pool>-<hash>` MachineConfig (files
// by path, MachineConfigs in name order, later ones win, as MCO merges them), points the pool's
// spec.configuration at it, and moves the pool's status through updating → updated, or degraded.
// No machine is involved: the counts and conditions are what the controller reads.
import { createHash } from "node:crypto";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import type { IgnitionFile } from "../../pkg/ignition/ignition.ts";
import { ignitionConfig } from "../../pkg/ignition/ignition.ts";
import { isNotFound, MACHINE_CONFIG_POOLS, MACHINE_CONFIGS, type KubeClient } from "../../pkg/kube/index.ts";
import { selectorMatches } from "../../pkg/rollout/pools.ts";

export interface PoolProgress {
  machineCount: number;
  updatedMachineCount: number;
  /** A Degraded condition message; absent: not degraded. */
  degraded?: string;
}

export class FakeMachineConfigOperator {
  readonly #client: KubeClient;
  readonly #created: string[] = [];

  constructor(client: KubeClient) {
    this.#client = client;
  }

  /**
   * Renders the pool's MachineConfigs into `rendered-<pool>-<hash>` and makes it the pool's target
   * (spec.configuration); the pool keeps running its current configuration (status) until
   * `progress` reports every machine updated. Returns the rendered name.
   */
  async render(poolName: string): Promise<string> {
    const pool = await this.#client.resource(MACHINE_CONFIG_POOLS).get(poolName);
    const all = (await this.#client.resource(MACHINE_CONFIGS).list()).items
      .filter((mc) => !(mc.metadata.name ?? "").startsWith("rendered-"))
      .filter((mc) => selectorMatches(pool.spec?.machineConfigSelector, mc.metadata.labels ?? {}))
      .sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
    const files = new Map<string, IgnitionFile>();
    for (const mc of all) {
      const config = mc.spec?.config as { storage?: { files?: IgnitionFile[] } } | undefined;
      for (const file of config?.storage?.files ?? []) files.set(file.path, file);
    }
    const merged = ignitionConfig([...files.values()]);
    const hash = createHash("sha256").update(JSON.stringify(merged)).digest("hex").slice(0, 12);
    const name = `rendered-${poolName}-${hash}`;
    try {
      await this.#client.resource(MACHINE_CONFIGS).create({
        apiVersion: "machineconfiguration.openshift.io/v1",
        kind: "MachineConfig",
        metadata: { name },
        spec: { config: merged as unknown as Record<string, unknown> },
      } as MachineConfig);
      this.#created.push(name);
    } catch (error) {
      if (!(error instanceof Error) || !/already exists/.test(error.message)) throw error;
    }
    await this.#client
      .resource(MACHINE_CONFIG_POOLS)
      .mergePatch(poolName, undefined, { spec: { configuration: { name } } } as Partial<MachineConfigPool>);
    return name;
  }

  /**
   * Reports the pool's machines: the current configuration (status.configuration) becomes the
   * target once every machine is updated, as MCO does; Updated/Updating/Degraded follow.
   */
  async progress(poolName: string, progress: PoolProgress): Promise<void> {
    const pool = await this.#client.resource(MACHINE_CONFIG_POOLS).get(poolName);
    const target = (pool.spec as { configuration?: { name?: string } }).configuration?.name;
    const current = (pool.status as { configuration?: { name?: string } } | undefined)?.configuration?.name;
    const done = progress.updatedMachineCount === progress.machineCount;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    const condition = (type: string, status: boolean, message = "") => ({
      type,
      status: status ? "True" : "False",
      lastTransitionTime: now,
      reason: "",
      message,
    });
    await this.#client.resource(MACHINE_CONFIG_POOLS).mergePatchStatus(poolName, undefined, {
      status: {
        configuration: { name: done ? target : (current ?? target) },
        machineCount: progress.machineCount,
        updatedMachineCount: progress.updatedMachineCount,
        readyMachineCount: progress.updatedMachineCount,
        degradedMachineCount: progress.degraded ? 1 : 0,
        conditions: [
          condition("Updated", done && !progress.degraded),
          condition("Updating", !done),
          condition("Degraded", progress.degraded !== undefined, progress.degraded ?? ""),
        ],
      },
    } as Partial<MachineConfigPool>);
  }

  /** Deletes the rendered MachineConfigs it created. */
  async cleanup(): Promise<void> {
    for (const name of this.#created) {
      try {
        await this.#client.resource(MACHINE_CONFIGS).delete(name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
}
