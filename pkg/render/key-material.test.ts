import { describe, expect, it } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { publicKeyProblem } from "./key-material.ts";

// The rule itself is containers/image's: test/integration/key-acceptance-judge.test.ts asks it.
const pemOf = (pair: { publicKey: { export(o: { type: "spki"; format: "pem" }): string | Buffer } }) =>
  pair.publicKey.export({ type: "spki", format: "pem" }).toString();

describe("publicKeyProblem", () => {
  it("accepts the keys Go's crypto uses", () => {
    for (const namedCurve of ["P-256", "P-384", "P-521"]) {
      expect(publicKeyProblem(pemOf(generateKeyPairSync("ec", { namedCurve })), "keyData")).toBeUndefined();
    }
    expect(
      publicKeyProblem(pemOf(generateKeyPairSync("rsa", { modulusLength: 2048 })), "keyData"),
    ).toBeUndefined();
    expect(publicKeyProblem(pemOf(generateKeyPairSync("ed25519")), "keyData")).toBeUndefined();
  });

  it("refuses secp256k1 and RSA under 1024 bits, saying why", () => {
    expect(
      publicKeyProblem(pemOf(generateKeyPairSync("ec", { namedCurve: "secp256k1" })), "keyData"),
    ).toMatch(/^keyData is an ECDSA key on curve secp256k1, which containers\/image cannot use/);
    expect(publicKeyProblem(pemOf(generateKeyPairSync("rsa", { modulusLength: 512 })), "keyData")).toMatch(
      /^keyData is a 512-bit RSA key, which containers\/image refuses/,
    );
  });
});
