// Verify benchmark: prints figures, asserts nothing but that all three verifiers agree (exit 1 if not). Run with `node test/bench/verify/run.ts`
// [--images N] [--signer cosign|ours] [--concurrency N].
//
// Starts a local docker-registry, pushes N (default 200) small images and key-signs each (by default
// with cosign 2.5.0 itself, `cosign sign --key … --tlog-upload=false`; `--signer ours` uses the test
// signer, which writes the same format faster), then times, in the same run:
//   1. our batch verify: one Verifier, all N digest references, bounded concurrency, cold caches;
//   2. `cosign verify --key … --insecure-ignore-tlog=true` run once per image, in a loop (what a script
//      would do) and with the same concurrency as ours;
//   3. policy-judge admit (containers/image) with all N images in one process;
//   4. our cached re-run: the same Verifier (same process) verifying the same N references again.
//      The cache is per Verifier instance: manifests fetched by digest, the signatures of each image
//      instance and the prepared trust roots, all content-addressed, so nothing can be stale; tag
//      references would still be resolved again (one manifest GET each).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { Verifier } from "../../../pkg/verify/index.ts";
import { pushImage } from "../../harness/oci-images.ts";
import { ensureRegistryTools, startRegistry } from "../../harness/registry.ts";
import {
  attachKeySignature,
  cosignGenerateKeyPair,
  cosignSign,
  generateSigningKey,
} from "../../harness/signing.ts";
import { buildPolicyJudge } from "../../harness/tools.ts";

const execFileAsync = promisify(execFile);
const { values } = parseArgs({
  options: {
    images: { type: "string", default: "200" },
    signer: { type: "string", default: "cosign" },
    concurrency: { type: "string", default: "8" },
  },
});
const count = Number(values.images);
const concurrency = Number(values.concurrency);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Runs `worker` over items, `parallel` at a time. */
async function pool<T>(
  items: readonly T[],
  parallel: number,
  worker: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await worker(items[i] as T, i);
      }
    }),
  );
}

