// gongzhi (共治) — the owner's browser client: canonical JSON, keys that never leave the
// device, Data Integrity proofs, and the checks that a vote is in the box.
//
// Plain ES module, never bundled (served as written, or minified file by file by
// scripts/minify_static.mjs). Everything here mirrors a Python module that the server uses,
// so that what the browser signs or checks is byte-for-byte what the server checks:
//   canonicalize        ↔ identity/w3c/jcs.py            (RFC 8785)
//   base58btc, did:key  ↔ identity/w3c/multibase.py, identity/w3c/didkey.py
//   signDocument        ↔ identity/w3c/dataintegrity.py  (W3C VC DI ECDSA §3.3, ecdsa-jcs-2019)
//   verifyInclusion …   ↔ ledger/tlog/merkle.py           (RFC 9162 §2.1.3.2, §2.1.4.2)
//   openCheckpoint      ↔ ledger/tlog/note.py, ledger/tlog/checkpoint.py (C2SP signed-note, checkpoint)
//   parseDateTime       ↔ identity/w3c/xsdtime.py         (XSD dateTimeStamp, to whole µs)
//   verifyRegistration, registrationChain, checkDecision
//                       ↔ identity/community/committee.py (业委会备案 chain, decision proof sets)
//   verifyLoggedDecision ↔ identity/community/logged_decision.py (in force at the decision's time)
//   pinnedChain         — the owner's pin (root DID + registration hash from the enrolment QR)
//
// Every check throws GongzhiError (message in Chinese and English); none returns false.

import {
  GongzhiError,
  canonicalBytes,
  canonicalize,
  concatBytes,
  encoder,
  equalBytes,
  fromBase64,
  fromHex,
  loadOwnerKey,
  loadValue,
  multibaseDecode,
  multibaseEncode,
  resolveDidKey,
  saveValue,
  sha256,
  subtle,
  toHex,
} from "./gongzhi_core.js";

// The core (errors, bytes, RFC 8785, base58btc, did:key, the device's keys) is this module's too.
export * from "./gongzhi_core.js";

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
// XSD dateTimeStamp (VC DM 2.0 §4.9, VC DI §2.1), exact to the microsecond
// ---------------------------------------------------------------------------------------

const XSD_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|([+-])([0-9]{2}):([0-9]{2}))$/;

/**
 * Microseconds since 1970 (UTC) of an XSD dateTimeStamp, as identity/w3c/xsdtime.py parses
 * it (4-digit years, a zone required, 24:00:00 the next day's first instant, sub-µs dropped).
 * A Number: µs of any 4-digit year stay below 2^53, so comparisons are exact.
 */
export function parseDateTime(value, field) {
  const m = typeof value === "string" ? XSD_TIME.exec(value) : null;
  const bad = () =>
    new GongzhiError(
      `${field} 必须是带时区的日期时间（如 2025-01-01T00:00:00Z）`,
      `${field} must be an XML Schema dateTimeStamp (e.g. 2025-01-01T00:00:00Z)`,
    );
  if (!m) throw bad();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? "";
  let offset = 0;
  if (m[8] !== "Z") {
    const h = Number(m[10]);
    const mm = Number(m[11]);
    if (h > 14 || mm > 59 || (h === 14 && mm)) throw bad();
    offset = (m[9] === "-" ? -1 : 1) * (h * 60 + mm);
  }
  const endOfDay = hour === 24 && minute === 0 && second === 0 && !/[1-9]/.test(fraction);
  if (month < 1 || month > 12 || day < 1 || minute > 59 || second > 59 || (hour > 23 && !endOfDay)) {
    throw bad();
  }
  const ms = Date.UTC(year, month - 1, day, endOfDay ? 0 : hour, minute, second);
  const probe = new Date(ms);
  // Date.UTC rolls 31 February over to March; Python's datetime refuses it.
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw bad();
  }
  const micro = Number(fraction.slice(0, 6).padEnd(6, "0"));
  return (ms - offset * 60_000 + (endOfDay ? 86_400_000 : 0)) * 1000 + micro;
}

/** A µs instant as the UTC text people and tests read (sub-seconds dropped). */
export function formatUtc(micros) {
  return `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}Z`;
}

// ---------------------------------------------------------------------------------------
// The committee as the street office registers it (业委会备案), and the decisions it signs.
// Mirrors identity/community/committee.py and logged_decision.py rule for rule.
// ---------------------------------------------------------------------------------------

const VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2";
const REGISTRATION = "CommitteeRegistrationCredential";
const REGISTRATION_SUBJECT = "CommitteeRegistration";
const ROLES = ["chair", "viceChair", "member"];
const MAX_MEMBERS = 25;
const SUBJECT_KEYS = new Set(["type", "communityId", "sequence", "previous", "members", "decisionRule", "server"]);

/** A refusal of a registration or a decision: a GongzhiError that says which rule. */
export class DecisionError extends GongzhiError {
  constructor(zh, en, kind = "decision") {
    super(zh, en);
    this.name = "DecisionError";
    this.kind = kind; // registration | notAMember | duplicate | notEnough | wrongDocument | notInForce
  }
}

const refuse = (kind) => (zh, en) => new DecisionError(zh, en, kind);
const badRegistration = refuse("registration");
const wrongDocument = refuse("wrongDocument");

function isInt(v) {
  return Number.isSafeInteger(v);
}

function sameKeys(obj, keys) {
  const have = Object.keys(obj);
  return have.length === keys.length && keys.every((k) => Object.hasOwn(obj, k));
}

/** Lowercase hex SHA-256 of the RFC 8785 form of the whole signed registration. */
export async function registrationHash(credential) {
  return toHex(await sha256(canonicalBytes(credential)));
}

function registrationDid(value, where) {
  if (typeof value !== "string") throw badRegistration(`${where} 不是 DID`, `${where} is not a DID`);
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(value);
  try {
    if (!m) throw new GongzhiError("", "");
    resolveDidKey(`${value}#${m[1]}`);
  } catch {
    throw badRegistration(`${where} 不是有效的 did:key`, `${where} is not a valid did:key`);
  }
  return value;
}

function registrationRule(value) {
  if (!isPlainObject(value) || !sameKeys(value, ["numerator", "denominator"])) {
    throw badRegistration("decisionRule 须为 {numerator, denominator}", "decisionRule must be {numerator, denominator}");
  }
  const { numerator, denominator } = value;
  if (!isInt(numerator) || !isInt(denominator) || !(0 < numerator && numerator < denominator && denominator <= 100)) {
    throw badRegistration(
      "decisionRule 须为 0 与 1 之间的分数，分母不超过100",
      "decisionRule must be a fraction between 0 and 1 with a denominator of at most 100",
    );
  }
  // Reduced, as Python's Fraction is: the rule compares the same either way, `needed` too.
  let [a, b] = [numerator, denominator];
  while (b) [a, b] = [b, a % b];
  return { numerator: numerator / a, denominator: denominator / a };
}

function registrationMembers(value) {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_MEMBERS) {
    throw badRegistration(`members 须列出1至${MAX_MEMBERS}名委员`, `members must list 1 to ${MAX_MEMBERS} members`);
  }
  const members = value.map((item, i) => {
    if (!isPlainObject(item) || !sameKeys(item, ["id", "role"])) {
      throw badRegistration(`members[${i}] 须为 {id, role}`, `members[${i}] must be {id, role}`);
    }
    if (!ROLES.includes(item.role)) {
      throw badRegistration(`members[${i}].role 须为 ${ROLES.join("、")} 之一`, `members[${i}].role must be one of ${ROLES.join(", ")}`);
    }
    return { did: registrationDid(item.id, `members[${i}].id`), role: item.role };
  });
  if (new Set(members.map((m) => m.did)).size !== members.length) {
    throw badRegistration("同一委员不能登记两次", "a member is listed twice");
  }
  if (members.filter((m) => m.role === "chair").length !== 1) {
    throw badRegistration("须有且仅有一名主任", "exactly one member must be the chair");
  }
  return members;
}

function registrationServer(value) {
  if (!isPlainObject(value) || !sameKeys(value, ["statusIssuer", "disclosureLogKey"])) {
    throw badRegistration("server 须为 {statusIssuer, disclosureLogKey}", "server must be {statusIssuer, disclosureLogKey}");
  }
  const key = value.disclosureLogKey;
  if (typeof key !== "string" || !(key.length > 0 && key.length <= 400) || !key.includes("+")) {
    throw badRegistration("server.disclosureLogKey 不是签名笔记公钥", "server.disclosureLogKey is not a note key");
  }
  return { statusIssuer: registrationDid(value.statusIssuer, "server.statusIssuer"), disclosureLogKey: key };
}

