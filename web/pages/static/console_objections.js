// The committee console's 质疑答复: objections owners raised to disclosures the committee's
// members published. The ledger takes a reply only from the questioned entry's publisher
// (ledger/disclosure/accounting.py), so this device answers the objections to entries its
// own member key signed — signed here, as the member signs every other committee act, and
// posted as the property manager's desk posts its replies (manager.js). Objections to
// another member's entries are listed for them to answer on their own device.

import { formatUtc, loadMemberKey, signDocument } from "./gongzhi.js";
import { $, T, api, fmt, reason, show } from "./page.js";

const SLUG = document.body.dataset.community;
const ORIGIN = document.body.dataset.origin;
const API = `/api/communities/${encodeURIComponent(SLUG)}/disclosures`;
const MAX_TEXT = 2000; // the schema's own limit (ledger/disclosure/fields.py), said here first
const PAGE = 200;

let key = null;
let serial = 0;

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

/** One objection's answer form: the action, the text, sign on this device, post. */
function answerForm(d, o) {
  const n = ++serial;
  const form = document.createElement("form");
  form.className = "item objection";
  form.dataset.index = String(o.index);
  form.noValidate = true;
  const on = Object.assign(document.createElement("p"), {
    className: "small",
    textContent: fmt(T.obj_on, { index: d.index, kind: kindName(d.kind) }),
  });
  const text = Object.assign(document.createElement("p"), { className: "objection-text", textContent: o.entry.text });
  const actionLabel = Object.assign(document.createElement("label"), { htmlFor: `obj-${n}-action`, textContent: T.obj_action });
  const action = Object.assign(document.createElement("select"), { id: `obj-${n}-action`, className: "obj-action" });
  for (const a of ["explained", "corrected", "rejected"]) {
    action.append(Object.assign(document.createElement("option"), { value: a, textContent: T[`action_${a}`] }));
  }
  const answerLabel = Object.assign(document.createElement("label"), { htmlFor: `obj-${n}-text`, textContent: T.obj_text });
  const answer = Object.assign(document.createElement("textarea"), { id: `obj-${n}-text`, className: "plain obj-text", rows: 3 });
  const error = Object.assign(document.createElement("p"), { id: `obj-${n}-error`, className: "field-error", hidden: true });
  answer.setAttribute("aria-describedby", error.id);
  const send = Object.assign(document.createElement("button"), { type: "submit", className: "button primary obj-send", textContent: T.obj_reply });
  form.append(on, text, actionLabel, action, answerLabel, answer, error, send);

  const wrong = (message) => {
    error.textContent = message;
    error.hidden = false;
    answer.setAttribute("aria-invalid", "true");
    answer.focus();
  };
  answer.addEventListener("input", () => {
    error.hidden = true;
    answer.removeAttribute("aria-invalid");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    answer.removeAttribute("aria-invalid");
    const reply = answer.value.trim();
    if (!reply) return wrong(T.obj_required);
    if (reply.length > MAX_TEXT) return wrong(fmt(T.obj_too_long, { max: MAX_TEXT }));
    send.disabled = true;
    say(T.obj_sending, "busy");
    try {
      const doc = {
        type: "ObjectionReply",
        log: ORIGIN,
        publisher: key.did,
        objection: { index: o.index, leafHash: o.leaf_hash },
        action: action.value,
        text: reply,
      };
      // `created` dates it, so a verifier can check the member was in office when it was signed.
      const signed = await signDocument(doc, { key, created: formatUtc(Date.now() * 1000) });
      await api("POST", `${API}/entries`, signed);
      say(T.obj_done, "ok");
      await load();
    } catch (failure) {
      // The server's refusal, in the page's language, beside the answer: nothing was appended.
      wrong(reason(failure));
      $("status").hidden = true;
    } finally {
      send.disabled = false;
    }
  });
  return form;
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
