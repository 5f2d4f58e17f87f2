// The public verification page (/verify): anyone pastes a vote receipt and this browser
// checks it itself with gongzhi.js's checkReceipt — the vote's leaf hash, the box's key as
// the committee signed it into BallotAnnounced, the checkpoints, inclusion and consistency.
// The committee is accepted only as a chain of registrations signed by a street office of
// the trust file: the one in the link's fragment (#gongzhi-trust=…, the result notice's QR
// code), else this server's /.well-known/gongzhi-trust.json, said plainly to be its own word.

import { GongzhiError, canonicalize, checkReceipt, registrationChain } from "./gongzhi.js";
import { $, T, api, fmt, reason, show } from "./page.js";

const FRAGMENT = "gongzhi-trust";
const WELL_KNOWN = "/.well-known/gongzhi-trust.json";

/** The trust file carried in the address's fragment (trustfile.trust_link), or null. */
function trustFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const encoded = params.get(FRAGMENT);
  if (encoded === null) return null;
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
    .join("；");
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
  const record = parseRecord(text);
  const id = record.receipt.ballot_id;
  const back = $("verify-back");
  back.href = `/ballots/${id}${LANG_QUERY}${location.hash}`;
  back.hidden = false;
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

function start() {
  const button = $("verify-submit");
  button.addEventListener("click", async () => {
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
  });
  document.body.dataset.ready = "true";
}

start();