function registrationSubject(credential) {
  const subject = credential.credentialSubject;
  if (!isPlainObject(subject) || subject.type !== REGISTRATION_SUBJECT) {
    throw badRegistration("不是业委会备案", "not a committee registration");
  }
  const unknown = Object.keys(subject).filter((k) => !SUBJECT_KEYS.has(k)).sort();
  if (unknown.length) {
    throw badRegistration(`备案含未知字段 ${unknown.join(", ")}`, `the registration has unknown fields ${unknown.join(", ")}`);
  }
  const { communityId, sequence, previous } = subject;
  if (typeof communityId !== "string" || !communityId) {
    throw badRegistration("备案缺少 communityId", "the registration names no communityId");
  }
  if (!isInt(sequence) || sequence < 1 || sequence >= 1_000_000) {
    throw badRegistration("备案序号须为正整数", "the registration's sequence must be a positive integer");
  }
  if ((sequence === 1) !== (previous === undefined || previous === null)) {
    throw badRegistration(
      "第1号备案不指向前一备案，其后的备案必须指向前一备案",
      "registration 1 names no previous one; every later one must",
    );
  }
  if (previous !== undefined && previous !== null && (typeof previous !== "string" || !/^[0-9a-f]{64}$/.test(previous))) {
    throw badRegistration("previous 须为64位十六进制哈希", "previous must be a 64-digit hex hash");
  }
  return subject;
}

/**
 * A registration signed by one of `roots` (an array or Set of DIDs), well formed; its term
 * is not checked here. Returns {hash, community, sequence, previous, members, rule,
 * validFrom, validUntil (µs), root, server, document, needed}.
 */
export async function verifyRegistration(credential, roots) {
  const trusted = new Set(roots);
  if (!isPlainObject(credential)) {
    throw badRegistration("备案不是 JSON 对象", "the registration is not a JSON object");
  }
  const contexts = Array.isArray(credential["@context"]) ? credential["@context"] : [credential["@context"]];
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  const issuer = isPlainObject(credential.issuer) ? credential.issuer.id : credential.issuer;
  let signed;
  try {
    if (contexts[0] !== VC_V2_CONTEXT) throw new GongzhiError("", `the first @context must be ${VC_V2_CONTEXT}`);
    if (!types.includes("VerifiableCredential")) throw new GongzhiError("", "type must include VerifiableCredential");
    if (typeof issuer !== "string" || !issuer.includes(":")) throw new GongzhiError("", "issuer must be a URL");
    if (!types.includes(REGISTRATION)) {
      throw badRegistration("不是业委会备案", "not a committee registration");
    }
    if (!isPlainObject(credential.proof)) throw new GongzhiError("", "the registration has no single proof");
    signed = await verifyDocument(credential, { expectedPurpose: "assertionMethod" });
  } catch (e) {
    if (e instanceof DecisionError) throw e;
    throw badRegistration("备案的签名无效", `the registration's signature is invalid: ${e.en ?? e}`);
  }
  if (signed.controller !== issuer) {
    throw badRegistration("备案不是由其签发者签名", "the registration is not signed by its issuer");
  }
  if (!trusted.has(issuer)) {
    throw badRegistration("备案不是由受信任的街道办事处签发", `the registration's issuer ${issuer} is not a trusted root`);
  }
  let validFrom;
  let validUntil;
  try {
    validFrom = credential.validFrom === undefined ? null : parseDateTime(credential.validFrom, "validFrom");
    validUntil = credential.validUntil === undefined ? null : parseDateTime(credential.validUntil, "validUntil");
  } catch (e) {
    throw badRegistration("备案的签名无效", `the registration's signature is invalid: ${e.en}`);
  }
  if (validFrom === null || validUntil === null || validUntil <= validFrom) {
    throw badRegistration("备案须写明任期起止", "the registration must state its term (validFrom < validUntil)");
  }
  const subject = registrationSubject(credential);
  const members = registrationMembers(subject.members);
  const rule = registrationRule(subject.decisionRule);
  const server = registrationServer(subject.server);
  return {
    hash: await registrationHash(credential),
    community: subject.communityId,
    sequence: subject.sequence,
    previous: subject.previous ?? null,
    members,
    rule,
    validFrom,
    validUntil,
    root: issuer,
    server,
    document: credential,
    // The fewest distinct members whose signatures make a decision: ⌊rule·n⌋ + 1.
    needed: Math.floor((rule.numerator * members.length) / rule.denominator) + 1,
  };
}

