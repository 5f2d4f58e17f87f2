// gongzhi (共治) — the owner's browser client: canonical JSON, keys that never leave the
// device, Data Integrity proofs, and the checks that a vote is in the box.
//
// Plain ES module, no build step. Everything here mirrors a Python module that the server
// uses, so that what the browser signs or checks is byte-for-byte what the server checks:
//   canonicalize        ↔ identity/w3c/jcs.py            (RFC 8785)
//   base58btc, did:key  ↔ identity/w3c/multibase.py, identity/w3c/didkey.py
//   signDocument        ↔ identity/w3c/dataintegrity.py  (W3C VC DI ECDSA §3.3, ecdsa-jcs-2019)
//   verifyInclusion …   ↔ ledger/tlog/merkle.py           (RFC 9162 §2.1.3.2, §2.1.4.2)
//   openCheckpoint      ↔ ledger/tlog/note.py, ledger/tlog/checkpoint.py (C2SP signed-note, checkpoint)
//
// Every check throws GongzhiError (message in Chinese and English); none returns false.

const encoder = new TextEncoder();

/** The one error of this module: a Chinese and an English message. */
export class GongzhiError extends Error {
  constructor(zh, en) {
    super(`${zh} / ${en}`);
    this.name = "GongzhiError";
    this.zh = zh;
    this.en = en;
  }
}

function subtle() {
  // WebCrypto exists only in a secure context (https, or http on localhost).
  if (!globalThis.crypto || !globalThis.crypto.subtle) {
    throw new GongzhiError(
      "此浏览器无法安全地生成密钥：请用 https 地址打开本页，或换用较新的浏览器",
      "this browser cannot make keys safely: open the page over https or use a newer browser",
    );
  }
  return globalThis.crypto.subtle;
}

// ---------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------

export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text) {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) {
    throw new GongzhiError("十六进制数据格式不对", "malformed hex data");
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function fromBase64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
    throw new GongzhiError("base64 数据格式不对", "malformed base64 data");
  }
  const bin = atob(text);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

// ---------------------------------------------------------------------------------------
// RFC 8785 JSON Canonicalization Scheme
// ---------------------------------------------------------------------------------------

const MAX_DEPTH = 100; // the same bound as identity/w3c/jcs.py
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function jcsString(s) {
  // I-JSON (RFC 7493 §2.1, required by RFC 8785 §3.1) has no lone surrogates.
  if (LONE_SURROGATE.test(s)) {
    throw new GongzhiError("字符串含有孤立代理项", "string holds a lone surrogate (not I-JSON)");
  }
  // RFC 8785 §3.2.2.2: exactly ECMAScript's JSON.stringify of a string.
  return JSON.stringify(s);
}

function jcsValue(v, depth) {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      // RFC 8785 §3.2.2.3: ECMAScript Number.prototype.toString, which JSON.stringify uses;
      // NaN and ±Infinity are not JSON.
      if (!Number.isFinite(v)) {
        throw new GongzhiError("JSON 不能表示 NaN 或无穷大", "NaN and Infinity are not JSON");
      }
      return JSON.stringify(v);
    case "string":
      return jcsString(v);
    case "object": {
      if (depth >= MAX_DEPTH) {
        throw new GongzhiError(
          `JSON 嵌套超过 ${MAX_DEPTH} 层`,
          `JSON nested deeper than ${MAX_DEPTH} levels`,
        );
      }
      if (Array.isArray(v)) return `[${v.map((x) => jcsValue(x, depth + 1)).join(",")}]`;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        throw new GongzhiError("只能规范化普通 JSON 对象", "only plain JSON objects can be canonicalized");
      }
      // RFC 8785 §3.2.3: members sorted by their names as arrays of UTF-16 code units,
      // which is what JavaScript's string comparison does.
      const names = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const members = names.map((k) => `${jcsString(k)}:${jcsValue(v[k], depth + 1)}`);
      return `{${members.join(",")}}`;
    }
    default:
      throw new GongzhiError(`JSON 中不能有 ${typeof v}`, `a ${typeof v} is not a JSON value`);
  }
}

