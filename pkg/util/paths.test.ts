import { describe, expect, it } from "@jest/globals";
import path from "node:path";
import { fileNameSegment, nodeFilePath, PathEscapeError, pathInside } from "./paths.ts";

describe("pathInside", () => {
  it("joins paths that stay inside the root, absolute node paths included", () => {
    expect(pathInside("/out", "/etc/containers/policy.json", path.posix)).toBe(
      "/out/etc/containers/policy.json",
    );
    expect(pathInside("/out/", "machineconfigs/99-worker-generated-registries.yaml", path.posix)).toBe(
      "/out/machineconfigs/99-worker-generated-registries.yaml",
    );
    expect(pathInside("/out", "a/./b/../c", path.posix)).toBe("/out/a/c");
  });

  it.each([
    ["/etc/crio/policies/../../../../tmp/x.json"],
    [".."],
    ["../sibling"],
    ["a/../../b"],
    [""],
    ["/"],
    ["a\0b"],
  ])("refuses %j", (relative) => {
    expect(() => pathInside("/out", relative, path.posix)).toThrow(PathEscapeError);
  });
});

describe("nodeFilePath and fileNameSegment", () => {
  it("puts one file name in a node directory", () => {
    expect(nodeFilePath("/etc/crio/policies", "team-a.json")).toBe("/etc/crio/policies/team-a.json");
  });

  it.each([["../../containers/policy.json"], ["a/b.json"], [".."], ["."], [""], ["a\\b"], ["x\0"]])(
    "refuses %j",
    (name) => {
      expect(() => nodeFilePath("/etc/crio/policies", name)).toThrow(PathEscapeError);
      expect(() => fileNameSegment(name)).toThrow(PathEscapeError);
    },
  );
});
