// One ballot's dashboard for the committee: turnout by area and by headcount against the
// two-thirds mark (per item), who has not voted by building, refused votes, objections, the
// committee's acts, and paper ballots entered by one member and confirmed by another.
//
// Reads GET /api/ballots/{id} (participation), …/pending, …/refusals, …/paper and, once the
// result is out, …/record (the objections in the box). While the ballot can change, the
// server pushes its state (…/events, server-sent events) the moment a vote has committed;
// should the stream fail (an old proxy, the per-address bound), the page polls instead.
// Each act only drafts a decision for the members to sign on the signing page. A paper
// ballot is signed here with this device's member key (gongzhi.js), as the box keeps it.

import { GongzhiError, canonicalBytes, formatUtc, loadMemberKey, sha256, signDocument, toHex } from "./gongzhi.js";
import { registrationInForce } from "./committee.js";
import { $, LANG, T, api, fmt, reason } from "./page.js";
import { beijing, statusLabel, windowLine } from "./console_common.js";
import { percentOfBp } from "./percent.js";

const SLUG = document.body.dataset.community;
const ID = document.body.dataset.ballot;
const API = `/api/ballots/${encodeURIComponent(ID)}`;
const POLL_MS = 3000; // all of it while the stream is not open, else what it does not carry
const LIVE = new Set(["announced", "open", "closing", "closed"]);
const COUNTED = new Set(["open", "closing", "closed", "final"]);
let ballot = null;
let key = null;
let registration = null;