/** A community's registrations checked as one chain: 1, 2, … each naming the one before. */
export async function registrationChain(credentials, roots, community) {
  if (!Array.isArray(credentials)) {
    throw badRegistration("业委会备案列表格式不对", "the registrations are not a list");
  }
  const regs = [];
  for (const c of credentials) regs.push(await verifyRegistration(c, roots));
  regs.sort((a, b) => a.sequence - b.sequence);
  if (!regs.length) {
    throw badRegistration(`小区 ${community} 没有业委会备案`, `community ${community} has no committee registration`);
  }
  regs.forEach((reg, i) => {
    if (reg.community !== community) {
      throw badRegistration(`备案属于另一小区 ${reg.community}`, `a registration is for another community, ${reg.community}`);
    }
    if (reg.sequence !== i + 1) {
      throw badRegistration(`备案序号不连续：缺少第 ${i + 1} 号`, `the registrations are not consecutive: number ${i + 1} is missing`);
    }
    if (i && reg.previous !== regs[i - 1].hash) {
      throw badRegistration(`第 ${reg.sequence} 号备案未指向第 ${i} 号`, `registration ${reg.sequence} does not name registration ${i}`);
    }
  });
  return { community, registrations: regs };
}

export function registrationByHash(chain, digest) {
  const found = chain.registrations.find((r) => r.hash === digest);
  if (!found) {
    throw wrongDocument("所引业委会备案不存在", `no registration ${String(digest).slice(0, 16)}… of this community`);
  }
  return found;
}

/** The highest-numbered registration whose term holds `at` (µs), or null. */
export function inForce(chain, at) {
  for (const reg of [...chain.registrations].reverse()) {
    if (reg.validFrom <= at && at < reg.validUntil) return reg;
  }
  return null;
}

/**
 * The chain as an owner's device accepts it: every registration signed by the pinned root
 * `pin.root`, and the pinned registration `pin.reg` one of its links. Earlier links are fixed
 * by the hashes the pinned one names; later ones count only as links from it. What the
 * server says about roots or committees is never consulted.
 */
export async function pinnedChain(credentials, pin, community) {
  if (!pin || typeof pin.root !== "string" || typeof pin.reg !== "string") {
    throw badRegistration("本机没有记下街道办事处和业委会备案", "this device has pinned no street office and registration");
  }
  const chain = await registrationChain(credentials, [pin.root], community);
  if (!chain.registrations.some((r) => r.hash === pin.reg)) {
    throw badRegistration(
      "服务器所给的业委会备案中没有本机登记时记下的那一份",
      "the server's registrations do not include the one pinned at enrolment",
    );
  }
  return chain;
}

function proofsOf(doc) {
  if (isPlainObject(doc.proof)) return [doc.proof];
  if (Array.isArray(doc.proof)) return doc.proof;
  throw wrongDocument("决定没有委员签名", "the decision carries no member signatures");
}

/** One member's proof over exactly `doc` (without its proof): {signer, created (µs|null)}. */
export async function checkShare(doc, proof, registration) {
  if (!isPlainObject(proof)) throw wrongDocument("签名不是 JSON 对象", "the signature is not a JSON object");
  const { proof: _omit, ...body } = doc;
  if (body.registration !== registration.hash) {
    throw wrongDocument("决定所引备案不是现行备案", "the decision does not name the registration in force");
  }
  let signed;
  let created = null;
  try {
    signed = await verifyDocument({ ...body, proof }, { expectedPurpose: "assertionMethod" });
    if (proof.created !== undefined) created = parseDateTime(proof.created, "proof.created");
  } catch (e) {
    throw wrongDocument(
      "签名与本决定不符（可能是对另一文件的签名）",
      `the signature does not hold for this decision (signed for another document?): ${e.en ?? e}`,
    );
  }
  if (!registration.members.some((m) => m.did === signed.controller)) {
    throw new DecisionError("签名人不是现任业委会委员", `${signed.controller} is not a registered committee member`, "notAMember");
  }
  return { signer: signed.controller, created };
}

