// The validation corpus against a real kube-apiserver: every object gets the same verdict and the
// same errors from the API server as from the offline validator (and as listed in the corpus).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { loadCrdCatalog } from "../../pkg/validate/crd-catalog.ts";
import { formatFieldError } from "../../pkg/validate/field-error.ts";
import { validateObject } from "../../pkg/validate/validate.ts";
import { invalidCases, validCases, type CorpusCase } from "../fixtures/validation-corpus.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { kubeRequest } from "../harness/http.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";

const catalog = loadCrdCatalog();
const namespaces = new Map<string, TestNamespace>();

/** The errors the API server gives for creating the object (dry run, strict field validation). */
async function apiServerErrors(c: CorpusCase): Promise<string[]> {
  const plane = getTestEnvironment();
  const object = structuredClone(c.object) as {
    apiVersion: string;
    kind: string;
    metadata: { namespace?: string };
  };
  const kind = catalog.lookup(object.apiVersion, object.kind);
  if (!kind) throw new Error(`${c.name}: unknown kind ${object.kind}`);
  let path = `/apis/${object.apiVersion}/${kind.plural}`;
  if (kind.namespaced) {
    // Each corpus namespace maps to a real, unique test namespace.
    const wanted = object.metadata.namespace ?? "default";
    let ns = namespaces.get(wanted);
    if (!ns) {
      ns = await createTestNamespace(plane.kubeConfig, wanted);
      namespaces.set(wanted, ns);
    }
    object.metadata.namespace = ns.name;
    path = `/apis/${object.apiVersion}/namespaces/${ns.name}/${kind.plural}`;
  }
  const response = await kubeRequest(plane.kubeConfig, "POST", `${path}?dryRun=All&fieldValidation=Strict`, {
    body: object,
  });
  if (response.status >= 200 && response.status < 300) return [];
  const status = response.json as {
    message?: string;
    details?: { causes?: { field?: string; message?: string }[] };
  };
  const causes = status.details?.causes ?? [];
  if (causes.length === 0) return [`HTTP ${response.status}: ${status.message ?? response.text}`];
  return causes.map((cause) => `${cause.field ?? ""}: ${cause.message ?? ""}`);
}

describe("validation corpus on a real API server", () => {
  beforeAll(() => {
    getTestEnvironment();
  });
  afterAll(async () => {
    for (const ns of namespaces.values()) await ns.cleanup();
  });

  it.each([...validCases(), ...invalidCases()].map((c) => [c.name, c] as const))(
    "%s: the API server and the offline validator agree",
    async (_name, c) => {
      const online = (await apiServerErrors(c)).sort();
      const offline = validateObject(catalog, c.object).errors.map(formatFieldError).sort();
      expect(online).toEqual([...c.expectedErrors].sort());
      expect(offline).toEqual(online);
    },
  );
});
