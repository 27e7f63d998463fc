// `image-policy controller`: runs the controllers against a cluster.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { newImagePolicyController } from "../../controllers/imagepolicy/controller.ts";
import { newReleasePolicyController } from "../../controllers/releasepolicy/controller.ts";
import { newUpdateGuardController } from "../../controllers/updateguard/controller.ts";
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import {
  createLogger,
  EVENTS,
  EventRecorder,
  eventSinkFor,
  KubeClient,
  loadKubeConfig,
  Manager,
  shutdownSignal,
  type LogLevel,
} from "../kube/index.ts";
import { NEWEST_CRIO, parseCrioVersion } from "../render/crio-version.ts";
import type { Flavour } from "../updateguard/guard.ts";
import { bundledCrdDirectory } from "../validate/crd-catalog.ts";
import { EXIT_OK, UsageError, type CommandIO } from "./io.ts";
import { CONTROLLER_VERSION } from "./version.ts";

export const FIELD_MANAGER = "image-policy-controller";

export const controllerHelp = `Usage: image-policy controller [--kubeconfig FILE] [--namespace NS] [--leader-elect]
                               [--metrics-bind-address ADDR] [--crio-version X.Y] [--flavour ocp|okd]
                               [--release-policy-manifest FILE] [--cluster-profile P] [--log-level L]
                               [--take-over-machineconfigs]

Runs the controllers:
  imagepolicy    renders ClusterImagePolicies, ImagePolicies and ClusterSimpleSigningPolicies (with the
                 Image config, mirror sets and feature gates) into 99-<pool>-generated-registries
                 MachineConfigs, and writes each policy's status conditions and events
  releasepolicy  keeps the managed 'openshift' ClusterImagePolicy as the release manifest says
  updateguard    reports a ClusterVersion that requests a release image outside the canonical repository

  --kubeconfig FILE            default: $KUBECONFIG, the in-cluster service account, ~/.kube/config
  --namespace NS               where the leader-election Lease lives (default: the pod's namespace,
                               else image-policy-controller)
  --leader-elect               only one replica reconciles (Lease image-policy-controller)
  --metrics-bind-address ADDR  /metrics, /healthz, /readyz (default :8080; 0 disables)
  --crio-version X.Y           the CRI-O on the nodes (default ${NEWEST_CRIO.major}.${NEWEST_CRIO.minor})
  --flavour ocp|okd            which release policy and canonical release repository (default ocp)
  --release-policy-manifest F  manage this ClusterImagePolicy manifest instead of the flavour's
  --cluster-profile P          include.release.openshift.io/<P> (default self-managed-high-availability)
  --log-level L                error, warn, info (default) or debug; logs are JSON on stdout
  --take-over-machineconfigs   replace a 99-<pool>-generated-registries MachineConfig that another
                               field manager applied (the Machine Config Operator writes the same
                               names); without it such an object is left alone, with a Warning event

Stops gracefully on SIGTERM/SIGINT (queues drain, the Lease is released).`;

const IN_CLUSTER_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

function defaultNamespace(): string {
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, "utf8").trim();
  } catch {
    return "image-policy-controller";
  }
}

/** The flavour's shipped release policy manifest (undefined for OKD: upstream ships none). */
export function releasePolicyManifest(flavour: Flavour, file?: string): ClusterImagePolicy | undefined {
  const path =
    file ??
    (flavour === "ocp"
      ? join(
          dirname(bundledCrdDirectory()),
          "manifests/release/ocp/0000_90_openshift-cluster-image-policy.yaml",
        )
      : undefined);
  if (!path) return undefined;
  const manifest = parse(readFileSync(path, "utf8")) as ClusterImagePolicy;
  if (manifest?.kind !== "ClusterImagePolicy")
    throw new UsageError(`${path} is not a ClusterImagePolicy manifest`);
  return manifest;
}

export async function runController(
  args: string[],
  io: CommandIO,
  signal = shutdownSignal(),
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      kubeconfig: { type: "string" },
      namespace: { type: "string" },
      "leader-elect": { type: "boolean", default: false },
      "metrics-bind-address": { type: "string", default: ":8080" },
      "crio-version": { type: "string" },
      flavour: { type: "string", default: "ocp" },
      "release-policy-manifest": { type: "string" },
      "cluster-profile": { type: "string" },
      "log-level": { type: "string", default: "info" },
      "lease-duration-ms": { type: "string" },
      "renew-deadline-ms": { type: "string" },
      "retry-period-ms": { type: "string" },
      identity: { type: "string" },
      "take-over-machineconfigs": { type: "boolean", default: false },
    },
    strict: true,
  });
  const flavour = values.flavour;
  if (flavour !== "ocp" && flavour !== "okd")
    throw new UsageError(`unknown --flavour "${flavour}" (ocp or okd)`);
  const crioVersion = values["crio-version"] ? parseCrioVersion(values["crio-version"]) : NEWEST_CRIO;
  if (!crioVersion) throw new UsageError(`--crio-version must look like 1.33`);
  if (!["error", "warn", "info", "debug"].includes(values["log-level"]))
    throw new UsageError("bad --log-level");
  const number = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

  const logger = createLogger({ level: values["log-level"] as LogLevel });
  const { kubeConfig, source } = loadKubeConfig(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {});
  const namespace = values.namespace ?? defaultNamespace();
  const identity = values.identity ?? process.env.POD_NAME;
  const client = new KubeClient(kubeConfig, {
    logger,
    userAgent: `image-policy-controller/${CONTROLLER_VERSION}`,
  });
  const manager = new Manager({
    client,
    bindAddress: values["metrics-bind-address"],
    logger,
    ...(values["leader-elect"]
      ? {
          leaderElection: {
            namespace,
            name: "image-policy-controller",
            ...(identity ? { identity } : {}),
            ...(values["lease-duration-ms"] ? { leaseDurationMs: number(values["lease-duration-ms"]) } : {}),
            ...(values["renew-deadline-ms"] ? { renewDeadlineMs: number(values["renew-deadline-ms"]) } : {}),
            ...(values["retry-period-ms"] ? { retryPeriodMs: number(values["retry-period-ms"]) } : {}),
          },
        }
      : {}),
  });
  const events = new EventRecorder({
    sink: eventSinkFor(client.resource(EVENTS)),
    reportingController: "image-policy.dev/image-policy-controller",
    reportingInstance: identity ?? "image-policy-controller",
    logger,
  });
  const common = { events, logger, registry: manager.registry };
  manager.add(
    newImagePolicyController(manager, {
      ...common,
      crioVersion,
      controllerVersion: CONTROLLER_VERSION,
      fieldManager: FIELD_MANAGER,
      takeOverMachineConfigs: values["take-over-machineconfigs"],
      namespace,
    }),
  );
  manager.add(
    newReleasePolicyController(manager, {
      ...common,
      flavour,
      manifest: releasePolicyManifest(flavour, values["release-policy-manifest"]),
      fieldManager: FIELD_MANAGER,
      ...(values["cluster-profile"] ? { profile: values["cluster-profile"] } : {}),
    }),
  );
  manager.add(newUpdateGuardController(manager, { ...common, flavour }));
  logger.info("starting", { version: CONTROLLER_VERSION, kubeconfig: source, namespace, flavour });
  await manager.run(signal);
  client.close();
  io.err("stopped");
  return EXIT_OK;
}