/** The RFC 8785 canonical form of a JSON value, as a string. */
export function canonicalize(value) {
  return jcsValue(value, 0);
}

/** The RFC 8785 canonical form as UTF-8 bytes: what gets hashed and signed. */
export function canonicalBytes(value) {
  return encoder.encode(canonicalize(value));
}

// ---------------------------------------------------------------------------------------
// base58btc multibase (draft-msporny-base58, the Bitcoin alphabet)
// ---------------------------------------------------------------------------------------

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

export function base58Encode(bytes) {
  const input = Uint8Array.from(bytes);
  let zeros = 0;
  while (zeros < input.length && input[zeros] === 0) zeros++;
  const digits = []; // little-endian base-58 digits
  for (const byte of input.subarray(zeros)) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i] << 8;
      digits[i] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  return "1".repeat(zeros) + digits.reverse().map((d) => B58[d]).join("");
}

export function base58Decode(text) {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === "1") zeros++;
  const bytes = []; // little-endian
  for (const ch of text.slice(zeros)) {
    let carry = B58.indexOf(ch);
    if (carry < 0) throw new GongzhiError("base58 数据含有非法字符", "invalid base58 character");
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i] * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  return concatBytes(new Uint8Array(zeros), Uint8Array.from(bytes.reverse()));
}

export function multibaseEncode(bytes) {
  return `z${base58Encode(bytes)}`;
}

export function multibaseDecode(text) {
  if (typeof text !== "string" || !text.startsWith("z") || text.length < 2) {
    throw new GongzhiError("只支持 base58btc（z 开头）的 multibase", "only base58btc (z…) multibase is supported");
  }
  return base58Decode(text.slice(1));
}

// ---------------------------------------------------------------------------------------
// did:key for P-256 (multicodec p256-pub 0x1200) and Ed25519 (ed25519-pub 0xed)
// ---------------------------------------------------------------------------------------

const P256_PREFIX = Uint8Array.of(0x80, 0x24); // varint(0x1200)
const ED25519_PREFIX = Uint8Array.of(0xed, 0x01); // varint(0xed)

// NIST P-256 (SEC 2 §2.4.2): y² = x³ − 3x + b over GF(p)
const P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const P256_B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

function bytesToBigInt(bytes) {
  return bytes.length ? BigInt(`0x${toHex(bytes)}`) : 0n;
}

function bigIntTo32(n) {
  return fromHex(n.toString(16).padStart(64, "0"));
}

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

/** SEC 1 §2.3.3 point compression: 0x04‖x‖y (65 bytes) → 0x02/0x03‖x (33 bytes). */
export function compressP256(raw) {
  if (raw.length !== 65 || raw[0] !== 0x04) {
    throw new GongzhiError("P-256 公钥应为 65 字节未压缩点", "a P-256 public key must be a 65-byte uncompressed point");
  }
  return concatBytes(Uint8Array.of(0x02 | (raw[64] & 1)), raw.subarray(1, 33));
}

/** SEC 1 §2.3.4 point decompression (p ≡ 3 mod 4, so √a = a^((p+1)/4)). */
export function decompressP256(compressed) {
  if (compressed.length !== 33 || (compressed[0] !== 0x02 && compressed[0] !== 0x03)) {
    throw new GongzhiError("P-256 压缩公钥格式不对", "malformed compressed P-256 key");
  }
  const x = bytesToBigInt(compressed.subarray(1));
  if (x >= P256_P) throw new GongzhiError("P-256 公钥不在曲线上", "P-256 key is not on the curve");
  const rhs = (((x * x * x - 3n * x + P256_B) % P256_P) + P256_P) % P256_P;
  let y = modPow(rhs, (P256_P + 1n) / 4n, P256_P);
  if ((y * y) % P256_P !== rhs) {
    throw new GongzhiError("P-256 公钥不在曲线上", "P-256 key is not on the curve");
  }
  if (Number(y & 1n) !== (compressed[0] & 1)) y = P256_P - y;
  return concatBytes(Uint8Array.of(0x04), compressed.subarray(1), bigIntTo32(y));
}

