// Reading lookaside signatures (file://) within the signature memory budgets.
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegistryClient } from "../registry/index.ts";
import type { HttpTransport } from "../registry/transport.ts";
import { EMPTY_REGISTRIES_D } from "./registries-d.ts";
import { SignatureMemory, type SignatureHolder } from "./signature-memory.ts";
import { SignatureFetchError, fetchSignatures } from "./signature-source.ts";

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), "signature-source-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** An image whose lookaside directory holds signature files of these sizes (OpenPGP-looking bytes). */
function imageWithSignatures(name: string, sizes: number[]): { lookaside: string; digest: string } {
  const lookaside = join(root, name);
  const digest = `sha256:${"ab".repeat(32)}`;
  const dir = join(lookaside, `team/app@sha256=${"ab".repeat(32)}`);
  mkdirSync(dir, { recursive: true });
  sizes.forEach((size, i) => writeFileSync(join(dir, `signature-${i + 1}`), Buffer.alloc(size, 0xa3)));
  return { lookaside, digest };
}

function fetch(
  lookaside: string,
  digest: string,
  memory: SignatureHolder,
): ReturnType<typeof fetchSignatures> {
  return fetchSignatures(
    {
      // Neither is used: file:// lookaside only, no attachments.
      client: undefined as unknown as RegistryClient,
      transport: undefined as unknown as HttpTransport,
      registriesD: EMPTY_REGISTRIES_D,
      builtinLookaside: `file://${lookaside}`,
      timeoutMs: 1000,
      memory,
    },
    { domain: "registry.example", path: "team/app" },
    digest,
  );
}

describe("fetchSignatures: lookaside files within the memory budgets", () => {
  it("keeps what it read counted, and reserves a file's size, not the 4 MiB limit", async () => {
    const { lookaside, digest } = imageWithSignatures("small", [100, 200]);
    const memory = new SignatureMemory(20 * MiB, 16 * MiB);
    const first = memory.open(); // the first image in flight keeps 16 MiB of room for itself
    const other = memory.open();
    await other.reserve(4 * MiB - 1000); // what is left for everyone else: 1000 bytes
    const holder = memory.open();
    const fetched = await fetch(lookaside, digest, holder);
    expect(fetched.signatures.map((s) => (s.kind === "simple-signing" ? s.blob.length : 0))).toEqual([
      100, 200,
    ]);
    expect(holder.held).toBe(300);
    holder.close();
    other.close();
    first.close();
    expect(memory.used).toBe(0);
  });

  it("refuses a file larger than 4 MiB", async () => {
    const { lookaside, digest } = imageWithSignatures("large", [4 * MiB + 1]);
    const holder = new SignatureMemory().open();
    await expect(fetch(lookaside, digest, holder)).rejects.toThrow(/is larger than 4194304 bytes/);
    expect(holder.held).toBe(0);
  });

  it("refuses more than the per-image budget, at the signature that goes beyond it", async () => {
    const { lookaside, digest } = imageWithSignatures("many", [4 * MiB, 4 * MiB, 4 * MiB, 4 * MiB, 1]);
    const holder = new SignatureMemory().open();
    const failure = fetch(lookaside, digest, holder);
    await expect(failure).rejects.toThrow(SignatureFetchError);
    await expect(failure).rejects.toThrow(
      "reading signature 5 of registry.example/team/app: more than 16777216 bytes of signatures for one image, the most this verifier reads",
    );
  });

  it("refuses, for one image, more than the whole shared budget when that is smaller", async () => {
    const { lookaside, digest } = imageWithSignatures("shared", [3 * MiB, 3 * MiB]);
    const holder = new SignatureMemory(4 * MiB).open();
    await expect(fetch(lookaside, digest, holder)).rejects.toThrow(
      "reading signature 2 of registry.example/team/app: more than 4194304 bytes of signatures for one image, all the memory this verifier gives the signatures of every image at once",
    );
  });
});