/** More than the rule's fraction of all registered members, in exact integers. */
export function enough(count, registration) {
  return count * registration.rule.denominator > registration.rule.numerator * registration.members.length;
}

/** committee.check_decision: the proof set suffices under `registration`. */
export async function checkDecision(doc, registration) {
  if (!isPlainObject(doc)) throw wrongDocument("决定不是 JSON 对象", "the decision is not a JSON object");
  if (doc.community !== registration.community) {
    throw wrongDocument("决定不属于本小区", "the decision is not this community's");
  }
  const shares = [];
  const seen = new Set();
  for (const proof of proofsOf(doc)) {
    const share = await checkShare(doc, proof, registration);
    if (seen.has(share.signer)) {
      throw new DecisionError("同一委员重复签名", `${share.signer} signed this decision twice`, "duplicate");
    }
    seen.add(share.signer);
    shares.push(share);
  }
  if (!enough(shares.length, registration)) {
    const total = registration.members.length;
    throw new DecisionError(
      `签名委员不足：${shares.length} 名，需 ${registration.needed} 名（全体 ${total} 名）`,
      `not enough members signed: ${shares.length} of ${total}, ${registration.needed} needed`,
      "notEnough",
    );
  }
  const times = shares.map((s) => s.created).filter((t) => t !== null);
  return { signers: shares.map((s) => s.signer), at: times.length ? Math.max(...times) : null, registration };
}

/** logged_decision.verify_logged_decision: a decision of the committee in force when made. */
export async function verifyLoggedDecision(doc, chain) {
  const named = doc?.registration;
  if (typeof named !== "string") {
    throw new DecisionError("决定未写明所依据的业委会备案", "the decision names no registration", "notInForce");
  }
  const registration = registrationByHash(chain, named);
  const decided = await checkDecision(doc, registration);
  if (decided.at === null) {
    throw new DecisionError("委员签名未写明签名时间", "the members' signatures state no time (created)", "notInForce");
  }
  const current = inForce(chain, decided.at);
  if (current === null || current.hash !== registration.hash) {
    const thenZh = current ? `第 ${current.sequence} 号备案` : "没有任何备案";
    const thenEn = current ? `registration ${current.sequence}` : "no registration";
    throw new DecisionError(
      `决定签于 ${formatUtc(decided.at)}，其所引第 ${registration.sequence} 号备案当时不在任期内（当时有效的是${thenZh}）`,
      `the decision was signed at ${formatUtc(decided.at)}, when its registration ${registration.sequence} was not in force (${thenEn} was)`,
      "notInForce",
    );
  }
  return decided;
}

/** A logged entry as appended: RFC 8785 canonical JSON, parsed. */
export function canonicalEntry(text, what) {
  let entry;
  try {
    entry = JSON.parse(String(text));
  } catch {
    throw new GongzhiError(`${what}不是 JSON`, `the ${what} entry is not JSON`);
  }
  if (!isPlainObject(entry) || !equalBytes(canonicalBytes(entry), encoder.encode(String(text)))) {
    throw new GongzhiError(`${what}不是规范 JSON`, `the ${what} entry is not RFC 8785 canonical JSON`);
  }
  return entry;
}

/**
 * A BallotResult entry as logged, checked as a decision of the pinned committee: returns
 * {votes, boxSize, closedAt, outcome, signers}. `chain` is from `pinnedChain`.
 */