/** did:key of a P-256 public key given as a 65-byte uncompressed point. */
export function didKeyFromP256(rawPublic) {
  const id = multibaseEncode(concatBytes(P256_PREFIX, compressP256(rawPublic)));
  return { did: `did:key:${id}`, verificationMethod: `did:key:${id}#${id}` };
}

/**
 * Resolve a did:key verification method URL (did:key spec §3.1.2 for the id form) to
 * {kind: "P-256"|"Ed25519", publicKey (raw bytes as WebCrypto imports them), controller}.
 */
export function resolveDidKey(url) {
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)#(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(url ?? "");
  if (!m || m[1] !== m[2]) {
    throw new GongzhiError("验证方法不是 did:key 地址", `not a did:key verification method: ${String(url).slice(0, 80)}`);
  }
  const bytes = multibaseDecode(m[1]);
  const controller = `did:key:${m[1]}`;
  if (bytes.length === 35 && equalBytes(bytes.subarray(0, 2), P256_PREFIX)) {
    return { kind: "P-256", publicKey: decompressP256(bytes.subarray(2)), controller };
  }
  if (bytes.length === 34 && equalBytes(bytes.subarray(0, 2), ED25519_PREFIX)) {
    return { kind: "Ed25519", publicKey: bytes.subarray(2), controller };
  }
  throw new GongzhiError("不支持的 did:key 密钥类型", "unsupported did:key key type");
}

// ---------------------------------------------------------------------------------------
// The owner's key: made here, non-extractable, kept in IndexedDB
// ---------------------------------------------------------------------------------------

const DB_NAME = "gongzhi";
const DB_STORE = "kv";
const OWNER_KEY = "owner-key";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function openDb() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(DB_STORE);
  return request(req);
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    const tx = db.transaction(DB_STORE, mode);
    const result = await request(fn(tx.objectStore(DB_STORE)));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** A value kept on this device (IndexedDB: structured clone keeps CryptoKey objects). */
export function loadValue(name) {
  return withStore("readonly", (s) => s.get(name)).then((v) => v ?? null);
}

export function saveValue(name, value) {
  return withStore("readwrite", (s) => s.put(value, name));
}

export function deleteValue(name) {
  return withStore("readwrite", (s) => s.delete(name));
}

/** The owner key kept on this device, or null: {did, verificationMethod, privateKey, publicKey, created}. */
export function loadOwnerKey() {
  return loadValue(OWNER_KEY);
}

/**
 * Make a new P-256 key pair whose private half can never be exported (WebCrypto
 * `extractable: false`), and keep it in IndexedDB. Refuses to replace an existing key:
 * ballots signed with it must stay attributable; forgetting a key is a separate, explicit step.
 */
export async function createOwnerKey() {
  if (await loadOwnerKey()) {
    throw new GongzhiError("本设备已有业主密钥", "this device already holds an owner key");
  }
  const pair = await subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
    "sign",
    "verify",
  ]);
  const raw = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  const key = {
    ...didKeyFromP256(raw),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    created: new Date().toISOString(),
  };
  await saveValue(OWNER_KEY, key);
  return key;
}

/** The device's owner key, made now if there is none yet. */
export async function ensureOwnerKey() {
  return (await loadOwnerKey()) ?? createOwnerKey();
}

export function forgetOwnerKey() {
  return deleteValue(OWNER_KEY);
}

// ---------------------------------------------------------------------------------------
// W3C VC Data Integrity, cryptosuite ecdsa-jcs-2019 (vc-di-ecdsa §3.3)
// ---------------------------------------------------------------------------------------

export const ECDSA_JCS_2019 = "ecdsa-jcs-2019";
export const EDDSA_JCS_2022 = "eddsa-jcs-2022";

/** §3.3.4 Hashing: SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(unsecured document)), 64 bytes. */
export async function hashData(unsecuredDocument, proofConfig) {
  return concatBytes(
    await sha256(canonicalBytes(proofConfig)),
    await sha256(canonicalBytes(unsecuredDocument)),
  );
}

function isPlainObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Create Proof (§3.3.1): a copy of `doc` with a DataIntegrityProof by the owner key.
 * options: {proofPurpose = "assertionMethod", challenge, domain, created, expires, key}.
 * `key` defaults to the device's owner key. WebCrypto's ECDSA signature is already the
 * IEEE P1363 r‖s form that §3.3.6 Serialization asks for.
 */
export async function signDocument(doc, options = {}) {
  if (!isPlainObject(doc)) throw new GongzhiError("只能对 JSON 对象签名", "only a JSON object can be signed");
  if ("proof" in doc) {
    throw new GongzhiError("文档已有 proof", "document already has a proof; proof sets are not supported");
  }
  const key = options.key ?? (await loadOwnerKey());
  if (!key) throw new GongzhiError("本设备还没有业主密钥，请先登记", "no owner key on this device: enrol first");
  const proof = {
    type: "DataIntegrityProof",
    cryptosuite: ECDSA_JCS_2019,
    verificationMethod: key.verificationMethod,
    proofPurpose: options.proofPurpose ?? "assertionMethod",
  };
  for (const name of ["created", "expires", "challenge", "domain"]) {
    if (options[name] !== undefined && options[name] !== null) proof[name] = String(options[name]);
  }
  if ("@context" in doc) proof["@context"] = structuredClone(doc["@context"]);
  const message = await hashData(doc, proof);
  const signature = new Uint8Array(
    await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, message),
  );
  proof.proofValue = multibaseEncode(signature);
  return { ...structuredClone(doc), proof };
}

async function verifyRaw(kind, publicKey, signature, message) {
  const algorithm = kind === "P-256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" };
  let key;
  try {
    key = await subtle().importKey("raw", publicKey, algorithm, false, ["verify"]);
  } catch (e) {
    throw new GongzhiError(`此浏览器无法导入 ${kind} 公钥`, `this browser cannot import a ${kind} key (${e})`);
  }
  const params = kind === "P-256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
  if (!(await subtle().verify(params, key, signature, message))) {
    throw new GongzhiError(`${kind} 签名验证失败`, `${kind} signature does not verify`);
  }
}

/**
 * Verify Proof (§3.3.2) of a document signed by a did:key (P-256 or, where the browser has
 * WebCrypto Ed25519, Ed25519). Returns {controller, verificationMethod, proofPurpose};
 * throws GongzhiError on any failure. options: {expectedPurpose, challenge, domain}.
 */
export async function verifyDocument(doc, options = {}) {
  if (!isPlainObject(doc) || !isPlainObject(doc.proof)) {
    throw new GongzhiError("文档没有 proof", "document has no proof");
  }
  const { proofValue, ...proofConfig } = doc.proof;
  if (proofConfig.type !== "DataIntegrityProof") {
    throw new GongzhiError("proof.type 必须是 DataIntegrityProof", "proof.type must be DataIntegrityProof");
  }
  const suites = { [ECDSA_JCS_2019]: "P-256", [EDDSA_JCS_2022]: "Ed25519" };
  const kind = suites[proofConfig.cryptosuite];
  if (!kind) throw new GongzhiError("不支持的密码套件", `unsupported cryptosuite ${proofConfig.cryptosuite}`);
  for (const [want, name] of [
    [options.expectedPurpose, "proofPurpose"],
    [options.challenge, "challenge"],
    [options.domain, "domain"],
  ]) {
    if (want !== undefined && proofConfig[name] !== want) {
      throw new GongzhiError(`证明的 ${name} 不符`, `proof ${name} does not match`);
    }
  }
  const { proof: _omit, ...unsecured } = doc;
  if ("@context" in proofConfig) {
    const list = (v) => (Array.isArray(v) ? v : [v]);
    const expected = list(proofConfig["@context"]);
    const actual = list(doc["@context"]);
    if (!("@context" in doc) || canonicalize(actual.slice(0, expected.length)) !== canonicalize(expected)) {
      throw new GongzhiError("文档的 @context 与证明不一致", "document @context does not start with the proof's @context");
    }
    unsecured["@context"] = proofConfig["@context"];
  }
  const method = resolveDidKey(proofConfig.verificationMethod);
  if (method.kind !== kind) {
    throw new GongzhiError("密钥类型与密码套件不符", `${proofConfig.cryptosuite} needs a ${kind} key`);
  }
  await verifyRaw(kind, method.publicKey, multibaseDecode(proofValue), await hashData(unsecured, proofConfig));
  return {
    controller: method.controller,
    verificationMethod: proofConfig.verificationMethod,
    proofPurpose: proofConfig.proofPurpose,
  };
}

