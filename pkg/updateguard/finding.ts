// What the controller reports about a ClusterVersion that already requests a non-canonical,
// unforced release image (the admission policy was not installed, was in Warn mode, or the object
// predates it). The controller records an Event and a metric and shows it in its own status report;
// it never writes into the cluster-version operator's conditions.
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import { checkUpdate, type Flavour, type GuardVerdict } from "./guard.ts";

export interface UpdateGuardFinding {
  image: string;
  forced: boolean;
  verdict: GuardVerdict;
  /** Event type and reason for the ClusterVersion. */
  eventType: "Warning" | "Normal";
  eventReason: "NonCanonicalReleaseImage" | "ForcedNonCanonicalReleaseImage";
  message: string;
}

/** A finding for the requested update, or undefined when there is nothing to report. */
export function assessClusterVersion(
  clusterVersion: ClusterVersion | undefined,
  flavour: Flavour,
): UpdateGuardFinding | undefined {
  const update = clusterVersion?.spec?.desiredUpdate;
  const image = update?.image ?? "";
  if (image === "") return undefined;
  const verdict = checkUpdate({ image, force: update?.force ?? false }, flavour);
  if (verdict.decision === "rejected") {
    return {
      image,
      forced: false,
      verdict,
      eventType: "Warning",
      eventReason: "NonCanonicalReleaseImage",
      message: `the requested update is not guarded by admission: ${verdict.reason}`,
    };
  }
  if (verdict.decision === "forced") {
    return {
      image,
      forced: true,
      verdict,
      eventType: "Warning",
      eventReason: "ForcedNonCanonicalReleaseImage",
      message: verdict.reason,
    };
  }
  return undefined;
}
