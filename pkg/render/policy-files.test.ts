import { describe, expect, it } from "@jest/globals";
import type { PolicyRequirement } from "../containers/policy.ts";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import {
  clusterPolicy,
  namespaceEntriesProblems,
  namespacePolicyJson,
  type ScopeRequirements,
} from "./policy-files.ts";
import { UPSTREAM_BASE_POLICY } from "./snapshot.ts";

const signed: PolicyRequirement = {
  type: "sigstoreSigned",
  keyData: Buffer.from("-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n").toString("base64"),
  signedIdentity: { type: "matchRepoDigestOrExact" },
};
// containers/image refuses a sigstoreSigned requirement with no key, certificate authority or PKI.
const keyless: PolicyRequirement = {
  type: "sigstoreSigned",
  signedIdentity: { type: "matchRepoDigestOrExact" },
};

const cluster = clusterPolicy(
  UPSTREAM_BASE_POLICY,
  { warnings: [] },
  new Map([["quay.io/cluster", [signed]]]),
);
const scopes = (entries: [string, PolicyRequirement[]][]): ScopeRequirements => new Map(entries);

/** What containers/image's parser says of the whole namespace file. */
const wholeFileProblem = (namespaceScopes: ScopeRequirements): string | undefined => {
  const parsed = parsePolicyJson(namespacePolicyJson(cluster.policy, namespaceScopes));
  return parsed.ok ? undefined : parsed.message;
};

describe("namespaceEntriesProblems", () => {
  it.each<[string, ScopeRequirements]>([
    ["accepted entries", scopes([["quay.io/team/app", [signed]]])],
    ["a scope the cluster policy also has", scopes([["quay.io/cluster", [signed]]])],
    [
      "a refused requirement",
      scopes([
        ["quay.io/team/app", [signed]],
        ["quay.io/team/db", [keyless]],
      ]),
    ],
    ["an empty requirement list", scopes([["quay.io/team/app", []]])],
    // atomic refuses a tag right after the namespace: the scope is then only written under docker.
    ["a scope atomic refuses", scopes([["quay.io/app:v1", [signed]]])],
  ])("says what the parser says of the whole file: %s", (_, namespaceScopes) => {
    expect(namespaceEntriesProblems(new Map([["team", namespaceScopes]])).get("team")).toBe(
      wholeFileProblem(namespaceScopes),
    );
  });

  it("refuses a keyless requirement with containers/image's message", () => {
    const problems = namespaceEntriesProblems(
      new Map([
        ["team-a", scopes([["quay.io/team/db", [keyless]]])],
        // The same list text in another namespace: remembered, and reported there too.
        ["team-b", scopes([["quay.io/other/db", [{ ...keyless }]]])],
        ["team-c", scopes([["quay.io/other/app", [signed]]])],
      ]),
    );
    expect(problems.get("team-a")).toMatch(/sigstoreSigned|key/);
    expect(problems.get("team-b")).toBe(problems.get("team-a"));
    expect(problems.has("team-c")).toBe(false);
  });
});
