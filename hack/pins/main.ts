// The Node side of the tool scripts' Debian fetches (hack/lib.sh, debian_resolve):
//
//   node hack/pins/main.ts sources SUITE
//       prints a deb822 paragraph for SUITE's main component on this machine's Debian mirror,
//       read from apt's own configuration (`apt-config shell`), or fails saying none is configured
//   node hack/pins/main.ts resolve PACKAGE UPSTREAM WHERE  < apt-cache show output
//       prints the Debian version of PACKAGE to fetch for the pinned UPSTREAM version, or fails
//       naming the pin and what WHERE serves now
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  findDebianMirror,
  parseDeb822Sources,
  parseOneLineSources,
  sourcesForSuite,
  type AptSource,
} from "./apt-sources.ts";
import { parsePackageStanzas, resolveUpstreamPin } from "./debian-version.ts";

function fail(message: string): never {
  process.stderr.write(`[hack] ERROR: ${message}\n`);
  process.exit(1);
}

/** apt's source files in its reading order: Dir::Etc::sourcelist, then sourceparts sorted. */
function readAptSources(): AptSource[] {
  let shell: string;
  try {
    shell = execFileSync(
      "apt-config",
      ["shell", "LIST", "Dir::Etc::sourcelist/f", "PARTS", "Dir::Etc::sourceparts/d"],
      {
        encoding: "utf8",
      },
    );
  } catch {
    fail("apt-config is not available: fetching Debian packages needs a Debian or Ubuntu machine with apt");
  }
  const listFile = /^LIST='(.*)'$/m.exec(shell)?.[1];
  const partsDir = /^PARTS='(.*)'$/m.exec(shell)?.[1];
  const sources: AptSource[] = [];
  if (listFile !== undefined && existsSync(listFile)) {
    sources.push(...parseOneLineSources(readFileSync(listFile, "utf8"), listFile));
  }
  if (partsDir !== undefined && existsSync(partsDir)) {
    for (const name of readdirSync(partsDir).sort()) {
      const file = join(partsDir, name);
      if (name.endsWith(".list")) sources.push(...parseOneLineSources(readFileSync(file, "utf8"), file));
      else if (name.endsWith(".sources"))
        sources.push(...parseDeb822Sources(readFileSync(file, "utf8"), file));
    }
  }
  return sources;
}

function sourcesCommand(suite: string | undefined): void {
  if (suite === undefined || !/^[a-z][a-z0-9-]*$/.test(suite)) fail("usage: main.ts sources SUITE");
  const mirror = findDebianMirror(readAptSources());
  if (mirror === undefined) {
    fail(
      "no Debian archive is configured in apt's sources (an enabled `deb` entry with a Debian release suite and `main`); " +
        "add one (see sources.list(5)) or install the tool by other means",
    );
  }
  process.stdout.write(sourcesForSuite(mirror, suite));
}

function resolveCommand(
  packageName: string | undefined,
  pin: string | undefined,
  where: string | undefined,
): void {
  if (packageName === undefined || pin === undefined || where === undefined) {
    fail("usage: main.ts resolve PACKAGE UPSTREAM WHERE < apt-cache show output");
  }
  const resolution = resolveUpstreamPin(
    parsePackageStanzas(readFileSync(0, "utf8")),
    packageName,
    pin,
    where,
  );
  if (!resolution.ok) fail(resolution.message);
  process.stdout.write(`${resolution.version}\n`);
}

const [command, ...args] = process.argv.slice(2);
if (command === "sources") sourcesCommand(args[0]);
else if (command === "resolve") resolveCommand(args[0], args[1], args[2]);
else fail("usage: main.ts sources SUITE | resolve PACKAGE UPSTREAM WHERE");
