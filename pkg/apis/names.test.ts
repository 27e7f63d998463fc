import { describe, expect, it } from "@jest/globals";
import { dns1123LabelErrors, dns1123SubdomainErrors, nameProblem } from "./names.ts";

// The API server's words (k8s.io/apimachinery/pkg/util/validation), checked against a real
// kube-apiserver by the validation corpus for metadata.name.
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("DNS-1123 names", () => {
  it.each([["team-a"], ["a"], ["0abc"], ["a".repeat(63)]])("label %j is valid", (name) => {
    expect(dns1123LabelErrors(name)).toEqual([]);
  });

  it.each([["../../containers/policy"], ["a/b"], [".."], ["Team-A"], [""], ["a.b"], ["-a"], ["a-"]])(
    "label %j is refused",
    (name) => expect(dns1123LabelErrors(name)).toEqual([LABEL]),
  );

  it("says a long label is too long, and why else it is refused", () => {
    expect(dns1123LabelErrors("a".repeat(64))).toEqual(["must be no more than 63 characters"]);
    expect(dns1123LabelErrors("A".repeat(300))).toEqual(["must be no more than 63 characters", LABEL]);
  });

  it("accepts subdomains with dots and refuses paths", () => {
    expect(dns1123SubdomainErrors("worker.infra")).toEqual([]);
    expect(dns1123SubdomainErrors("../evil")).toHaveLength(1);
    expect(dns1123SubdomainErrors("a".repeat(254))).toEqual(["must be no more than 253 characters"]);
  });

  it("words a bad name as the API server does", () => {
    expect(nameProblem("metadata.namespace", "a/b", dns1123LabelErrors("a/b"))).toBe(
      `metadata.namespace: Invalid value: "a/b": ${LABEL}`,
    );
    expect(nameProblem("metadata.namespace", "ok", [])).toBeUndefined();
  });
});
