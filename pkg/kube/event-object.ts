// events.k8s.io/v1 Event, as the event recorder writes it.
import type { KubeObject } from "../apis/meta.ts";

/** core/v1 ObjectReference: what an event is about. */
export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export type EventType = "Normal" | "Warning";

export interface EventSeries {
  count: number;
  /** MicroTime. */
  lastObservedTime: string;
}

export interface EventObject extends KubeObject {
  /** MicroTime of the first occurrence. */
  eventTime: string;
  series?: EventSeries;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type: EventType;
}
