// The committee member's signing page: make this device's key, show its DID for the street
// office to register, list the decisions waiting for members' signatures and sign one here.
// All key use goes through gongzhi.js; this file wires the page to it and to the API.
// Before signing, the device checks what the server hands it as identity/community/
// member_device.py does: this community's, no proof yet, the hash the server lists, made
// under the registration in force — and only then puts its key to it.

import {
  GongzhiError,
  createMemberKey,
  formatUtc,
  loadMemberKey,
  parseDateTime,
  sha256,
  canonicalBytes,
  signDocument,
  toHex,
} from "./gongzhi.js";
import { pinCommittee, registrationInForce } from "./committee.js";
import { $, T, api, fmt, reason, show } from "./page.js";

const SLUG = document.body.dataset.community;
const API = `/api/communities/${encodeURIComponent(SLUG)}`;

function say(text, kind = "ok") {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
  if (kind !== "busy") el.scrollIntoView({ block: "center" });
}

/** Beijing time, as every page shows it: 2026-12-01 20:30. */
function beijing(text) {
  try {
    const at = new Date(Math.floor(parseDateTime(text, "time") / 1000) + 8 * 3600_000);
    return at.toISOString().slice(0, 16).replace("T", " ");
  } catch {
    return String(text ?? "—").slice(0, 40);
  }
}

