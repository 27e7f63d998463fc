// The update guard's decision, with no I/O: from the ClusterVersion and what was reported last, the
// finding to expose as a metric and whether to report it (a log line and an Event), once per
// requested image and reason. controller.ts keeps `reported` between reconciles and performs this.
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import { assessClusterVersion, type UpdateGuardFinding } from "../../pkg/updateguard/finding.ts";
import type { Flavour } from "../../pkg/updateguard/guard.ts";

export interface UpdateGuardPlan {
  /** The metric's one series (reason label), or none. */
  gauge?: { reason: string };
  /** A finding not reported yet: log it and record an Event on the ClusterVersion. */
  report?: { clusterVersion: ClusterVersion; finding: UpdateGuardFinding };
  /** What has been reported, for the next reconcile. */
  reported: string;
}

export function planUpdateGuard(
  clusterVersion: ClusterVersion | undefined,
  flavour: Flavour,
  reported: string,
): UpdateGuardPlan {
  const finding = assessClusterVersion(clusterVersion, flavour);
  if (!finding || !clusterVersion) return { reported: "" };
  const key = `${finding.eventReason}/${finding.image}`;
  const plan: UpdateGuardPlan = { gauge: { reason: finding.eventReason }, reported: key };
  if (key !== reported) plan.report = { clusterVersion, finding };
  return plan;
}
