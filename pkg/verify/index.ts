// pkg/verify: would a node (CRI-O, i.e. containers/image) admit this image under this policy? Real
// registries, real signatures, containers/image's rules. See docs/verify.md.
export { Verifier, verifyImage, type VerifierOptions, type VerifyRequest } from "./verifier.ts";
export { formatVerdictText } from "./format.ts";
export { PolicyInputError, loadPolicy, type NamespacePolicies, type PolicyInput } from "./policy-input.ts";
export {
  loadRegistriesDDirectory,
  parseRegistriesDFiles,
  RegistriesDError,
  type RegistriesD,
} from "./registries-d.ts";
export { parseRegistriesConf, RegistriesConfError, type RegistriesConf } from "./registries-conf.ts";
export { signedIdentityMatches } from "./identity.ts";
export {
  describeSection,
  type Hint,
  type HintCode,
  type ImageSourceInfo,
  type ImageVerdict,
  type MatchedSection,
  type RequirementOutcome,
  type RequirementResult,
  type SignatureResult,
} from "./types.ts";