const tools = await ensureRegistryTools();
const judge = buildPolicyJudge();
const registry = await startRegistry();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bench-"));
try {
  console.log(`verify benchmark: ${count} images, signer ${values.signer}, our concurrency ${concurrency}`);
  const setup = await timed(async () => {
    const keys = await cosignGenerateKeyPair(tools.cosign, fs.mkdtempSync(path.join(work, "cosign-")));
    const ours = generateSigningKey();
    const refs: string[] = new Array<string>(count);
    await pool(
      Array.from({ length: count }, (_, i) => i),
      4,
      async (i) => {
        const repo = `bench/app-${i}`;
        const image = await pushImage(registry.url, repo, "v1", { seed: `bench-${i}` });
        const ref = `${registry.host}/${repo}@${image.digest}`;
        if (values.signer === "cosign") await cosignSign(tools.cosign, keys, ref);
        else await attachKeySignature(registry.url, repo, image.digest, ours);
        refs[i] = ref;
      },
    );
    const publicKey = values.signer === "cosign" ? keys.publicKeyPath : path.join(work, "ours.pub");
    if (values.signer !== "cosign") fs.writeFileSync(publicKey, ours.publicKeyPem);
    return { refs, publicKey };
  });
  const { refs, publicKey } = setup.result;
  console.log(`  setup (push + sign ${count} images): ${seconds(setup.ms)}`);

  const policy = {
    default: [{ type: "reject" }],
    transports: {
      docker: {
        [registry.host]: [
          { type: "sigstoreSigned", keyPath: publicKey, signedIdentity: { type: "matchRepository" } },
        ],
      },
    },
  };
  const policyFile = path.join(work, "policy.json");
  fs.writeFileSync(policyFile, JSON.stringify(policy));
  const registriesD = path.join(work, "registries.d");
  fs.mkdirSync(registriesD);
  fs.writeFileSync(
    path.join(registriesD, "sigstore.yaml"),
    `docker:\n  ${registry.host}:\n    use-sigstore-attachments: true\n`,
  );

  // 1 and 4: ours, cold then cached.
  const verifier = new Verifier(JSON.stringify(policy), {
    registriesD,
    insecureRegistries: [registry.host],
    concurrency,
  });
  const cold = await timed(() => verifier.verifyAll(refs));
  const cached = await timed(() => verifier.verifyAll(refs));
  verifier.close();

  // 2: cosign verify, one process per image: in a loop (what a script would do), and with our
  // concurrency (so the comparison is not concurrency against a loop).
  const cosignHome = fs.mkdtempSync(path.join(work, "cosign-home-"));
  const cosignVerifies = async (ref: string): Promise<boolean> => {
    try {
      await execFileAsync(
        tools.cosign,
        [
          "verify",
          "--key",
          publicKey,
          "--insecure-ignore-tlog=true",
          "--allow-http-registry",
          "--allow-insecure-registry",
          ref,
        ],
        { env: { PATH: process.env.PATH ?? "", HOME: cosignHome }, timeout: 120_000 },
      );
      return true;
    } catch {
      return false; // counted as not admitted
    }
  };
  const cosignLoop = await timed(async () => {
    const admitted: boolean[] = [];
    for (const ref of refs) admitted.push(await cosignVerifies(ref));
    return admitted;
  });
  const cosignParallel = await timed(async () => {
    const admitted: boolean[] = new Array<boolean>(refs.length).fill(false);
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < refs.length; i = next++) admitted[i] = await cosignVerifies(refs[i] ?? "");
      }),
    );
    return admitted;
  });

  // 3: containers/image, all images in one process (one verdict line per image, in order).
  const judged = await timed(async () => {
    const { stdout } = await execFileAsync(
      judge,
      ["admit", "--policy", policyFile, "--registries.d", registriesD, "--insecure", ...refs],
      { maxBuffer: 64 << 20, timeout: 600_000 },
    );
    return stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { allowed: boolean }).allowed);
  });

  const ours = cold.result.map((v) => v.admitted);
  const count_ = (admitted: boolean[]): number => admitted.filter(Boolean).length;
  const perImage = (ms: number): string => `${(ms / count).toFixed(1)} ms/image`;
  const line = (label: string, ms: number, what: string): void =>
    console.log(`  ${label.padEnd(36)} ${seconds(ms).padStart(9)}  ${perImage(ms)}  ${what}`);
  line("ours, batch (cold caches)", cold.ms, `admitted ${count_(ours)}/${count}`);
  line(
    "ours, cached re-run",
    cached.ms,
    `admitted ${cached.result.filter((v) => v.admitted).length}/${count}`,
  );
  line(
    "cosign verify, once per image, loop",
    cosignLoop.ms,
    `verified ${count_(cosignLoop.result)}/${count}`,
  );
  line(
    `cosign verify, ${concurrency} at a time`,
    cosignParallel.ms,
    `verified ${count_(cosignParallel.result)}/${count}`,
  );
  line("policy-judge (containers/image)", judged.ms, `allowed ${count_(judged.result)}/${count}`);
  console.log(
    `  ratio cosign loop / ours:             ${(cosignLoop.ms / cold.ms).toFixed(1)}x (goal >= 5x)`,
  );
  console.log(
    `  ratio cosign ${concurrency} at a time / ours:      ${(cosignParallel.ms / cold.ms).toFixed(1)}x`,
  );
  console.log(`  ratio containers/image / ours:        ${(judged.ms / cold.ms).toFixed(1)}x`);
  console.log(`  cached re-run:                        ${cached.ms < 1000 ? "under" : "OVER"} 1 s`);
  console.log(
    `  peak RSS (this process, ours and the load): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  // The figures compare like with like only if all three admit the same images.
  const differing = refs.filter(
    (_, i) =>
      ours[i] !== cosignLoop.result[i] ||
      ours[i] !== cosignParallel.result[i] ||
      ours[i] !== judged.result[i],
  );
  console.log(
    differing.length === 0
      ? `  verdicts: ours, cosign and containers/image admit the same ${count_(ours)} of ${count} images`
      : `  verdicts DIFFER on ${differing.length} images, e.g. ${differing.slice(0, 3).join(", ")}`,
  );
  if (differing.length > 0) process.exitCode = 1;
} finally {
  await registry.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
