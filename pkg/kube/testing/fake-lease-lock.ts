// An in-memory LeaseLock with the API server's optimistic concurrency (a write at a stale
// resourceVersion is a 409 Conflict) and switches to make it fail, for leader-election tests.
import { KubeApiError } from "../errors.ts";
import type { LeaderElectionRecord, LeaseLock } from "../leader-election.ts";

export class FakeLeaseLock implements LeaseLock {
  readonly description = "test/lease";
  record: LeaderElectionRecord | undefined;
  resourceVersion = 0;
  /** Every successful write, in order. */
  readonly writes: LeaderElectionRecord[] = [];
  /** When set, every call made by `identity` (or by anyone, when "*") fails like an unreachable server. */
  unreachableFor: string | undefined;

  async get(): Promise<{ record: LeaderElectionRecord; resourceVersion: string } | undefined> {
    this.#maybeFail("*");
    return this.record
      ? { record: { ...this.record }, resourceVersion: String(this.resourceVersion) }
      : undefined;
  }

  async create(record: LeaderElectionRecord): Promise<string> {
    this.#maybeFail(record.holderIdentity);
    if (this.record) throw new KubeApiError(409, "AlreadyExists", "leases test already exists", "POST");
    return this.#write(record);
  }

  async update(record: LeaderElectionRecord, resourceVersion: string): Promise<string> {
    this.#maybeFail(record.holderIdentity);
    if (!this.record) throw new KubeApiError(404, "NotFound", "lease not found", "PATCH");
    if (resourceVersion !== String(this.resourceVersion)) {
      throw new KubeApiError(409, "Conflict", "the object has been modified", "PATCH");
    }
    return this.#write(record);
  }

  /** Sets the record as another writer would. */
  set(record: LeaderElectionRecord): void {
    this.#write(record);
  }

  #write(record: LeaderElectionRecord): string {
    this.record = { ...record };
    this.resourceVersion++;
    this.writes.push({ ...record });
    return String(this.resourceVersion);
  }

  #maybeFail(identity: string): void {
    if (
      this.unreachableFor === "*" ||
      (this.unreachableFor !== undefined && this.unreachableFor === identity)
    ) {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
    }
  }
}
