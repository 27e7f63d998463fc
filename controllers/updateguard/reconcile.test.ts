import { describe, expect, it } from "@jest/globals";
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import { planUpdateGuard } from "./reconcile.ts";

const version = (image?: string, force = false): ClusterVersion => ({
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterVersion",
  metadata: { name: "version" },
  spec: { clusterID: "x", ...(image ? { desiredUpdate: { image, force } } : {}) },
});

const canonical = `quay.io/openshift-release-dev/ocp-release@sha256:${"a".repeat(64)}`;
const elsewhere = `quay.io/evil/ocp-release@sha256:${"a".repeat(64)}`;

describe("planUpdateGuard", () => {
  it("reports a non-canonical request once, keeps the gauge while it stands, and clears it after", () => {
    const first = planUpdateGuard(version(elsewhere), "ocp", "");
    expect(first.gauge).toEqual({ reason: "NonCanonicalReleaseImage" });
    expect(first.report?.finding.image).toBe(elsewhere);
    const again = planUpdateGuard(version(elsewhere), "ocp", first.reported);
    expect(again.gauge).toEqual({ reason: "NonCanonicalReleaseImage" });
    expect(again.report).toBeUndefined();
    expect(planUpdateGuard(version(canonical), "ocp", again.reported)).toEqual({ reported: "" });
    expect(planUpdateGuard(undefined, "ocp", again.reported)).toEqual({ reported: "" });
  });

  it("reports a forced request as such, and again when the reason changes", () => {
    const unforced = planUpdateGuard(version(elsewhere), "ocp", "");
    const forced = planUpdateGuard(version(elsewhere, true), "ocp", unforced.reported);
    expect(forced.gauge).toEqual({ reason: "ForcedNonCanonicalReleaseImage" });
    expect(forced.report?.finding.forced).toBe(true);
  });
});