export async function checkResult(text, ballot, chain) {
  const entry = canonicalEntry(text, "结果条目");
  if (entry.type !== "BallotResult" || entry.ballot !== ballot) {
    throw new GongzhiError("这不是这次表决的结果条目", "this is not the BallotResult of this ballot");
  }
  const decided = await verifyLoggedDecision(entry, chain);
  return { votes: entry.votes, boxSize: entry.boxSize, closedAt: entry.closedAt, outcome: entry.outcome, signers: decided.signers };
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

async function pinLogKey(origin, vkey, store) {
  const pinned = (await store.load(PINNED_LOG_KEYS)) ?? {};
  if (pinned[origin] && pinned[origin] !== vkey) {
    throw new GongzhiError(
      "投票箱的签名密钥与此前不同：请联系业委会并保存本页截图",
      `the ballot box's signing key changed since this device first saw it (${origin})`,
    );
  }
  if (!pinned[origin]) {
    pinned[origin] = vkey;
    await store.save(PINNED_LOG_KEYS, pinned);
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
 * The box's checkpoint key as the committee signed it into entry 0 (BallotAnnounced):
 * `opened` is that entry exactly as appended. It must be RFC 8785 canonical JSON, a
 * BallotOpened of `ballot`, and a decision of the committee: a proof set by enough distinct
 * members of the registration it names, which was in force when they signed
 * (`verifyLoggedDecision`). `committeeFor(community)` gives the registration chain this
 * device trusts for the community the entry names (`pinnedChain`), never the server's word.
 * Returns {logKey, leaf, community, signers}: the vkey and the entry's leaf hash, to be shown
 * included.
 */
export async function committeeLogKey(opened, ballot, committeeFor) {
  const entry = canonicalEntry(opened, "公告条目");
  if (entry.type !== "BallotAnnounced" || entry.ballot !== ballot) {
    throw new GongzhiError("第 0 条不是这次表决的公告条目", "entry 0 is not the BallotAnnounced of this ballot");
  }
  if (typeof entry.community !== "string" || !entry.community) {
    throw new GongzhiError("公告条目没有写明小区", "the BallotAnnounced entry names no community");
  }
  const chain = await committeeFor(entry.community);
  let decided;
  try {
    decided = await verifyLoggedDecision(entry, chain);
  } catch (e) {
    throw new GongzhiError(
      `公告条目不是本小区业委会的有效决定（${e.zh}）`,
      `the BallotAnnounced entry is not a valid decision of the community's committee (${e.en})`,
    );
  }
  if (typeof entry.logKey !== "string") {
    throw new GongzhiError("公告条目没有投票箱日志公钥", "the BallotAnnounced entry names no log key");
  }
  return {
    logKey: entry.logKey,
    leaf: await leafHash(encoder.encode(String(opened))),
    community: entry.community,
    signers: decided.signers,
  };
}

/**
 * Check a receipt against the vote this device signed:
 *  1. the leaf hash is SHA-256(0x00 ‖ JCS(vote)) of exactly the signed vote;
 *  2. the box's log key is the one the committee signed into entry 0 (BallotAnnounced: a proof
 *     set of the members of the registration chain `committeeFor(community)` gives, the one
 *     pinned at enrolment), not merely the one the server reports; the key is also pinned
 *     on this device the first time it is seen;
 *  3. the receipt's checkpoint and the box's latest one are signed by that key and are of
 *     the vote's ballot box, and entry 0 is included in the latest tree;
 *  4. the vote is included in the latest tree (RFC 9162 §2.1.3.2), and that tree is
 *     consistent with the tree of the receipt (§2.1.4.2): nothing was rewritten since.
 * `fetchProof(index, since)` answers GET /api/ballots/{id}/proof?index=…&since=….
 * `store` ({load, save}) keeps the pinned box keys: this device's IndexedDB by default, the
 * page's memory for a voting card used on someone else's device.
 * Returns {origin, index, receiptSize, latestSize, latestRoot, logKey, signers}.
 */
export async function checkReceipt(
  receipt,
  vote,
  fetchProof,
  committeeFor,
  store = { load: loadValue, save: saveValue },
) {
  if (typeof committeeFor !== "function") {
    throw new GongzhiError("缺少业委会备案", "the committee's registrations are needed to check a receipt");
  }
  const leaf = await leafHash(canonicalBytes(vote));
  if (toHex(leaf) !== receipt.leaf_hash) {
    // Said for whoever checks: the owner's own phone or anyone given the receipt (/verify).
    throw new GongzhiError(
      "回执里的选票与回执记下的那张选票不一致：回执可能被改动过",
      "the vote in the receipt is not the vote the receipt records: the receipt may have been altered",
    );
  }
  const answer = await fetchProof(receipt.index, readCheckpoint(receipt.checkpoint).size);
  const { logKey, leaf: openedLeaf, signers } = await committeeLogKey(answer.opened, vote.ballot, committeeFor);
  if (answer.log_key !== logKey) {
    throw new GongzhiError(
      "投票箱检查点的签名密钥不是业委会在公告条目中签署的密钥：请联系业委会并保存本页截图",
      "the key signing the box's checkpoints is not the one the committee signed into BallotAnnounced",
    );
  }
  await pinLogKey(answer.origin, logKey, store);
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
    signers,
  };
}
