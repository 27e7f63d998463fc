// One informer per resource and scope, shared by every controller of the process (client-go's
// SharedInformerFactory): each resource is listed and watched once however many controllers read
// it. Informers run whether or not this replica leads, so a standby's caches are warm when it
// takes over.
import type { KubeObject } from "../apis/meta.ts";
import type { KubeClient, ResourceType } from "./client.ts";
import { listerWatcherFor, SharedInformer, type InformerOptions, type InformerScope } from "./informer.ts";

export class InformerFactory {
  readonly #client: KubeClient;
  readonly #defaults: InformerOptions;
  readonly #informers = new Map<string, SharedInformer>();
  #started = false;

  /** `defaults` apply to every informer (resync period, back-off, clock, logger). */
  constructor(client: KubeClient, defaults: InformerOptions = {}) {
    this.#client = client;
    this.#defaults = defaults;
  }

  /** The informer of `type` in `scope`, created on first use; started at once if the factory runs. */
  informerFor<T extends KubeObject>(type: ResourceType<T>, scope: InformerScope = {}): SharedInformer<T> {
    const key = [
      type.group,
      type.version,
      type.plural,
      scope.namespace ?? "",
      scope.labelSelector ?? "",
      scope.fieldSelector ?? "",
    ].join("|");
    let informer = this.#informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      const scopeName = [scope.namespace, scope.labelSelector, scope.fieldSelector].filter(Boolean).join(",");
      informer = new SharedInformer<T>(listerWatcherFor(this.#client.resource(type), scope), {
        ...this.#defaults,
        name: scopeName ? `${type.plural}(${scopeName})` : type.plural,
      });
      // SharedInformer<T> is a SharedInformer<KubeObject> for reading; the map only hands it back as T.
      this.#informers.set(key, informer as unknown as SharedInformer);
      if (this.#started) informer.start();
    }
    return informer;
  }

  informers(): SharedInformer[] {
    return [...this.#informers.values()];
  }

  start(): void {
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
  }

  hasSynced(): boolean {
    return [...this.#informers.values()].every((informer) => informer.hasSynced());
  }

  /** Resolves true once every informer has synced; false if `signal` aborts or one stops first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((informer) => informer.stop()));
  }
}
