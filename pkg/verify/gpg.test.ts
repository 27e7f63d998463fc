// signedBy with GPG keys, on signatures made with openpgp.js (the integration parity test uses gpg).
import { describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import * as openpgp from "openpgp";
import type { PRSignedBy } from "../containers/policy.ts";
import { parseDockerReference } from "../containers/reference.ts";
import { evaluateSignedByRequirement, prepareGpgKeyring } from "./gpg.ts";
import { readFileBytes } from "./keys.ts";

const manifest = new TextEncoder().encode('{"schemaVersion":2,"x":1}');
const digest = `sha256:${createHash("sha256").update(manifest).digest("hex")}`;
const parsed = parseDockerReference("registry.example.com/team/app:v1");
if (!parsed.ok) throw new Error(parsed.message);
const image = { intended: parsed.reference, manifest, now: new Date() };

async function key(name: string) {
  return openpgp.generateKey({ type: "ecc", curve: "ed25519Legacy", userIDs: [{ name }], format: "object" });
}

async function sign(privateKey: openpgp.PrivateKey, reference: string, d = digest): Promise<Uint8Array> {
  const payload = JSON.stringify({
    critical: {
      identity: { "docker-reference": reference },
      image: { "docker-manifest-digest": d },
      type: "atomic container signature",
    },
    optional: {},
  });
  const message = await openpgp.createMessage({ binary: new TextEncoder().encode(payload) });
  return openpgp.sign({ message, signingKeys: privateKey, format: "binary" }) as Promise<Uint8Array>;
}

describe("signedBy GPGKeys", () => {
  it("accepts a signature by a key of the keyring and checks digest and identity", async () => {
    const { privateKey, publicKey } = await key("release");
    const requirement: PRSignedBy = {
      type: "signedBy",
      keyType: "GPGKeys",
      keyData: Buffer.from(publicKey.write()).toString("base64"),
      signedIdentity: { type: "matchRepoDigestOrExact" },
    };
    const keyring = await prepareGpgKeyring(requirement, readFileBytes);
    const sig = (blob: Uint8Array) => ({ kind: "simple-signing" as const, blob, source: "test" });
    const good = await evaluateSignedByRequirement(keyring, requirement, image, [
      sig(await sign(privateKey, "registry.example.com/team/app:v1")),
    ]);
    expect(good.allowed).toBe(true);
    const wrongTag = await evaluateSignedByRequirement(keyring, requirement, image, [
      sig(await sign(privateKey, "registry.example.com/team/app:v2")),
    ]);
    expect(wrongTag.message).toBe(
      'Signature for identity "registry.example.com/team/app:v2" is not accepted',
    );
    const wrongDigest = await evaluateSignedByRequirement(keyring, requirement, image, [
      sig(await sign(privateKey, "registry.example.com/team/app:v1", `sha256:${"0".repeat(64)}`)),
    ]);
    expect(wrongDigest.message).toBe(`Signature for digest sha256:${"0".repeat(64)} does not match`);
    const stranger = await key("stranger");
    const other = await evaluateSignedByRequirement(keyring, requirement, image, [
      sig(await sign(stranger.privateKey, "registry.example.com/team/app:v1")),
    ]);
    expect(other.message).toMatch(/^Key not found for key ID [0-9a-f]{16} in signature$/);
    const garbage = await evaluateSignedByRequirement(keyring, requirement, image, [
      sig(new Uint8Array([0xa3, 1, 2, 3])),
    ]);
    expect(garbage.allowed).toBe(false);
    expect((await evaluateSignedByRequirement(keyring, requirement, image, [])).message).toBe(
      "A signature was required, but no signature exists",
    );
  });

  it("reports unimplemented key types and empty keyrings", async () => {
    const x509: PRSignedBy = {
      type: "signedBy",
      keyType: "X509Certificates",
      keyData: "QQ==",
      signedIdentity: { type: "matchExact" },
    };
    const keyring = await prepareGpgKeyring(x509, readFileBytes);
    const result = await evaluateSignedByRequirement(keyring, x509, image, [
      { kind: "simple-signing", blob: new Uint8Array([1]), source: "s" },
    ]);
    expect(result.message).toBe('Unimplemented "keyType" value "X509Certificates"');
    const empty: PRSignedBy = {
      type: "signedBy",
      keyType: "GPGKeys",
      keyPaths: [],
      signedIdentity: { type: "matchExact" },
    };
    const none = await evaluateSignedByRequirement(
      await prepareGpgKeyring(empty, readFileBytes),
      empty,
      image,
      [{ kind: "simple-signing", blob: new Uint8Array([1]), source: "s" }],
    );
    expect(none.message).toBe("No public keys imported");
  });
});
