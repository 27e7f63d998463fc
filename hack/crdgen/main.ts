// CRD generator: `node hack/crdgen/main.ts DIR` writes one CRD per root API type in pkg/apis to
// DIR/<group>_<plural>.yaml; `--check DIR` exits 1 when DIR differs from what would be written.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Project } from "ts-morph";
import { compareStrings } from "../../pkg/util/sorted.ts";
import { buildCrd, isRootKind } from "./crd.ts";
import { renderCrdYaml } from "./emit.ts";

const repoRoot = resolve(fileURLToPath(import.meta.url), "../../..");

/** A ts-morph project holding the API types. */
export function loadApiProject(): Project {
  const project = new Project({
    tsConfigFilePath: join(repoRoot, "tsconfig.json"),
    skipAddingFilesFromTsConfig: true,
  });
  project.addSourceFilesAtPaths(join(repoRoot, "pkg/apis/**/*.ts"));
  return project;
}

/** Every CRD file the API types define, by file name. */
export function generateCrdFiles(project: Project = loadApiProject()): Map<string, string> {
  const files = new Map<string, string>();
  for (const sourceFile of project.getSourceFiles()) {
    if (sourceFile.getFilePath().endsWith(".test.ts")) continue;
    for (const decl of sourceFile.getInterfaces()) {
      if (!isRootKind(decl)) continue;
      const crd = buildCrd(decl);
      files.set(`${crd.spec.group}_${crd.spec.names.plural}.yaml`, renderCrdYaml(crd));
    }
  }
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}

/** The files of `dir` that differ from, are missing from, or are extra to `wanted`. */
export function staleCrdFiles(wanted: Map<string, string>, dir: string): string[] {
  const present = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
  const differing = [...wanted]
    .filter(([name, text]) => !present.includes(name) || readFileSync(join(dir, name), "utf8") !== text)
    .map(([name]) => name);
  return [...differing, ...present.filter((name) => !wanted.has(name))];
}

function main(args: string[]): number {
  const check = args[0] === "--check";
  const dir = resolve(args[check ? 1 : 0] ?? "crds");
  const wanted = generateCrdFiles();
  if (check) {
    const stale = staleCrdFiles(wanted, dir);
    if (stale.length > 0) {
      console.error(`crds/ is stale (run \`make generate\`): ${stale.join(", ")}`);
      return 1;
    }
    console.log(`crds/ is up to date (${wanted.size} CRDs)`);
    return 0;
  }
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml") && !wanted.has(f)))
    rmSync(join(dir, name));
  for (const [name, text] of wanted) writeFileSync(join(dir, name), text);
  console.log(`wrote ${wanted.size} CRDs to ${dir}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
