// The committee console's 质疑答复: objections owners raised to disclosures the committee's
// members published. The ledger takes a reply only from the questioned entry's publisher
// (ledger/disclosure/accounting.py), so this device answers the objections to entries its
// own member key signed — signed here, as the member signs every other committee act, and
// posted as the property manager's desk posts its replies (manager.js). Objections to
// another member's entries are listed for them to answer on their own device.

import { formatUtc, loadMemberKey, signDocument } from "./gongzhi.js";
import { $, T, api, fmt, reason, show } from "./page.js";
import { replyForm } from "./reply_form.js";

const SLUG = document.body.dataset.community;
const ORIGIN = document.body.dataset.origin;
const API = `/api/communities/${encodeURIComponent(SLUG)}/disclosures`;
const PAGE = 200;

let key = null;

function say(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
  if (kind === "error") el.scrollIntoView({ block: "center" });
}

const shortDid = (did) => `${did.slice(0, 16)}…${did.slice(-6)}`;
const kindName = (kind) => T[`kind_${kind}`] ?? kind;

/** The log's entries, each disclosure with its thread of objections and replies. */
async function entries() {
  const all = [];
  for (let start = 0; ; start += PAGE) {
    const page = await api("GET", `${API}/entries?start=${start}&limit=${PAGE}`);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}

/** The answer form for objection `o` to this member's entry `d`: signed on this device. */
function answerForm(d, o) {
  return replyForm(d, o, async (action, text) => {
    say(T.obj_sending, "busy");
    try {
      const doc = { type: "ObjectionReply", log: ORIGIN, publisher: key.did, objection: { index: o.index, leafHash: o.leaf_hash }, action, text };
      // `created` dates it, so a verifier can check the member was in office when it was signed.
      const signed = await signDocument(doc, { key, created: formatUtc(Date.now() * 1000) });
      await api("POST", `${API}/entries`, signed);
    } catch (failure) {
      $("status").hidden = true; // the refusal shows beside the answer instead
      throw failure;
    }
    say(T.obj_done, "ok");
    await load();
  });
}

async function load() {
  const [log, all] = await Promise.all([api("GET", API), entries()]);
  // Whoever published as the committee, by the log's own record of its publishers.
  const members = new Set(log.publishers.filter((p) => p.role === "committee").map((p) => p.did));
  const mine = [];
  const others = [];
  for (const d of all) {
    if (d.type !== "Disclosure" || !members.has(d.signer)) continue;
    for (const o of d.thread) {
      if (o.type !== "Objection" || o.thread.some((t) => t.type === "ObjectionReply")) continue;
      if (key && d.signer === key.did) mine.push(answerForm(d, o));
      else {
        const li = document.createElement("li");
        li.dataset.index = String(o.index);
        li.textContent = fmt(T.obj_other_line, { index: d.index, kind: kindName(d.kind), text: o.entry.text, did: shortDid(d.signer) });
        others.push(li);
      }
    }
  }
  $("objections").replaceChildren(...mine);
  show("obj-none", Boolean(key) && mine.length === 0);
  $("obj-others").replaceChildren(...others);
  show("obj-others-card", others.length > 0);
}

async function start() {
  try {
    key = await loadMemberKey();
    show("obj-no-key", !key);
    if (key) {
      $("obj-key").textContent = fmt(T.obj_key, { did: shortDid(key.did) });
      show("obj-key");
    }
    await load();
  } catch (error) {
    $("objections").replaceChildren();
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true";
}

start();
