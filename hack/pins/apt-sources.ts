// Reads the machine's apt sources (deb822 `*.sources` and one-line `sources.list`) and finds its
// Debian archive mirror, so the tool scripts fetch from the mirror this machine is configured for
// and never from a host written in the project. Formats: sources.list(5).

/** One enabled or disabled source entry, in deb822 terms whatever file format it came from. */
export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
  /** Other options by lower-case deb822 name (`signed-by`, `architectures`, `trusted`, ...). */
  options: Map<string, string>;
  /** `file:line` of the entry, for messages. */
  origin: string;
}

/**
 * Parses a deb822 `.sources` file: paragraphs separated by blank lines, `Field: value` with
 * continuation lines that start with white space, `#` comment lines. Field names are
 * case-insensitive; `Enabled: no` disables a paragraph.
 */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  let fields = new Map<string, string>();
  let startLine = 0;
  let lastField: string | undefined;
  const flush = () => {
    if (fields.size > 0) sources.push(deb822Source(fields, `${file}:${startLine}`));
    fields = new Map();
    lastField = undefined;
  };
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.startsWith("#")) return;
    if (line.trim() === "") return flush();
    if (/^[ \t]/.test(line)) {
      // A continuation (a multi-line Signed-By key block); " ." stands for an empty line.
      if (lastField !== undefined) {
        const more = line.trim() === "." ? "" : line.trim();
        fields.set(lastField, `${fields.get(lastField) ?? ""}\n${more}`);
      }
      return;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) return;
    if (fields.size === 0) startLine = index + 1;
    lastField = line.slice(0, colon).trim().toLowerCase();
    fields.set(lastField, line.slice(colon + 1).trim());
  });
  flush();
  return sources;
}

function deb822Source(fields: Map<string, string>, origin: string): AptSource {
  const words = (name: string) => (fields.get(name) ?? "").split(/\s+/).filter((word) => word !== "");
  const options = new Map(fields);
  for (const name of ["types", "uris", "suites", "components", "enabled"]) options.delete(name);
  return {
    types: words("types"),
    uris: words("uris"),
    suites: words("suites"),
    components: words("components"),
    enabled: !/^(no|false|0)$/i.test(fields.get("enabled") ?? "yes"),
    options,
    origin,
  };
}

/** One-line option names that differ from their deb822 field names. */
const ONE_LINE_OPTION_NAMES: Record<string, string> = {
  arch: "architectures",
  lang: "languages",
  target: "targets",
};

/**
 * Parses a one-line `sources.list`: `deb [opt=value ...] URI SUITE [COMPONENT ...]`. Commented
 * entries (`# deb ...`) are returned disabled, so callers can tell them apart from absent ones.
 */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  text.split(/\r?\n/).forEach((rawLine, index) => {
    let line = rawLine.trim();
    let enabled = true;
    const commented = /^#\s*(deb|deb-src)\s/.exec(line);
    if (commented) {
      enabled = false;
      line = line.replace(/^#\s*/, "");
    }
    line = line.replace(/\s#.*$/, "");
    const typeMatch = /^(deb|deb-src)\s+/.exec(line);
    if (!typeMatch || typeMatch[1] === undefined) return;
    let rest = line.slice(typeMatch[0].length);
    const options = new Map<string, string>();
    if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close < 0) return;
      for (const option of rest.slice(1, close).trim().split(/\s+/)) {
        const equals = option.indexOf("=");
        if (equals <= 0) continue;
        const name = option.slice(0, equals).toLowerCase().replace(/[+-]$/, "");
        options.set(ONE_LINE_OPTION_NAMES[name] ?? name, option.slice(equals + 1));
      }
      rest = rest.slice(close + 1).trim();
    }
    const [uri, suite, ...components] = rest.split(/\s+/);
    if (uri === undefined || suite === undefined) return;
    sources.push({
      types: [typeMatch[1]],
      uris: [uri],
      suites: [suite],
      components,
      enabled,
      options,
      origin: `${file}:${index + 1}`,
    });
  });
  return sources;
}

/**
 * Debian release names and aliases. apt has no notion of "the Debian archive", so we recognise it
 * by a suite that names a Debian release: the security, updates and backports suites are partial
 * archives, and third-party repositories use their own suite names.
 */
const DEBIAN_SUITES = new Set([
  "buster",
  "bullseye",
  "bookworm",
  "trixie",
  "forky",
  "duke",
  "sid",
  "oldoldstable",
  "oldstable",
  "stable",
  "testing",
  "unstable",
]);

export interface DebianMirror {
  uri: string;
  /** The entry's Signed-By (a keyring path or an embedded key), carried over to the new suite. */
  signedBy?: string;
  origin: string;
}

/** The first enabled binary source of the Debian archive, in apt's reading order. */
export function findDebianMirror(sources: AptSource[]): DebianMirror | undefined {
  for (const source of sources) {
    if (!source.enabled || !source.types.includes("deb")) continue;
    if (!source.suites.some((suite) => DEBIAN_SUITES.has(suite))) continue;
    if (!source.components.includes("main")) continue;
    const uri = source.uris.find((candidate) => /^https?:\/\//.test(candidate));
    if (uri === undefined) continue;
    const signedBy = source.options.get("signed-by");
    return {
      uri: uri.replace(/\/+$/, ""),
      ...(signedBy !== undefined && { signedBy }),
      origin: source.origin,
    };
  }
  return undefined;
}

/**
 * A deb822 paragraph for SUITE's main component on the same mirror, restricted to the Packages
 * index (no translations, no DEP-11 metadata: we only need to know versions and download files).
 */
export function sourcesForSuite(mirror: DebianMirror, suite: string): string {
  const lines = [
    "Types: deb",
    `URIs: ${mirror.uri}`,
    `Suites: ${suite}`,
    "Components: main",
    "Targets: Packages",
  ];
  if (mirror.signedBy !== undefined) {
    const [first, ...more] = mirror.signedBy.split("\n");
    lines.push(`Signed-By: ${first}`, ...more.map((line) => (line === "" ? " ." : ` ${line}`)));
  }
  return `${lines.join("\n")}\n`;
}
