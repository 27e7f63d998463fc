// A strict policy.json reader that accepts exactly what containers/image's NewPolicyFromBytes
// accepts (go.podman.io/image/v5 signature/policy_config.go and policy_config_sigstore.go) and
// refuses the rest with the same message, so a condition we show a user reads like what CRI-O
// would log on the node.
//
// The functions below follow the Go ones closely, including their order of checks: the first
// error Go would return is the one reported. Go's JSON layer leaks into the messages (type
// mismatches are "json: cannot unmarshal number into Go value of type string", a requirement's
// "type" is matched case-insensitively before the strict pass), and those are reproduced too.

import { base64Encode, goBase64Decode } from "./go/base64.ts";
import { parseGoJson, type JsonNode } from "./go/json-parse.ts";
import { goFormatFloat, goQuote } from "./go/strconv.ts";
import {
  DEFAULT_SIGNED_IDENTITY,
  SIGNED_BY_KEY_TYPES,
  type Policy,
  type PolicyReferenceMatch,
  type PolicyRequirement,
  type PolicyTransportScopes,
  type PRSignedBy,
  type PRSigstoreSigned,
  type PRSigstoreSignedFulcio,
  type PRSigstoreSignedPKI,
  type SignedByKeyType,
} from "./policy.ts";
import {
  anchoredDomainRegexp,
  anchoredNameRegexp,
  isNameOnly,
  parseDockerReference,
  domainPrefixRegexp,
} from "./reference.ts";

export type ParsePolicyResult =
  | { ok: true; policy: Policy }
  | {
      ok: false;
      /** containers/image's error text (what NewPolicyFromBytes returns). */
      message: string;
      /** JSON Pointer (RFC 6901) to the value where the error was found; "" for the document. */
      path: string;
    };

/** Whether a transport accepts a scope; one per transport registered in the reading program. */
export type ScopeValidator = (scope: string) => boolean;

export interface ParsePolicyOptions {
  /**
   * Transports whose scopes are validated, as registered in the program that will read the file.
   * A scope a transport refuses makes the whole file invalid ("Unknown key"). Transports not listed
   * accept any scope. Defaults to NODE_SCOPE_VALIDATORS.
   */
  readonly scopeValidators?: Readonly<Record<string, ScopeValidator>>;
}

/** docker transport: ValidatePolicyConfigurationScope accepts every string. */
export const dockerScopeIsValid: ScopeValidator = () => true;

// openshift/openshift_transport.go scopeRegexp: host, then at most namespace/stream[:tag].
const atomicScopeRegexp = /^[^/]*(\/[^:/]*(\/[^:/]*(:[^:/]*)?)?)?$/;

/**
 * atomic (OpenShift) transport: at most "host/namespace/stream[:tag]", and a tag only after the
 * stream. So "host/repo:tag" and "host/repo@sha256:…" are refused, and with them the whole file.
 */
export const atomicScopeIsValid: ScopeValidator = (scope) => atomicScopeRegexp.test(scope);

/**
 * The scope checks for the transports this project writes, as a program that registers every
 * containers/image transport (alltransports: podman, skopeo, buildah) applies them. Being strict
 * about atomic is the safe default: a scope it refuses makes the whole file unreadable there.
 * dir, oci, oci-archive, docker-archive, sif, tarball, docker-daemon and containers-storage also
 * validate scopes in such a program but are not modelled here.
 */
export const NODE_SCOPE_VALIDATORS: Readonly<Record<string, ScopeValidator>> = {
  docker: dockerScopeIsValid,
  atomic: atomicScopeIsValid,
};

/** Parses policy.json text or bytes. Never throws for bad input. */
export function parsePolicyJson(
  input: string | Uint8Array,
  options: ParsePolicyOptions = {},
): ParsePolicyResult {
  const json = parseGoJson(input);
  if (!json.ok) return { ok: false, message: json.message, path: "" };
  try {
    return { ok: true, policy: decodePolicy(json.value, options.scopeValidators ?? NODE_SCOPE_VALIDATORS) };
  } catch (e) {
    if (e instanceof PolicyFormatError) return { ok: false, message: e.message, path: e.path };
    throw e;
  }
}

