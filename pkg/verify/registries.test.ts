import { describe, expect, it } from "@jest/globals";
import { parseDockerReference, referenceString, type DockerReference } from "../containers/reference.ts";
import { RegistriesConfError, parseRegistriesConf, pullSources } from "./registries-conf.ts";
import {
  RegistriesDError,
  lookasideBase,
  parseRegistriesDFiles,
  useSigstoreAttachments,
} from "./registries-d.ts";

function ref(s: string): DockerReference {
  const parsed = parseDockerReference(s);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
}

const digest = `sha256:${"ab".repeat(32)}`;

describe("registries.d", () => {
  const config = parseRegistriesDFiles({
    "a.yaml": [
      "default-docker:",
      "  lookaside: https://sigs.example.com/default",
      "docker:",
      "  quay.io:",
      "    use-sigstore-attachments: true",
      "    lookaside: https://sigs.example.com/quay",
      "  quay.io/team/app:",
      "    use-sigstore-attachments: false",
      "  quay.io/other:",
      "    lookaside: https://sigs.example.com/other",
      "    use-sigstore-attachment: true",
    ].join("\n"),
  });

  it("resolves each field from the most specific scope that sets it, then default-docker", () => {
    expect(useSigstoreAttachments(config, ref("quay.io/team/app:v1"))).toEqual({
      value: false,
      from: "quay.io/team/app",
    });
    expect(useSigstoreAttachments(config, ref("quay.io/team/lib:v1"))).toEqual({
      value: true,
      from: "quay.io",
    });
    expect(useSigstoreAttachments(config, ref("docker.io/library/busybox:1"))).toEqual({
      value: false,
      from: undefined,
    });
    expect(lookasideBase(config, ref("quay.io/team/app:v1"), "file:///x").value).toBe(
      "https://sigs.example.com/quay",
    );
    expect(lookasideBase(config, ref("quay.io/other/app:v1"), "file:///x").value).toBe(
      "https://sigs.example.com/other",
    );
    expect(lookasideBase(config, ref("ghcr.io/a/b:c"), "file:///x")).toEqual({
      value: "https://sigs.example.com/default",
      from: "default-docker",
    });
    expect(lookasideBase(parseRegistriesDFiles({}), ref("ghcr.io/a/b:c"), "file:///builtin")).toEqual({
      value: "file:///builtin",
      from: undefined,
    });
  });

  it("ignores unknown keys like a node, but warns about them", () => {
    expect(config.warnings).toEqual([expect.stringContaining('unknown key "use-sigstore-attachment"')]);
    expect(useSigstoreAttachments(config, ref("quay.io/other/app:v1")).value).toBe(true); // from quay.io
  });

  it("refuses what yaml.v3 cannot decode, and reads empty files and sections as nothing", () => {
    expect(() => parseRegistriesDFiles({ "a.yaml": "docker: 5\n" })).toThrow(/docker must be a mapping/);
    expect(() => parseRegistriesDFiles({ "a.yaml": "- a\n" })).toThrow(/the document must be a mapping/);
    expect(() =>
      parseRegistriesDFiles({ "a.yaml": "docker:\n  quay.io:\n    use-sigstore-attachments: maybe\n" }),
    ).toThrow(RegistriesDError);
    const empty = parseRegistriesDFiles({ "a.yaml": "", "b.yaml": "docker:\n  quay.io:\n" });
    expect(useSigstoreAttachments(empty, ref("quay.io/a:b")).value).toBe(false);
  });

  it("refuses a namespace defined in two files", () => {
    expect(() =>
      parseRegistriesDFiles({ "a.yaml": "docker:\n  quay.io: {}\n", "b.yaml": "docker:\n  quay.io: {}\n" }),
    ).toThrow(RegistriesDError);
    expect(() =>
      parseRegistriesDFiles({ "a.yaml": "default-docker: {}\n", "b.yaml": "default-docker: {}\n" }),
    ).toThrow(/"default-docker" defined both in "a.yaml" and "b.yaml"/);
  });
});

describe("registries.conf", () => {
  const conf = parseRegistriesConf(`
# mirrors
unqualified-search-registries = ["quay.io"]

[[registry]]
prefix = "quay.io/team"
location = "quay.io/team"

[[registry.mirror]]
location = "mirror-a.local/team"     # first
[[registry.mirror]]
location = "mirror-b.local/quay/team"
pull-from-mirror = "digest-only"
insecure = true

[[registry]]
location = "blocked.example.com"
blocked = true
`);

  const sources = (s: string): string[] => pullSources(conf, ref(s)).map((p) => referenceString(p.reference));

  it("tries the mirrors that apply, in order, then the registry", () => {
    expect(sources(`quay.io/team/app@${digest}`)).toEqual([
      `mirror-a.local/team/app@${digest}`,
      `mirror-b.local/quay/team/app@${digest}`,
      `quay.io/team/app@${digest}`,
    ]);
    expect(sources("quay.io/team/app:v1")).toEqual(["mirror-a.local/team/app:v1", "quay.io/team/app:v1"]);
    expect(sources("quay.io/teamx/app:v1")).toEqual(["quay.io/teamx/app:v1"]);
    expect(pullSources(conf, ref(`quay.io/team/app@${digest}`)).map((p) => [p.mirror, p.insecure])).toEqual([
      [true, false],
      [true, true],
      [false, false],
    ]);
  });

  it("refuses blocked registries and invalid files", () => {
    expect(() => pullSources(conf, ref("blocked.example.com/a:b"))).toThrow(/blocked/);
    expect(() => parseRegistriesConf('[[registry]]\nlocation = "https://x.example.com"\n')).toThrow(
      RegistriesConfError,
    );
    expect(() =>
      parseRegistriesConf(
        '[[registry]]\nlocation = "a.example.com"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.example.com"\npull-from-mirror = "all"\n',
      ),
    ).toThrow(/at the same time/);
    expect(() =>
      parseRegistriesConf('[registries.search]\nregistries = ["a"]\n[[registry]]\nx = {a = 1}\n'),
    ).toThrow(RegistriesConfError);
  });
});
