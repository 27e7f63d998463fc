import { describe, expect, it } from "@jest/globals";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import { assessClusterVersion } from "./finding.ts";

const cv = (desiredUpdate?: ClusterVersion["spec"]["desiredUpdate"]): ClusterVersion => ({
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterVersion",
  metadata: { name: "version" },
  spec: { clusterID: "x", ...(desiredUpdate ? { desiredUpdate } : {}) },
});
const digest = "@sha256:" + "ab".repeat(32);

describe("assessClusterVersion", () => {
  it("reports nothing for canonical, version-only or absent updates", () => {
    expect(
      assessClusterVersion(cv({ image: `quay.io/openshift-release-dev/ocp-release${digest}` }), "ocp"),
    ).toBeUndefined();
    expect(assessClusterVersion(cv({ version: "4.22.1" }), "ocp")).toBeUndefined();
    expect(assessClusterVersion(cv(), "ocp")).toBeUndefined();
    expect(assessClusterVersion(undefined, "ocp")).toBeUndefined();
  });

  it("reports an unforced non-canonical image with the guard's reason", () => {
    const finding = assessClusterVersion(cv({ image: `mirror.example.com/ocp/release${digest}` }), "ocp");
    expect(finding).toMatchObject({
      forced: false,
      eventType: "Warning",
      eventReason: "NonCanonicalReleaseImage",
    });
    expect(finding?.message).toContain(
      "release images must come from quay.io/openshift-release-dev/ocp-release",
    );
  });

  it("reports a forced non-canonical image separately", () => {
    const finding = assessClusterVersion(
      cv({ image: `mirror.example.com/ocp/release${digest}`, force: true }),
      "ocp",
    );
    expect(finding).toMatchObject({ forced: true, eventReason: "ForcedNonCanonicalReleaseImage" });
  });
});
