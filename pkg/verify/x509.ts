// Certificate path validation with the semantics of Go's crypto/x509 Certificate.Verify, which is what
// containers/image runs for Fulcio and PKI signatures: chains are built from the leaf through the given
// intermediates to one of the given roots (never to a certificate that is not in the roots), every
// certificate must be valid at the chosen time, intermediates must be CAs, parents must not forbid
// certificate signing, path-length limits hold, no certificate may carry an unhandled critical
// extension, and every certificate with an extended-key-usage extension must allow the wanted usage
// (a certificate without one allows every usage). Name constraints and certificate policies are not
// evaluated (Go's are; neither is used by Fulcio or by typical private signing PKIs).
//
// node:crypto parses and checks signatures; the extension details Node does not expose (criticality,
// path length, key usage bits, every SAN entry) are read with @sigstore/core's DER parser.

import { X509Certificate as NodeCertificate } from "node:crypto";
import { ASN1Obj } from "@sigstore/core";

export const OID_EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
const OID_EKU_ANY = "2.5.29.37.0";
const OID_AIA = "1.3.6.1.5.5.7.1.1";
// Extensions Go's parser handles (processExtensions); any other critical one is "unhandled".
const HANDLED_EXTENSIONS = new Set(
  [14, 15, 17, 19, 30, 31, 32, 33, 35, 36, 37, 54].map((n) => `2.5.29.${n}`).concat(OID_AIA),
);
const MAX_SIGNATURE_CHECKS = 100;

/** A parsed certificate with what path validation and identity checks need. */
export interface Certificate {
  readonly node: NodeCertificate;
  readonly raw: Buffer;
  readonly version: number;
  readonly rawSubject: Buffer;
  readonly rawIssuer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly basicConstraintsValid: boolean;
  readonly isCA: boolean;
  /** -1 when not limited. */
  readonly maxPathLen: number;
  /** Key usage bits as Go numbers them (bit 0 = digitalSignature … bit 5 = keyCertSign); 0 when absent. */
  readonly keyUsage: number;
  /** EKU OIDs; undefined when the extension is absent. */
  readonly extKeyUsage: readonly string[] | undefined;
  readonly emailAddresses: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly uris: readonly string[];
  /** Extensions by OID (first occurrence): raw extnValue contents and criticality. */
  readonly extensions: ReadonlyArray<{ oid: string; critical: boolean; value: Buffer }>;
  unhandledCriticalExtensions: string[];
}

export class CertificateError extends Error {
  override readonly name = "CertificateError";
}

/** Parses DER bytes; throws CertificateError ("x509: …") when they are not a certificate. */
export function parseCertificate(der: Uint8Array | NodeCertificate): Certificate {
  let node: NodeCertificate;
  try {
    node = der instanceof NodeCertificate ? der : new NodeCertificate(Buffer.from(der));
  } catch (error) {
    throw new CertificateError(`x509: malformed certificate: ${(error as Error).message}`);
  }
  const raw = node.raw;
  try {
    return fromAsn1(node, raw, ASN1Obj.parseBuffer(Buffer.from(raw)));
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw new CertificateError(`x509: malformed certificate: ${(error as Error).message}`);
  }
}

