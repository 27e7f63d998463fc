// The shipped deployment manifests are what the API server accepts: each is applied with
// server-side dry-run (all schema and admission validation, nothing stored) after the namespace.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { getTestEnvironment } from "../harness/env.ts";
import { kubeRequest } from "../harness/http.ts";

const dir = join(import.meta.dirname, "../../manifests/deploy");

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const manifests: { file: string; object: Manifest }[] = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => ({
      file,
      object: doc.toJS() as Manifest,
    })),
  );

const PLURALS: Record<string, string> = {
  Namespace: "namespaces",
  ServiceAccount: "serviceaccounts",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
  Role: "roles",
  RoleBinding: "rolebindings",
  Deployment: "deployments",
  Service: "services",
  NetworkPolicy: "networkpolicies",
};

function path(object: Manifest): string {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const namespace = object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : "";
  const plural = PLURALS[object.kind];
  if (!plural) throw new Error(`no plural known for ${object.kind}`);
  return `${base}${namespace}/${plural}/${object.metadata.name}`;
}

describe("manifests/deploy", () => {
  const plane = getTestEnvironment();
  const namespace = manifests.find((m) => m.object.kind === "Namespace")?.object;

  beforeAll(async () => {
    if (!namespace) throw new Error("no Namespace in manifests/deploy");
    const created = await kubeRequest(
      plane.kubeConfig,
      "PATCH",
      `${path(namespace)}?fieldManager=deploy-test`,
      {
        body: JSON.stringify(namespace),
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(created.status).toBeLessThan(300);
  });

  afterAll(async () => {
    if (namespace) await kubeRequest(plane.kubeConfig, "DELETE", path(namespace));
  });

  it("has a NetworkPolicy for the controller's pods", () => {
    expect(manifests.map((m) => m.object.kind)).toContain("NetworkPolicy");
  });

  it.each(manifests.map((m) => [`${m.file} ${m.object.kind}/${m.object.metadata.name}`, m.object] as const))(
    "%s is accepted by the API server (server-side dry-run)",
    async (_name, object) => {
      const response = await kubeRequest(
        plane.kubeConfig,
        "PATCH",
        `${path(object)}?fieldManager=deploy-test&dryRun=All&fieldValidation=Strict`,
        { body: JSON.stringify(object), contentType: "application/apply-patch+yaml" },
      );
      // The API server's own message, when it refuses one.
      expect(response.status < 300 ? "accepted" : response.text).toBe("accepted");
    },
  );
});
