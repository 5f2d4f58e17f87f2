// The public verification page (/verify): anyone pastes a vote receipt and this browser
// checks it itself with gongzhi.js's checkReceipt — the vote's leaf hash, the box's key as
// the committee signed it into BallotAnnounced, the checkpoints, inclusion and consistency.
// The committee is accepted only as a chain of registrations signed by a street office of
// the trust file: the one in the link's fragment (#gongzhi-trust=…, the result notice's QR
// code), else this server's /.well-known/gongzhi-trust.json, said plainly to be its own word.
// "Scan" reads a QR code with the camera or from a photo (qrscan.js): the result notice's
// (a trust_link: the trust file in its fragment), the street office's trust file alone, or
// a receipt copy (the very {vote, receipt} JSON the owner's page copies); each fills in
// what it holds, and the check runs as soon as there is a receipt.

import { GongzhiError, canonicalize, checkReceipt, registrationChain } from "./gongzhi.js";
import { $, T, api, fmt, reason, show } from "./page.js";
import { cameraScanner, readPhoto } from "./qrscan.js";

const FRAGMENT = "gongzhi-trust";
const WELL_KNOWN = "/.well-known/gongzhi-trust.json";

/** The trust file of a fragment's base64url text (trustfile.trust_link), checked for shape. */
function trustOfEncoded(encoded) {
  let trust;
  try {
    const b64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    trust = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new GongzhiError(T.bad_trust, T.bad_trust);
  }
  if (trust?.type !== "GongzhiTrust" || !Array.isArray(trust.roots) || !trust.roots.length) {
    throw new GongzhiError(T.bad_trust, T.bad_trust);
  }
  return trust;
}

/** The trust file carried in the address's fragment (trustfile.trust_link), or null. */
function trustFromFragment() {
  const encoded = new URLSearchParams(location.hash.slice(1)).get(FRAGMENT);
  return encoded === null ? null : trustOfEncoded(encoded);
}

/** The roots to trust, and a note to show: where they come from, and any disagreement. */
async function chooseTrust() {
  const pinned = trustFromFragment();
  const served = await api("GET", WELL_KNOWN).catch(() => null);
  if (!pinned) {
    if (!served) throw new GongzhiError("无法取得信任文件", "the trust file cannot be fetched");
    return { roots: served.roots ?? [], note: T.trust_server, warn: true };
  }
  if (served && canonicalize(served) !== canonicalize(pinned)) {
    const what = ["chainId", "contract", "roots"].filter((k) => canonicalize(served[k]) !== canonicalize(pinned[k]));
    return { roots: pinned.roots, note: `${T.trust_link} ${fmt(T.trust_differs, { what: what.join(", ") })}`, warn: true };
  }
  return { roots: pinned.roots, note: T.trust_link, warn: false };
}

function parseRecord(text) {
  if (!text.trim()) throw new GongzhiError(T.empty, T.empty);
  let record;
  try {
    record = JSON.parse(text);
  } catch {
    throw new GongzhiError(T.bad_json, T.bad_json);
  }
  const r = record?.receipt;
  const ok =
    record?.vote && typeof record.vote === "object" && r && Number.isSafeInteger(r.ballot_id) && r.ballot_id > 0 &&
    Number.isSafeInteger(r.index) && typeof r.leaf_hash === "string" && typeof r.checkpoint === "string";
  if (!ok) throw new GongzhiError(T.bad_shape, T.bad_shape);
  return record;
}

function choicesText(vote) {
  const choices = vote.choices && typeof vote.choices === "object" ? vote.choices : {};
  return Object.keys(choices)
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => `${fmt(T.item, { id })} ${T[choices[id]] ?? choices[id]}`)
    .join(T.item_sep);
}

function verdict(kind, text, lines = []) {
  const box = $("verify-result");
  box.className = `card result ${kind}`;
  box.dataset.outcome = kind;
  $("verify-verdict").textContent = text;
  $("verify-lines").replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement("li");
      li.textContent = line;
      return li;
    }),
  );
  show("verify-result");
}

async function verify(text) {
  // The way back is the ballot only when a receipt names one; until then, the home page.
  const back = $("verify-back");
  back.href = `/${LANG_QUERY}`;
  back.textContent = T.home;
  const record = parseRecord(text);
  const id = record.receipt.ballot_id;
  back.href = `/ballots/${id}${LANG_QUERY}${location.hash}`;
  back.textContent = T.back;
  const trust = await chooseTrust();
  const note = $("trust-note");
  note.textContent = trust.note;
  note.className = `result ${trust.warn ? "warn" : "ok"}`;
  show("trust-note");
  const committeeFor = async (community) =>
    registrationChain(
      await api("GET", `/api/communities/${encodeURIComponent(community)}/registrations`),
      trust.roots,
      community,
    );
  const fetchProof = (index, since) => api("GET", `/api/ballots/${id}/proof?index=${index}&since=${since}`);
  // A public verifier pins nothing on the reader's device: the keys live in this page only.
  const memory = new Map();
  const store = { load: async (k) => memory.get(k), save: async (k, v) => void memory.set(k, v) };
  const checked = await checkReceipt(record.receipt, record.vote, fetchProof, committeeFor, store);
  return [
    fmt(T.ok_included, { index: checked.index, size: checked.latestSize }),
    [
      fmt(T.ok_consistent, { then: checked.receiptSize }),
      fmt(T.ok_committee, { signers: checked.signers.length }),
      fmt(T.ok_choices, { choices: choicesText(record.vote) }),
    ],
  ];
}

