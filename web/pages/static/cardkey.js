// gongzhi (共治) — the printed voting card (投票卡): an owner's P-256 key sealed under a PIN.
//
// The same format as identity/w3c/cardkey.py (read its docstring for the byte layout):
//   gzcard1.<base64url( version ‖ log2N ‖ r ‖ p ‖ salt16 ‖ nonce12 ‖ did35 ‖ len ‖ slug ‖
//                       AES-256-GCM(scrypt(PIN), scalar32) ‖ tag16 )>
// with every byte before the ciphertext as the cipher's associated data.
//
// scrypt is @noble/hashes' (vendored in ./vendor/noble-hashes, see VENDORED.json), since
// WebCrypto has no memory-hard KDF; AES-GCM, ECDSA and the randomness are WebCrypto's. An
// opened card's private key is imported non-extractable and lives only in this page's
// memory: nothing of a card is ever written to IndexedDB or sent to the server.

import { scryptAsync } from "./vendor/noble-hashes/scrypt.js";
import {
  GongzhiError,
  base58Encode,
  compressP256,
  concatBytes,
  decompressP256,
  equalBytes,
} from "./gongzhi.js";

export const CARD_PREFIX = "gzcard1.";
const VERSION = 1;
/** N = 2^17, r = 8, p = 4: 128 MiB, about one second of one PC core per guess (native). */
export const CARD_COST = Object.freeze({ logN: 17, r: 8, p: 4 });
const MIN_LOG_N = 10; // tests' cheapest
const MAX_MEMORY = 2 ** 28; // the same bounds as cardkey.py: a crafted card allocates ≤ 256 MiB
const MAX_P = 16;
const SALT = 16;
const NONCE = 12;
const SEALED = 32 + 16;
const P256_DID = Uint8Array.of(0x80, 0x24);
const DID_BYTES = 35;
const FIXED = 4 + SALT + NONCE + DID_BYTES + 1;
const SLUG = /^[a-z0-9-]{2,64}$/;
export const MIN_PIN = 6;
export const MAX_PIN = 12;
const MAX_TEXT = 400;

/** The PIN does not open the card (or the card was altered): the only error worth counting. */
export class WrongPinError extends GongzhiError {
  constructor() {
    super("PIN 不对（或投票卡已损坏）", "wrong PIN (or the card is damaged)");
    this.name = "WrongPinError";
  }
}

function subtle() {
  if (!globalThis.crypto?.subtle) {
    throw new GongzhiError(
      "此浏览器无法安全地使用投票卡：请用 https 地址打开本页，或换用较新的浏览器",
      "this browser cannot use a voting card safely: open the page over https or use a newer browser",
    );
  }
  return globalThis.crypto.subtle;
}

