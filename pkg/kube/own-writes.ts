// Recognises the watch events a controller's own writes cause, so that they trigger no reconcile
// (the Controller's ignoreOwnWrites option). A write's event can reach the informer before the
// write's response does, so events for an object with a write in flight are held until the response
// names the resourceVersion it produced: that one is dropped, any other (someone else's change in
// between) is let through, late, by enqueueing the keys it mapped to. Bounded: an event that never
// arrives (the object changed again first) must not grow it forever.
import type { KubeObject } from "../apis/meta.ts";

/** Expected (written, not yet seen) versions remembered at most; beyond, the memory is cleared. */
const MAX_EXPECTED = 4096;

export class OwnWrites {
  readonly #expected = new Set<string>();
  /** Objects with a write in flight → the events held meanwhile (version, and the keys they map to). */
  readonly #inFlight = new Map<string, { version: string; keys: readonly string[] }[]>();
  readonly #enqueue: (keys: readonly string[]) => void;

  /** `enqueue` receives the keys of held events that turn out not to be ours. */
  constructor(enqueue: (keys: readonly string[]) => void) {
    this.#enqueue = enqueue;
  }

  /** Runs a write of `object`, remembering the resourceVersion it produces. */
  async write<T extends KubeObject>(object: KubeObject, request: () => Promise<T>): Promise<T> {
    const id = identity(object);
    this.#inFlight.set(id, []);
    let written: T;
    try {
      written = await request();
    } catch (error) {
      this.#release(this.#inFlight.get(id) ?? []);
      this.#inFlight.delete(id);
      throw error;
    }
    const held = this.#inFlight.get(id) ?? [];
    this.#inFlight.delete(id);
    const version = written.metadata.resourceVersion ?? "";
    this.#release(held.filter((event) => event.version !== version));
    if (!held.some((event) => event.version === version)) {
      if (this.#expected.size >= MAX_EXPECTED) this.#expected.clear();
      this.#expected.add(`${id}@${version}`);
    }
    return written;
  }

  /**
   * True when the event for `object` needs no reconcile: one of our writes left it so, or may have
   * (a write of it is in flight: the event is held, and its `keys` enqueued if it turns out not ours).
   */
  ours(object: KubeObject, keys: readonly string[]): boolean {
    const id = identity(object);
    const version = object.metadata.resourceVersion ?? "";
    if (this.#expected.delete(`${id}@${version}`)) return true;
    const held = this.#inFlight.get(id);
    if (held === undefined) return false;
    held.push({ version, keys });
    return true;
  }

  #release(events: readonly { keys: readonly string[] }[]): void {
    const keys = new Set(events.flatMap((event) => event.keys));
    if (keys.size > 0) this.#enqueue([...keys]);
  }
}

function identity(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name ?? ""}`;
}
