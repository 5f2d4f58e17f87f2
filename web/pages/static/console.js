// The committee console's ballot list and wizard. The wizard checks in place what the
// server would refuse (web/pages/static words, voting.items and voting.schedule limits), then
// posts the agenda to POST /api/communities/{slug}/ballots, which drafts the announcement
// as a decision for the members to sign on the signing page. Nothing is decided here.

import { $, T, api, fmt, reason } from "./page.js";
import { beijing, statusLabel, windowLine } from "./console_common.js";
import { yuanToFen } from "./money.js";

const SLUG = document.body.dataset.community;
const API = `/api/communities/${encodeURIComponent(SLUG)}`;
const DAY = 86_400_000;
const MAX_ITEMS = 20;
const MAX_TITLE = 200;
const MAX_TEXT = 20_000;
const MAX_LEAD_DAYS = 120;
let rules = null;

function say(text, kind = "ok") {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

async function loadList() {
  const list = await api("GET", `${API}/ballots`);
  const ul = $("ballot-list");
  ul.replaceChildren();
  for (const b of list) {
    const li = document.createElement("li");
    li.dataset.ballot = String(b.id);
    const title = document.createElement("p");
    title.className = "big";
    title.textContent = `${b.id}. ${b.title}`;
    const status = document.createElement("p");
    status.className = `badge status-${b.status}`;
    status.textContent = statusLabel(b.status);
    const when = document.createElement("p");
    when.className = "small";
    when.textContent = windowLine(b);
    const link = document.createElement("a");
    link.className = "button secondary";
    link.href = `/communities/${encodeURIComponent(SLUG)}/committee/ballots/${b.id}${location.search}`;
    link.textContent = T.open_dashboard;
    li.append(title, status, when, link);
    ul.append(li);
  }
  $("list-none").hidden = list.length > 0;
}

// ---------------------------------------------------------------------------------------
// The wizard
// ---------------------------------------------------------------------------------------

/** "YYYY-MM-DD" of the Beijing calendar day `ms` falls on. */
function beijingDate(ms) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

/** The instant of a Beijing date and time, or NaN. */
function instant(date, time) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time)) return NaN;
  return Date.parse(`${date}T${time}:00+08:00`);
}

function iso(date, time) {
  return `${date}T${time}:00+08:00`;
}

function earliestOpening() {
  return Date.now() + rules.noticeDays * DAY;
}

function renumber() {
  const items = [...document.querySelectorAll("#items fieldset.item")];
  items.forEach((f, i) => {
    f.querySelector(".item-n").textContent = fmt(T.f_item, { n: i + 1 });
    f.querySelector(".item-remove").hidden = items.length === 1;
  });
  $("add-item").hidden = items.length >= MAX_ITEMS;
}

/** Show what the item's kind and matter imply: the threshold in plain words, the amount
 * for matter 5, seats and candidates for an election (always matter 3). */
function shape(f) {
  const kind = f.querySelector(".item-kind").value;
  const matter = f.querySelector(".item-matter");
  if (kind === "election") matter.value = "3";
  matter.disabled = kind === "election";
  f.querySelector(".amount-box").hidden = kind !== "motion" || matter.value !== "5";
  f.querySelector(".election-box").hidden = kind !== "election";
  f.querySelector(".threshold").textContent =
    kind === "election" ? T.threshold_election : T[`threshold_${matter.value}`];
}

function addItem() {
  const f = $("item-template").content.firstElementChild.cloneNode(true);
  f.querySelector(".item-kind").addEventListener("change", () => shape(f));
  f.querySelector(".item-matter").addEventListener("change", () => shape(f));
  f.querySelector(".item-remove").addEventListener("click", () => {
    f.remove();
    renumber();
  });
  $("items").append(f);
  shape(f);
  renumber();
  return f;
}

/** Mark `input` wrong with `message` (or right with null), in place. */
function mark(input, errorEl, message) {
  errorEl.textContent = message ?? "";
  errorEl.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  return message ? [input] : [];
}