const LANG_QUERY = document.body.dataset.lang === "en" ? "?lang=en" : "";

/** base64url (RFC 4648 §5, unpadded) of a text's UTF-8 bytes, as trust_link writes them. */
function base64url(text) {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** What a scanned QR code holds: {receipt: text} for a receipt copy, {fragment, ballot} for
 * the notice's link or the trust file alone (the fragment this page reads its trust from),
 * or null for anything else. A malformed trust file throws (bad_trust). */
function scanned(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let doc;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return null;
    }
    if (doc?.type === "GongzhiTrust") {
      const encoded = base64url(trimmed);
      trustOfEncoded(encoded);
      return { fragment: `${FRAGMENT}=${encoded}`, ballot: null };
    }
    if (doc?.vote && doc?.receipt) return { receipt: trimmed };
    return null;
  }
  let url;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  const encoded = new URLSearchParams(url.hash.slice(1)).get(FRAGMENT);
  if (!/^https?:$/.test(url.protocol) || encoded === null) return null;
  trustOfEncoded(encoded);
  const ballot = /^\/ballots\/(\d+)$/.exec(url.pathname)?.[1] ?? null;
  return { fragment: `${FRAGMENT}=${encoded}`, ballot };
}

function scanSays(text, kind) {
  const note = $("scan-note");
  note.textContent = text;
  note.className = `result ${kind}`;
  show("scan-note");
}

function start() {
  const button = $("verify-submit");
  const check = async () => {
    button.disabled = true;
    verdict("busy", T.checking);
    try {
      const [head, lines] = await verify($("receipt-json").value.trim());
      verdict("ok", head, lines);
    } catch (error) {
      verdict("error", T.failed + reason(error));
    } finally {
      button.disabled = false;
    }
  };
  button.addEventListener("click", check);

  const video = $("scan-video");
  const camera = cameraScanner(video, (text) => took(text));
  const cameraOff = () => {
    camera.stop();
    show("scan-video", false);
    show("scan-stop", false);
    show("scan-start");
  };

  /** Fill in what a QR code holds; true when it was ours (the camera then stops). */
  function took(text) {
    let what;
    try {
      what = scanned(text);
    } catch (error) {
      cameraOff(); // ours, but unreadable: looking again would only read the same
      scanSays(reason(error), "error");
      return true;
    }
    if (what === null) {
      scanSays(T.scan_not_ours, "error");
      return false; // the camera keeps looking: another code may be in view
    }
    cameraOff();
    if (what.receipt !== undefined) {
      $("receipt-json").value = what.receipt;
      scanSays(T.scanned_receipt, "ok");
      check();
      return true;
    }
    // The trust rides in this page's own fragment, as when the notice's link is opened:
    // the check and the link back to the ballot then carry it like any other.
    history.replaceState(null, "", `${location.pathname}${location.search}#${what.fragment}`);
    const has = $("receipt-json").value.trim() !== "";
    const said = what.ballot ? fmt(T.scanned_notice, { ballot: what.ballot }) : T.scanned_trust;
    scanSays(`${said}${has ? "" : T.scan_receipt_next}`, "ok");
    if (has) check();
    return true;
  }

  $("scan-start").addEventListener("click", async () => {
    show("scan-start", false);
    show("scan-video");
    show("scan-stop");
    scanSays(T.scanning, "busy");
    try {
      await camera.start();
    } catch (error) {
      cameraOff();
      scanSays(fmt(T.scan_no_camera, { reason: reason(error) }), "error");
    }
  });
  $("scan-stop").addEventListener("click", () => {
    cameraOff();
    $("scan-note").hidden = true;
  });
  $("scan-photo").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    event.target.value = ""; // the same photo chosen again is read again
    if (!file) return;
    scanSays(T.scan_reading, "busy");
    let text = null;
    try {
      text = await readPhoto(file);
    } catch {
      text = null;
    }
    if (text === null) scanSays(T.scan_no_qr, "error");
    else took(text);
  });
  addEventListener("pagehide", () => camera.stop());
  document.body.dataset.ready = "true";
}

start();
