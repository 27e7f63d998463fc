// coordination.k8s.io/v1 Lease, the lock object of leader election.
import type { KubeObject } from "../apis/meta.ts";

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  /** MicroTime ("2026-01-02T03:04:05.123456Z"). */
  acquireTime?: string | null;
  /** MicroTime. */
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}