function textField(input, errorEl, missing, limit) {
  const value = input.value.trim();
  if (!value) return mark(input, errorEl, missing);
  if (value.length > limit) return mark(input, errorEl, fmt(T.v_too_long, { max: limit, n: value.length }));
  return mark(input, errorEl, null);
}

/** Yuan as typed ("1,200", "1200.5") → fen, exactly (money.js); null unless at least a fen. */
function fen(text) {
  const value = yuanToFen(text);
  return value !== null && value >= 1 ? value : null;
}

function readItem(f, i, bad) {
  const q = (sel) => f.querySelector(sel);
  bad.push(...textField(q(".item-title"), q(".item-title-error"), T.v_item_title, MAX_TITLE));
  bad.push(...textField(q(".item-text"), q(".item-text-error"), T.v_item_text, MAX_TEXT));
  const kind = q(".item-kind").value;
  const item = {
    id: String(i + 1),
    kind,
    matter: Number(q(".item-matter").value),
    title: q(".item-title").value.trim(),
    text: q(".item-text").value.trim(),
    attachments: [],
  };
  if (kind === "motion" && item.matter === 5 && q(".item-amount").value.trim()) {
    const amount = fen(q(".item-amount").value);
    bad.push(...mark(q(".item-amount"), q(".item-amount-error"), amount ? null : T.v_amount));
    if (amount) item.amountFen = amount;
  } else {
    mark(q(".item-amount"), q(".item-amount-error"), null);
  }
  if (kind === "election") {
    const labels = q(".item-candidates").value.split("\n").map((s) => s.trim()).filter(Boolean);
    const twice = labels.find((l, j) => labels.indexOf(l) !== j);
    const problem = !labels.length ? T.v_candidates : twice ? fmt(T.v_candidate_twice, { label: twice }) : null;
    bad.push(...mark(q(".item-candidates"), q(".item-candidates-error"), problem));
    const seats = Number(q(".item-seats").value);
    const seatsOk = Number.isInteger(seats) && seats >= 1 && seats <= Math.max(labels.length, 1);
    bad.push(...mark(q(".item-seats"), q(".item-seats-error"), seatsOk ? null : fmt(T.v_seats, { n: labels.length })));
    item.seats = seats;
    item.candidates = labels.map((label, j) => ({ id: `c${j + 1}`, label }));
  }
  return item;
}

function readWindow(bad) {
  const opens = instant($("w-opens").value, $("w-opens-time").value);
  const closes = instant($("w-closes").value, $("w-closes-time").value);
  let openProblem = null;
  let closeProblem = null;
  const earliest = earliestOpening();
  if (Number.isNaN(opens)) openProblem = T.v_date;
  else if (opens < earliest) {
    openProblem = fmt(T.v_too_early, { earliest: beijing(new Date(earliest).toISOString()), notice: rules.noticeDays });
  } else if (opens > Date.now() + MAX_LEAD_DAYS * DAY) openProblem = T.v_too_late;
  if (Number.isNaN(closes)) closeProblem = T.v_date;
  else if (!Number.isNaN(opens)) {
    const days = (closes - opens) / DAY;
    if (closes <= opens) closeProblem = T.v_order;
    else if (days < rules.minWindowDays || days > rules.maxWindowDays) {
      const shown = Math.round(days * 10) / 10;
      closeProblem = fmt(T.v_window, { min: rules.minWindowDays, max: rules.maxWindowDays, days: shown });
    }
  }
  bad.push(...mark($("w-opens"), $("w-opens-error"), openProblem));
  bad.push(...mark($("w-closes"), $("w-closes-error"), closeProblem));
  return {
    opens_at: iso($("w-opens").value, $("w-opens-time").value),
    closes_at: iso($("w-closes").value, $("w-closes-time").value),
  };
}

/** The limit of a text the wizard has one for (titles and texts), else null. */
function limitOf(input) {
  if (input.id === "w-title" || input.classList.contains("item-title")) return MAX_TITLE;
  if (input.id === "w-text" || input.classList.contains("item-text")) return MAX_TEXT;
  return null;
}

