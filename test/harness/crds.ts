// Installs CustomResourceDefinitions from YAML files and waits until the API server serves them.
import fs from "node:fs";
import path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { kubeRequest } from "./http.ts";
import { sleep } from "./processes.ts";

/**
 * A CRD as written in YAML: raw JSON field names ("x-kubernetes-validations", "enum", "$ref").
 * Deliberately not client-node's V1CustomResourceDefinition, whose serializer maps camelCase model
 * fields (xKubernetesValidations, _enum) and silently drops raw ones.
 */
export interface CrdManifest {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; [key: string]: unknown };
  spec: Record<string, unknown>;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export const HARNESS_FIELD_MANAGER = "image-policy-controller-test-harness";

export interface InstallCrdsOptions {
  /** How long each CRD may take to become Established; default 30 s. */
  timeoutMs?: number;
  fieldManager?: string;
}

/** The *.yaml and *.yml files of `dir`, sorted; [] when it does not exist. */
export function crdFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Every document of every YAML file in `dir`; each must be an apiextensions.k8s.io/v1 CRD. */
export function readCrds(dir: string): CrdManifest[] {
  const crds: CrdManifest[] = [];
  for (const file of crdFiles(dir)) {
    parseAllDocuments(fs.readFileSync(file, "utf8")).forEach((document, index) => {
      const where = `${file} (document ${index + 1})`;
      if (document.errors.length > 0) throw new Error(`${where}: ${document.errors[0]?.message}`);
      const object: unknown = document.toJSON();
      if (object === null || object === undefined) return; // an empty document ("---" at the end)
      const { apiVersion, kind, metadata } = object as Partial<CrdManifest>;
      if (apiVersion !== "apiextensions.k8s.io/v1" || kind !== "CustomResourceDefinition") {
        throw new Error(`${where} is ${String(apiVersion)} ${String(kind)}, not a CustomResourceDefinition`);
      }
      if (typeof metadata?.name !== "string") throw new Error(`${where} has no metadata.name`);
      crds.push(object as CrdManifest);
    });
  }
  return crds;
}

/**
 * Server-side applies every CRD in `dir`'s YAML files (see readCrds) and waits until each is
 * Established and serving (see applyCrds). Returns the CRD names.
 */
export async function installCrds(
  kubeConfig: KubeConfig,
  dir: string,
  options: InstallCrdsOptions = {},
): Promise<string[]> {
  return applyCrds(kubeConfig, readCrds(dir), options);
}

/**
 * Server-side applies the CRDs (forcing ownership) and waits until each is Established and actually
 * serving: right after Established, kube-apiserver 1.34 still answers lists of the new resource with
 * 429 "storage is (re)initializing" for a moment, and holds the first create-type request made
 * within about 2 s of a CRD change for the rest of those 2 s. Waiting here keeps both out of tests.
 */
export async function applyCrds(
  kubeConfig: KubeConfig,
  crds: readonly CrdManifest[],
  options: InstallCrdsOptions = {},
): Promise<string[]> {
  const fieldManager = encodeURIComponent(options.fieldManager ?? HARNESS_FIELD_MANAGER);
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata.name;
    const response = await kubeRequest(
      kubeConfig,
      "PATCH",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=${fieldManager}&force=true`,
      { body: crd, contentType: "application/apply-patch+yaml" },
    );
    if (response.status !== 200 && response.status !== 201) {
      throw new Error(
        `applying CRD ${name} failed: ${response.status} ${statusMessage(response.json, response.text)}`,
      );
    }
    names.push(name);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  await Promise.all(names.map((name) => waitForCrdEstablished(kubeConfig, name, timeoutMs)));
  await Promise.all(crds.map((crd) => waitForCrdServing(kubeConfig, crd, timeoutMs)));
  return names;
}

export async function waitForCrdEstablished(
  kubeConfig: KubeConfig,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await kubeRequest(
      kubeConfig,
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    );
    if (response.status !== 200) {
      throw new Error(
        `reading CRD ${name} failed: ${response.status} ${statusMessage(response.json, response.text)}`,
      );
    }
    const conditions = (response.json as { status?: { conditions?: Condition[] } }).status?.conditions ?? [];
    const established = conditions.find((c) => c.type === "Established");
    if (established?.status === "True") return;
    const namesAccepted = conditions.find((c) => c.type === "NamesAccepted");
    if (namesAccepted?.status === "False") {
      throw new Error(`CRD ${name}: names not accepted: ${namesAccepted.reason}: ${namesAccepted.message}`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `CRD ${name} not Established after ${timeoutMs / 1000} s; conditions: ${JSON.stringify(conditions)}`,
      );
    }
    await sleep(50);
  }
}

interface CrdServingInfo {
  group: string;
  scope: string;
  names: { plural: string; kind: string };
  versions: { name: string; served: boolean }[];
}

/** Lists the resource, and dry-run creates an empty object of it, until neither is held back. */
export async function waitForCrdServing(
  kubeConfig: KubeConfig,
  crd: CrdManifest,
  timeoutMs: number,
): Promise<void> {
  const { group, scope, names, versions } = crd.spec as unknown as CrdServingInfo;
  const version = versions.find((v) => v.served)?.name;
  if (!version) return;
  const collection = `/apis/${group}/${version}/${scope === "Namespaced" ? "namespaces/default/" : ""}${names.plural}`;
  const deadline = Date.now() + timeoutMs;
  const retry = async (
    what: string,
    request: () => Promise<{ status: number; text: string }>,
    done: number[],
  ) => {
    for (;;) {
      const response = await request();
      if (done.includes(response.status)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `CRD ${crd.metadata.name}: ${what} still answers ${response.status}: ${response.text}`,
        );
      }
      await sleep(50);
    }
  };
  await retry(
    "list",
    () => kubeRequest(kubeConfig, "GET", `/apis/${group}/${version}/${names.plural}`),
    [200],
  );
  // Any answer from validation (an empty object is usually invalid) means the create path is ready.
  const warmUp = {
    apiVersion: `${group}/${version}`,
    kind: names.kind,
    metadata: { generateName: "warm-up-" },
  };
  await retry(
    "dry-run create",
    () => kubeRequest(kubeConfig, "POST", `${collection}?dryRun=All`, { body: warmUp }),
    [200, 201, 400, 403, 409, 422],
  );
}

/**
 * Waits until every Established CRD's resources can be listed. After a (re)start, /readyz says ok
 * while lists of custom resources still answer 429 "storage is (re)initializing" for a moment.
 * (A plain list: one with a limit or resourceVersion=0 is answered from etcd meanwhile.)
 */
export async function waitForCustomResourcesListable(
  kubeConfig: KubeConfig,
  timeoutMs: number,
): Promise<void> {
  const response = await kubeRequest(
    kubeConfig,
    "GET",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
  );
  const crds =
    (response.json as { items?: (CrdManifest & { status?: { conditions?: Condition[] } })[] }).items ?? [];
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    crds
      .filter((crd) => crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"))
      .map(async (crd) => {
        const { group, names, versions } = crd.spec as unknown as CrdServingInfo;
        const version = versions.find((v) => v.served)?.name;
        if (!version) return;
        for (;;) {
          const list = await kubeRequest(kubeConfig, "GET", `/apis/${group}/${version}/${names.plural}`);
          if (list.status !== 429 && list.status !== 503) return;
          if (Date.now() > deadline) {
            throw new Error(`listing ${names.plural}.${group} still answers ${list.status}: ${list.text}`);
          }
          await sleep(25);
        }
      }),
  );
}

function statusMessage(json: unknown, text: string): string {
  const message = (json as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : text;
}
