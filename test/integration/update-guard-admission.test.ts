// The generated ValidatingAdmissionPolicy of the release-update guard on a real API server: in Deny
// mode it refuses exactly the corpus pullspecs the TypeScript guard rejects, in Warn mode it lets
// them through with a warning, and a forced update passes in both modes with a warning.
import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { checkUpdate, type Flavour } from "../../pkg/updateguard/guard.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { kubeRequest } from "../harness/http.ts";

interface PullspecCase {
  name: string;
  image: string;
  flavour: Flavour;
  force: boolean;
  expect: string;
}

const root = join(import.meta.dirname, "../..");
const corpus = parse(
  readFileSync(join(root, "test/fixtures/updateguard/pullspecs.yaml"), "utf8"),
) as PullspecCase[];
const admissionPath = "/apis/admissionregistration.k8s.io/v1";
const installed: string[] = [];

async function apply(path: string, object: { metadata: { name: string } }): Promise<void> {
  const { kubeConfig } = getTestEnvironment();
  const response = await kubeRequest(
    kubeConfig,
    "PATCH",
    `${path}/${object.metadata.name}?fieldManager=update-guard-test&force=true`,
    { body: object, contentType: "application/apply-patch+yaml" },
  );
  if (response.status >= 300) throw new Error(`apply ${object.metadata.name}: ${response.text}`);
  installed.push(`${path}/${object.metadata.name}`);
}

/** Installs the generated manifests of a flavour and mode. */
async function installGuard(flavour: Flavour, mode: "warn" | "deny"): Promise<void> {
  const text = readFileSync(join(root, `manifests/update-guard/${flavour}/${mode}.yaml`), "utf8");
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind: string; metadata: { name: string } };
    const plural =
      object.kind === "ValidatingAdmissionPolicy"
        ? "validatingadmissionpolicies"
        : "validatingadmissionpolicybindings";
    await apply(`${admissionPath}/${plural}`, object);
  }
}

interface Answer {
  allowed: boolean;
  warning: string;
  message: string;
}

/** Submits a ClusterVersion requesting the update (dry run: nothing is stored). */
async function submit(c: PullspecCase): Promise<Answer> {
  const { kubeConfig } = getTestEnvironment();
  const clusterVersion = {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterVersion",
    metadata: { name: "version" },
    spec: {
      clusterID: "00000000-0000-4000-8000-000000000000",
      desiredUpdate: { image: c.image, force: c.force },
    },
  };
  const response = await kubeRequest(
    kubeConfig,
    "POST",
    "/apis/config.openshift.io/v1/clusterversions?dryRun=All",
    {
      body: clusterVersion,
    },
  );
  const warning = [response.headers.warning ?? ""].flat().join(" ");
  return {
    allowed: response.status < 300,
    warning,
    message: (response.json as { message?: string } | undefined)?.message ?? "",
  };
}

/** Policies take effect asynchronously: wait until a known-bad request gets the expected answer. */
async function waitForPolicy(probe: PullspecCase, wantAllowed: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const answer = await submit(probe);
    if (answer.allowed === wantAllowed && (wantAllowed ? answer.warning !== "" : true)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the admission policy did not take effect");
}

afterAll(async () => {
  const { kubeConfig } = getTestEnvironment();
  for (const path of installed.reverse()) await kubeRequest(kubeConfig, "DELETE", path);
});

for (const flavour of ["ocp", "okd"] as Flavour[]) {
  const cases = corpus.filter((c) => c.flavour === flavour && c.image !== "");
  const probe: PullspecCase = {
    name: "probe",
    image: "registry.invalid/probe:1",
    flavour,
    force: false,
    expect: "rejected",
  };

  describe(`update guard admission (${flavour}, Deny)`, () => {
    it("installs and takes effect", async () => {
      await installGuard(flavour, "deny");
      // Deny mode is two policies (deny unforced, warn forced), each taking effect on its own: wait
      // for both, or the first forced cases can run before their warning exists (it flaked so).
      await waitForPolicy(probe, false);
      await waitForPolicy({ ...probe, force: true }, true);
    });

    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
      const verdict = checkUpdate({ image: c.image, force: c.force }, flavour);
      const answer = await submit(c);
      expect(verdict.decision).toBe(c.expect);
      expect(answer.allowed).toBe(verdict.decision !== "rejected");
      if (verdict.decision === "rejected") expect(answer.message).toContain("release images must come from");
      if (verdict.decision === "forced") expect(answer.warning).toContain("forced update to");
      if (verdict.decision === "accepted") expect(answer.warning).toBe("");
    });
  });

  describe(`update guard admission (${flavour}, Warn)`, () => {
    it("switches the binding to Warn", async () => {
      await installGuard(flavour, "warn");
      await waitForPolicy(probe, true);
    });

    it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
      const verdict = checkUpdate({ image: c.image, force: c.force }, flavour);
      const answer = await submit(c);
      expect(answer.allowed).toBe(true);
      if (verdict.decision === "rejected") expect(answer.warning).toContain("release images must come from");
      if (verdict.decision === "accepted") expect(answer.warning).toBe("");
    });
  });
}

describe("version-only updates", () => {
  it("are not judged by the guard", async () => {
    await installGuard("ocp", "deny");
    const { kubeConfig } = getTestEnvironment();
    const response = await kubeRequest(
      kubeConfig,
      "POST",
      "/apis/config.openshift.io/v1/clusterversions?dryRun=All",
      {
        body: {
          apiVersion: "config.openshift.io/v1",
          kind: "ClusterVersion",
          metadata: { name: "version" },
          spec: { clusterID: "00000000-0000-4000-8000-000000000000", desiredUpdate: { version: "4.22.3" } },
        },
      },
    );
    expect(response.status).toBe(201);
  });
});
