// The containers/image model: policy.json and registries.d types, strict parsing and byte-exact
// serialisation, docker references, and scope matching as containers/image does it.

export type * from "./policy.ts";
export { DEFAULT_SIGNED_IDENTITY, SIGNED_BY_KEY_TYPES } from "./policy.ts";
export {
  atomicScopeIsValid,
  dockerScopeIsValid,
  NODE_SCOPE_VALIDATORS,
  parsePolicyJson,
  remapIdentityPrefixIsValid,
  type ParsePolicyOptions,
  type ParsePolicyResult,
  type ScopeValidator,
} from "./policy-parse.ts";
export { serializePolicyJson } from "./policy-serialize.ts";
export {
  parseRegistriesDYaml,
  serializeRegistriesDYaml,
  type ParseRegistriesDResult,
  type RegistriesDConfig,
  type RegistryNamespace,
} from "./registries-d.ts";
export {
  familiarName,
  familiarString,
  isNameOnly,
  parseDockerReference,
  referenceString,
  repositoryName,
  type DockerReference,
  type ParseReferenceResult,
} from "./reference.ts";
export {
  dockerReferenceNamespaces,
  policyScopesForDockerReference,
  requirementsForImage,
  scopeIsNestedInside,
  scopeIsWrittenUnderAtomic,
  type PolicyScopesResult,
  type PolicySection,
  type RequirementsForImageResult,
} from "./scope.ts";
export { canonicalBase64 } from "./go/base64.ts";