/** A corrected field loses its mark at once (the rest stay until the next submit); a title
 * or text past its limit is said at once, as typed or pasted — never cut short. */
function clearMark(event) {
  const input = event.target;
  const limit = limitOf(input);
  const length = input.value.trim().length;
  const over = limit !== null && length > limit;
  if (input.getAttribute("aria-invalid") !== "true" && !over) return;
  const name = [...input.classList].find((c) => c.startsWith("item-"));
  const error = input.id ? $(`${input.id}-error`) : input.closest("fieldset")?.querySelector(`.${name}-error`);
  mark(input, error ?? document.createElement("p"), over ? fmt(T.v_too_long, { max: limit, n: length }) : null);
}

async function submit(event) {
  event.preventDefault();
  // A new attempt: the last draft's success line goes, so it never stands beside new errors.
  $("created").hidden = true;
  const bad = [];
  bad.push(...textField($("w-title"), $("w-title-error"), T.v_title, MAX_TITLE));
  bad.push(...textField($("w-text"), $("w-text-error"), T.v_text, MAX_TEXT));
  const items = [...document.querySelectorAll("#items fieldset.item")].map((f, i) => readItem(f, i, bad));
  const window = readWindow(bad);
  const formError = $("w-form-error");
  if (bad.length) {
    formError.textContent = T.v_fix;
    formError.hidden = false;
    bad[0].focus();
    bad[0].scrollIntoView({ block: "center" });
    return;
  }
  formError.hidden = true;
  const button = $("w-submit");
  button.disabled = true;
  say(T.f_submitting, "busy");
  try {
    const body = { title: $("w-title").value.trim(), text: $("w-text").value.trim(), items, ...window };
    const answer = await api("POST", `${API}/ballots`, body);
    $("status").hidden = true;
    $("created-text").textContent = fmt(T.created, { title: answer.ballot.title, id: answer.ballot.id });
    $("created").hidden = false;
    $("wizard").reset();
    $("items").replaceChildren();
    addItem();
    setDefaults();
    await loadList();
    $("created").scrollIntoView({ block: "start" });
  } catch (error) {
    // The server's refusal, in the page's language, where the member is looking.
    $("status").hidden = true;
    formError.textContent = T.error + reason(error);
    formError.hidden = false;
    formError.scrollIntoView({ block: "center" });
  } finally {
    button.disabled = false;
  }
}

/** The first opening the notice rule allows (the next morning after it has run), and a
 * window of a week within the community's bounds. */
function setDefaults() {
  const earliest = earliestOpening();
  let opensDate = beijingDate(earliest);
  if (instant(opensDate, "08:00") < earliest) opensDate = beijingDate(Date.parse(`${opensDate}T00:00:00+08:00`) + DAY);
  const days = Math.min(Math.max(7, rules.minWindowDays), rules.maxWindowDays);
  $("w-opens").value = opensDate;
  $("w-opens-time").value = "08:00";
  // 08:00 to 20:00 some days later: days + half a day, within [min, max] days
  const closeDay = days + 0.5 <= rules.maxWindowDays ? days : days - 1;
  $("w-closes").value = beijingDate(Date.parse(`${opensDate}T00:00:00+08:00`) + closeDay * DAY);
  $("w-closes-time").value = "20:00";
  $("notice-rule").textContent = fmt(T.notice_rule, {
    notice: rules.noticeDays,
    earliest: beijing(new Date(earliest).toISOString()),
    min: rules.minWindowDays,
    max: rules.maxWindowDays,
  });
}

async function start() {
  $("add-item").addEventListener("click", () => addItem().querySelector(".item-title").focus());
  $("wizard").addEventListener("submit", submit);
  $("wizard").addEventListener("input", clearMark);
  addItem();
  try {
    rules = await api("GET", `${API}/rules`);
    setDefaults();
    await loadList();
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true"; // for the browser tests: the page has wired itself
}

start();
