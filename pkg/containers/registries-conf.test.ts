import { describe, expect, it } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDockerReference, referenceString, type DockerReference } from "./reference.ts";
import { encodeRegistriesConf, tomlQuoted } from "./registries-conf-encode.ts";
import {
  decodeRegistriesConf,
  findRegistry,
  loadRegistriesConf,
  pullSourcesFromReference,
  RegistriesConfError,
} from "./registries-conf.ts";

const corpus = join(import.meta.dirname, "../../test/fixtures/mco-corpus/cases");

/** Every registries.conf (and search drop-in) MCO wrote for the corpus. */
function corpusFiles(): [string, string][] {
  const files: [string, string][] = [];
  for (const name of readdirSync(corpus).sort()) {
    for (const rel of [
      "expect/etc/containers/registries.conf",
      "expect/etc/containers/registries.conf.d/01-image-searchRegistries.conf",
    ]) {
      try {
        files.push([`${name}/${rel}`, readFileSync(join(corpus, name, rel), "utf8")]);
      } catch {
        // not written for this case
      }
    }
  }
  return files;
}

function ref(s: string): DockerReference {
  const parsed = parseDockerReference(s);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
}

describe("registries.conf encoding (MCO's BurntSushi/toml bytes)", () => {
  const files = corpusFiles();

  it("finds the corpus's files", () => {
    expect(files.length).toBeGreaterThan(80);
  });

  it.each(files)(
    "decodes and re-encodes %s byte for byte, and containers/image's checks accept it",
    (_, text) => {
      const conf = decodeRegistriesConf(text);
      expect(encodeRegistriesConf(conf)).toBe(text);
      expect(() => loadRegistriesConf(text)).not.toThrow();
    },
  );

  it("writes the template's single-quoted list in double quotes, and empty strings out", () => {
    const conf = decodeRegistriesConf(
      "unqualified-search-registries = ['registry.access.redhat.com', 'docker.io']\n",
    );
    expect(encodeRegistriesConf(conf)).toBe(
      'unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]\nshort-name-mode = ""\nadditional-layer-store-auth-helper = ""\n',
    );
  });

  it("keeps an empty list apart from an absent one, as Go's nil and empty slices", () => {
    expect(encodeRegistriesConf(decodeRegistriesConf("unqualified-search-registries = []\n"))).toMatch(
      /^unqualified-search-registries = \[\]\n/,
    );
    expect(encodeRegistriesConf(decodeRegistriesConf(""))).toBe(
      'short-name-mode = ""\nadditional-layer-store-auth-helper = ""\n',
    );
  });

  it("escapes strings with the encoder's own table", () => {
    expect(tomlQuoted('a"b\\c\td\u0001\u007fé')).toBe('"a\\"b\\\\c\\td\\u0001\\u007fé"');
  });
});

describe("registries.conf loading (sysregistriesv2)", () => {
  it("refuses what containers/image refuses, with its message", () => {
    const refuses = (text: string, message: RegExp | string): void => {
      expect(() => loadRegistriesConf(text)).toThrow(RegistriesConfError);
      expect(() => loadRegistriesConf(text)).toThrow(message);
    };
    refuses('[[registry]]\nlocation = "https://x.example.com"\n', "URI schemes are not supported");
    refuses('[[registry]]\nprefix = "x.example.com"\n', "location is unset and prefix is not in the format");
    refuses("[[registry]]\ninsecure = true\n", "both location and prefix are unset");
    refuses(
      '[[registry]]\nlocation = "a.example.com"\n[[registry.mirror]]\nlocation = "m.example.com"\npull-from-mirror = "bogus"\n',
      'unsupported pull-from-mirror value "bogus"',
    );
    refuses(
      '[[registry]]\nlocation = "a.example.com"\nblocked = true\n[[registry]]\nlocation = "a.example.com"\n',
      "conflicting 'blocked' setting",
    );
    refuses('[registries.search]\nregistries = ["a"]\n', "v2 format but is in v1");
    refuses('[[registry]]\nprefix = "*.example.com/x"\n', "Wildcarded prefix should be in the format");
    refuses('short-name-mode = "sometimes"\n', "invalid short-name mode");
    refuses("a = [", /^line 1, column 5: /);
    refuses("[[registry]]\nlocation = 5\n", "registry[0].location: incompatible types");
  });

  it("keeps the first entry of a prefix and sorts by prefix", () => {
    const conf = loadRegistriesConf(
      '[[registry]]\nlocation = "b.example.com"\n[[registry]]\nlocation = "a.example.com"\ninsecure = true\n[[registry]]\nlocation = "a.example.com"\ninsecure = true\nblocked = false\nprefix = "a.example.com"\n',
    );
    expect(conf.registries.map((r) => r.prefix)).toEqual(["a.example.com", "b.example.com"]);
  });

  it("finds the longest prefix and rewrites a reference onto each usable mirror, then the registry", () => {
    const conf = loadRegistriesConf(`
[[registry]]
location = "quay.io/team"
[[registry.mirror]]
location = "digest.example.com/team"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tag.example.com/team"
pull-from-mirror = "tag-only"
[[registry]]
location = "quay.io"
[[registry]]
prefix = "*.example.org"
[[registry.mirror]]
location = "wild.example.net/x"
`);
    const sources = (s: string): string[] => {
      const reg = findRegistry(conf, referenceString(ref(s)).replace(/[:@].*$/, ""));
      if (!reg) return [];
      return pullSourcesFromReference(reg, ref(s)).map((p) => referenceString(p.reference));
    };
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(sources(`quay.io/team/app@${digest}`)).toEqual([
      `digest.example.com/team/app@${digest}`,
      `quay.io/team/app@${digest}`,
    ]);
    expect(sources("quay.io/team/app:v1")).toEqual(["tag.example.com/team/app:v1", "quay.io/team/app:v1"]);
    expect(sources("quay.io/other/app:v1")).toEqual(["quay.io/other/app:v1"]);
    // A wildcard entry rewrites onto its mirrors and leaves the reference as is for itself.
    expect(sources("a.example.org/ns/app:v1")).toEqual([
      "wild.example.net/x/ns/app:v1",
      "a.example.org/ns/app:v1",
    ]);
    // The rewritten reference must be canonical: docker.io names need library/.
    const hub = loadRegistriesConf(
      '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "m.example.com"\n',
    );
    const reg = findRegistry(hub, "docker.io/library/busybox");
    expect(reg).toBeDefined();
    if (reg) {
      expect(
        pullSourcesFromReference(reg, ref("busybox:1")).map((p) => referenceString(p.reference)),
      ).toEqual(["m.example.com/library/busybox:1", "docker.io/library/busybox:1"]);
    }
  });
});