// ---------------------------------------------------------------------------------------
// RFC 9162 Merkle trees: leaf hashes, inclusion and consistency proofs
// ---------------------------------------------------------------------------------------

/** MTH({d}) = SHA-256(0x00 ‖ d) (RFC 9162 §2.1.1). */
export async function leafHash(data) {
  return sha256(concatBytes(Uint8Array.of(0x00), data));
}

async function nodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

function checkHash(h, what) {
  if (!(h instanceof Uint8Array) || h.length !== 32) {
    throw new GongzhiError(`${what} 必须是 32 字节`, `${what} must be 32 bytes`);
  }
}

function counter(n, what) {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new GongzhiError(`${what} 不合法`, `invalid ${what}: ${n}`);
  }
  return BigInt(n); // BigInt: JavaScript's bitwise operators truncate to 32 bits
}

/** Verify an inclusion proof (RFC 9162 §2.1.3.2); throws GongzhiError if it fails. */
export async function verifyInclusion(leaf, index, treeSize, proof, root) {
  checkHash(leaf, "leaf hash");
  checkHash(root, "root hash");
  proof.forEach((p) => checkHash(p, "proof node"));
  let fn = counter(index, "leaf index");
  let sn = counter(treeSize, "tree size") - 1n;
  if (fn > sn) {
    throw new GongzhiError(`叶子序号 ${index} 超出树的大小 ${treeSize}`, `leaf index ${index} is outside a tree of size ${treeSize}`);
  }
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new GongzhiError("包含证明过长", "inclusion proof is too long");
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      if (!(fn & 1n)) {
        while (!(fn & 1n || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new GongzhiError("包含证明过短", "inclusion proof is too short");
  if (!equalBytes(r, root)) {
    throw new GongzhiError("包含证明算出的根与树根不符", "inclusion proof does not lead to the tree root");
  }
}

/** Verify a consistency proof (RFC 9162 §2.1.4.2); throws GongzhiError if it fails. */
export async function verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot) {
  checkHash(oldRoot, "old root");
  checkHash(newRoot, "new root");
  proof.forEach((p) => checkHash(p, "proof node"));
  let fn = counter(oldSize, "old size");
  let sn = counter(newSize, "new size");
  if (fn === 0n || fn > sn) {
    throw new GongzhiError(`树大小不合法：旧 ${oldSize}，新 ${newSize}`, `invalid tree sizes: old ${oldSize}, new ${newSize}`);
  }
  if (fn === sn) {
    if (proof.length) throw new GongzhiError("同样大小的树，证明应为空", "equal sizes need an empty proof");
    if (!equalBytes(oldRoot, newRoot)) throw new GongzhiError("同样大小的树根不同", "same size but different roots");
    return;
  }
  const path = (fn & (fn - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  if (!path.length) throw new GongzhiError("一致性证明为空", "consistency proof is empty");
  fn -= 1n;
  sn -= 1n;
  while (fn & 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new GongzhiError("一致性证明过长", "consistency proof is too long");
    if (fn & 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!(fn & 1n)) {
        while (!(fn & 1n || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new GongzhiError("一致性证明过短", "consistency proof is too short");
  if (!equalBytes(fr, oldRoot) || !equalBytes(sr, newRoot)) {
    throw new GongzhiError("一致性证明与两棵树的根不符：历史可能被改写", "consistency proof does not match both roots: history may have been rewritten");
  }
}

// ---------------------------------------------------------------------------------------
// C2SP signed notes and checkpoints (signed-note §Format, tlog-checkpoint §Note text)
// ---------------------------------------------------------------------------------------

const SIG_PREFIX = "— ";

/** Parse a verifier key "name+hexid+base64(0x01 ‖ Ed25519 public key)" and check its id. */
export async function parseVerifierKey(vkey) {
  // Split at the first two '+' only: the base64 key may itself hold '+'.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(String(vkey));
  if (!m) throw new GongzhiError("日志公钥格式不对", "malformed log verifier key");
  const [, name, idHex, b64] = m;
  const raw = fromBase64(b64);
  if (raw.length !== 33 || raw[0] !== 0x01) {
    throw new GongzhiError("只支持 Ed25519 日志公钥", "only Ed25519 (type 0x01) log keys are supported");
  }
  // key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] (C2SP signed-note §Signatures)
  const digest = await sha256(concatBytes(encoder.encode(`${name}\n`), raw));
  if (toHex(digest.subarray(0, 4)) !== idHex) {
    throw new GongzhiError("日志公钥的编号与公钥不符", "log key ID does not match the key");
  }
  return { name, keyId: digest.subarray(0, 4), publicKey: raw.subarray(1) };
}

/**
 * Open a checkpoint signed by the log key `vkey`: verify the Ed25519 signature over the note
 * text, then parse "origin\nsize\nbase64(root)\n…". Returns {origin, size, root, text}.
 */
export async function openCheckpoint(note, vkey) {
  const key = await parseVerifierKey(vkey);
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new GongzhiError("检查点缺少签名", "checkpoint has no signature block");
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split("\n").filter((l) => l);
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new GongzhiError("签名行格式不对", "malformed signature line");
    const [name, b64] = line.slice(SIG_PREFIX.length).split(" ");
    if (name !== key.name) continue;
    const raw = fromBase64(b64 ?? "");
    if (raw.length !== 68 || !equalBytes(raw.subarray(0, 4), key.keyId)) continue;
    await verifyRaw("Ed25519", key.publicKey, raw.subarray(4), encoder.encode(text));
    verified = true;
  }
  if (!verified) throw new GongzhiError("检查点没有日志密钥的签名", "checkpoint is not signed by the log key");
  const checkpoint = readCheckpoint(note);
  if (checkpoint.origin !== key.name) {
    throw new GongzhiError("检查点来源与日志密钥名不符", "checkpoint origin is not the log key's name");
  }
  return checkpoint;
}

// ---------------------------------------------------------------------------------------
// The owner's receipt: is my vote in the box, and has the box only grown since?
// ---------------------------------------------------------------------------------------

const PINNED_LOG_KEYS = "log-keys"; // {origin: vkey}, trusted on first use

async function pinLogKey(origin, vkey) {
  const pinned = (await loadValue(PINNED_LOG_KEYS)) ?? {};
  if (pinned[origin] && pinned[origin] !== vkey) {
    throw new GongzhiError(
      "投票箱的签名密钥与此前不同：请联系业委会并保存本页截图",
      `the ballot box's signing key changed since this device first saw it (${origin})`,
    );
  }
  if (!pinned[origin]) {
    pinned[origin] = vkey;
    await saveValue(PINNED_LOG_KEYS, pinned);
  }
}

/** The origin, size and root a checkpoint note claims, before any signature is checked. */
export function readCheckpoint(note) {
  const text = String(note).slice(0, Math.max(0, String(note).lastIndexOf("\n\n") + 1));
  const [origin, sizeText, rootB64] = text.split("\n");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText ?? "") || !Number.isSafeInteger(Number(sizeText))) {
    throw new GongzhiError("检查点树大小不合法", "checkpoint tree size is invalid");
  }
  const root = fromBase64(rootB64 ?? "");
  checkHash(root, "checkpoint root");
  return { origin, size: Number(sizeText), root, text };
}

/**
 * The box's checkpoint key as the committee signed it into entry 0 (BallotOpened):
 * `opened` is that entry exactly as appended. It must be RFC 8785 canonical JSON, a
 * BallotOpened of `ballot`, and carry a Data Integrity proof by `committee` (a did:key).
 * Returns {logKey, leaf}: the vkey and the entry's leaf hash, to be shown included.
 */
export async function committeeLogKey(opened, ballot, committee) {
  let entry;
  try {
    entry = JSON.parse(String(opened));
  } catch {
    throw new GongzhiError("开启条目不是 JSON", "the BallotOpened entry is not JSON");
  }
  const bytes = encoder.encode(String(opened));
  if (!isPlainObject(entry) || !equalBytes(canonicalBytes(entry), bytes)) {
    throw new GongzhiError("开启条目不是规范 JSON", "the BallotOpened entry is not RFC 8785 canonical JSON");
  }
  if (entry.type !== "BallotOpened" || entry.ballot !== ballot) {
    throw new GongzhiError("第 0 条不是这次表决的开启条目", "entry 0 is not the BallotOpened of this ballot");
  }
  const signed = await verifyDocument(entry, { expectedPurpose: "assertionMethod" });
  if (signed.controller !== committee) {
    throw new GongzhiError("开启条目不是业委会签名", "the BallotOpened entry is not signed by the committee");
  }
  if (typeof entry.logKey !== "string") {
    throw new GongzhiError("开启条目没有投票箱日志公钥", "the BallotOpened entry names no log key");
  }
  return { logKey: entry.logKey, leaf: await leafHash(bytes) };
}

/**
 * Check a receipt against the vote this device signed:
 *  1. the leaf hash is SHA-256(0x00 ‖ JCS(vote)) of exactly the signed vote;
 *  2. the box's log key is the one the committee signed into entry 0 (BallotOpened, checked
 *     against the committee's DID `committee`), not merely the one the server reports; the
 *     key is also pinned on this device the first time it is seen;
 *  3. the receipt's checkpoint and the box's latest one are signed by that key and are of
 *     the vote's ballot box, and entry 0 is included in the latest tree;
 *  4. the vote is included in the latest tree (RFC 9162 §2.1.3.2), and that tree is
 *     consistent with the tree of the receipt (§2.1.4.2): nothing was rewritten since.
 * `fetchProof(index, since)` answers GET /api/ballots/{id}/proof?index=…&since=….
 * Returns {origin, index, receiptSize, latestSize, latestRoot, logKey}.
 */
export async function checkReceipt(receipt, vote, fetchProof, committee) {
  if (typeof committee !== "string" || !committee.startsWith("did:")) {
    throw new GongzhiError("缺少业委会的 DID", "the committee's DID is needed to check a receipt");
  }
  const leaf = await leafHash(canonicalBytes(vote));
  if (toHex(leaf) !== receipt.leaf_hash) {
    throw new GongzhiError("回执的叶子哈希与本机签名的选票不符", "the receipt's leaf hash is not that of the vote signed here");
  }
  const answer = await fetchProof(receipt.index, readCheckpoint(receipt.checkpoint).size);
  const { logKey, leaf: openedLeaf } = await committeeLogKey(answer.opened, vote.ballot, committee);
  if (answer.log_key !== logKey) {
    throw new GongzhiError(
      "投票箱检查点的签名密钥不是业委会在开启条目中签署的密钥：请联系业委会并保存本页截图",
      "the key signing the box's checkpoints is not the one the committee signed into BallotOpened",
    );
  }
  await pinLogKey(answer.origin, logKey);
  const then = await openCheckpoint(receipt.checkpoint, logKey);
  const latest = await openCheckpoint(answer.checkpoint, logKey);
  if (then.origin !== vote.ballot || latest.origin !== vote.ballot) {
    throw new GongzhiError("检查点不属于这次表决的投票箱", "a checkpoint is not of this ballot's box");
  }
  if (!(receipt.index < then.size)) {
    throw new GongzhiError("回执的检查点不包含这张选票", "the receipt's checkpoint does not cover the vote");
  }
  await verifyInclusion(openedLeaf, 0, latest.size, (answer.opened_inclusion ?? []).map(fromHex), latest.root);
  await verifyInclusion(leaf, receipt.index, latest.size, answer.inclusion.map(fromHex), latest.root);
  await verifyConsistency(then.size, latest.size, answer.consistency.map(fromHex), then.root, latest.root);
  return {
    origin: latest.origin,
    index: receipt.index,
    receiptSize: then.size,
    latestSize: latest.size,
    latestRoot: toHex(latest.root),
    logKey,
  };
}
