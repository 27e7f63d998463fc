// Builds the command line (`make build`): pkg/cli/main.ts bundled with esbuild into
// dist/pkg/cli/main.js, one chunk per command and shared chunks beside it.
//
// Why a bundle: a command runs once and exits, so resolving and loading some 400 module files
// (ours, yaml's, CEL's) was a tenth of an offline `render`. Each command still loads only its own
// chunk (main.ts imports commands lazily). Types are checked by `make typecheck`, not here.
//
// The libraries of the controller and of `verify` stay outside the bundle and are imported from
// node_modules as published: they are large, read files of their own, and only the commands that
// talk to a cluster or a registry load them, so bundling them would gain nothing and risk much.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const EXTERNAL = ["@kubernetes/client-node", "winston", "prom-client", "openpgp", "@sigstore/*"];

rmSync(join(root, "dist"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ["pkg/cli/main.ts"],
  // Chunks sit beside main.js: modules that find files relative to themselves (version.ts reads
  // package.json two or three levels up) see the depth they have in the source tree.
  outdir: "dist/pkg/cli",
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node24",
  external: EXTERNAL,
  // Maps beside each file: `node --enable-source-maps` traces and the CLI benchmark's profile
  // breakdown name the original source. Node reads them only when asked.
  sourcemap: "linked",
  // yaml ships CommonJS for Node, and its bundled form requires Node built-ins at run time:
  // an ES module has no `require` of its own, so each chunk gets one.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
if (result.errors.length > 0) process.exit(1);
