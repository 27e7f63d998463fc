// Picks the Debian package version to fetch for a pinned *upstream* version. A Debian revision
// (`-2+b4`) is not a stable pin: the archive keeps one revision per suite and a binary rebuild
// replaces it. The upstream version is what the tests depend on, so we pin that and accept
// whichever revision of it the suite serves now.

/** One package stanza of a Packages index (or `apt-cache show` output). */
export interface PackageStanza {
  package: string;
  version: string;
  architecture?: string;
}

/** Parses Packages / `apt-cache show` text: stanzas separated by blank lines. */
export function parsePackageStanzas(text: string): PackageStanza[] {
  const stanzas: PackageStanza[] = [];
  for (const block of text.split(/\r?\n[ \t]*\r?\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined)
        fields.set(match[1].toLowerCase(), match[2].trim());
    }
    const name = fields.get("package");
    const version = fields.get("version");
    if (name === undefined || version === undefined) continue;
    const architecture = fields.get("architecture");
    stanzas.push({ package: name, version, ...(architecture !== undefined && { architecture }) });
  }
  return stanzas;
}

/**
 * The upstream part of a Debian version: without the epoch (`1:`), the Debian revision (after the
 * last `-`) and a repack marker (`+ds1`, `+dfsg2`, `~ds`), which says the source tarball was
 * trimmed, not that the program differs.
 */
export function upstreamVersion(debianVersion: string): string {
  let version = debianVersion.replace(/^\d+:/, "");
  const dash = version.lastIndexOf("-");
  if (dash > 0) version = version.slice(0, dash);
  return version.replace(/[+~](ds|dfsg)\d*$/, "");
}

/** dpkg's ordering of versions (deb-version(7)): epoch, then upstream, then revision. */
export function compareDebianVersions(a: string, b: string): number {
  const split = (version: string) => {
    const colon = version.indexOf(":");
    const epoch = colon > 0 ? Number(version.slice(0, colon)) : 0;
    const rest = colon > 0 ? version.slice(colon + 1) : version;
    const dash = rest.lastIndexOf("-");
    return dash > 0
      ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
      : { epoch, upstream: rest, revision: "" };
  };
  const left = split(a);
  const right = split(b);
  if (left.epoch !== right.epoch) return left.epoch - right.epoch;
  return comparePart(left.upstream, right.upstream) || comparePart(left.revision, right.revision);
}

/** `~` sorts before everything (even the end), letters before other characters. */
function characterOrder(character: string | undefined): number {
  if (character === undefined) return 0;
  if (character === "~") return -1;
  if (/[A-Za-z]/.test(character)) return character.charCodeAt(0);
  return character.charCodeAt(0) + 256;
}

function comparePart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefixes, compared character by character.
    while ((i < a.length && !/\d/.test(a[i] ?? "")) || (j < b.length && !/\d/.test(b[j] ?? ""))) {
      const left = i < a.length && !/\d/.test(a[i] ?? "") ? a[i] : undefined;
      const right = j < b.length && !/\d/.test(b[j] ?? "") ? b[j] : undefined;
      const difference = characterOrder(left) - characterOrder(right);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    // Digit runs, compared as numbers.
    let leftDigits = "";
    while (i < a.length && /\d/.test(a[i] ?? "")) leftDigits += a[i++];
    let rightDigits = "";
    while (j < b.length && /\d/.test(b[j] ?? "")) rightDigits += b[j++];
    const difference = Number(leftDigits || "0") - Number(rightDigits || "0");
    if (difference !== 0) return difference;
  }
  return 0;
}

export type PinResolution = { ok: true; version: string } | { ok: false; message: string };

/**
 * The newest version of PACKAGE whose upstream version is PIN, among the stanzas of one suite.
 * `where` names the suite in the message (e.g. "Debian trixie").
 */
export function resolveUpstreamPin(
  stanzas: PackageStanza[],
  packageName: string,
  pin: string,
  where: string,
): PinResolution {
  const served = stanzas
    .filter((stanza) => stanza.package === packageName)
    .map((stanza) => stanza.version)
    .sort(compareDebianVersions)
    .reverse();
  if (served.length === 0) {
    return {
      ok: false,
      message: `${packageName}: pinned upstream ${pin}, but ${where} serves no ${packageName} package`,
    };
  }
  const matching = served.find((version) => upstreamVersion(version) === pin);
  if (matching === undefined) {
    const list = [...new Set(served)].join(", ");
    return {
      ok: false,
      message: `${packageName}: pinned upstream ${pin}, but ${where} now serves ${list}; update the pin in hack/pins.sh (and check the tests with it)`,
    };
  }
  return { ok: true, version: matching };
}
