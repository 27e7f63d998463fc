import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import { loadRegistriesConf } from "../containers/registries-conf.ts";
import { parseRegistriesDYaml } from "../containers/registries-d.ts";
import { render } from "./render.ts";
import { snapshotArbitrary } from "./testing/arbitraries.ts";

/** A random permutation of ITEMS (every order is possible, not just the reverse). */
const permutation = <T>(items: T[]): fc.Arbitrary<T[]> =>
  fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

describe("render (properties over random valid clusters)", () => {
  it("emits only files the strict containers/image parser accepts", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const rendered = render(snapshot);
        expect(rendered.errors).toEqual([]);
        for (const file of rendered.files.get("worker") ?? []) {
          if (file.path.includes("/registries.conf")) {
            loadRegistriesConf(file.contents); // throws what containers/image would refuse
            continue;
          }
          const result = file.path.endsWith(".json")
            ? parsePolicyJson(file.contents)
            : parseRegistriesDYaml(file.contents);
          if (!result.ok) throw new Error(`${file.path}: ${result.message}\n${file.contents}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("gives the same bytes for the same cluster, whatever the input order", () => {
    fc.assert(
      fc.property(
        snapshotArbitrary.chain((snapshot) =>
          fc.record({
            snapshot: fc.constant(snapshot),
            clusterImagePolicies: permutation(snapshot.clusterImagePolicies),
            imagePolicies: permutation(snapshot.imagePolicies),
            simpleSigningPolicies: permutation(snapshot.simpleSigningPolicies),
          }),
        ),
        ({ snapshot, ...reordered }) => {
          const one = render(snapshot);
          const two = render({ ...snapshot, ...reordered });
          expect(JSON.stringify(two.machineConfigs)).toBe(JSON.stringify(one.machineConfigs));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("loses no scope: every applied scope is enforced where it belongs, and every policy has one outcome", () => {
    fc.assert(
      fc.property(snapshotArbitrary, (snapshot) => {
        const rendered = render(snapshot);
        const files = new Map((rendered.files.get("worker") ?? []).map((f) => [f.path, f.contents]));
        const dockerScopes = (path: string): Set<string> => {
          const parsed = parsePolicyJson(files.get(path) ?? "");
          return new Set(parsed.ok ? Object.keys(parsed.policy.transports.docker ?? {}) : []);
        };
        const policies = [
          ...snapshot.clusterImagePolicies,
          ...snapshot.simpleSigningPolicies,
          ...snapshot.imagePolicies,
        ];
        expect(rendered.outcomes).toHaveLength(policies.length);
        const registriesD = files.get("/etc/containers/registries.d/sigstore-registries.yaml") ?? "";
        for (const outcome of rendered.outcomes) {
          if (outcome.kind === "ImagePolicy") {
            const namespaceScopes = dockerScopes(`/etc/crio/policies/${outcome.namespace ?? ""}.json`);
            for (const scope of outcome.appliedScopes) expect(namespaceScopes.has(scope)).toBe(true);
          } else {
            const cluster = dockerScopes("/etc/containers/policy.json");
            for (const scope of outcome.appliedScopes) expect(cluster.has(scope)).toBe(true);
            for (const [path] of files) {
              if (!path.startsWith("/etc/crio/policies/")) continue;
              const namespaced = dockerScopes(path);
              for (const scope of outcome.appliedScopes) expect(namespaced.has(scope)).toBe(true);
            }
          }
          if (outcome.kind !== "ClusterSimpleSigningPolicy") {
            for (const scope of outcome.appliedScopes) expect(registriesD).toContain(scope);
          }
          // A scope is applied or conflicting, never silently dropped.
          const object = policies.find(
            (p) => p.metadata.name === outcome.name && p.metadata.namespace === outcome.namespace,
          );
          if (outcome.state === "Applied" || outcome.state === "ConflictScopes") {
            expect([...outcome.appliedScopes, ...(outcome.conflictingScopes ?? [])].sort()).toEqual(
              [...(object?.spec.scopes ?? [])].sort(),
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