export function base64urlEncode(bytes) {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error("base64url");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function malformed(zh, en) {
  return new GongzhiError(`这不是有效的投票卡：${zh}`, `this is not a valid voting card: ${en}`);
}

/** A PIN fit for a new card (cardkey.check_pin): 6–12 digits, not 111111 nor 123456. */
export function checkPin(pin) {
  if (typeof pin !== "string" || !/^[0-9]+$/.test(pin)) {
    throw new GongzhiError("PIN 只能由数字组成", "the PIN may hold digits only");
  }
  if (pin.length < MIN_PIN || pin.length > MAX_PIN) {
    throw new GongzhiError(`PIN 须为 ${MIN_PIN} 到 ${MAX_PIN} 位数字`, `the PIN needs ${MIN_PIN} to ${MAX_PIN} digits`);
  }
  const steps = new Set();
  for (let i = 1; i < pin.length; i++) steps.add((Number(pin[i]) - Number(pin[i - 1]) + 10) % 10);
  if (steps.size === 1 && [0, 1, 9].includes([...steps][0])) {
    throw new GongzhiError(
      "这个 PIN 太容易猜到（同一数字或连续数字），请换一个",
      "this PIN is too easy to guess (one digit repeated, or a run); choose another",
    );
  }
  return pin;
}

function checkCost(cost) {
  const { logN, r, p } = cost;
  if (!(logN >= MIN_LOG_N && logN <= 24 && r >= 1 && r <= 32 && p >= 1 && p <= MAX_P && 128 * r * 2 ** logN <= MAX_MEMORY)) {
    throw new GongzhiError(
      `投票卡的 scrypt 参数不在允许范围内（N=2^${logN}, r=${r}, p=${p}）`,
      `the card's scrypt cost is out of bounds (N=2^${logN}, r=${r}, p=${p})`,
    );
  }
}

async function deriveKey(pin, salt, cost, onProgress) {
  const bytes = await scryptAsync(new TextEncoder().encode(pin), salt, {
    N: 2 ** cost.logN,
    r: cost.r,
    p: cost.p,
    dkLen: 32,
    maxmem: MAX_MEMORY + 2 ** 24,
    onProgress,
  });
  try {
    return await subtle().importKey("raw", bytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  } finally {
    bytes.fill(0);
  }
}

/**
 * A fresh P-256 key pair for a card. Unlike a phone key it must be extractable, once, so
 * its private scalar can be sealed into the card; the caller drops it right after.
 * Returns {did, verificationMethod, privateKey, publicKey, scalar}.
 */
export async function newCardKey() {
  const pair = await subtle().generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const jwk = await subtle().exportKey("jwk", pair.privateKey);
  const raw = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  const compressed = compressP256(raw);
  const id = `z${base58Encode(concatBytes(P256_DID, compressed))}`;
  return {
    did: `did:key:${id}`,
    verificationMethod: `did:key:${id}#${id}`,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    scalar: base64urlDecode(jwk.d),
    compressed,
  };
}

/** The text of a card holding `key` (from `newCardKey`) under `pin`, for `community`. */
export async function sealCard(key, pin, community, { cost = CARD_COST, onProgress } = {}) {
  checkPin(pin);
  checkCost(cost);
  if (!SLUG.test(community ?? "")) throw new GongzhiError("小区编号格式不对", "malformed community slug");
  const salt = crypto.getRandomValues(new Uint8Array(SALT));
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE));
  const slug = new TextEncoder().encode(community);
  const header = concatBytes(
    Uint8Array.of(VERSION, cost.logN, cost.r, cost.p),
    salt,
    nonce,
    P256_DID,
    key.compressed,
    Uint8Array.of(slug.length),
    slug,
  );
  const aes = await deriveKey(pin, salt, cost, onProgress);
  const sealed = new Uint8Array(
    await subtle().encrypt({ name: "AES-GCM", iv: nonce, additionalData: header }, aes, key.scalar),
  );
  return CARD_PREFIX + base64urlEncode(concatBytes(header, sealed));
}

