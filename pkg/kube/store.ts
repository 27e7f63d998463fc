// The informer's cache: objects by "namespace/name" (or "name" for cluster-scoped objects), as
// client-go's MetaNamespaceKeyFunc keys them, and the diff of a relist against it.
import type { KubeObject } from "../apis/meta.ts";

/** "namespace/name", or "name" for a cluster-scoped object. */
export function objectKey(object: Pick<KubeObject, "metadata">): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : (name ?? "");
}

/** The inverse of objectKey. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class ObjectStore<T extends KubeObject> {
  readonly #objects = new Map<string, T>();

  get size(): number {
    return this.#objects.size;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.#objects.get(key);
  }

  /** Every object, or those of one namespace; sorted by key, so callers get a stable order. */
  list(namespace?: string): T[] {
    const keys = [...this.#objects.keys()].sort();
    const out: T[] = [];
    for (const key of keys) {
      const object = this.#objects.get(key);
      if (object && (namespace === undefined || object.metadata.namespace === namespace)) out.push(object);
    }
    return out;
  }

  keys(): string[] {
    return [...this.#objects.keys()].sort();
  }

  set(object: T): void {
    this.#objects.set(objectKey(object), object);
  }

  delete(key: string): void {
    this.#objects.delete(key);
  }

  entries(): ReadonlyMap<string, T> {
    return this.#objects;
  }
}

export interface RelistDiff<T> {
  /** Listed, not cached. */
  added: T[];
  /** Cached and listed with another resourceVersion: [cached, listed]. */
  updated: [T, T][];
  /** Cached, not listed: they were deleted while the watch was down. */
  deleted: T[];
  /** Listed with the cached resourceVersion. */
  unchanged: T[];
}

/**
 * What a relist means for a cache: objects are the same when their resourceVersion is (any write
 * changes it; resourceVersions are opaque, so only equality is used, never order).
 */
export function diffRelist<T extends KubeObject>(
  cached: ReadonlyMap<string, T>,
  listed: readonly T[],
): RelistDiff<T> {
  const diff: RelistDiff<T> = { added: [], updated: [], deleted: [], unchanged: [] };
  const seen = new Set<string>();
  for (const object of listed) {
    const key = objectKey(object);
    seen.add(key);
    const old = cached.get(key);
    if (!old) diff.added.push(object);
    else if (old.metadata.resourceVersion !== object.metadata.resourceVersion)
      diff.updated.push([old, object]);
    else diff.unchanged.push(object);
  }
  for (const [key, old] of cached) {
    if (!seen.has(key)) diff.deleted.push(old);
  }
  return diff;
}
