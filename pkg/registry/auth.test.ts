import { describe, expect, it } from "@jest/globals";
import { parseTokenResponse, parseWwwAuthenticate, repositoryScope } from "./auth.ts";
import { RegistryError } from "./errors.ts";

describe("parseWwwAuthenticate", () => {
  it("parses Docker Hub's Bearer challenge", () => {
    expect(
      parseWwwAuthenticate([
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      ]),
    ).toEqual([
      {
        scheme: "bearer",
        parameters: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/busybox:pull",
        },
      },
    ]);
  });

  it("parses distribution's insufficient-scope challenge with a multi-action scope", () => {
    const [challenge] = parseWwwAuthenticate([
      'Bearer realm="http://127.0.0.1:1/token",service="reg",scope="repository:a/b:pull,push",error="insufficient_scope"',
    ]);
    expect(challenge?.parameters).toEqual({
      realm: "http://127.0.0.1:1/token",
      service: "reg",
      scope: "repository:a/b:pull,push",
      error: "insufficient_scope",
    });
  });

  it("parses Basic, several challenges in one value, several values, spaces and case", () => {
    expect(
      parseWwwAuthenticate([
        'BASIC Realm="Registry Realm"',
        'Negotiate, Bearer realm = "https://t/x" , Service=svc',
      ]),
    ).toEqual([
      { scheme: "basic", parameters: { realm: "Registry Realm" } },
      { scheme: "negotiate", parameters: {} },
      { scheme: "bearer", parameters: { realm: "https://t/x", service: "svc" } },
    ]);
  });

  it("unescapes quoted-pairs and keeps commas inside quotes", () => {
    expect(parseWwwAuthenticate(['Bearer realm="https://a/b?x=1,2",scope="say \\"hi\\""'])).toEqual([
      { scheme: "bearer", parameters: { realm: "https://a/b?x=1,2", scope: 'say "hi"' } },
    ]);
  });

  it("survives garbage without throwing", () => {
    const challenges = parseWwwAuthenticate([
      "",
      "=x",
      '"unterminated',
      "Bearer realm=",
      'Basic realm="open',
    ]);
    expect(challenges).toContainEqual({ scheme: "bearer", parameters: { realm: "" } });
    expect(challenges).toContainEqual({ scheme: "basic", parameters: { realm: "open" } });
  });
});

describe("parseTokenResponse", () => {
  const realm = new URL("https://auth.example/token");
  const parse = (body: unknown, now = 1_000_000) =>
    parseTokenResponse(new TextEncoder().encode(JSON.stringify(body)), now, "r.example", realm);

  it("takes token, or access_token (OAuth2), with expires_in and issued_at", () => {
    expect(parse({ token: "t", expires_in: 300, issued_at: "2026-01-01T00:00:00Z" })).toEqual({
      token: "t",
      expiresAt: Date.parse("2026-01-01T00:00:00Z") + 300_000,
    });
    expect(parse({ access_token: "o", expires_in: 120 }, 5000)).toEqual({ token: "o", expiresAt: 125_000 });
  });

  it("gives a token at least 60 s, like containers/image", () => {
    expect(parse({ token: "t" }, 0).expiresAt).toBe(60_000);
    expect(parse({ token: "t", expires_in: 5 }, 0).expiresAt).toBe(60_000);
  });

  it("refuses a response without a token, or not JSON", () => {
    expect(() => parse({ expires_in: 5 })).toThrow(RegistryError);
    expect(() => parse({ token: "" })).toThrow(/sent no token/);
    expect(() => parseTokenResponse(new TextEncoder().encode("<html>"), 0, "r", realm)).toThrow(
      /invalid JSON/,
    );
  });
});

describe("repositoryScope", () => {
  it("formats a distribution resource scope", () => {
    expect(repositoryScope("a/b")).toBe("repository:a/b:pull");
    expect(repositoryScope("a/b", "pull,push")).toBe("repository:a/b:pull,push");
  });
});
