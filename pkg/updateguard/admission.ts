// The release-update guard as API-server admission: a ValidatingAdmissionPolicy on
// config.openshift.io/v1 ClusterVersion, generated from the same rule set as guard.ts
// (canonicalPullspecPattern). Two policies: the guard itself, whose binding decides the mode
// (Warn for a first release, so clusters that update from mirror pullspecs are told before they are
// blocked; Deny afterwards), and a warn-only policy that flags forced updates to other images.
import { canonicalPullspecPattern, canonicalRepository, type Flavour } from "./guard.ts";

export type GuardMode = "Warn" | "Deny";

export const GUARD_POLICY_NAME = "release-update-guard.image-policy.dev";
export const FORCED_POLICY_NAME = "release-update-guard-forced.image-policy.dev";

const image = "object.spec.desiredUpdate.image";
// A message with a line break is replaced by the API server with "failed expression: …", so the
// requested image is shown with its line breaks flattened.
const shownImage = `${image}.replace('\\n', ' ').replace('\\r', ' ')`;

/** CEL string literal (single-quoted) for a pattern or message. */
function celString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function policy(
  name: string,
  flavour: Flavour,
  validation: { expression: string; messageExpression: string },
  auditKey: string,
) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: {
      name,
      labels: { "app.kubernetes.io/name": "image-policy-controller", "image-policy.dev/flavour": flavour },
    },
    spec: {
      failurePolicy: "Fail",
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ["config.openshift.io"],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["clusterversions"],
          },
        ],
      },
      matchConditions: [
        {
          name: "requests-an-image",
          expression: `has(object.spec.desiredUpdate) && has(${image}) && ${image} != ''`,
        },
        {
          // Only a change of the request is judged: an object that predates the policy can still be
          // edited elsewhere (the controller reports such leftovers instead).
          name: "desired-update-changed",
          expression:
            "oldObject == null || !has(oldObject.spec.desiredUpdate) || oldObject.spec.desiredUpdate != object.spec.desiredUpdate",
        },
      ],
      variables: [
        {
          name: "forced",
          expression: "has(object.spec.desiredUpdate.force) && object.spec.desiredUpdate.force",
        },
        {
          name: "canonical",
          expression: `${image}.matches(${celString(canonicalPullspecPattern(flavour))})`,
        },
      ],
      validations: [{ ...validation, reason: "Forbidden" }],
      // Recorded for every judged request (a null-or-string ternary does not type-check in CEL here).
      auditAnnotations: [{ key: auditKey, valueExpression: `string(${image})` }],
    },
  };
}

export function guardPolicy(flavour: Flavour) {
  const expected = canonicalRepository(flavour);
  return policy(
    GUARD_POLICY_NAME,
    flavour,
    {
      expression: "variables.forced || variables.canonical",
      messageExpression: `'release images must come from ${expected} (by tag or sha256 digest): refusing ' + ${shownImage} + '; set spec.desiredUpdate.force only to install an image you trust with full administrative access to the cluster'`,
    },
    "requested-release-image",
  );
}

export function forcedPolicy(flavour: Flavour) {
  const expected = canonicalRepository(flavour);
  return policy(
    FORCED_POLICY_NAME,
    flavour,
    {
      expression: "!variables.forced || variables.canonical",
      messageExpression: `'forced update to ' + ${shownImage} + ', which is not in ${expected}: it will run with full administrative access to the cluster'`,
    },
    "requested-release-image-forced",
  );
}

export function guardBinding(mode: GuardMode) {
  return binding(GUARD_POLICY_NAME, mode === "Deny" ? ["Deny", "Audit"] : ["Warn", "Audit"]);
}

export function forcedBinding() {
  return binding(FORCED_POLICY_NAME, ["Warn", "Audit"]);
}

function binding(policyName: string, validationActions: string[]) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: policyName, labels: { "app.kubernetes.io/name": "image-policy-controller" } },
    spec: { policyName, validationActions },
  };
}

/** Every object to install for a flavour and mode, in apply order. */
export function admissionObjects(flavour: Flavour, mode: GuardMode): object[] {
  return [guardPolicy(flavour), guardBinding(mode), forcedPolicy(flavour), forcedBinding()];
}