/** Read a card's text (QR code, typed or pasted) without opening it: cardkey.read_card. */
export function readCard(text) {
  if (typeof text !== "string") throw malformed("内容不是文本", "its content is not text");
  const clean = text.replace(/\s+/g, "");
  if (!clean) throw new GongzhiError("请先扫描投票卡，或输入卡上的文字", "scan the card first, or type the text printed on it");
  if (clean.length > MAX_TEXT) throw malformed("内容过长", "it is too long");
  if (!clean.startsWith(CARD_PREFIX)) {
    if (clean.startsWith("gzcard")) {
      throw new GongzhiError(
        "这张投票卡的版本不受支持，请使用最新版本的网页",
        "this card's version is not supported; use the newest version of the page",
      );
    }
    throw malformed(`应以 ${CARD_PREFIX} 开头（扫到的可能不是投票卡）`, `it must begin with ${CARD_PREFIX} (what was scanned may not be a voting card)`);
  }
  let raw;
  try {
    raw = base64urlDecode(clean.slice(CARD_PREFIX.length));
  } catch {
    throw malformed("含有无效字符或缺了字符，请核对输入", "it holds invalid or missing characters; check what was typed");
  }
  if (raw.length < FIXED + SEALED) throw malformed("内容不全，请核对输入", "it is incomplete; check what was typed");
  if (raw[0] !== VERSION) throw new GongzhiError(`投票卡版本 ${raw[0]} 不受支持`, `card version ${raw[0]} is not supported`);
  const cost = { logN: raw[1], r: raw[2], p: raw[3] };
  checkCost(cost);
  let at = 4;
  const salt = raw.slice(at, (at += SALT));
  const nonce = raw.slice(at, (at += NONCE));
  const didBytes = raw.slice(at, (at += DID_BYTES));
  if (!equalBytes(didBytes.subarray(0, 2), P256_DID)) throw malformed("其中的密钥不是 P-256", "its key is not P-256");
  const length = raw[at++];
  const slugBytes = raw.slice(at, (at += length));
  const sealed = raw.slice(at);
  if (sealed.length !== SEALED) throw malformed("长度不对，请核对输入", "it has the wrong length; check what was typed");
  const community = new TextDecoder().decode(slugBytes);
  if (!SLUG.test(community)) throw malformed("小区编号格式不对", "its community slug is malformed");
  let publicKey;
  try {
    publicKey = decompressP256(didBytes.subarray(2));
  } catch {
    throw malformed("身份编号损坏", "its DID is damaged");
  }
  const id = `z${base58Encode(didBytes)}`;
  return {
    did: `did:key:${id}`,
    verificationMethod: `did:key:${id}#${id}`,
    community,
    cost,
    salt,
    nonce,
    sealed,
    header: raw.slice(0, raw.length - SEALED),
    publicKey, // 65-byte uncompressed point
  };
}

/**
 * Open a card with its PIN: scrypt, AES-GCM (a wrong PIN fails the tag: WrongPinError), then
 * import the scalar as a NON-EXTRACTABLE signing key, and check it is the card's DID's key by
 * signing once and verifying with the DID's public key. The decrypted bytes are overwritten.
 * Returns a key like the phone's: {did, verificationMethod, privateKey, publicKey, community}.
 */
export async function openCard(card, pin, { onProgress } = {}) {
  if (typeof pin !== "string" || !/^[0-9]{1,12}$/.test(pin)) throw new WrongPinError();
  const aes = await deriveKey(pin, card.salt, card.cost, onProgress);
  let scalar;
  try {
    scalar = new Uint8Array(
      await subtle().decrypt({ name: "AES-GCM", iv: card.nonce, additionalData: card.header }, aes, card.sealed),
    );
  } catch {
    throw new WrongPinError();
  }
  const jwk = {
    kty: "EC",
    crv: "P-256",
    d: base64urlEncode(scalar),
    x: base64urlEncode(card.publicKey.subarray(1, 33)),
    y: base64urlEncode(card.publicKey.subarray(33, 65)),
    ext: false,
  };
  scalar.fill(0);
  const algorithm = { name: "ECDSA", namedCurve: "P-256" };
  let privateKey;
  let publicKey;
  try {
    privateKey = await subtle().importKey("jwk", jwk, algorithm, false, ["sign"]);
    publicKey = await subtle().importKey("raw", card.publicKey, algorithm, true, ["verify"]);
    const probe = crypto.getRandomValues(new Uint8Array(32));
    const params = { name: "ECDSA", hash: "SHA-256" };
    const signature = await subtle().sign(params, privateKey, probe);
    if (!(await subtle().verify(params, publicKey, signature, probe))) throw new Error("mismatch");
  } catch {
    throw malformed("私钥与卡上的身份编号不符", "its private key is not its DID's");
  } finally {
    jwk.d = "";
  }
  return { did: card.did, verificationMethod: card.verificationMethod, privateKey, publicKey, community: card.community };
}
