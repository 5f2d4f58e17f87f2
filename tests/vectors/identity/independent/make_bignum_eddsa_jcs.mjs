// Regenerates bignum-eddsa-jcs-2022.json: a credential secured with eddsa-jcs-2022
// (W3C vc-di-eddsa §3.3) by an implementation independent of gongzhi's Python code — Node's
// own Ed25519 and SHA-256, and the `canonicalize` package (RFC 8785) — whose subject holds
// numbers that RFC 8785 Appendix B lists: 9007199254740992 (2^53), -9007199254740992,
// 295147905179352830000 (2^68) and 1e+23. JavaScript parses and writes them as the IEEE-754
// doubles they are, which is what a verifier must follow.
//
//   node tests/vectors/identity/independent/make_bignum_eddsa_jcs.mjs
//
// Ed25519 signing is deterministic, so the file comes out byte-identical every time.
import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import canonicalize from "canonicalize";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58btc(bytes) {
  let n = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return `z${out}`;
}

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest();

// A fixed seed, so the vector is reproducible; it secures nothing else.
const seed = sha256("gongzhi independent eddsa-jcs-2022 vector");
const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
const raw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
const multikey = base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
const did = `did:key:${multikey}`;

const credential = {
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
  id: "urn:uuid:4f0a6b2e-8a55-4c59-9c1e-2d4a6c1f0b8e",
  type: ["VerifiableCredential", "ExampleNumbersCredential"],
  issuer: did,
  validFrom: "2025-01-01T00:00:00Z",
  credentialSubject: {
    id: "did:example:subject",
    maxSafeIntegerPlusOne: 9007199254740992,
    minusMaxSafeIntegerMinusOne: -9007199254740992,
    aboutTwoToThe68: 295147905179352830000,
    tenToThe23: 1e23,
    small: 56,
  },
};

// Proof Configuration (§3.3.5) with the document's @context (Create Proof §3.3.1 step 2).
const proofConfig = {
  type: "DataIntegrityProof",
  cryptosuite: "eddsa-jcs-2022",
  created: "2025-01-01T00:00:00Z",
  verificationMethod: `${did}#${multikey}`,
  proofPurpose: "assertionMethod",
  "@context": credential["@context"],
};
// Hashing (§3.3.4): SHA-256(JCS(proofConfig)) || SHA-256(JCS(document)).
const hashData = Buffer.concat([sha256(canonicalize(proofConfig)), sha256(canonicalize(credential))]);
const proofValue = base58btc(sign(null, hashData, privateKey));
const secured = { ...credential, proof: { ...proofConfig, proofValue } };

const here = new URL(".", import.meta.url);
writeFileSync(new URL("bignum-eddsa-jcs-2022.json", here), `${JSON.stringify(secured, null, 2)}\n`);
writeFileSync(new URL("bignum-eddsa-jcs-2022.canonical.txt", here), canonicalize(credential));
