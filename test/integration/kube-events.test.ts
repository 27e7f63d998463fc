// pkg/kube's event recorder against a real kube-apiserver: events.k8s.io/v1 Events that the API
// server accepts, one Event object per repeated event with series.count, a new one for a
// different note, cluster-scoped objects' events in "default".
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ImagePolicy } from "../../pkg/apis/config/v1/imagepolicy.ts";
import type { KubeObject } from "../../pkg/apis/meta.ts";
import { KubeClient, type ResourceClient } from "../../pkg/kube/client.ts";
import type { EventObject } from "../../pkg/kube/event-object.ts";
import { EventRecorder, eventSinkFor } from "../../pkg/kube/events.ts";
import { EVENTS, IMAGE_POLICIES, MACHINE_CONFIGS } from "../../pkg/kube/resources.ts";
import { MemoryLogger } from "../../pkg/kube/testing/memory-logger.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";

const plane = getTestEnvironment();
const run = crypto.randomBytes(3).toString("hex");
const KEY_DATA = Buffer.from(
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKNkqqCeTubXTagqs+AXLaxW69349\nMShW63AuPdIw/H2pWtzw+i++cyeo1Hdlw+jcLkMeIEUSEeySMgtRBk4iSg==\n-----END PUBLIC KEY-----",
).toString("base64");

let client: KubeClient;
let events: ResourceClient<EventObject>;
let namespace: TestNamespace;
let policy: ImagePolicy;
let logger: MemoryLogger;
let recorder: EventRecorder;

beforeAll(async () => {
  client = new KubeClient(plane.kubeConfig);
  events = client.resource(EVENTS);
  namespace = await createTestNamespace(plane.kubeConfig, "kube-events");
  policy = await client.resource(IMAGE_POLICIES).create({
    apiVersion: "config.openshift.io/v1",
    kind: "ImagePolicy",
    metadata: { name: "team-policy", namespace: namespace.name },
    spec: {
      scopes: ["registry.example.com/team"],
      policy: { rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: KEY_DATA } } },
    },
  } as ImagePolicy);
  logger = new MemoryLogger();
  recorder = new EventRecorder({
    sink: eventSinkFor(events),
    reportingController: "image-policy.dev/imagepolicy-controller",
    reportingInstance: `test-${run}`,
    logger,
  });
});

afterAll(async () => {
  await namespace.cleanup();
  client.close();
});

async function eventsAbout(object: KubeObject, ns: string): Promise<EventObject[]> {
  const list = await events.list({ namespace: ns });
  return list.items.filter((e) => e.regarding.uid === object.metadata.uid);
}

describe("EventRecorder on a real API server", () => {
  it("writes an Event the API server accepts, about the object", async () => {
    recorder.event(policy, {
      type: "Normal",
      reason: "Applied",
      note: "policy applied to 2 pools",
      action: "Apply",
    });
    await recorder.flush();
    const [event, ...more] = await eventsAbout(policy, namespace.name);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      reason: "Applied",
      note: "policy applied to 2 pools",
      type: "Normal",
      action: "Apply",
      reportingController: "image-policy.dev/imagepolicy-controller",
      reportingInstance: `test-${run}`,
      regarding: {
        kind: "ImagePolicy",
        name: "team-policy",
        namespace: namespace.name,
        uid: policy.metadata.uid,
      },
    });
    expect(event?.series).toBeUndefined();
    expect(logger.messages("warn")).toEqual([]);
  });

  it("de-duplicates a repeated event into one Event with series.count", async () => {
    for (let i = 0; i < 4; i++) {
      recorder.event(policy, {
        type: "Warning",
        reason: "ConflictingScopes",
        note: "registry.example.com/team is also in p2",
      });
      await recorder.flush(); // one write per occurrence, so every write path is exercised
    }
    const conflicting = (await eventsAbout(policy, namespace.name)).filter(
      (e) => e.reason === "ConflictingScopes",
    );
    expect(conflicting).toHaveLength(1);
    expect(conflicting[0]?.series?.count).toBe(4);
    expect(Date.parse(conflicting[0]?.series?.lastObservedTime ?? "")).toBeGreaterThanOrEqual(
      Date.parse(conflicting[0]?.eventTime ?? ""),
    );

    recorder.event(policy, { type: "Warning", reason: "ConflictingScopes", note: "a different conflict" });
    await recorder.flush();
    const after = (await eventsAbout(policy, namespace.name)).filter((e) => e.reason === "ConflictingScopes");
    expect(after.map((e) => [e.note, e.series?.count ?? 1]).sort()).toEqual([
      ["a different conflict", 1],
      ["registry.example.com/team is also in p2", 4],
    ]);
    expect(logger.messages("warn")).toEqual([]);
  });

  it("puts events about cluster-scoped objects in the default namespace", async () => {
    const machineConfigs = client.resource(MACHINE_CONFIGS);
    const machineConfig = await machineConfigs.create({
      apiVersion: "machineconfiguration.openshift.io/v1",
      kind: "MachineConfig",
      metadata: { name: `99-events-${run}` },
      spec: { config: { ignition: { version: "3.4.0" } } },
    });
    try {
      recorder.event(machineConfig, { type: "Normal", reason: "Written", note: "policy.json changed" });
      recorder.event(machineConfig, { type: "Normal", reason: "Written", note: "policy.json changed" });
      await recorder.flush();
      const written = await eventsAbout(machineConfig, "default");
      expect(written).toHaveLength(1);
      expect(written[0]?.series?.count).toBe(2);
      await events.delete(written[0]?.metadata.name ?? "", "default");
    } finally {
      await machineConfigs.delete(machineConfig.metadata.name ?? "");
    }
  });
});