function yuan(fen) {
  if (!Number.isSafeInteger(fen)) return String(fen).slice(0, 40);
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const s = (v) => String(v ?? "—").slice(0, 200);

/** What a decision decides, in plain words (web/cli/decision_text.py says the same for the CLI).
 * `named` is the server's titles of the ballot it acts on (not signed: the document names
 * the ballot by its origin only), shown beside what the document says. */
function whatItDecides(doc, named = null) {
  const itemLine = (i, item, verdict) => {
    const title = named?.items?.[item.id];
    return title
      ? fmt(T.item_result_titled, { n: i + 1, title: s(title), verdict })
      : fmt(T.item_result, { n: i + 1, verdict });
  };
  const lines = [];
  if (doc.type === "BallotAnnounced") {
    lines.push(fmt(T.announce_ballot, { title: s(doc.title) }));
    (Array.isArray(doc.items) ? doc.items : []).forEach((item, i) => {
      const matter = `${s(item.matter)} ${item.matterName ?? ""}`.trim();
      lines.push(fmt(T.item, { n: i + 1, title: s(item.title), matter }));
      if ("amountFen" in item) lines.push(fmt(T.amount, { amount: yuan(item.amountFen) }));
    });
    lines.push(fmt(T.window, { opens: beijing(doc.opensAt), closes: beijing(doc.closesAt) }));
  } else if (doc.type === "BallotOpened") {
    lines.push(T.open_voting);
    // A listed decision shows its census by size (voterCount); the one to sign holds the rows.
    const voters = doc.census?.voters;
    const count = Array.isArray(voters) ? voters.length : doc.census?.voterCount;
    if (Number.isInteger(count)) lines.push(fmt(T.census, { voters: count }));
  } else if (doc.type === "BallotResult") {
    lines.push(T.close_ballot);
    lines.push(fmt(T.closed_at, { at: beijing(doc.closedAt) }));
    lines.push(fmt(T.votes, { votes: s(doc.votes) }));
    (Array.isArray(doc.items) ? doc.items : []).forEach((item, i) => {
      const elected = item.outcome?.elected;
      const passed = item.outcome?.passed;
      if (Array.isArray(elected)) {
        lines.push(itemLine(i, item, fmt(T.elected, { ids: elected.join("、") || "—" })));
      } else if (typeof passed === "boolean") {
        const verdict = passed ? T.outcome_passed : T.outcome_failed;
        lines.push(itemLine(i, item, verdict));
      }
    });
  } else if (doc.type === "ObjectionAnswered") {
    lines.push(fmt(T.answer, { index: s(doc.objection), answer: s(doc.answer) }));
  } else if (doc.type === "BallotFinal") {
    lines.push(fmt(T.final, { until: beijing(doc.retainUntil) }));
  } else if (doc.type === "BallotCancelled") {
    lines.push(T.cancel_ballot);
    lines.push(fmt(T.reason, { reason: s(doc.reason) }));
  } else if (doc.type === "VoterKeyChanged") {
    lines.push(fmt(T.rekey, { voter: s(doc.voter) }));
    lines.push(fmt(T.rekey_old, { did: s(doc.oldDid) }));
    lines.push(fmt(T.rekey_new, { did: s(doc.newDid) }));
  } else {
    lines.push(fmt(T.other_kind, { kind: s(doc.type).slice(0, 80) }));
  }
  if (doc.ballot) {
    lines.push(
      named?.title
        ? fmt(T.ballot_titled, { title: s(named.title), ballot: s(doc.ballot) })
        : fmt(T.ballot, { ballot: s(doc.ballot) }),
    );
  }
  return lines;
}

function linesList(lines) {
  const ul = document.createElement("ul");
  ul.className = "lines";
  lines.forEach((line, i) => {
    const li = document.createElement(i === 0 ? "strong" : "span");
    const item = document.createElement("li");
    li.textContent = line;
    item.append(li);
    ul.append(item);
  });
  return ul;
}

/** member_device.parse_pending: refuse to sign what is not exactly what it claims to be. */
async function checkPending(item, registration) {
  const doc = item.document;
  if (!doc || typeof doc !== "object" || typeof doc.type !== "string") {
    throw refusal("refused_hash");
  }
  if ("proof" in doc) throw refusal("refused_proof");
  if (doc.community !== SLUG) throw refusal("refused_community");
  if (item.document_hash !== toHex(await sha256(canonicalBytes(doc)))) throw refusal("refused_hash");
  if (!registration || doc.registration !== registration.hash) throw refusal("refused_registration");
}

// The page carries its own language's words only; a refusal is shown in that language.
const refusal = (name) => new GongzhiError(T[name], T[name]);

let state = { key: null, registration: null, chosen: null };

function memberRole() {
  const me = state.registration?.members.find((m) => m.did === state.key?.did);
  return me ? me.role : null;
}

function showKey() {
  const { key } = state;
  show("key-none", !key);
  show("key-here", Boolean(key));
  if (!key) return;
  $("key-did").textContent = key.did;
  $("key-qr").src = `/committee/device-qr.svg?did=${encodeURIComponent(key.did)}`;
  const role = memberRole();
  $("member-state").textContent = role ? fmt(T.member_yes, { role: T[`role_${role}`] ?? role }) : T.member_no;
  $("member-state").className = role ? "ok-line" : "note";
  // The QR is for the street office to register the key; once registered it only takes room.
  show("key-qr", !role);
}

function shortDid(did) {
  return `${did.slice(0, 14)}…${did.slice(-6)}`;
}

/** The device pins its committee once it has a key to sign with (committee.js
 * `pinCommittee`). */
async function pinIfKeyed() {
  if (state.key) await pinCommittee(SLUG);
}

async function refresh() {
  $("refresh").disabled = true;
  let refused = null;
  try {
    try {
      state.registration = await registrationInForce(SLUG);
    } catch (error) {
      // Another committee than the pinned one (or none that verifies): sign nothing.
      state.registration = null;
      refused = error;
    }
    showKey();
    const pending = await api("GET", `${API}/decisions?state=pending`);
    const list = $("pending-list");
    list.replaceChildren();
    for (const item of pending) list.append(pendingItem(item));
    show("pending-none", pending.length === 0);
  } finally {
    $("refresh").disabled = false;
  }
  if (refused) throw refused;
}

function pendingItem(item) {
  const li = document.createElement("li");
  li.dataset.decision = String(item.id);
  li.append(linesList(whatItDecides(item.summary, item.ballot)));
  const missing = Math.max(0, item.needed - item.signers.length);
  const count = document.createElement("p");
  count.className = "big";
  count.textContent = fmt(T.signed_count, {
    signed: item.signers.length,
    needed: item.needed,
    members: item.members,
    missing,
  });
  li.append(count);
  if (item.signers.length) {
    const who = document.createElement("ul");
    who.className = "signers";
    for (const did of item.signers) {
      const row = document.createElement("li");
      row.textContent = `✓ ${shortDid(did)}${did === state.key?.did ? `（${T.this_device}）` : ""}`;
      who.append(row);
    }
    const label = document.createElement("p");
    label.className = "small";
    label.textContent = T.signed_by;
    li.append(label, who);
  }
  const button = document.createElement("button");
  button.type = "button";
  const mine = state.key && item.signers.includes(state.key.did);
  button.className = mine ? "button secondary" : "button primary";
  button.textContent = mine ? T.signed_here : T.sign;
  button.disabled = Boolean(mine) || !state.key || !memberRole();
  button.addEventListener("click", () => chooseToSign(item));
  li.append(button);
  return li;
}

async function chooseToSign(listed) {
  let item;
  try {
    // The list holds summaries; what is shown for signing, and signed, is the whole document,
    // whose hash must be the one listed.
    item = await api("GET", `${API}/decisions/${encodeURIComponent(listed.id)}`);
    if (item.document_hash !== listed.document_hash) throw refusal("refused_hash");
    await checkPending(item, state.registration);
  } catch (error) {
    say(T.error + reason(error), "error");
    return;
  }
  state.chosen = item;
  $("confirm-lines").replaceChildren(linesList(whatItDecides(item.document, item.ballot)));
  $("confirm-full").textContent = JSON.stringify(item.document, null, 2);
  $("status").hidden = true;
  show("pending-card", false);
  show("confirm");
  $("confirm").scrollIntoView({ block: "start" });
}

function back() {
  state.chosen = null;
  show("confirm", false);
  show("pending-card");
}

async function sign() {
  const item = state.chosen;
  const button = $("confirm-sign");
  button.disabled = true;
  say(T.signing, "busy");
  try {
    await checkPending(item, state.registration); // again: nothing changed since it was shown
    // ecdsa-jcs-2019 over the document without proof; `created` dates the share, which is
    // how a verifier finds the registration in force when it was made.
    const created = formatUtc(Date.now() * 1000);
    const signed = await signDocument(item.document, { key: state.key, proofPurpose: "assertionMethod", created });
    const answer = await api("POST", `${API}/decisions/${encodeURIComponent(item.id)}/signatures`, {
      proof: signed.proof,
    });
    back();
    await refresh();
    const missing = Math.max(0, answer.needed - answer.signers.length);
    say(answer.state === "applied" ? T.applied_ok : fmt(T.signed_ok, { missing }), "ok");
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

async function makeKey() {
  const button = $("key-make");
  button.disabled = true;
  say(T.key_making, "busy");
  try {
    state.key = await createMemberKey();
    $("status").hidden = true;
    await pinIfKeyed();
    await refresh();
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

/** The fingerprint `gongzhi office trust` prints (identity/community/trustfile.py
 * `fingerprint`): the first 32 hex digits of SHA-256 of the trust file's bytes, by fours. */
async function fingerprint(bytes) {
  const hex = toHex(await sha256(bytes)).slice(0, 32);
  return hex.match(/.{4}/g).join(" ");
}

/** This server's trust pin, shown for the member to hold beside the street office's print:
 * the QR code of the very bytes of /.well-known/gongzhi-trust.json, and their fingerprint. */
async function showTrust() {
  if ($("trust-qr").getAttribute("src")) return; // shown once already
  const response = await fetch("/.well-known/gongzhi-trust.json", { cache: "no-cache" });
  if (!response.ok) throw new GongzhiError(T.trust_unavailable, T.trust_unavailable);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const trust = JSON.parse(new TextDecoder().decode(bytes));
  $("trust-fingerprint").textContent = await fingerprint(bytes);
  $("trust-roots").replaceChildren(
    ...trust.roots.map((root) => {
      const li = document.createElement("li");
      li.textContent = root;
      return li;
    }),
  );
  $("trust-chain").textContent = fmt(T.trust_chain, { chain: trust.chainId, contract: trust.contract });
  $("trust-qr").src = "/committee/trust-qr.svg";
}

async function start() {
  if (!globalThis.crypto?.subtle || !globalThis.indexedDB) {
    say(T.no_crypto, "error");
    document.body.dataset.ready = "true";
    return;
  }
  $("key-make").addEventListener("click", makeKey);
  $("refresh").addEventListener("click", () => refresh().catch((e) => say(T.error + reason(e), "error")));
  $("confirm-back").addEventListener("click", back);
  $("confirm-sign").addEventListener("click", sign);
  $("trust-pin").addEventListener("toggle", () => {
    if ($("trust-pin").open) showTrust().catch((e) => say(T.error + reason(e), "error"));
  });
  $("trust-print").addEventListener("click", () => globalThis.print());
  try {
    state.key = await loadMemberKey();
    showKey();
    await pinIfKeyed(); // a key made before devices pinned: pinned now, on first use
    await refresh();
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true"; // for the browser tests: the page has wired itself
}

start();
