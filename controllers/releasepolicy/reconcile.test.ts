import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import type { KubeObject } from "../../pkg/apis/meta.ts";
import { ReleasePolicyReconciler, type ReleasePolicyState, type ReleasePolicyWriter } from "./reconcile.ts";

const manifest = parse(
  readFileSync(
    join(import.meta.dirname, "../../manifests/release/ocp/0000_90_openshift-cluster-image-policy.yaml"),
    "utf8",
  ),
) as ClusterImagePolicy;

class FakeCluster implements ReleasePolicyState, ReleasePolicyWriter {
  live: ClusterImagePolicy | undefined;
  cv: ClusterVersion = {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterVersion",
    metadata: { name: "version", uid: "cv-uid" },
    spec: { clusterID: "x" },
  };
  events: string[] = [];
  logs: string[] = [];
  featureGate = () => undefined;
  clusterVersion = () => this.cv;
  livePolicy = () => this.live;
  async create(policy: ClusterImagePolicy): Promise<void> {
    this.live = structuredClone({ ...policy, metadata: { ...policy.metadata, resourceVersion: "1" } });
  }
  async update(policy: ClusterImagePolicy): Promise<void> {
    this.live = structuredClone(policy);
  }
  event(regarding: KubeObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason}: ${message}`);
  }
  log(message: string): void {
    this.logs.push(message);
  }
}

describe("ReleasePolicyReconciler", () => {
  it("creates, reverts edits, and steps aside under an override (saying so once)", async () => {
    const c = new FakeCluster();
    const reconciler = new ReleasePolicyReconciler({ flavour: "ocp", manifest });
    expect((await reconciler.reconcile(c, c)).action).toBe("create");
    expect(c.live?.metadata.ownerReferences?.[0]?.kind).toBe("ClusterVersion");
    expect((await reconciler.reconcile(c, c)).action).toBe("none");

    if (!c.live) throw new Error("not created");
    c.live.spec.scopes = ["quay.io/someone-else"];
    expect((await reconciler.reconcile(c, c)).action).toBe("update");
    expect(c.live.spec.scopes).toEqual(manifest.spec.scopes);
    expect(c.events.at(-1)).toBe(
      "Warning Reverted: reverted manual changes to spec of the managed release image policy openshift",
    );

    c.cv.spec.overrides = [
      {
        kind: "ClusterImagePolicy",
        group: "config.openshift.io",
        namespace: "",
        name: "openshift",
        unmanaged: true,
      },
    ];
    c.live.spec.scopes = ["quay.io/edited-while-unmanaged"];
    expect((await reconciler.reconcile(c, c)).action).toBe("unmanaged");
    expect((await reconciler.reconcile(c, c)).action).toBe("unmanaged");
    expect(c.live.spec.scopes).toEqual(["quay.io/edited-while-unmanaged"]);
    expect(c.events.filter((e) => e.startsWith("Normal Overridden"))).toHaveLength(1);
    expect(c.logs.at(-1)).toBe(
      "the release image policy openshift is no longer managed and is left as it is: overridden",
    );
  });

  it("manages nothing for OKD without a configured manifest", async () => {
    const c = new FakeCluster();
    const decision = await new ReleasePolicyReconciler({ flavour: "okd", manifest: undefined }).reconcile(
      c,
      c,
    );
    expect(decision).toMatchObject({
      action: "unmanaged",
      reason: "the okd flavour ships no release image policy",
    });
    expect(c.live).toBeUndefined();
  });
});
