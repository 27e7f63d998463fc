import { describe, expect, it } from "@jest/globals";
import { findDebianMirror, parseDeb822Sources, parseOneLineSources, sourcesForSuite } from "./apt-sources.ts";

// A machine like ours: Debian and its security archive, then two third-party sources, one disabled.
const deb822 = `Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

const thirdParty = `Types: deb
URIs: https://vendor.example/node_20.x
Suites: nodistro
Components: main
Architectures: amd64
Signed-By: /usr/share/keyrings/vendor.gpg
`;

describe("parseDeb822Sources", () => {
  it("reads every paragraph, skipping comments, with case-insensitive field names", () => {
    const sources = parseDeb822Sources(deb822.replace("Suites:", "suites:"), "debian.sources");
    expect(sources.map((source) => [source.uris, source.suites, source.enabled, source.origin])).toEqual([
      [["http://mirror.example/debian"], ["bookworm", "bookworm-updates"], true, "debian.sources:1"],
      [["http://mirror.example/debian-security"], ["bookworm-security"], true, "debian.sources:8"],
    ]);
    expect(sources[0]?.options.get("signed-by")).toBe("/usr/share/keyrings/debian-archive-keyring.gpg");
  });

  it("honours Enabled: no", () => {
    const [source] = parseDeb822Sources(`Enabled: no\n${deb822}`, "debian.sources");
    expect(source?.enabled).toBe(false);
  });

  it("keeps a multi-line embedded Signed-By key, and writes it back in deb822", () => {
    const text = `Types: deb\nURIs: https://mirror.example/debian\nSuites: stable\nComponents: main contrib\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n -----END PGP PUBLIC KEY BLOCK-----\n`;
    const mirror = findDebianMirror(parseDeb822Sources(text, "x.sources"));
    expect(mirror?.signedBy).toBe(
      "\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----",
    );
    expect(sourcesForSuite(mirror!, "trixie")).toBe(
      "Types: deb\nURIs: https://mirror.example/debian\nSuites: trixie\nComponents: main\nTargets: Packages\n" +
        "Signed-By: \n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n -----END PGP PUBLIC KEY BLOCK-----\n",
    );
  });
});

describe("parseOneLineSources", () => {
  const list = [
    "# deb http://disabled.example/debian bookworm main",
    "deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian/ bookworm main contrib non-free-firmware",
    "deb-src http://mirror.example/debian bookworm main",
    "deb http://security.example/debian-security bookworm-security main # security",
    "",
    "not a source line",
  ].join("\n");

  it("reads options, disabled entries and comments", () => {
    const sources = parseOneLineSources(list, "sources.list");
    expect(
      sources.map((source) => [
        source.types[0],
        source.uris[0],
        source.suites[0],
        source.enabled,
        source.origin,
      ]),
    ).toEqual([
      ["deb", "http://disabled.example/debian", "bookworm", false, "sources.list:1"],
      ["deb", "http://mirror.example/debian/", "bookworm", true, "sources.list:2"],
      ["deb-src", "http://mirror.example/debian", "bookworm", true, "sources.list:3"],
      ["deb", "http://security.example/debian-security", "bookworm-security", true, "sources.list:4"],
    ]);
    expect(sources[1]?.components).toEqual(["main", "contrib", "non-free-firmware"]);
    expect(Object.fromEntries(sources[1]?.options ?? [])).toEqual({
      architectures: "amd64,arm64",
      "signed-by": "/usr/share/keyrings/debian-archive-keyring.gpg",
    });
  });

  it("gives the first enabled Debian binary source, with its keyring", () => {
    expect(findDebianMirror(parseOneLineSources(list, "sources.list"))).toEqual({
      uri: "http://mirror.example/debian",
      signedBy: "/usr/share/keyrings/debian-archive-keyring.gpg",
      origin: "sources.list:2",
    });
  });
});

describe("findDebianMirror", () => {
  it("takes the Debian archive in apt's reading order, past third-party sources", () => {
    const sources = [
      ...parseDeb822Sources(thirdParty, "a-vendor.sources"),
      ...parseDeb822Sources(deb822, "debian.sources"),
    ];
    expect(findDebianMirror(sources)?.uri).toBe("http://mirror.example/debian");
    expect(sourcesForSuite(findDebianMirror(sources)!, "trixie")).toBe(
      "Types: deb\nURIs: http://mirror.example/debian\nSuites: trixie\nComponents: main\nTargets: Packages\n" +
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
    );
  });

  it("finds none where only security, third-party, disabled or non-Debian sources are configured", () => {
    const security = parseDeb822Sources(deb822, "debian.sources").slice(1);
    const disabled = parseOneLineSources("# deb http://mirror.example/debian bookworm main", "sources.list");
    const ubuntu = parseOneLineSources(
      "deb http://archive.example/ubuntu noble main restricted",
      "sources.list",
    );
    const sourceOnly = parseOneLineSources(
      "deb-src http://mirror.example/debian bookworm main",
      "sources.list",
    );
    const cdrom = parseOneLineSources("deb cdrom:[Debian 12]/ bookworm main", "sources.list");
    for (const sources of [
      security,
      parseDeb822Sources(thirdParty, "v.sources"),
      disabled,
      ubuntu,
      sourceOnly,
      cdrom,
    ]) {
      expect(findDebianMirror(sources)).toBeUndefined();
    }
  });
});
