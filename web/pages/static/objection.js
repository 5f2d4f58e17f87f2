// 质疑 from the public accounts page (/c/{slug}/disclosures): an owner signed in on this
// device raises an objection on one entry. The entry is signed here with the device's owner
// key (gongzhi.js signDocument) and sent as the disclosure API expects
// (POST /api/communities/{slug}/disclosures/entries, an `Objection` naming the entry's index
// and leaf hash); the server checks the signature, the owner role and the text. Anyone else
// keeps the sign-in link the page is rendered with.

import { loadOwnerKey, signDocument } from "./gongzhi.js";
import { T, api, fmt, reason } from "./page.js";

const { slug, log } = document.body.dataset;

/** The device's owner key if the session on this device is that key's and holds the owner
 * role here; otherwise null (not signed in, another DID's session, not an owner here). */
async function signedInOwner() {
  const key = await loadOwnerKey();
  if (!key) return null;
  let me;
  try {
    me = await api("GET", "/api/me");
  } catch {
    return null; // 401: no session
  }
  const owner = me.grants.some((g) => g.community === slug && g.role === "owner");
  return me.did === key.did && owner ? key : null;
}

function tell(box, text, kind) {
  const msg = box.querySelector(".raise-msg");
  msg.textContent = text;
  msg.className = `raise-msg ${kind}`;
  msg.hidden = false;
}

/** The objection as the page renders one, awaiting its answer, under the entry. */
function listed(index, text) {
  const div = document.createElement("div");
  div.className = "question";
  const p = document.createElement("p");
  const b = document.createElement("b");
  b.textContent = T.objection;
  p.append(b, "：", text);
  const pending = document.createElement("p");
  pending.className = "pending";
  pending.textContent = T.no_reply;
  div.append(p, pending);
  document.getElementById(`thread-${index}`).append(div);
}

function wire(box, key) {
  const form = box.querySelector(".raise-form");
  const area = form.querySelector("textarea");
  const button = form.querySelector("button");
  const count = form.querySelector(".raise-count");
  // Counted as the box's maxlength counts (UTF-16 units), so "2000 / 2000" is where it stops.
  const counted = () => {
    count.textContent = fmt(T.raise_count, { n: area.value.length, max: area.maxLength });
  };
  area.addEventListener("input", counted);
  box.querySelector(".raise-signin").hidden = true;
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = area.value;
    if (!text.trim()) {
      tell(box, T.raise_empty, "error");
      area.focus();
      return;
    }
    if (text.length > area.maxLength) {
      tell(box, fmt(T.raise_too_long, { max: area.maxLength }), "error");
      return;
    }
    button.disabled = true;
    tell(box, T.raise_working, "busy");
    try {
      const index = Number(box.dataset.index);
      const doc = {
        type: "Objection",
        log,
        objector: key.did,
        target: { index, leafHash: box.dataset.leaf },
        text,
      };
      await api("POST", `/api/communities/${slug}/disclosures/entries`, await signDocument(doc, { key }));
      listed(index, text);
      area.value = "";
      counted();
      // Done: the form would only invite the same objection twice; its word stays below.
      form.hidden = true;
      tell(box, T.raise_done, "ok");
    } catch (error) {
      tell(box, reason(error), "error"); // the server's words: a phone number, not an owner…
    } finally {
      button.disabled = false;
    }
  });
}

async function start() {
  const key = await signedInOwner();
  if (key) for (const box of document.querySelectorAll("details.raise")) wire(box, key);
  document.body.dataset.ready = "true";
}

start();
