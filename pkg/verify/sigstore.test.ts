// sigstoreSigned evaluation on in-memory signatures (the registry side is covered by the integration
// parity test): keys with and without Rekor, Fulcio, PKI, and the traps — certificates from the
// image are never anchors, identities are anchored, SETs must be about this very signature.
import { describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import type { PRSigstoreSigned } from "../containers/policy.ts";
import { parseDockerReference } from "../containers/reference.ts";
import {
  EKU_SERVER_AUTH,
  cosignPayload,
  createCertificateAuthority,
  createRekorLog,
  generateSigningKey,
  issueCertificate,
  rekorSet,
  signPayload,
  type IssuedCertificate,
} from "../../test/harness/signing.ts";
import { readFileBytes } from "./keys.ts";
import type { UntrustedSignature } from "./signature-source.ts";
import { evaluateSigstoreRequirement, prepareSigstoreTrustRoot, type PreparedTrustRoot } from "./sigstore.ts";

const manifest = new TextEncoder().encode('{"schemaVersion":2}');
const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
const intended = (() => {
  const parsed = parseDockerReference("registry.example.com/team/app:v1");
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
})();
const b64 = (s: string): string => Buffer.from(s).toString("base64");
const now = Math.floor(Date.now() / 1000);

type Sig = Extract<UntrustedSignature, { kind: "sigstore" }>;

function signature(payload: Uint8Array, annotations: Record<string, string>): Sig {
  return {
    kind: "sigstore",
    mimeType: "application/vnd.dev.cosign.simplesigning.v1+json",
    payload,
    annotations,
    source: "test",
  };
}

async function evaluate(requirement: PRSigstoreSigned, sigs: UntrustedSignature[], at = new Date()) {
  let trust: PreparedTrustRoot;
  try {
    trust = { ok: true, root: await prepareSigstoreTrustRoot(requirement, readFileBytes) };
  } catch (error) {
    trust = { ok: false, error: error as Error };
  }
  return evaluateSigstoreRequirement(trust, requirement, { intended, manifest, now: at }, sigs);
}

const matchRepository = { type: "matchRepository" } as const;
const payload = cosignPayload("registry.example.com/team/app", digest);

describe("sigstoreSigned with keys", () => {
  const key = generateSigningKey("ecdsa");
  const requirement: PRSigstoreSigned = {
    type: "sigstoreSigned",
    keyData: b64(key.publicKeyPem),
    signedIdentity: matchRepository,
  };

  it("accepts a good signature and says which", async () => {
    const result = await evaluate(requirement, [
      signature(payload, { "dev.cosignproject.cosign/signature": signPayload(key.privateKey, payload) }),
    ]);
    expect(result.allowed).toBe(true);
    expect(result.results[0]?.detail).toMatch(/^accepted: signed by a policy public key/);
  });

  it("says no signature exists, and counts what else it saw", async () => {
    expect((await evaluate(requirement, [])).message).toBe(
      "A signature was required, but no signature exists",
    );
    const other = { ...signature(payload, {}), mimeType: "application/vnd.dev.sigstore.bundle.v0.3+json" };
    expect((await evaluate(requirement, [other])).message).toBe(
      "A signature was required, but no signature exists (0 non-sigstore signatures, 1 sigstore non-signature attachments)",
    );
  });

  it("refuses a signature of another digest, identity or key", async () => {
    const otherDigest = cosignPayload("registry.example.com/team/app", `sha256:${"1".repeat(64)}`);
    const sig = (p: Uint8Array, k = key): Sig =>
      signature(p, { "dev.cosignproject.cosign/signature": signPayload(k.privateKey, p) });
    expect((await evaluate(requirement, [sig(otherDigest)])).message).toBe(
      `Signature for digest sha256:${"1".repeat(64)} does not match`,
    );
    const otherRepo = cosignPayload("registry.example.com/team/app-evil", digest);
    expect((await evaluate(requirement, [sig(otherRepo)])).message).toBe(
      'Signature for identity "registry.example.com/team/app-evil" is not accepted',
    );
    const result = await evaluate(requirement, [sig(payload, generateSigningKey())]);
    expect(result.message).toMatch(/^cryptographic signature verification failed/);
  });

  it("checks the signature before parsing the payload", async () => {
    const garbage = new TextEncoder().encode("not json");
    const result = await evaluate(requirement, [
      signature(garbage, { "dev.cosignproject.cosign/signature": b64("nope") }),
    ]);
    expect(result.message).toMatch(/^cryptographic signature verification failed/);
  });

  it("accepts RSA (PKCS #1 PEM too) and Ed25519 keys", async () => {
    const rsa = generateSigningKey("rsa");
    const pkcs1 = rsa.publicKey.export({ type: "pkcs1", format: "pem" }).toString();
    const ed = generateSigningKey("ed25519");
    for (const [k, pem] of [
      [rsa, pkcs1],
      [ed, ed.publicKeyPem],
    ] as const) {
      const result = await evaluate({ ...requirement, keyData: b64(pem) }, [
        signature(payload, { "dev.cosignproject.cosign/signature": signPayload(k.privateKey, payload) }),
      ]);
      expect(result.allowed).toBe(true);
    }
  });

  it("rejects every signature when the key cannot be loaded", async () => {
    const result = await evaluate({ ...requirement, keyData: b64("not a key") }, [
      signature(payload, { "dev.cosignproject.cosign/signature": signPayload(key.privateKey, payload) }),
    ]);
    expect(result.message).toBe("parsing public key 1: PEM decoding failed");
  });
});

describe("sigstoreSigned with keys and Rekor", () => {
  const key = generateSigningKey("ecdsa");
  const log = createRekorLog();
  const requirement: PRSigstoreSigned = {
    type: "sigstoreSigned",
    keyData: b64(key.publicKeyPem),
    rekorPublicKeyData: b64(log.publicKeyPem),
    signedIdentity: matchRepository,
  };
  const sig = signPayload(key.privateKey, payload);
  const set = (overrides: Partial<Parameters<typeof rekorSet>[1]> = {}, l = log): string =>
    rekorSet(l, { publicKeyOrCertificatePem: key.publicKeyPem, signatureBase64: sig, payload, ...overrides });

  it("accepts a SET over this signature, whatever its time", async () => {
    const result = await evaluate(requirement, [
      signature(payload, {
        "dev.cosignproject.cosign/signature": sig,
        "dev.sigstore.cosign/bundle": set({ integratedTime: 1 }),
      }),
    ]);
    expect(result.allowed).toBe(true);
  });

  it.each([
    ["a missing SET", undefined, "missing dev.sigstore.cosign/bundle annotation"],
    [
      "another log's SET",
      set({}, createRekorLog()),
      "cryptographic signature verification of Rekor SET failed",
    ],
    [
      "a SET over another payload",
      set({ payload: new Uint8Array([1]) }),
      "payload in Rekor SET does not match",
    ],
    [
      "a SET over another signature",
      set({ signatureBase64: b64("x") }),
      "signature in Rekor SET does not match",
    ],
    [
      "a SET naming another key",
      set({ publicKeyOrCertificatePem: generateSigningKey().publicKeyPem }),
      "publicKey in Rekor SET does not match",
    ],
    [
      "a SET of another entry kind",
      set({ bodyOverride: (b) => ({ ...b, kind: "rekord" }) }),
      'decoding the body of a Rekor SET payload: invalid kind value: "rekord"',
    ],
    [
      "a SET with a sha512 hash",
      set({
        bodyOverride: (b) => ({
          ...b,
          spec: { ...(b.spec as object), data: { hash: { algorithm: "sha512", value: "00" } } },
        }),
      }),
      'Unexpected "data.hash.algorithm" value "sha512"',
    ],
    ["a malformed SET", '{"SignedEntryTimestamp":"", "Payload":{}, "x":1}', 'Unknown key "x"'],
  ])("refuses %s", async (_name, bundle, reason) => {
    const annotations: Record<string, string> = { "dev.cosignproject.cosign/signature": sig };
    if (bundle !== undefined) annotations["dev.sigstore.cosign/bundle"] = bundle;
    const result = await evaluate(requirement, [signature(payload, annotations)]);
    expect(result.allowed).toBe(false);
    expect(result.message).toContain(reason);
  });

  it("refuses a non-ECDSA Rekor key", async () => {
    const result = await evaluate(
      { ...requirement, rekorPublicKeyData: b64(generateSigningKey("ed25519").publicKeyPem) },
      [
        signature(payload, {
          "dev.cosignproject.cosign/signature": sig,
          "dev.sigstore.cosign/bundle": set(),
        }),
      ],
    );
    expect(result.message).toBe("Rekor public key 1 is not using ECDSA");
  });
});

describe("sigstoreSigned with Fulcio", () => {
  const ca = createCertificateAuthority("fulcio");
  const log = createRekorLog();
  const requirement: PRSigstoreSigned = {
    type: "sigstoreSigned",
    fulcio: {
      caData: b64(ca.root.certificatePem),
      oidcIssuer: "https://issuer.example",
      subjectEmail: "a@example.com",
    },
    rekorPublicKeyData: b64(log.publicKeyPem),
    signedIdentity: matchRepository,
  };
  const leafSpec = {
    commonName: "",
    emails: ["a@example.com"],
    fulcioIssuerV1: "https://issuer.example",
    notBefore: new Date((now - 300) * 1000),
    notAfter: new Date((now + 300) * 1000),
  };
  function fulcioSignature(leaf: IssuedCertificate, chain: IssuedCertificate[], integratedTime = now): Sig {
    const sig = signPayload(leaf.privateKey, payload);
    return signature(payload, {
      "dev.cosignproject.cosign/signature": sig,
      "dev.sigstore.cosign/certificate": leaf.certificatePem,
      "dev.sigstore.cosign/chain": chain.map((c) => c.certificatePem).join(""),
      "dev.sigstore.cosign/bundle": rekorSet(log, {
        publicKeyOrCertificatePem: leaf.certificatePem,
        signatureBase64: sig,
        payload,
        integratedTime,
      }),
    });
  }

  it("accepts a certificate valid at integratedTime, even if expired now", async () => {
    const leaf = issueCertificate(
      {
        ...leafSpec,
        notBefore: new Date(Date.UTC(2024, 0, 1)),
        notAfter: new Date(Date.UTC(2024, 0, 1, 0, 10)),
      },
      ca.intermediate,
    );
    const integratedTime = Date.UTC(2024, 0, 1, 0, 5) / 1000;
    const oldCa = createCertificateAuthority("old", {
      notBefore: new Date(Date.UTC(2023, 0, 1)),
      notAfter: new Date(Date.UTC(2030, 0, 1)),
    });
    const oldLeaf = issueCertificate(
      {
        ...leafSpec,
        notBefore: new Date(Date.UTC(2024, 0, 1)),
        notAfter: new Date(Date.UTC(2024, 0, 1, 0, 10)),
      },
      oldCa.intermediate,
    );
    const result = await evaluate(
      { ...requirement, fulcio: { ...requirement.fulcio!, caData: b64(oldCa.root.certificatePem) } },
      [fulcioSignature(oldLeaf, [oldCa.intermediate, oldCa.root], integratedTime)],
    );
    expect(result.allowed).toBe(true);
    // The same leaf under a CA that did not exist yet at integratedTime is refused.
    const tooNew = await evaluate(requirement, [
      fulcioSignature(leaf, [ca.intermediate, ca.root], integratedTime),
    ]);
    expect(tooNew.message).toMatch(/certificate has expired or is not yet valid/);
  });

  it("never trusts a root shipped in the chain annotation", async () => {
    const rogue = createCertificateAuthority("rogue");
    const leaf = issueCertificate(leafSpec, rogue.intermediate);
    const result = await evaluate(requirement, [fulcioSignature(leaf, [rogue.intermediate, rogue.root])]);
    expect(result.message).toMatch(
      /^veryfing leaf certificate failed: x509: certificate signed by unknown authority/,
    );
    // Nor the last certificate of the chain as an intermediate: only all but the last are used.
    const viaLast = await evaluate(requirement, [
      fulcioSignature(issueCertificate(leafSpec, ca.intermediate), [ca.intermediate]),
    ]);
    expect(viaLast.message).toMatch(/unknown authority/);
  });

  it("matches the email exactly, in email SANs only", async () => {
    for (const spec of [
      { emails: ["a@example.com.evil"] },
      { emails: [], uris: ["mailto:a@example.com"] },
      { emails: ["A@example.com"] },
    ]) {
      const leaf = issueCertificate({ ...leafSpec, ...spec }, ca.intermediate);
      const result = await evaluate(requirement, [fulcioSignature(leaf, [ca.intermediate, ca.root])]);
      expect(result.message).toMatch(/^Required email "a@example.com" not found/);
    }
  });

  it("needs the code-signing usage and an issuer extension", async () => {
    const server = issueCertificate({ ...leafSpec, extKeyUsage: [EKU_SERVER_AUTH] }, ca.intermediate);
    expect(
      (await evaluate(requirement, [fulcioSignature(server, [ca.intermediate, ca.root])])).message,
    ).toMatch(/incompatible key usage/);
    const noIssuer = issueCertificate({ ...leafSpec, fulcioIssuerV1: undefined }, ca.intermediate);
    expect(
      (await evaluate(requirement, [fulcioSignature(noIssuer, [ca.intermediate, ca.root])])).message,
    ).toBe("Fulcio certificate is missing the issuer extension");
    const noEku = issueCertificate({ ...leafSpec, extKeyUsage: [] }, ca.intermediate);
    expect((await evaluate(requirement, [fulcioSignature(noEku, [ca.intermediate, ca.root])])).allowed).toBe(
      true,
    );
  });

  it("refuses an unknown critical extension, and an intermediate that is not a CA", async () => {
    const critical = issueCertificate(
      { ...leafSpec, extensions: [{ oid: "1.2.3.4", critical: true, value: Buffer.from([5, 0]) }] },
      ca.intermediate,
    );
    expect(
      (await evaluate(requirement, [fulcioSignature(critical, [ca.intermediate, ca.root])])).message,
    ).toBe("veryfing leaf certificate failed: x509: unhandled critical extension");
    const notCa = issueCertificate({ commonName: "not a CA", keyUsageBits: [0, 5] }, ca.root);
    const leaf = issueCertificate(leafSpec, notCa);
    const result = await evaluate(requirement, [fulcioSignature(leaf, [notCa, ca.root])]);
    expect(result.allowed).toBe(false);
  });
});

describe("sigstoreSigned with PKI", () => {
  const ca = createCertificateAuthority("pki");
  const requirement = (pki: Record<string, string>): PRSigstoreSigned => ({
    type: "sigstoreSigned",
    pki: { caRootsData: b64(ca.root.certificatePem), ...pki },
    signedIdentity: matchRepository,
  });
  const sign = (leaf: IssuedCertificate, chain: IssuedCertificate[] = [ca.intermediate, ca.root]): Sig =>
    signature(payload, {
      "dev.cosignproject.cosign/signature": signPayload(leaf.privateKey, payload),
      "dev.sigstore.cosign/certificate": leaf.certificatePem,
      "dev.sigstore.cosign/chain": chain.map((c) => c.certificatePem).join(""),
    });
  const leaf = issueCertificate(
    { commonName: "signer", emails: ["r@example.com"], dnsNames: ["*.signers.example.com"] },
    ca.intermediate,
  );

  it("checks email and wildcard hostnames like Go", async () => {
    expect((await evaluate(requirement({ subjectEmail: "r@example.com" }), [sign(leaf)])).allowed).toBe(true);
    expect(
      (await evaluate(requirement({ subjectHostname: "a.signers.example.com" }), [sign(leaf)])).allowed,
    ).toBe(true);
    const deep = await evaluate(requirement({ subjectHostname: "a.b.signers.example.com" }), [sign(leaf)]);
    expect(deep.message).toBe(
      "Unexpected subject hostname: x509: certificate is valid for *.signers.example.com, not a.b.signers.example.com",
    );
  });

  it("validates at the given time", async () => {
    const later = new Date(Date.now() + 400 * 86400_000);
    const result = await evaluate(requirement({ subjectEmail: "r@example.com" }), [sign(leaf)], later);
    expect(result.message).toMatch(/certificate has expired or is not yet valid/);
  });

  it("uses intermediates from the policy", async () => {
    const withPolicy = requirement({
      subjectEmail: "r@example.com",
      caIntermediatesData: b64(ca.intermediate.certificatePem),
    });
    expect((await evaluate(withPolicy, [sign(leaf, [])])).allowed).toBe(true);
    expect((await evaluate(requirement({ subjectEmail: "r@example.com" }), [sign(leaf, [])])).allowed).toBe(
      false,
    );
  });
});
