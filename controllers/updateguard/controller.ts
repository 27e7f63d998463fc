// The update-guard watch: reports a ClusterVersion that requests a non-canonical, unforced (or a
// forced) release image anyway: an Event on the ClusterVersion, a metric, a log line. It never
// writes into the cluster-version operator's conditions. The decision is reconcile.ts's, with no I/O.
import { Gauge, type Registry } from "prom-client";
import {
  CLUSTER_VERSIONS,
  Controller,
  EventRecorder,
  type Logger,
  type Manager,
} from "../../pkg/kube/index.ts";
import type { Flavour } from "../../pkg/updateguard/guard.ts";
import { planUpdateGuard } from "./reconcile.ts";

export const UPDATE_GUARD_CONTROLLER = "updateguard";

export interface UpdateGuardControllerOptions {
  flavour: Flavour;
  events: EventRecorder;
  logger: Logger;
  registry: Registry;
}

export function newUpdateGuardController(
  manager: Manager,
  options: UpdateGuardControllerOptions,
): Controller {
  const clusterVersions = manager.informers.informerFor(CLUSTER_VERSIONS);
  const findings = new Gauge({
    name: "image_policy_release_update_findings",
    help: "1 while the ClusterVersion requests a release image outside the canonical repository, by reason (forced or not); the image is in the Event and the log",
    // Bounded labels only: a pullspec as a label would make one series per image ever requested.
    labelNames: ["reason"],
    registers: [options.registry],
  });
  let reported = "";
  const controller = new Controller({
    name: UPDATE_GUARD_CONTROLLER,
    kind: "ClusterVersion",
    registry: options.registry,
    logger: options.logger,
    reconcile: async (_key, context) => {
      const plan = planUpdateGuard(clusterVersions.get("version"), options.flavour, reported);
      reported = plan.reported;
      findings.reset();
      if (plan.gauge) findings.set(plan.gauge, 1);
      if (!plan.report) return;
      const { clusterVersion, finding } = plan.report;
      context.logger.warn(finding.message, { image: finding.image, forced: finding.forced });
      options.events.event(clusterVersion, {
        type: finding.eventType,
        reason: finding.eventReason,
        note: finding.message,
        action: "GuardUpdate",
      });
    },
  });
  controller.watch(clusterVersions, (cv) => (cv.metadata.name === "version" ? ["version"] : []));
  return controller;
}
