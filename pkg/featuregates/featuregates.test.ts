import { describe, expect, it } from "@jest/globals";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import { featureGateState, isGateEnabled, SigstoreImageVerification } from "./featuregates.ts";

function gate(spec: FeatureGate["spec"], status?: FeatureGate["status"]): FeatureGate {
  const fg: FeatureGate = {
    apiVersion: "config.openshift.io/v1",
    kind: "FeatureGate",
    metadata: { name: "cluster" },
    spec,
  };
  if (status) fg.status = status;
  return fg;
}

describe("featureGateState", () => {
  it("reads the status entry for the cluster's version", () => {
    const state = featureGateState(
      gate(
        {},
        {
          featureGates: [
            { version: "4.21.0", enabled: [{ name: SigstoreImageVerification }], disabled: [] },
            { version: "4.22.1", enabled: [], disabled: [{ name: SigstoreImageVerification }] },
          ],
        },
      ),
      "4.22.1",
    );
    expect(isGateEnabled(state, SigstoreImageVerification)).toBe(false);
    expect(state.source).toBe("FeatureGate status for version 4.22.1");
  });

  it("falls back to the feature set's defaults without a status entry", () => {
    const state = featureGateState(gate({ featureSet: "TechPreviewNoUpgrade" }), "4.22.1");
    expect(state.featureSet).toBe("TechPreviewNoUpgrade");
    expect(isGateEnabled(state, SigstoreImageVerification)).toBe(true);
    expect(isGateEnabled(featureGateState(undefined), SigstoreImageVerification)).toBe(true);
  });

  it("applies CustomNoUpgrade's explicit lists", () => {
    const off = featureGateState(
      gate({ featureSet: "CustomNoUpgrade", customNoUpgrade: { disabled: [SigstoreImageVerification] } }),
    );
    expect(isGateEnabled(off, SigstoreImageVerification)).toBe(false);
    const on = featureGateState(
      gate({ featureSet: "CustomNoUpgrade", customNoUpgrade: { enabled: ["Other"] } }),
    );
    expect(isGateEnabled(on, "Other")).toBe(true);
    expect(isGateEnabled(on, SigstoreImageVerification)).toBe(true);
  });
});
