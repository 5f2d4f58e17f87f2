// gongzhi (共治) — the part of the browser client a page needs before anything is signed or
// checked: the error type, bytes, canonical JSON (RFC 8785), base58btc and did:key, and the
// keys this device keeps in IndexedDB. gongzhi.js re-exports all of it beside the proofs and
// log checks, so a page may import either; the owner's pages import this file up front and
// fetch gongzhi.js (about two thirds of the bytes) only when they sign or check — on a slow
// phone every kilobyte before the first button is time (BENCHMARKS.md, the owner's pages).
//
// Plain ES module, never bundled (served as written, or minified file by file by
// scripts/minify_static.mjs); each part mirrors the Python module named in gongzhi.js.

export const encoder = new TextEncoder();

/** The one error of this module: a Chinese and an English message. */
export class GongzhiError extends Error {
  constructor(zh, en) {
    super(`${zh} / ${en}`);
    this.name = "GongzhiError";
    this.zh = zh;
    this.en = en;
  }
}

export function subtle() {
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
const MEMBER_KEY = "member-key";
const MANAGER_KEY = "manager-key";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// One connection per page, opened on first use: a page reads several values as it starts
// (the ballot page three, side by side), and on a slow phone each open cost time before the
// first button. It closes itself if another tab upgrades or deletes the database, and a
// failed or closed one is opened again on the next use.
let connection = null;

function openDb() {
  connection ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(DB_STORE);
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => {
        db.close();
        connection = null;
      };
      db.onclose = () => {
        connection = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      connection = null;
      reject(req.error);
    };
  });
  return connection;
}

async function withStore(mode, fn) {
  const db = await openDb();
  const tx = db.transaction(DB_STORE, mode);
  const result = await request(fn(tx.objectStore(DB_STORE)));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
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

async function newDeviceKey(name, exists) {
  if (await loadValue(name)) throw exists;
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
  await saveValue(name, key);
  return key;
}

/**
 * Make a new P-256 key pair whose private half can never be exported (WebCrypto
 * `extractable: false`), and keep it in IndexedDB. Refuses to replace an existing key:
 * ballots signed with it must stay attributable; forgetting a key is a separate, explicit step.
 */
export function createOwnerKey() {
  return newDeviceKey(OWNER_KEY, new GongzhiError("本设备已有业主密钥", "this device already holds an owner key"));
}

/** The committee member's key on this device (本设备密钥), or null; kept apart from the
 * owner key, so signing a committee decision never uses the key that votes. */
export function loadMemberKey() {
  return loadValue(MEMBER_KEY);
}

/** Make the member's P-256 key, non-extractable, in IndexedDB; refuses to replace one: the
 * street office registers its DID, so a new key needs a new registration. */
export function createMemberKey() {
  return newDeviceKey(
    MEMBER_KEY,
    new GongzhiError("本设备已有委员密钥", "this device already holds a committee member key"),
  );
}

/** The property manager's key on this device, or null: kept apart from the owner and member
 * keys, so a disclosure is never signed with a key that votes or decides. */
export function loadManagerKey() {
  return loadValue(MANAGER_KEY);
}

/** Make the manager's P-256 key, non-extractable, in IndexedDB; refuses to replace one: the
 * street office names its DID the property manager. */
export function createManagerKey() {
  return newDeviceKey(
    MANAGER_KEY,
    new GongzhiError("本设备已有物业密钥", "this device already holds a manager key"),
  );
}

/** The device's owner key, made now if there is none yet. */
export async function ensureOwnerKey() {
  return (await loadOwnerKey()) ?? createOwnerKey();
}

export function forgetOwnerKey() {
  return deleteValue(OWNER_KEY);
}

