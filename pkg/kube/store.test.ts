import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "../apis/meta.ts";
import { diffRelist, objectKey, ObjectStore, splitObjectKey } from "./store.ts";

function obj(name: string, resourceVersion: string, namespace?: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, resourceVersion } };
}

describe("object keys", () => {
  it("are namespace/name, or name for cluster-scoped objects, and split back", () => {
    expect(objectKey(obj("a", "1", "ns"))).toBe("ns/a");
    expect(objectKey(obj("a", "1"))).toBe("a");
    expect(splitObjectKey("ns/a")).toEqual({ namespace: "ns", name: "a" });
    expect(splitObjectKey("a")).toEqual({ name: "a" });
  });
});

describe("ObjectStore", () => {
  it("gets by name and namespace and lists sorted, per namespace", () => {
    const store = new ObjectStore<KubeObject>();
    store.set(obj("b", "1", "x"));
    store.set(obj("a", "1", "y"));
    store.set(obj("c", "1", "x"));
    expect(store.get("b", "x")?.metadata.name).toBe("b");
    expect(store.get("b")).toBeUndefined();
    expect(store.list().map(objectKey)).toEqual(["x/b", "x/c", "y/a"]);
    expect(store.list("x").map(objectKey)).toEqual(["x/b", "x/c"]);
    store.delete("x/b");
    expect(store.keys()).toEqual(["x/c", "y/a"]);
  });
});

describe("diffRelist", () => {
  it("finds objects added, changed (by resourceVersion), vanished and unchanged", () => {
    const cached = new Map<string, KubeObject>([
      ["same", obj("same", "1")],
      ["changed", obj("changed", "1")],
      ["gone", obj("gone", "1")],
    ]);
    const diff = diffRelist(cached, [obj("same", "1"), obj("changed", "7"), obj("new", "8")]);
    expect(diff.added.map(objectKey)).toEqual(["new"]);
    expect(
      diff.updated.map(([old, now]) => [old.metadata.resourceVersion, now.metadata.resourceVersion]),
    ).toEqual([["1", "7"]]);
    expect(diff.deleted.map(objectKey)).toEqual(["gone"]);
    expect(diff.unchanged.map(objectKey)).toEqual(["same"]);
  });

  it("of an empty cache is all adds, of an empty list all deletes", () => {
    expect(diffRelist(new Map(), [obj("a", "1")]).added).toHaveLength(1);
    expect(diffRelist(new Map([["a", obj("a", "1")]]), []).deleted).toHaveLength(1);
  });
});