function fromAsn1(node: NodeCertificate, raw: Buffer, root: ASN1Obj): Certificate {
  const tbs = root.subs[0];
  if (tbs === undefined) throw new CertificateError("x509: malformed tbs certificate");
  const hasVersion = tbs.subs[0]?.tag.isContextSpecific(0) ?? false;
  const at = (i: number): ASN1Obj => {
    const obj = tbs.subs[(hasVersion ? 1 : 0) + i];
    if (obj === undefined) throw new CertificateError("x509: malformed tbs certificate");
    return obj;
  };
  const version = hasVersion ? Number(tbs.subs[0]?.subs[0]?.toInteger() ?? 0n) + 1 : 1;
  const validity = at(3);
  const notBefore = validity.subs[0]?.toDate();
  const notAfter = validity.subs[1]?.toDate();
  if (notBefore === undefined || notAfter === undefined)
    throw new CertificateError("x509: malformed validity");
  const cert: Certificate = {
    node,
    raw,
    version,
    rawIssuer: at(2).toDER(),
    rawSubject: at(4).toDER(),
    notBefore,
    notAfter,
    basicConstraintsValid: false,
    isCA: false,
    maxPathLen: -1,
    keyUsage: 0,
    extKeyUsage: undefined,
    emailAddresses: [],
    dnsNames: [],
    ipAddresses: [],
    uris: [],
    extensions: [],
    unhandledCriticalExtensions: [],
  };
  const mutable = cert as { -readonly [K in keyof Certificate]: Certificate[K] };
  const extensionsWrapper = tbs.subs.find((s) => s.tag.isContextSpecific(3));
  const extensions: { oid: string; critical: boolean; value: Buffer }[] = [];
  for (const ext of extensionsWrapper?.subs[0]?.subs ?? []) {
    const oid = ext.subs[0]?.toOID() ?? "";
    const critical = ext.subs.length === 3 ? (ext.subs[1]?.toBoolean() ?? false) : false;
    const value = ext.subs[ext.subs.length - 1]?.value ?? Buffer.alloc(0);
    extensions.push({ oid, critical, value: Buffer.from(value) });
    let unhandled = !HANDLED_EXTENSIONS.has(oid);
    const inner = (): ASN1Obj => ASN1Obj.parseBuffer(Buffer.from(value));
    if (oid === "2.5.29.19") {
      const seq = inner();
      mutable.basicConstraintsValid = true;
      for (const item of seq.subs) {
        if (item.tag.isBoolean()) mutable.isCA = item.toBoolean();
        else if (item.tag.isInteger()) mutable.maxPathLen = Number(item.toInteger());
      }
    } else if (oid === "2.5.29.15") {
      const bits = inner().toBitString();
      let usage = 0;
      bits.forEach((bit, i) => {
        if (bit === 1) usage |= 1 << i;
      });
      mutable.keyUsage = usage;
    } else if (oid === "2.5.29.37") {
      mutable.extKeyUsage = inner().subs.map((o) => o.toOID());
    } else if (oid === "2.5.29.17") {
      const emails: string[] = [];
      const dns: string[] = [];
      const ips: string[] = [];
      const uris: string[] = [];
      for (const name of inner().subs) {
        if (!name.tag.isContextSpecific()) continue;
        const text = name.value.toString("latin1");
        if (name.tag.number === 1) emails.push(text);
        else if (name.tag.number === 2) dns.push(text);
        else if (name.tag.number === 6) uris.push(text);
        else if (name.tag.number === 7) ips.push(formatIp(name.value));
      }
      Object.assign(mutable, { emailAddresses: emails, dnsNames: dns, ipAddresses: ips, uris });
      unhandled = emails.length + dns.length + ips.length + uris.length === 0;
    }
    if (critical && unhandled) cert.unhandledCriticalExtensions.push(oid);
  }
  mutable.extensions = extensions;
  return cert;
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length === 16) return (bytes.toString("hex").match(/.{4}/g) ?? []).join(":");
  return bytes.toString("hex");
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface VerifyOptions {
  roots: readonly Certificate[];
  intermediates: readonly Certificate[];
  currentTime: Date;
  /** Required extended key usages (Go's VerifyOptions.KeyUsages). */
  keyUsages: readonly string[];
}

type CertType = "leaf" | "intermediate" | "root";

/** Certificate.isValid for one certificate at its place in the chain. */
function isValid(c: Certificate, type: CertType, chain: readonly Certificate[], opts: VerifyOptions): void {
  if (c.unhandledCriticalExtensions.length > 0)
    throw new CertificateError("x509: unhandled critical extension");
  const child = chain[chain.length - 1];
  if (child !== undefined && !child.rawIssuer.equals(c.rawSubject)) {
    throw new CertificateError("x509: issuer name does not match subject from issuing certificate");
  }
  const now = opts.currentTime;
  if (now < c.notBefore) {
    throw new CertificateError(
      `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is before ${rfc3339(c.notBefore)}`,
    );
  }
  if (now > c.notAfter) {
    throw new CertificateError(
      `x509: certificate has expired or is not yet valid: current time ${rfc3339(now)} is after ${rfc3339(c.notAfter)}`,
    );
  }
  if (type === "intermediate" && (!c.basicConstraintsValid || !c.isCA)) {
    throw new CertificateError("x509: certificate is not authorized to sign other certificates");
  }
  if (c.basicConstraintsValid && c.maxPathLen >= 0 && chain.length - 1 > c.maxPathLen) {
    throw new CertificateError("x509: too many intermediates for path length constraint");
  }
}

const KEY_USAGE_CERT_SIGN = 1 << 5;

