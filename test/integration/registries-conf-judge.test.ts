// containers/image as the judge of registries.conf: `policy-judge parse-registries` loads a file (and
// a registries.conf.d) through sysregistriesv2, as a node does, and reports containers/image's own
// message. Needs only the judge (IPC_SKIP_CONTROLPLANE=1 is enough).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPolicyJudge, judgeRegistriesConf } from "../harness/tools.ts";

let judge = "";
let work = "";

function write(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  judge = buildPolicyJudge(); // the first build compiles containers/image: minutes; then cached
  work = mkdtempSync(join(tmpdir(), "registries-conf-judge-"));
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const VALID = `unqualified-search-registries = ["registry.example.com"]
short-name-mode = "enforcing"

[[registry]]
prefix = "quay.io/team"
location = "quay.io/team"

[[registry.mirror]]
location = "mirror.example.com/team"
pull-from-mirror = "digest-only"

[[registry]]
prefix = "*.example.org"
location = "blocked.example.org"
blocked = true
`;

describe("registries.conf judged by containers/image (sysregistriesv2)", () => {
  it("accepts a valid registries.conf and refuses broken ones with containers/image's message", () => {
    const valid = write("valid.conf", VALID);
    const toml = write("toml.conf", '[[registry]\nlocation = "quay.io/team"\n');
    const bogus = write(
      "bogus.conf",
      '[[registry]]\nlocation = "quay.io/team"\n\n[[registry.mirror]]\nlocation = "mirror.example.com/team"\npull-from-mirror = "bogus"\n',
    );
    const scheme = write("scheme.conf", '[[registry]]\nlocation = "https://quay.io/team"\n');
    const wildcard = write(
      "wildcard.conf",
      '[[registry]]\nprefix = "*.example.com/team"\nlocation = "a.example.com"\n',
    );
    const missing = join(work, "missing.conf");
    expect(judgeRegistriesConf([valid, toml, bogus, scheme, wildcard, missing], { judge })).toEqual([
      { file: valid, ok: true },
      {
        file: toml,
        ok: false,
        error: `loading registries configuration "${toml}": toml: line 2: expected end of table array name delimiter ']', but got '\\n' instead`,
      },
      {
        file: bogus,
        ok: false,
        error: `loading registries configuration "${bogus}": unsupported pull-from-mirror value "bogus" for mirror "mirror.example.com/team"`,
      },
      {
        file: scheme,
        ok: false,
        error: `loading registries configuration "${scheme}": invalid location 'https://quay.io/team': URI schemes are not supported`,
      },
      {
        file: wildcard,
        ok: false,
        error: `loading registries configuration "${wildcard}": Wildcarded prefix should be in the format: *.example.com. Current prefix "*.example.com/team" is incorrectly formatted`,
      },
      // sysregistriesv2 alone would read a missing file as an empty one; the judge says so instead.
      { file: missing, ok: false, error: `stat ${missing}: no such file or directory` },
    ]);
  });

  it("accepts what containers/image's parser does not check: a mirror location with a tag", () => {
    // sysregistriesv2 checks a location's scheme and trailing slash, not a tag: loading accepts it (the
    // judge, not our belief, says what a node accepts).
    const tagged = write(
      "tagged.conf",
      '[[registry]]\nlocation = "quay.io/team"\n\n[[registry.mirror]]\nlocation = "mirror.example.com/team:v1"\n',
    );
    expect(judgeRegistriesConf([tagged], { judge })).toEqual([{ file: tagged, ok: true }]);
  });

  it("loads the registries.conf.d drop-ins when given, and reports the broken drop-in", () => {
    const valid = write("with-dropins.conf", VALID);
    const dropins = join(work, "registries.conf.d");
    mkdirSync(dropins);
    writeFileSync(join(dropins, "01-search.conf"), 'unqualified-search-registries = ["quay.io"]\n');
    expect(judgeRegistriesConf([valid], { judge, dropinDir: dropins })).toEqual([{ file: valid, ok: true }]);
    const broken = join(dropins, "50-broken.conf");
    writeFileSync(broken, '[[registry]]\nlocation = "quay.io/other"\nmirror-by-digest-only = "yes"\n');
    const [verdict] = judgeRegistriesConf([valid], { judge, dropinDir: dropins });
    expect(verdict).toMatchObject({ ok: false });
    expect(verdict?.ok === false && verdict.error).toMatch(
      new RegExp(`^loading registries configuration "${broken}": toml: .*mirror-by-digest-only`),
    );
    // Without the drop-in directory, the same file is fine.
    expect(judgeRegistriesConf([valid], { judge })).toEqual([{ file: valid, ok: true }]);
  });
});
