import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ImageVerdict, VerifierOptions } from "../verify/index.ts";
import { UsageError } from "./io.ts";
import { runVerify, runVerifyWith, type VerifyDeps } from "./verify.ts";
import { capture } from "./testing/capture.ts";

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "verify-cli-"));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const admitAll = writeTemp("policy.json", '{"default":[{"type":"insecureAcceptAnything"}]}');

const verdict = (image: string, admitted: boolean): ImageVerdict => ({
  image,
  reference: `docker://${image}`,
  admitted,
  policySource: "policy.json",
  section: { transport: "docker", scope: "quay.io" },
  requirements: [
    {
      index: 0,
      type: "sigstoreSigned",
      outcome: admitted ? "accepted" : "rejected",
      ...(admitted ? {} : { message: "A signature was required, but no signature exists" }),
    },
  ],
  ...(admitted ? {} : { error: "A signature was required, but no signature exists" }),
  hints: admitted ? [] : [{ code: "attachments-disabled", message: "enable use-sigstore-attachments" }],
});

/** A verifier that answers from a table, recording how it was made. */
function fakeVerifier(
  admitted: Record<string, boolean>,
  seen: { options?: VerifierOptions; policy?: string },
): VerifyDeps["createVerifier"] {
  return (policy, options) => {
    seen.options = options;
    seen.policy = Buffer.from(policy).toString();
    return {
      verifyAll: async (requests) =>
        requests.map((r) => {
          const image = typeof r === "string" ? r : r.image;
          return verdict(image, admitted[image] ?? false);
        }),
      close: () => undefined,
      configurationWarnings: async () => ["registries.d: a.yaml: unknown key"],
    };
  };
}