function say(text, kind = "ok") {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One bar: the share reached, the two-thirds mark, and the words beside it. The width is
 * set through the CSSOM (the page's CSP allows no inline style). */
function bar(label, bp, met, name) {
  const wrap = el("div", "meter");
  wrap.dataset.measure = name;
  wrap.dataset.bp = String(bp);
  const words = el("p", "meter-label", `${label} ${met ? T.met : T.not_met}`);
  const track = el("div", `track${met ? " met" : ""}`);
  track.setAttribute("role", "img");
  track.setAttribute("aria-label", label);
  const fill = el("span", "fill");
  fill.style.width = `${Math.min(bp, 10000) / 100}%`;
  track.append(fill, el("i", "mark"));
  wrap.append(words, track);
  return wrap;
}

function turnoutBlock(title, p, key) {
  const box = el("div", "turnout-block");
  box.dataset.item = key;
  box.append(el("h3", "", title));
  const area = fmt(T.by_area, { voted: p.voted.area, total: p.total.area, pct: percentOfBp(p.area_bp) });
  const heads = fmt(T.by_heads, {
    voted: p.voted.headcount,
    total: p.total.headcount,
    pct: percentOfBp(p.headcount_bp),
  });
  box.append(bar(area, p.area_bp, p.area_met, "area"), bar(heads, p.headcount_bp, p.headcount_met, "headcount"));
  return box;
}

function showBallot(b) {
  $("b-title").textContent = b.title;
  $("b-status").textContent = fmt(T.status, { status: statusLabel(b.status) });
  $("b-status").dataset.status = b.status;
  $("b-window").textContent = windowLine(b);
  // Only an open ballot takes votes: a closed one's bars no longer move.
  $("b-live").hidden = b.status !== "open";
  const counted = COUNTED.has(b.status);
  $("turnout-card").hidden = !counted;
  if (counted) {
    const blocks = [turnoutBlock(T.turnout_all, b.participation, "all")];
    b.items.forEach((item, i) => {
      const p = b.participation.items?.[item.id];
      if (p) blocks.push(turnoutBlock(fmt(T.item_line, { n: i + 1, title: item.title }), p, item.id));
    });
    $("turnout").replaceChildren(...blocks);
  }
  showActs(b);
  $("notice-card").hidden = !["closed", "final"].includes(b.status);
}

function showActs(b) {
  const s = b.status;
  const closesPassed = Date.parse(b.closes_at) <= Date.now();
  $("act-open").hidden = s !== "announced";
  $("cancel-box").hidden = s !== "announced";
  $("act-close").hidden = s !== "open";
  $("act-close").textContent = closesPassed ? T.act_close : T.act_close_early;
  $("act-final").hidden = s !== "closed";
  // A proposal awaiting signatures (the announcement, the close) is not "nothing to do".
  const awaiting = T[`acts_pending_${s}`];
  // Just proposed here, "submitted, awaiting signatures" says it already: said once.
  $("acts-pending").hidden = !awaiting || !$("act-done").hidden;
  $("acts-pending-text").textContent = awaiting ?? "";
  $("acts-none").hidden = Boolean(awaiting) || ["announced", "open", "closed"].includes(s);
}

async function showPending() {
  const p = await api("GET", `${API}/pending`);
  $("pending-card").hidden = false;
  $("pending-summary").textContent =
    p.pending_voters === 0 ? T.pending_none : fmt(T.pending_summary, { voters: p.pending_voters, area: p.pending_area });
  $("pending-buildings").replaceChildren(
    ...p.buildings.map((b) => {
      const li = el("li", b.pending ? "" : "done-line", fmt(T.pending_building, b));
      li.dataset.building = b.building;
      li.dataset.pending = String(b.pending);
      return li;
    }),
  );
  $("pending-voters").replaceChildren(
    ...p.pending.map((v) =>
      el(
        "li",
        "",
        fmt(T.pending_voter, {
          voter: v.voter,
          units: v.units.join("、"),
          area: v.area,
          enrolled: v.enrolled ? T.enrolled_yes : T.enrolled_no,
        }),
      ),
    ),
  );
}

/** A refusal in the page's language: the server keeps both; a row counted before it kept
 * the Chinese one is named by its reason code on a Chinese page. Where the message spoke to
 * the owner ("your new key…"), the committee reads its own words. */
function refusalReason(x) {
  const forCommittee = T[`refusal_committee_${x.reason}`];
  if (forCommittee) return forCommittee;
  if (LANG === "en") return x.message;
  return x.message_zh || T[`refusal_reason_${x.reason}`] || T.refusal_reason_other;
}

async function showRefusals() {
  const r = await api("GET", `${API}/refusals`);
  $("refusals-card").hidden = false;
  $("refusals-none").hidden = r.refusals.length > 0;
  $("refusals").replaceChildren(
    ...r.refusals.map((x) => {
      const line = fmt(T.refusal_line, {
        who: x.census_entry ?? (x.signer ? `${x.signer.slice(0, 16)}…` : T.refusal_unknown),
        reason: refusalReason(x),
        count: x.count,
        at: beijing(x.last_seen),
      });
      // Kept in the list (what happened), but no longer shown as something to act on.
      const li = el("li", x.counted ? "done-line" : "", x.counted ? line + T.refusal_counted : line);
      li.dataset.counted = String(x.counted);
      return li;
    }),
  );
}

/** The objections in the box (the record shows every entry once the result is in). There is
 * no API listing objections alone; the record is what the box holds. */
async function showObjections() {
  const record = await api("GET", `${API}/record`);
  const docs = (record.entries ?? []).map((e, index) => {
    if (typeof e !== "string") return { index, doc: e };
    try {
      return { index, doc: JSON.parse(e) };
    } catch {
      return { index, doc: {} };
    }
  });
  const answered = new Set(docs.filter((d) => d.doc.type === "ObjectionAnswered").map((d) => d.doc.objection));
  const objections = docs.filter((d) => d.doc.type === "Objection");
  $("objections-card").hidden = false;
  $("objections-none").hidden = objections.length > 0;
  const list = $("objections");
  const open = new Set([...list.querySelectorAll("li[data-index]")].map((li) => Number(li.dataset.index)));
  for (const { index, doc } of objections) {
    if (open.has(index)) {
      if (answered.has(index)) list.querySelector(`li[data-index='${index}'] .answer-box`)?.remove();
      continue; // keep an answer being typed
    }
    const li = el("li");
    li.dataset.index = String(index);
    li.append(el("p", "", fmt(T.objection_line, { index, text: String(doc.text ?? "").slice(0, 2000) })));
    if (answered.has(index)) {
      li.append(el("p", "ok-line", T.objection_answered));
    } else {
      const box = el("div", "answer-box");
      const area = el("textarea", "plain");
      area.rows = 3;
      area.maxLength = 5000;
      area.setAttribute("aria-label", T.objection_answer);
      const error = el("p", "field-error");
      error.hidden = true;
      const send = el("button", "button primary", T.objection_send);
      send.type = "button";
      send.addEventListener("click", async () => {
        if (!area.value.trim()) {
          error.textContent = T.v_answer;
          error.hidden = false;
          return;
        }
        error.hidden = true;
        await act(`${API}/objections/${index}/answer`, { answer: area.value.trim() }, send);
      });
      box.append(el("label", "", T.objection_answer), area, error, send);
      li.append(box);
    }
    list.append(li);
  }
}

async function act(url, body, button) {
  button.disabled = true;
  try {
    await api("POST", url, body);
    $("act-done").hidden = false;
    $("act-done").scrollIntoView({ block: "center" });
    $("status").hidden = true;
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// Paper ballots (voting/paper.py: the document both members sign, exactly these fields)
// ---------------------------------------------------------------------------------------

function shortDid(did) {
  return `${did.slice(0, 14)}…${did.slice(-6)}`;
}

function paperChoices(items) {
  const box = $("paper-choices");
  box.replaceChildren();
  items.forEach((item, i) => {
    const set = el("fieldset", "kind");
    set.dataset.item = item.id;
    set.dataset.kind = item.kind;
    set.append(el("legend", "", fmt(T.item_line, { n: i + 1, title: item.title })));
    const option = (type, value, text, checked) => {
      const label = el("label", "radio");
      const input = el("input");
      input.type = type;
      input.name = `paper-${item.id}`;
      input.value = value;
      input.checked = checked;
      label.append(input, document.createTextNode(text));
      set.append(label);
    };
    if (item.kind === "election") {
      for (const c of item.candidates) option("checkbox", c.id, c.label, false);
    } else {
      for (const c of ["agree", "oppose", "abstain"]) option("radio", c, T[`choice_${c}`], false);
      option("radio", "", T.paper_choice_none, true);
    }
    box.append(set);
  });
}

function readChoices() {
  const choices = {};
  for (const set of $("paper-choices").querySelectorAll("fieldset")) {
    const picked = [...set.querySelectorAll("input:checked")].map((i) => i.value);
    if (set.dataset.kind === "election") {
      if (picked.length) choices[set.dataset.item] = picked;
    } else if (picked[0]) {
      choices[set.dataset.item] = picked[0];
    }
  }
  return choices;
}

async function setUpPaper(b) {
  $("paper-card").hidden = b.status !== "open";
  if (b.status !== "open" || registration) return;
  key = await loadMemberKey();
  registration = await registrationInForce(SLUG);
  const me = key && registration?.members.find((m) => m.did === key.did);
  $("paper-no-key").hidden = Boolean(me);
  $("paper-form").hidden = !me;
  if (!me) return;
  paperChoices(b.items);
  $("paper-confirmer").replaceChildren(
    el("option", "", "—"),
    ...registration.members
      .filter((m) => m.did !== key.did)
      .map((m) => {
        const o = el("option", "", `${T[`role_${m.role}`] ?? m.role} ${shortDid(m.did)}`);
        o.value = m.did;
        return o;
      }),
  );
  $("paper-confirmer").firstElementChild.value = "";
}

function fieldError(id, message) {
  $(`${id}-error`).textContent = message ?? "";
  $(`${id}-error`).hidden = !message;
  return message ? 1 : 0;
}

async function enterPaper(event) {
  event.preventDefault();
  const entry = $("paper-entry").value.trim();
  const file = $("paper-scan").files[0];
  const confirmer = $("paper-confirmer").value;
  let bad = 0;
  bad += fieldError("paper-entry", entry ? null : T.v_entry);
  bad += fieldError("paper-scan", file ? null : T.v_scan);
  bad += fieldError("paper-confirmer", confirmer ? null : T.v_confirmer);
  if (bad) return;
  const button = $("paper-submit");
  button.disabled = true;
  try {
    const document_ = {
      type: "PaperBallot",
      ballot: ballot.origin,
      community: SLUG,
      registration: registration.hash,
      censusEntry: entry,
      choices: readChoices(),
      scanSha256: toHex(await sha256(new Uint8Array(await file.arrayBuffer()))),
      enteredBy: key.did,
      confirmedBy: confirmer,
    };
    const proof = await sign(document_);
    const row = await api("POST", `${API}/paper`, { document: document_, proof });
    say(fmt(T.paper_done, { id: row.id, who: shortDid(confirmer) }), "ok");
    $("paper-form").reset();
    $("paper-scan-name").textContent = "";
    await showPaper();
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

/** This device's member proof over `doc` (ecdsa-jcs-2019, assertionMethod), as a decision
 * share is made; `created` dates it, which is how the registration in force is found. */
async function sign(doc) {
  const signed = await signDocument(doc, { key, proofPurpose: "assertionMethod", created: formatUtc(Date.now() * 1000) });
  return signed.proof;
}

async function showPaper() {
  if (!key || !registration) return;
  const rows = await api("GET", `${API}/paper`);
  $("paper-pending-none").hidden = rows.length > 0;
  $("paper-pending").replaceChildren(
    ...rows.map((row) => {
      const li = el("li");
      li.dataset.paper = String(row.id);
      li.append(
        el(
          "p",
          "",
          fmt(T.paper_line, { id: row.id, entry: row.census_entry, by: shortDid(row.entered_by), to: shortDid(row.confirmed_by) }),
        ),
      );
      const facts = el("details", "facts");
      facts.append(el("summary", "", T.paper_full), el("pre", "", JSON.stringify(row.document, null, 2)));
      li.append(facts);
      if (row.confirmed_by === key.did) {
        const button = el("button", "button primary", T.paper_confirm);
        button.type = "button";
        button.addEventListener("click", () => confirmPaper(row, button));
        li.append(button);
      }
      return li;
    }),
  );
}

async function confirmPaper(row, button) {
  button.disabled = true;
  try {
    // What is signed is the document the server keeps; the device checks it is this ballot's.
    if (row.document.ballot !== ballot.origin || row.document.confirmedBy !== key.did) {
      throw new GongzhiError(T.paper_wrong, T.paper_wrong);
    }
    canonicalBytes(row.document); // refuses what is not plain JSON before signing it
    const receipt = await api("POST", `${API}/paper/${row.id}/confirm`, { proof: await sign(row.document) });
    say(fmt(T.paper_confirmed, { index: receipt.index }), "ok");
    await refresh();
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------

async function refresh(pushed = null) {
  ballot = pushed ?? (await api("GET", API));
  showBallot(ballot);
  const work = [];
  if (COUNTED.has(ballot.status)) work.push(showPending(), showRefusals());
  if (["closed", "final"].includes(ballot.status)) work.push(showObjections());
  work.push(setUpPaper(ballot).then(showPaper));
  await Promise.all(work);
  $("b-updated").textContent = fmt(T.updated, { time: beijing(new Date().toISOString()).slice(11) });
}

/** The rest of the dashboard after a pushed change: the member-only lists (who has not
 * voted, refusals, paper ballots). One at a time: a rush of events makes one more round. */
let following = null;
let again = false;
async function follow() {
  if (following) {
    again = true;
    return;
  }
  following = (async () => {
    do {
      again = false;
      await refresh(ballot);
    } while (again);
  })();
  try {
    await following;
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    following = null;
  }
}

/** Server-sent events while the ballot can change; polling covers any time the stream is
 * not open (it opens, drops and reconnects by itself; a refusal closes it for good). */
let streaming = false;
function listen() {
  if (typeof EventSource === "undefined") return;
  const source = new EventSource(`${API}/events`);
  source.addEventListener("open", () => {
    streaming = true;
    document.body.dataset.live = "stream";
  });
  source.addEventListener("ballot", (event) => {
    const pushed = JSON.parse(event.data);
    if (!LIVE.has(pushed.status)) source.close(); // final or cancelled: nothing more to come
    // The first event is the state the page has just fetched: nothing to redraw.
    if (ballot && JSON.stringify(ballot) === JSON.stringify(pushed)) return;
    ballot = pushed;
    follow();
  });
  source.addEventListener("failure", (event) => {
    say(T.error + reason(JSON.parse(event.data).error), "error"); // the box cannot be shown
  });
  source.addEventListener("error", () => {
    streaming = false;
    document.body.dataset.live = "poll";
  });
}

function poll() {
  setTimeout(async () => {
    if (document.visibilityState === "visible" && ballot && LIVE.has(ballot.status)) {
      try {
        // With the stream open, what it does not carry: refused votes and paper ballots
        // awaiting confirmation change nothing in the box until confirmed.
        if (streaming) await Promise.all([COUNTED.has(ballot.status) ? showRefusals() : null, showPaper()]);
        else await refresh();
      } catch (error) {
        say(T.error + reason(error), "error");
      }
    }
    poll();
  }, POLL_MS);
}

async function start() {
  $("act-open").addEventListener("click", () => act(`${API}/open`, undefined, $("act-open")));
  $("act-close").addEventListener("click", () =>
    act(`${API}/close`, { early: Date.parse(ballot.closes_at) > Date.now() }, $("act-close")),
  );
  $("act-final").addEventListener("click", () => act(`${API}/final`, undefined, $("act-final")));
  $("act-cancel").addEventListener("click", () => {
    const text = $("cancel-reason").value.trim();
    if (fieldError("cancel-reason", text ? null : T.v_reason)) return;
    act(`${API}/cancel`, { reason: text }, $("act-cancel"));
  });
  $("paper-form").addEventListener("submit", enterPaper);
  $("paper-scan").addEventListener("change", () => {
    $("paper-scan-name").textContent = $("paper-scan").files[0]?.name ?? "";
  });
  try {
    await refresh();
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  if (ballot && LIVE.has(ballot.status)) listen();
  poll();
  document.body.dataset.ready = "true"; // for the browser tests: the page has wired itself
}

start();