/** Certificate.CheckSignatureFrom: parent constraints, then the signature itself. */
function checkSignatureFrom(child: Certificate, parent: Certificate): void {
  if (
    (parent.version === 3 && !parent.basicConstraintsValid) ||
    (parent.basicConstraintsValid && !parent.isCA)
  ) {
    throw new CertificateError(
      "x509: invalid signature: parent certificate cannot sign this kind of certificate",
    );
  }
  if (parent.keyUsage !== 0 && (parent.keyUsage & KEY_USAGE_CERT_SIGN) === 0) {
    throw new CertificateError(
      "x509: invalid signature: parent certificate cannot sign this kind of certificate",
    );
  }
  let ok: boolean;
  try {
    ok = child.node.verify(parent.node.publicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new CertificateError("x509: invalid signature");
}

const sameCertificate = (a: Certificate, b: Certificate): boolean => a.raw.equals(b.raw);

/** checkChainForKeyUsage: walking from the root, each EKU-carrying certificate narrows the usages. */
function chainAllowsUsage(chain: readonly Certificate[], wanted: readonly string[]): boolean {
  let usages = [...wanted];
  for (let i = chain.length - 1; i >= 0; i--) {
    const cert = chain[i] as Certificate;
    if (cert.extKeyUsage === undefined || cert.extKeyUsage.length === 0) continue;
    if (cert.extKeyUsage.includes(OID_EKU_ANY)) continue;
    usages = usages.filter((u) => cert.extKeyUsage?.includes(u));
    if (usages.length === 0) return false;
  }
  return true;
}

/**
 * Certificate.Verify: the chains (leaf first) from `leaf` to one of the roots, or a CertificateError
 * with Go's message.
 */
export function verifyCertificate(leaf: Certificate, opts: VerifyOptions): Certificate[][] {
  isValid(leaf, "leaf", [], opts);
  let chains: Certificate[][];
  if (opts.roots.some((r) => sameCertificate(r, leaf))) {
    chains = [[leaf]];
  } else {
    const state = { signatureChecks: 0 };
    chains = buildChains(leaf, [leaf], state, opts);
  }
  const usable = chains.filter((chain) => chainAllowsUsage(chain, opts.keyUsages));
  if (usable.length === 0)
    throw new CertificateError("x509: certificate specifies an incompatible key usage");
  return usable;
}

function buildChains(
  cert: Certificate,
  chain: Certificate[],
  state: { signatureChecks: number },
  opts: VerifyOptions,
): Certificate[][] {
  const found: Certificate[][] = [];
  let hint: { error: Error; candidate: Certificate } | undefined;
  const consider = (type: "root" | "intermediate", candidate: Certificate): void => {
    if (chain.some((c) => sameCertificate(c, candidate))) return;
    state.signatureChecks++;
    if (state.signatureChecks > MAX_SIGNATURE_CHECKS) {
      throw new CertificateError(
        "x509: signature check attempts limit reached while verifying certificate chain",
      );
    }
    try {
      checkSignatureFrom(cert, candidate);
      isValid(candidate, type, chain, opts);
    } catch (error) {
      if (!(error instanceof CertificateError)) throw error;
      hint ??= { error, candidate };
      return;
    }
    if (type === "root") found.push([...chain, candidate]);
    else found.push(...buildChains(candidate, [...chain, candidate], state, opts));
  };
  const parentsOf = (pool: readonly Certificate[]): Certificate[] =>
    pool.filter((p) => p.rawSubject.equals(cert.rawIssuer));
  for (const root of parentsOf(opts.roots)) consider("root", root);
  for (const intermediate of parentsOf(opts.intermediates)) consider("intermediate", intermediate);
  if (found.length === 0 && chain.length === 1) {
    // Go names the candidate by its subject's common name.
    const candidateName = hint?.candidate.node.subject.split("\n").find((l) => l.startsWith("CN="));
    const detail = hint
      ? ` (possibly because of ${JSON.stringify(hint.error.message)} while trying to verify candidate authority certificate ${JSON.stringify(candidateName?.slice(3) ?? "")})`
      : "";
    throw new CertificateError(`x509: certificate signed by unknown authority${detail}`);
  }
  return found;
}

/** Certificate.VerifyHostname for a DNS name (with "*." wildcards in the certificate) or an IP address. */
export function certificateMatchesHostname(cert: Certificate, host: string): boolean {
  const candidateIp = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (/^[\d.]+$/.test(candidateIp) || candidateIp.includes(":")) {
    return cert.node.checkIP(candidateIp) !== undefined;
  }
  const wanted = host.replace(/\.$/, "").toLowerCase();
  const wantedParts = wanted.split(".");
  for (const pattern of cert.dnsNames) {
    const p = pattern.toLowerCase().replace(/\.$/, "");
    if (p === wanted) return true;
    const parts = p.split(".");
    if (parts[0] === "*" && parts.length === wantedParts.length && parts.length > 2) {
      if (parts.slice(1).every((label, i) => label === wantedParts[i + 1])) return true;
    }
  }
  return false;
}

/** Go's HostnameError text. */
export function hostnameErrorText(cert: Certificate, host: string): string {
  if (cert.dnsNames.length === 0 && cert.ipAddresses.length === 0) {
    return "x509: certificate is not valid for any names, but wanted to match " + host;
  }
  const valid = [...cert.dnsNames, ...cert.ipAddresses].join(", ");
  return `x509: certificate is valid for ${valid}, not ${host}`;
}