// Thrown inside the decoder and caught in parsePolicyJson: Go returns the first error up a deep
// call chain, and an exception keeps each decoding step as short as its Go counterpart.
class PolicyFormatError extends Error {
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

const childPath = (path: string, key: string | number): string =>
  `${path}/${String(key).replaceAll("~", "~0").replaceAll("/", "~1")}`;

/** A map safe for any key, including "__proto__". */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

// ---- Go's JSON layer: ParanoidUnmarshalJSONObject and typed decoding ----

type FieldDecoder = (value: JsonNode, path: string) => void;

/** encoding/json's UnmarshalTypeError; our node kinds are the words it uses ("object", "bool", …). */
function typeError(node: JsonNode, goType: string, path: string): PolicyFormatError {
  return new PolicyFormatError(`json: cannot unmarshal ${node.kind} into Go value of type ${goType}`, path);
}

/** How fmt's %#v prints the token a decoder found where it wanted "{". */
function describeToken(node: JsonNode, path: string): string {
  switch (node.kind) {
    case "array":
      return "91"; // json.Delim('[') prints as its rune value
    case "string":
      return goQuote(node.value);
    case "bool":
      return String(node.value);
    case "null":
      return "<nil>";
    case "number": {
      const value = Number(node.text);
      if (!Number.isFinite(value)) {
        throw new PolicyFormatError(
          `json: cannot unmarshal number ${node.text} into Go value of type float64`,
          path,
        );
      }
      return goFormatFloat(value);
    }
    case "object":
      return "123"; // not reached: an object is what the caller wanted
  }
}

/**
 * internal.ParanoidUnmarshalJSONObject: an object whose keys are each accepted by the resolver,
 * with no duplicates. Values are decoded in document order, so errors come in that order.
 */
function paranoidObject(
  node: JsonNode,
  path: string,
  resolve: (key: string) => FieldDecoder | undefined,
): void {
  if (node.kind !== "object") {
    throw new PolicyFormatError(`JSON object expected, got ${describeToken(node, path)}`, path);
  }
  const seen = new Set<string>();
  for (const { key, value } of node.members) {
    if (seen.has(key)) throw new PolicyFormatError(`Duplicate key ${goQuote(key)}`, childPath(path, key));
    seen.add(key);
    const decode = resolve(key);
    if (!decode) throw new PolicyFormatError(`Unknown key ${goQuote(key)}`, childPath(path, key));
    decode(value, childPath(path, key));
  }
}

/**
 * internal.ParanoidUnmarshalJSONObjectExactFields: every listed key exactly once, nothing else.
 * Go reports one missing key chosen by map iteration order; this reports the first listed.
 */
function paranoidExactFields(node: JsonNode, path: string, fields: Record<string, FieldDecoder>): void {
  const seen = new Set<string>();
  paranoidObject(node, path, (key) => {
    if (!Object.hasOwn(fields, key)) return undefined;
    seen.add(key);
    return fields[key];
  });
  for (const key of Object.keys(fields)) {
    if (!seen.has(key)) throw new PolicyFormatError(`Key ${goQuote(key)} missing in a JSON object`, path);
  }
}

/** Decoding into a Go string: null leaves it unchanged (undefined here). */
function decodeString(node: JsonNode, path: string, goType = "string"): string | undefined {
  if (node.kind === "string") return node.value;
  if (node.kind === "null") return undefined;
  throw typeError(node, goType, path);
}

/** Decoding into []string: null is a nil slice (undefined), null elements are "". */
function decodeStringSlice(node: JsonNode, path: string): string[] | undefined {
  if (node.kind === "null") return undefined;
  if (node.kind !== "array") throw typeError(node, "[]string", path);
  return node.items.map((item, i) => decodeString(item, childPath(path, i)) ?? "");
}

/**
 * Decoding into []byte: a base64 string (kept as written once Go's decoder accepts it), or, as
 * encoding/json also allows, an array of numbers 0-255 (kept as their base64). null is nil.
 */
function decodeBytes(node: JsonNode, path: string, goType = "[]uint8"): string | undefined {
  if (node.kind === "null") return undefined;
  if (node.kind === "string") {
    const decoded = goBase64Decode(node.value);
    if (!decoded.ok) throw new PolicyFormatError(decoded.message, path);
    return node.value;
  }
  if (node.kind !== "array") throw typeError(node, goType, path);
  const bytes = node.items.map((item, i) => {
    if (item.kind === "null") return 0;
    if (item.kind !== "number") throw typeError(item, "uint8", childPath(path, i));
    if (!/^(0|[1-9][0-9]{0,2})$/.test(item.text) || Number(item.text) > 255) {
      throw new PolicyFormatError(
        `json: cannot unmarshal number ${item.text} into Go value of type uint8`,
        childPath(path, i),
      );
    }
    return Number(item.text);
  });
  return base64Encode(Uint8Array.from(bytes));
}

/** Decoding into [][]byte. A null element (a nil []byte) is read as empty data, "". */
function decodeBytesSlice(node: JsonNode, path: string): string[] | undefined {
  if (node.kind === "null") return undefined;
  if (node.kind !== "array") throw typeError(node, "[][]uint8", path);
  return node.items.map((item, i) => decodeBytes(item, childPath(path, i)) ?? "");
}

/**
 * json.Unmarshal into prCommon / prmCommon, which finds the "type" before the strict pass: plain
 * encoding/json, so keys match case-insensitively, the last one wins and other keys are ignored.
 */
function looseTypeField(node: JsonNode, path: string, structName: string, goType: string): string {
  if (node.kind === "null") return "";
  if (node.kind !== "object") throw typeError(node, `signature.${structName}`, path);
  let type = "";
  let firstError: PolicyFormatError | undefined;
  for (const { key, value } of node.members) {
    if (!/^[tT][yY][pP][eE]$/.test(key)) continue;
    if (value.kind === "string") type = value.value;
    else if (value.kind !== "null") {
      firstError ??= new PolicyFormatError(
        `json: cannot unmarshal ${value.kind} into Go struct field ${structName}.type of type ${goType}`,
        childPath(path, key),
      );
    }
  }
  if (firstError) throw firstError;
  return type;
}

// ---- Policy, transports, scopes ----

function decodePolicy(node: JsonNode, validators: Readonly<Record<string, ScopeValidator>>): Policy {
  let defaultRequirements: PolicyRequirement[] | undefined;
  const transports = record<PolicyTransportScopes>();
  paranoidObject(node, "", (key) => {
    if (key === "default") return (v, p) => (defaultRequirements = decodeRequirements(v, p));
    if (key === "transports") return (v, p) => decodeTransports(v, p, transports, validators);
    return undefined;
  });
  if (defaultRequirements === undefined) throw new PolicyFormatError("Default policy is missing", "");
  return { default: defaultRequirements, transports };
}

function decodeTransports(
  node: JsonNode,
  path: string,
  into: Record<string, PolicyTransportScopes>,
  validators: Readonly<Record<string, ScopeValidator>>,
): void {
  paranoidObject(node, path, (transport) => (value, valuePath) => {
    const validate = Object.hasOwn(validators, transport) ? validators[transport] : undefined;
    const scopes = record<PolicyRequirement[]>();
    paranoidObject(value, valuePath, (scope) => {
      // A scope the transport refuses is reported like an unknown field.
      if (scope !== "" && validate && !validate(scope)) return undefined;
      return (reqs, reqsPath) => (scopes[scope] = decodeRequirements(reqs, reqsPath));
    });
    into[transport] = scopes;
  });
}

/** PolicyRequirements.UnmarshalJSON */
function decodeRequirements(node: JsonNode, path: string): PolicyRequirement[] {
  if (node.kind !== "array" && node.kind !== "null") throw typeError(node, "[]json.RawMessage", path);
  const items = node.kind === "array" ? node.items : [];
  if (items.length === 0) {
    throw new PolicyFormatError("List of verification policy requirements must not be empty", path);
  }
  return items.map((item, i) => decodeRequirement(item, childPath(path, i)));
}

// ---- Requirements ----

/** newPolicyRequirementFromJSON */
function decodeRequirement(node: JsonNode, path: string): PolicyRequirement {
  const type = looseTypeField(node, path, "prCommon", "signature.prTypeIdentifier");
  switch (type) {
    case "insecureAcceptAnything":
    case "reject":
      checkExactType(node, path, type);
      return { type };
    case "signedBy":
      return decodeSignedBy(node, path);
    case "signedBaseLayer":
      return decodeSignedBaseLayer(node, path);
    case "sigstoreSigned":
      return decodeSigstoreSigned(node, path);
    default:
      throw new PolicyFormatError(`Unknown policy requirement type ${goQuote(type)}`, path);
  }
}

/** The strict pass of a requirement or identity that has nothing but its "type". */
function checkExactType(
  node: JsonNode,
  path: string,
  expected: string,
  goType = "signature.prTypeIdentifier",
): void {
  let type = "";
  paranoidExactFields(node, path, { type: (v, p) => (type = decodeString(v, p, goType) ?? "") });
  checkType(type, expected, path);
}

function checkType(actual: string, expected: string, path: string): void {
  if (actual !== expected) {
    // containers/image uses this wording for identities too.
    throw new PolicyFormatError(`Unexpected policy requirement type ${goQuote(actual)}`, path);
  }
}

function decodeSignedBy(node: JsonNode, path: string): PRSignedBy {
  let type = "";
  let keyType = "";
  let keyPath: string | undefined;
  let keyPaths: string[] | undefined;
  let keyData: string | undefined;
  let gotKeyPath = false;
  let gotKeyPaths = false;
  let gotKeyData = false;
  let identityNode: { node: JsonNode; path: string } | undefined;
  paranoidObject(node, path, (key) => {
    switch (key) {
      case "type":
        return (v, p) => (type = decodeString(v, p, "signature.prTypeIdentifier") ?? type);
      case "keyType":
        return (v, p) => {
          // sbKeyType.UnmarshalJSON
          const s = decodeString(v, p) ?? "";
          if (!(SIGNED_BY_KEY_TYPES as readonly string[]).includes(s)) {
            throw new PolicyFormatError(`Unrecognized keyType value ${goQuote(s)}`, p);
          }
          keyType = s;
        };
      case "keyPath":
        return (v, p) => {
          gotKeyPath = true;
          keyPath = decodeString(v, p) ?? keyPath;
        };
      case "keyPaths":
        return (v, p) => {
          gotKeyPaths = true;
          keyPaths = decodeStringSlice(v, p);
        };
      case "keyData":
        return (v, p) => {
          gotKeyData = true;
          keyData = decodeBytes(v, p);
        };
      case "signedIdentity":
        return (v, p) => (identityNode = { node: v, path: p });
      default:
        return undefined;
    }
  });
  checkType(type, "signedBy", path);
  const signedIdentity = identityNode
    ? decodeReferenceMatch(identityNode.node, identityNode.path)
    : DEFAULT_SIGNED_IDENTITY;

  const present = Number(gotKeyPath) + Number(gotKeyPaths) + Number(gotKeyData);
  if (present === 0) {
    throw new PolicyFormatError(
      "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present",
      path,
    );
  }
  if (present > 1) {
    throw new PolicyFormatError(
      "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present",
      path,
    );
  }
  // newPRSignedBy
  if (!(SIGNED_BY_KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new PolicyFormatError(`invalid keyType ${goQuote(keyType)}`, path);
  }
  const keySource = keyPath
    ? { keyPath }
    : keyPaths
      ? { keyPaths }
      : keyData !== undefined
        ? { keyData }
        : undefined;
  if (!keySource) {
    throw new PolicyFormatError("exactly one of keyPath, keyPaths and keyData must be specified", path);
  }
  return { type: "signedBy", keyType: keyType as SignedByKeyType, ...keySource, signedIdentity };
}

function decodeSignedBaseLayer(node: JsonNode, path: string): PolicyRequirement {
  let type = "";
  let identity: { node: JsonNode; path: string } | undefined;
  paranoidExactFields(node, path, {
    type: (v, p) => (type = decodeString(v, p, "signature.prTypeIdentifier") ?? ""),
    baseLayerIdentity: (v, p) => (identity = { node: v, path: p }),
  });
  checkType(type, "signedBaseLayer", path);
  const baseLayerIdentity = identity
    ? decodeReferenceMatch(identity.node, identity.path)
    : DEFAULT_SIGNED_IDENTITY;
  return { type: "signedBaseLayer", baseLayerIdentity };
}

function decodeSigstoreSigned(node: JsonNode, path: string): PRSigstoreSigned {
  let type = "";
  // `got` records which keys were present, `v` what Go's struct holds after decoding them.
  const got = new Set<string>();
  const v: {
    keyPath?: string;
    keyPaths?: string[];
    keyData?: string;
    keyDatas?: string[];
    fulcio?: PRSigstoreSignedFulcio;
    rekorPublicKeyPath?: string;
    rekorPublicKeyPaths?: string[];
    rekorPublicKeyData?: string;
    rekorPublicKeyDatas?: string[];
    pki?: PRSigstoreSignedPKI;
  } = {};
  let identityNode: { node: JsonNode; path: string } | undefined;
  paranoidObject(node, path, (key) => {
    const mark =
      (decode: FieldDecoder): FieldDecoder =>
      (value, p) => {
        got.add(key);
        decode(value, p);
      };
    switch (key) {
      case "type":
        return (x, p) => (type = decodeString(x, p, "signature.prTypeIdentifier") ?? type);
      case "keyPath":
      case "rekorPublicKeyPath":
        return mark((x, p) => (v[key] = decodeString(x, p) ?? v[key]));
      case "keyPaths":
      case "rekorPublicKeyPaths":
        return mark((x, p) => (v[key] = decodeStringSlice(x, p)));
      case "keyData":
      case "rekorPublicKeyData":
        return mark((x, p) => (v[key] = decodeBytes(x, p)));
      case "keyDatas":
      case "rekorPublicKeyDatas":
        return mark((x, p) => (v[key] = decodeBytesSlice(x, p)));
      case "fulcio":
        return mark((x, p) => (v.fulcio = decodeFulcio(x, p)));
      case "pki":
        return mark((x, p) => (v.pki = decodePKI(x, p)));
      case "signedIdentity":
        return (x, p) => (identityNode = { node: x, path: p });
      default:
        return undefined;
    }
  });
  checkType(type, "sigstoreSigned", path);
  const signedIdentity = identityNode
    ? decodeReferenceMatch(identityNode.node, identityNode.path)
    : DEFAULT_SIGNED_IDENTITY;

  // The PRSigstoreSignedWith* options, in the order UnmarshalJSON applies them.
  const noEntries = (key: keyof typeof v, name: string): void => {
    const list = v[key];
    if (got.has(key) && (!Array.isArray(list) || list.length === 0)) {
      throw new PolicyFormatError(`"${name}" contains no entries`, childPath(path, key));
    }
  };
  noEntries("keyPaths", "keyPaths");
  noEntries("keyDatas", "keyDatas");
  noEntries("rekorPublicKeyPaths", "rekorPublickeyPaths");
  noEntries("rekorPublicKeyDatas", "rekorPublickeyDatas");

  // newPRSigstoreSigned: an empty path counts as absent, empty data (a non-nil []byte) does not.
  const keySources =
    Number(v.keyPath !== undefined && v.keyPath !== "") +
    Number(v.keyPaths !== undefined) +
    Number(v.keyData !== undefined) +
    Number(v.keyDatas !== undefined) +
    Number(v.fulcio !== undefined) +
    Number(v.pki !== undefined);
  if (keySources !== 1) {
    throw new PolicyFormatError(
      "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
      path,
    );
  }
  const rekorSources =
    Number(v.rekorPublicKeyPath !== undefined && v.rekorPublicKeyPath !== "") +
    Number(v.rekorPublicKeyPaths !== undefined) +
    Number(v.rekorPublicKeyData !== undefined) +
    Number(v.rekorPublicKeyDatas !== undefined);
  if (rekorSources > 1) {
    throw new PolicyFormatError(
      "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
      path,
    );
  }
  if (v.fulcio && rekorSources === 0) {
    throw new PolicyFormatError(
      "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
      path,
    );
  }
  if (v.pki && rekorSources > 0) {
    throw new PolicyFormatError(
      "rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki",
      path,
    );
  }

  // Go keeps "" paths in its struct but never writes them; the model leaves them out.
  const { keyPath, rekorPublicKeyPath, ...rest } = v;
  return {
    type: "sigstoreSigned",
    ...(keyPath ? { keyPath } : {}),
    ...rest,
    ...(rekorPublicKeyPath ? { rekorPublicKeyPath } : {}),
    signedIdentity,
  };
}

/** prSigstoreSignedFulcio.UnmarshalJSON + newPRSigstoreSignedFulcio */
function decodeFulcio(node: JsonNode, path: string): PRSigstoreSignedFulcio {
  let caPath: string | undefined;
  let caData: string | undefined;
  let oidcIssuer: string | undefined;
  let subjectEmail: string | undefined;
  paranoidObject(node, path, (key) => {
    switch (key) {
      case "caPath":
        return (x, p) => (caPath = decodeString(x, p) ?? caPath);
      case "caData":
        return (x, p) => (caData = decodeBytes(x, p));
      case "oidcIssuer":
        return (x, p) => (oidcIssuer = decodeString(x, p) ?? oidcIssuer);
      case "subjectEmail":
        return (x, p) => (subjectEmail = decodeString(x, p) ?? subjectEmail);
      default:
        return undefined;
    }
  });
  if (caPath && caData !== undefined) {
    throw new PolicyFormatError("caPath and caData cannot be used simultaneously", path);
  }
  if (!caPath && caData === undefined) {
    throw new PolicyFormatError("At least one of caPath and caData must be specified", path);
  }
  if (!oidcIssuer) throw new PolicyFormatError("oidcIssuer not specified", path);
  if (!subjectEmail) throw new PolicyFormatError("subjectEmail not specified", path);
  return { ...(caPath ? { caPath } : { caData: caData ?? "" }), oidcIssuer, subjectEmail };
}

/** prSigstoreSignedPKI.UnmarshalJSON + newPRSigstoreSignedPKI */
function decodePKI(node: JsonNode, path: string): PRSigstoreSignedPKI {
  const strings: Partial<
    Record<"caRootsPath" | "caIntermediatesPath" | "subjectEmail" | "subjectHostname", string>
  > = {};
  const bytes: Partial<Record<"caRootsData" | "caIntermediatesData", string>> = {};
  paranoidObject(node, path, (key) => {
    switch (key) {
      case "caRootsPath":
      case "caIntermediatesPath":
      case "subjectEmail":
      case "subjectHostname":
        return (x, p) => (strings[key] = decodeString(x, p) ?? strings[key]);
      case "caRootsData":
      case "caIntermediatesData":
        return (x, p) => (bytes[key] = decodeBytes(x, p));
      default:
        return undefined;
    }
  });
  const { caRootsPath, caIntermediatesPath, subjectEmail, subjectHostname } = strings;
  const { caRootsData, caIntermediatesData } = bytes;
  if (caRootsPath && caRootsData !== undefined) {
    throw new PolicyFormatError("caRootsPath and caRootsData cannot be used simultaneously", path);
  }
  if (!caRootsPath && caRootsData === undefined) {
    throw new PolicyFormatError("At least one of caRootsPath and caRootsData must be specified", path);
  }
  if (caIntermediatesPath && caIntermediatesData !== undefined) {
    throw new PolicyFormatError(
      "caIntermediatesPath and caIntermediatesData cannot be used simultaneously",
      path,
    );
  }
  if (!subjectEmail && !subjectHostname) {
    throw new PolicyFormatError("At least one of subjectEmail, subjectHostname must be specified", path);
  }
  return {
    ...(caRootsPath ? { caRootsPath } : {}),
    ...(caRootsData !== undefined ? { caRootsData } : {}),
    ...(caIntermediatesPath ? { caIntermediatesPath } : {}),
    ...(caIntermediatesData !== undefined ? { caIntermediatesData } : {}),
    ...(subjectEmail ? { subjectEmail } : {}),
    ...(subjectHostname ? { subjectHostname } : {}),
  };
}

// ---- signedIdentity ----

/** newPolicyReferenceMatchFromJSON */
function decodeReferenceMatch(node: JsonNode, path: string): PolicyReferenceMatch {
  const type = looseTypeField(node, path, "prmCommon", "signature.prmTypeIdentifier");
  const stringField =
    (assign: (s: string) => void, goType = "string"): FieldDecoder =>
    (x, p) =>
      assign(decodeString(x, p, goType) ?? "");
  const typeField = (assign: (s: string) => void): FieldDecoder =>
    stringField(assign, "signature.prmTypeIdentifier");
  switch (type) {
    case "matchExact":
    case "matchRepoDigestOrExact":
    case "matchRepository":
      checkExactType(node, path, type, "signature.prmTypeIdentifier");
      return { type };
    case "exactReference": {
      let actual = "";
      let dockerReference = "";
      paranoidExactFields(node, path, {
        type: typeField((s) => (actual = s)),
        dockerReference: stringField((s) => (dockerReference = s)),
      });
      checkType(actual, type, path);
      const parsed = parseDockerReference(dockerReference);
      if (!parsed.ok) {
        throw new PolicyFormatError(
          `Invalid format of dockerReference ${goQuote(dockerReference)}: ${parsed.message}`,
          childPath(path, "dockerReference"),
        );
      }
      if (isNameOnly(parsed.reference)) {
        throw new PolicyFormatError(
          `dockerReference ${goQuote(dockerReference)} contains neither a tag nor digest`,
          childPath(path, "dockerReference"),
        );
      }
      return { type, dockerReference };
    }
    case "exactRepository": {
      let actual = "";
      let dockerRepository = "";
      paranoidExactFields(node, path, {
        type: typeField((s) => (actual = s)),
        dockerRepository: stringField((s) => (dockerRepository = s)),
      });
      checkType(actual, type, path);
      const parsed = parseDockerReference(dockerRepository);
      if (!parsed.ok) {
        throw new PolicyFormatError(
          `Invalid format of dockerRepository ${goQuote(dockerRepository)}: ${parsed.message}`,
          childPath(path, "dockerRepository"),
        );
      }
      return { type, dockerRepository };
    }
    case "remapIdentity": {
      let actual = "";
      let prefix = "";
      let signedPrefix = "";
      paranoidExactFields(node, path, {
        type: typeField((s) => (actual = s)),
        prefix: stringField((s) => (prefix = s)),
        signedPrefix: stringField((s) => (signedPrefix = s)),
      });
      checkType(actual, type, path);
      for (const [field, value] of [
        ["prefix", prefix],
        ["signedPrefix", signedPrefix],
      ] as const) {
        if (!remapIdentityPrefixIsValid(value)) {
          throw new PolicyFormatError(`prefix ${goQuote(value)} is not valid`, childPath(path, field));
        }
      }
      return { type, prefix, signedPrefix };
    }
    default:
      throw new PolicyFormatError(`Unknown policy reference match type ${goQuote(type)}`, path);
  }
}

/**
 * validateIdentityRemappingPrefix: a registry ("host[:port]") or a name that starts with one
 * ("host/ns"). Like upstream, it does not notice every invalid value.
 */
export function remapIdentityPrefixIsValid(s: string): boolean {
  return anchoredDomainRegexp.test(s) || (anchoredNameRegexp.test(s) && domainPrefixRegexp.test(s));
}
