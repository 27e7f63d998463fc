// The memory `image-policy verify` uses on hostile signature attachments: every image's
// `sha256-<hex>.sig` manifest has 256 layers of 4 MiB (1 GiB of signatures per image, which
// containers/image would read). Two variants, served by a node:http registry on loopback:
//   - declared: the layers declare their 4 MiB (the per-image budget refuses them before any blob);
//   - lying: the layers declare 1 KiB each but every blob is 4 MiB (only the bytes read count).
// A baseline image without signatures gives the process's own size. Each case runs the command as its own process and prints its peak RSS (VmHWM of that process,
// not of this driver), for 1, 4 and 64 images verified at once. Prints figures, asserts nothing.
// `node test/bench/verify/signature-memory.ts [TREE]` runs the command of another checkout (e.g. an
// older commit, to compare), default this one.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OCI_MANIFEST } from "../../../pkg/registry/media-types.ts";
import { manifestBytes, sha256 } from "../../harness/oci-images.ts";
import { generateSigningKey } from "../../harness/signing.ts";

const root = join(import.meta.dirname, "../../..");
const tree = process.argv[2] ?? root;
const LAYERS = 256;
const BLOB_BYTES = 4 * 1024 * 1024;

const blob = Buffer.alloc(BLOB_BYTES, 0x5a);
const blobDigest = sha256(blob);

function manifest(layers: unknown[], seed: string): Buffer {
  return manifestBytes({ layers, annotations: { seed } });
}

const manifests = new Map<string, Buffer>();
/** An image `<variant>-<i>` whose .sig manifest has 256 layers of the 4 MiB blob. */
function addImage(variant: "none" | "declared" | "lying", i: number): string {
  const repo = `${variant}-${i}`;
  const image = manifest([], repo);
  const digest = sha256(image);
  manifests.set(`/v2/${repo}/manifests/v1`, image);
  manifests.set(`/v2/${repo}/manifests/${digest}`, image);
  if (variant === "none") return repo;
  const size = variant === "declared" ? BLOB_BYTES : 1024;
  const layers = Array.from({ length: LAYERS }, () => ({
    mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
    digest: blobDigest,
    size,
    annotations: { "dev.cosignproject.cosign/signature": "AAAA" },
  }));
  manifests.set(`/v2/${repo}/manifests/${digest.replace(":", "-")}.sig`, manifest(layers, `${repo}-sig`));
  return repo;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/v2/") {
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    return;
  }
  if (url.pathname.endsWith(`/blobs/${blobDigest}`)) {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length });
    res.end(blob);
    return;
  }
  const body = manifests.get(url.pathname);
  if (body === undefined) {
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
    return;
  }
  res.writeHead(200, { "content-type": OCI_MANIFEST, "content-length": body.length }).end(body);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

const dir = mkdtempSync(join(tmpdir(), "bench-verify-memory-"));
const key = generateSigningKey();
const policyPath = join(dir, "policy.json");
writeFileSync(
  policyPath,
  JSON.stringify({
    default: [{ type: "reject" }],
    transports: {
      docker: {
        [host]: [
          {
            type: "sigstoreSigned",
            keyData: Buffer.from(key.publicKeyPem).toString("base64"),
            signedIdentity: { type: "matchRepository" },
          },
        ],
      },
    },
  }),
);
const registriesD = join(dir, "registries.d");
mkdirSync(registriesD);
writeFileSync(
  join(registriesD, "sigstore.yaml"),
  `docker:\n  ${host}:\n    use-sigstore-attachments: true\n`,
);

function peakKiB(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0");
  } catch {
    return 0; // already gone
  }
}

/** Runs `verify` on the images in its own process; its peak RSS and the first line of every verdict. */
async function run(images: string[]): Promise<{ peakMiB: number; seconds: number; errors: string[] }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(tree, "pkg/cli/main.ts"),
      "verify",
      ...images.map((repo) => `${host}/${repo}:v1`),
      "--policy",
      policyPath,
      "--registries-d",
      registriesD,
      "--insecure-registry",
      host,
      "--concurrency",
      String(Math.min(64, images.length)),
      "--output",
      "json",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakKiB(child.pid ?? 0))), 5);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(timer);
  const errors = out
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => String((JSON.parse(line) as { error?: string }).error ?? "admitted"));
  if (code !== 1) errors.push(`unexpected exit status ${code}`);
  return { peakMiB: peak / 1024, seconds: (performance.now() - started) / 1000, errors };
}

try {
  console.log(
    `verify of ${tree === root ? "this checkout" : tree}: .sig manifests of ${LAYERS} layers × 4 MiB`,
  );
  const baseline = await run([addImage("none", 0)]);
  console.log(`  baseline, 1 image without signatures: peak RSS ${baseline.peakMiB.toFixed(0)} MiB`);
  for (const variant of ["declared", "lying"] as const) {
    for (const count of [1, 4, 64]) {
      const images = Array.from({ length: count }, (_, i) => addImage(variant, i));
      const { peakMiB, seconds, errors } = await run(images);
      const reasons = [
        ...new Set(errors.map((e) => e.replace(/[a-z]+-\d+:sha256-[0-9a-f]{64}\.sig|layer \d+/g, "…"))),
      ];
      console.log(
        `  ${variant}, ${count} image(s): peak RSS ${peakMiB.toFixed(0)} MiB, ${seconds.toFixed(1)} s; ${reasons.join(" | ")}`,
      );
    }
  }
} finally {
  server.close();
  server.closeAllConnections();
}