describe("image-policy verify", () => {
  it("refuses a --policy that is a device or too large, in one line, before reading it", async () => {
    const io = capture();
    expect(await runVerify(["x", "--policy", "/dev/zero"], io)).toBe(2);
    expect(io.stderr).toEqual(["image-policy verify: reading /dev/zero: not a regular file"]);
  });

  it("refuses bad usage", async () => {
    const io = capture();
    await expect(runVerify([], io)).rejects.toThrow(UsageError);
    await expect(runVerify(["quay.io/a/b:c"], io)).rejects.toThrow(/exactly one of --policy/);
    await expect(runVerify(["x", "--policy", admitAll, "--cluster"], io)).rejects.toThrow(/exactly one of/);
    await expect(runVerify(["x", "--policy", admitAll, "--output", "yaml"], io)).rejects.toThrow(
      /unknown output/,
    );
    await expect(runVerify(["x", "--policy", admitAll, "--concurrency", "0"], io)).rejects.toThrow(
      /--concurrency must be an integer from 1 to 64, got "0"/,
    );
    // Past setTimeout's range this was a RangeError deep inside the verifier.
    await expect(runVerify(["x", "--policy", admitAll, "--timeout", "99999999999"], io)).rejects.toThrow(
      /--timeout must be an integer from 1 to 86400/,
    );
    await expect(runVerify(["x", "--policy", admitAll, "--platform", "linux"], io)).rejects.toThrow(
      /--platform/,
    );
    await expect(runVerify(["x", "--policy", admitAll, "--bogus"], io)).rejects.toMatchObject({
      code: "ERR_PARSE_ARGS_UNKNOWN_OPTION",
    });
  });

  it("renders the policy from manifests with -f (the controller's engine), offline for a rejected image", async () => {
    const io = capture();
    const examples = join(import.meta.dirname, "../../manifests/examples");
    // The examples allow only some registries: docker.io falls to the default `reject`.
    expect(await runVerify(["docker.io/library/busybox:latest", "-f", examples], io)).toBe(1);
    expect(io.stdout.join("\n")).toContain("policy.json rendered from");
    expect(io.stdout.join("\n")).toMatch(/reject/);
  });

  it("pulls through the registries.conf -f renders, as the node: a blocked registry refuses the image", async () => {
    const dir = mkdtempSync(join(tmpdir(), "verify-blocked-"));
    try {
      writeFileSync(
        join(dir, "image.yaml"),
        [
          "apiVersion: config.openshift.io/v1",
          "kind: Image",
          "metadata:",
          "  name: cluster",
          "spec:",
          "  registrySources:",
          "    blockedRegistries:",
          "    - blocked.example.com",
        ].join("\n"),
      );
      const io = capture();
      expect(await runVerify(["blocked.example.com/team/app:v1", "-f", dir], io)).toBe(1);
      expect(io.stdout.join("\n")).toContain("registry blocked.example.com is blocked in registries.conf");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says --cluster is not available without a cluster renderer", async () => {
    await expect(runVerifyWith(["x", "--cluster"], capture(), {})).rejects.toThrow(
      /--cluster is not available yet/,
    );
  });

  it("exits 2 for an unreadable or invalid policy, with containers/image's message", async () => {
    const io = capture();
    expect(await runVerify(["quay.io/a/b:c", "--policy", "/nonexistent/policy.json"], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/reading \/nonexistent\/policy.json/);
    const bad = writeTemp("policy.json", '{"default":[]}');
    const io2 = capture();
    expect(await runVerify(["quay.io/a/b:c", "--policy", bad], io2)).toBe(2);
    expect(io2.stderr[0]).toContain("List of verification policy requirements must not be empty");
  });

  it("exits 2 for a malformed reference, without touching the network", async () => {
    const io = capture();
    expect(await runVerify(["UPPER/case:x", "--policy", admitAll, "--output", "json"], io)).toBe(2);
    const parsed = JSON.parse(io.stdout[0] ?? "{}") as ImageVerdict;
    expect(parsed).toMatchObject({ image: "UPPER/case:x", admitted: false, inputError: true });
    expect(parsed.error).toMatch(/repository name must be lowercase/);
  });

  it("prints one block per image and exits 1 when one is rejected", async () => {
    const io = capture();
    const seen: { options?: VerifierOptions } = {};
    const status = await runVerifyWith(
      [
        "quay.io/ok/app:v1",
        "quay.io/bad/app:v1",
        "--policy",
        admitAll,
        "--insecure-registry",
        "r:5000",
        "--platform",
        "linux/arm64/v8",
      ],
      io,
      { createVerifier: fakeVerifier({ "quay.io/ok/app:v1": true }, seen) },
    );
    expect(status).toBe(1);
    expect(io.stderr).toEqual(["warning: registries.d: a.yaml: unknown key"]);
    expect(io.stdout).toEqual([
      [
        "admitted: docker://quay.io/ok/app:v1",
        '  policy: policy.json, transports.docker["quay.io"]',
        "  requirement 1 sigstoreSigned: accepted",
      ].join("\n"),
      [
        "rejected: docker://quay.io/bad/app:v1",
        '  policy: policy.json, transports.docker["quay.io"]',
        "  requirement 1 sigstoreSigned: rejected: A signature was required, but no signature exists",
        "  hint (attachments-disabled): enable use-sigstore-attachments",
      ].join("\n"),
    ]);
    expect(seen.options).toMatchObject({
      insecureRegistries: ["r:5000"],
      platform: { os: "linux", architecture: "arm64", variant: "v8" },
      concurrency: 8,
      timeoutMs: 30000,
    });
  });

  it("exits 0 when every image is admitted; JSON is one object per line", async () => {
    const io = capture();
    const status = await runVerifyWith(["quay.io/ok/app:v1", "--policy", admitAll, "--output", "json"], io, {
      createVerifier: fakeVerifier({ "quay.io/ok/app:v1": true }, {}),
    });
    expect(status).toBe(0);
    expect(io.stdout.map((l) => (JSON.parse(l) as ImageVerdict).admitted)).toEqual([true]);
  });

  it("verifies against what -f renders: policy, registries.d and namespace files", async () => {
    const seen: { options?: VerifierOptions; policy?: string } = {};
    const status = await runVerifyWith(
      ["quay.io/ok/app:v1", "-f", "manifests/", "--namespace", "team"],
      capture(),
      {
        renderPolicyFromManifests: async (dir) => {
          expect(dir).toBe("manifests/");
          return {
            policyJson: '{"default":[{"type":"reject"}]}',
            registriesD: {
              "sigstore-registries.yaml": "docker:\n  quay.io:\n    use-sigstore-attachments: true\n",
            },
            namespaces: { team: '{"default":[{"type":"insecureAcceptAnything"}]}' },
          };
        },
        createVerifier: fakeVerifier({ "quay.io/ok/app:v1": true }, seen),
      },
    );
    expect(status).toBe(0);
    expect(seen.policy).toBe('{"default":[{"type":"reject"}]}');
    expect(seen.options?.namespacePolicies).toEqual({
      files: { team: '{"default":[{"type":"insecureAcceptAnything"}]}' },
    });
    expect(seen.options?.registriesD).toMatchObject({ files: ["sigstore-registries.yaml"] });
  });
});
