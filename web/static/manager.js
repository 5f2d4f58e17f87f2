// The property manager's desk: this device's manager key signs in and signs every
// disclosure and reply; the server's dry-run check (POST …/disclosures/check) names a
// failing field before anything is signed. Money is typed in yuan and sent as integer fen,
// read digit by digit: no float ever holds an amount.

import { createManagerKey, formatUtc, loadManagerKey, signDocument } from "./gongzhi.js";
import { $, T, api, fmt, reason } from "./page.js";

const SLUG = document.body.dataset.community;
const ORIGIN = document.body.dataset.origin;
const API = `/api/communities/${encodeURIComponent(SLUG)}/disclosures`;
const VC_V2 = "https://www.w3.org/ns/credentials/v2";

/** "1,234.5" → 123450; null unless a plain amount with at most two decimals. */
export function toFen(text) {
  const m = /^(\d{1,16})(?:\.(\d{1,2}))?$/.exec(String(text).trim().replace(/[,，¥]/g, ""));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

function fenToYuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

function say(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
}

// --- errors in place ------------------------------------------------------------------

function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) el.hidden = true;
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function showError(form, where, text) {
  const input = where ? form.querySelector(`[data-field="${CSS.escape(where)}"]`) : null;
  const slot = (where && form.querySelector(`[data-for="${CSS.escape(where)}"]`)) || form.querySelector('[data-for="other"]');
  slot.textContent = text;
  slot.hidden = false;
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.scrollIntoView({ block: "center" });
  }
}

/** Fields typed in yuan, as fen; a bad one is marked in place and null returned. */
function fenFields(form, ids) {
  const out = {};
  let ok = true;
  for (const [id, where] of ids) {
    const fen = toFen($(id).value);
    if (fen === null) {
      showError(form, where, T.bad_money);
      ok = false;
    }
    out[id] = fen;
  }
  return ok ? out : null;
}

// --- the key and the session ----------------------------------------------------------

let key = null;

async function showKey() {
  key = await loadManagerKey();
  $("key-none").hidden = Boolean(key);
  $("key-make").hidden = Boolean(key);
  $("signin").hidden = !key;
  if (key) {
    $("key-did").textContent = fmt(T.key_did, { did: key.did });
    $("key-did").hidden = false;
  }
}

async function signIn() {
  say(T.signin_busy, "busy");
  const challenge = await api("POST", "/api/auth/challenge");
  const presentation = await signDocument(
    { "@context": [VC_V2], type: ["VerifiablePresentation"], holder: key.did },
    { key, proofPurpose: challenge.proof_purpose ?? "authentication", challenge: challenge.challenge, domain: challenge.domain },
  );
  await api("POST", "/api/auth/sign-in", { presentation, session: "cookie" });
  say(T.signed_in, "ok");
  document.body.dataset.signedIn = "true";
}

/** The entry signed now; `created` dates it, so a verifier can check the manager's role
 * (the street office's role credential) held when it was signed. */
async function signed(doc) {
  if (!key) throw new Error(T.no_key);
  return signDocument(doc, { key, created: formatUtc(Date.now() * 1000) });
}

/** Check the draft on the server; true when it passes, else its error is shown in place. */
async function check(form, kind, body) {
  const result = await api("POST", `${API}/check`, { kind, body });
  for (const e of result.errors) showError(form, e.where, document.body.dataset.lang === "en" ? e.en : e.zh);
  return result.ok;
}

async function publish(form, kind, body, resultId) {
  if (!(await check(form, kind, body))) return;
  const doc = await signed({ type: "Disclosure", log: ORIGIN, kind, publisher: key.did, body });
  const appended = await api("POST", `${API}/entries`, doc);
  $(resultId).textContent = fmt(T.published, { index: appended.index });
  $(resultId).hidden = false;
}

// --- the monthly statement ------------------------------------------------------------

const accounts = new Map(); // accountId → {name, period, closing}

function addLine(section, line = {}) {
  const box = $(`${section}-lines`);
  const i = box.children.length;
  const row = document.createElement("fieldset");
  row.className = "item line";
  const mk = (cls, label, where, value, mode) => {
    const l = document.createElement("label");
    l.textContent = label;
    const input = document.createElement("input");
    input.className = `plain ${cls}`;
    input.dataset.field = where;
    if (mode) input.inputMode = mode;
    input.value = value ?? "";
    l.append(input);
    const err = document.createElement("p");
    err.className = "field-error";
    err.dataset.for = where;
    err.hidden = true;
    row.append(l, err);
  };
  mk("line-category", T.st_category, `body.${section}[${i}].category`, line.category);
  mk("line-amount", T.st_amount, `body.${section}[${i}].amountFen`, line.amountFen === undefined ? "" : fenToYuan(line.amountFen), "decimal");
  box.append(row);
}

function lines(form, section) {
  const out = [];
  let ok = true;
  $(`${section}-lines`).querySelectorAll("fieldset.line").forEach((row) => {
    const category = row.querySelector(".line-category").value.trim();
    const amount = row.querySelector(".line-amount");
    if (!category && !amount.value.trim()) return;
    const fen = toFen(amount.value);
    if (fen === null) {
      showError(form, amount.dataset.field, T.bad_money);
      ok = false;
    }
    out.push({ category, amountFen: fen });
  });
  return ok ? out : null;
}

function statementBody(form) {
  clearErrors(form);
  const fen = fenFields(form, [
    ["st-opening", "body.openingFen"],
    ["st-total-income", "body.totalIncomeFen"],
    ["st-total-expense", "body.totalExpenseFen"],
    ["st-closing", "body.closingFen"],
  ]);
  const income = lines(form, "income");
  const expense = lines(form, "expense");
  if (!fen || !income || !expense) return null;
  const id = $("st-account").value;
  return {
    accountId: id,
    account: accounts.get(id)?.name ?? "",
    period: $("st-period").value.trim(),
    openingFen: fen["st-opening"],
    income,
    expense,
    totalIncomeFen: fen["st-total-income"],
    totalExpenseFen: fen["st-total-expense"],
    closingFen: fen["st-closing"],
  };
}

function nextPeriod(period) {
  const [y, m] = period.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

function prefill() {
  const a = accounts.get($("st-account").value);
  if (!a) return;
  $("st-period").value = nextPeriod(a.period);
  $("st-opening").value = fenToYuan(a.closing);
}

async function loadLog() {
  const all = [];
  for (let start = 0; ; start += 200) {
    const page = await api("GET", `${API}/entries?start=${start}&limit=200`);
    all.push(...page);
    if (page.length < 200) break;
  }
  accounts.clear();
  for (const e of all) {
    const b = e.entry.body;
    if (e.kind === "AccountOpened" && b.statementKind === "IncomeExpense") {
      const [y, m] = b.firstPeriod.split("-").map(Number);
      const before = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
      accounts.set(b.accountId, { name: b.name, period: before, closing: b.openingFen });
    } else if (e.kind === "IncomeExpense" && accounts.has(b.accountId)) {
      accounts.set(b.accountId, { name: b.account, period: b.period, closing: b.closingFen });
    }
  }
  const select = $("st-account");
  const was = select.value;
  select.replaceChildren(
    ...[...accounts].map(([id, a]) => Object.assign(document.createElement("option"), { value: id, textContent: a.name })),
  );
  if (was && accounts.has(was)) select.value = was;
  $("st-no-account").hidden = accounts.size > 0;
  showObjections(all);
}

async function upload() {
  const file = $("st-file").files[0];
  if (!file) return;
  const list = $("st-file-errors");
  list.replaceChildren();
  $("st-file-done").hidden = true;
  const type = file.name.toLowerCase().endsWith(".xlsx") ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv";
  const response = await fetch(`${API}/statement-lines`, { method: "POST", credentials: "same-origin", headers: { "Content-Type": type }, body: file });
  const data = await response.json();
  if (!response.ok) throw Object.assign(new Error(data?.error?.zh ?? String(response.status)), data?.error ?? {});
  const en = document.body.dataset.lang === "en";
  for (const e of data.errors) {
    const li = document.createElement("li");
    li.className = "field-error";
    li.textContent = fmt(T.st_row_error, { row: e.row, text: en ? e.en : e.zh });
    list.append(li);
  }
  if (data.errors.length) return;
  for (const section of ["income", "expense"]) {
    $(`${section}-lines`).replaceChildren();
    for (const line of data[section]) addLine(section, line);
  }
  const sum = (xs) => xs.reduce((n, l) => n + l.amountFen, 0);
  $("st-total-income").value = fenToYuan(sum(data.income));
  $("st-total-expense").value = fenToYuan(sum(data.expense));
  $("st-file-done").textContent = fmt(T.st_upload_done, { income: data.income.length, expense: data.expense.length });
  $("st-file-done").hidden = false;
}

// --- the fee standard -----------------------------------------------------------------

function feeBody(form) {
  clearErrors(form);
  const fen = fenFields(form, [["fi-standard", "body.items[0].standardFen"]]);
  if (!fen) return null;
  const v = (id) => $(id).value.trim();
  return {
    provider: v("fee-provider"),
    effective: v("fee-effective"),
    hotline: v("fee-hotline"),
    items: [
      { item: v("fi-item"), target: v("fi-target"), standardFen: fen["fi-standard"], per: v("fi-per"), method: v("fi-method"), basis: v("fi-basis"), pricing: v("fi-pricing") },
    ],
  };
}

// --- objections -----------------------------------------------------------------------

function showObjections(entries) {
  const box = $("objections");
  box.replaceChildren();
  let open = 0;
  for (const d of entries) {
    if (!key || d.signer !== key.did) continue; // only the questioned entry's publisher may reply
    for (const o of d.thread) {
      if (o.type !== "Objection" || o.thread.some((t) => t.type === "ObjectionReply")) continue;
      open += 1;
      const card = document.createElement("form");
      card.className = "item objection";
      card.dataset.index = o.index;
      const on = document.createElement("p");
      on.className = "small";
      on.textContent = fmt(T.obj_on, { index: d.index, kind: d.kind });
      const text = document.createElement("p");
      text.className = "objection-text";
      text.textContent = o.entry.text;
      const action = document.createElement("select");
      action.className = "obj-action";
      action.setAttribute("aria-label", T.obj_action);
      for (const a of ["explained", "corrected", "rejected"]) action.append(Object.assign(document.createElement("option"), { value: a, textContent: T[`action_${a}`] }));
      const answer = document.createElement("textarea");
      answer.className = "plain obj-text";
      answer.dataset.field = "text";
      answer.setAttribute("aria-label", T.obj_text);
      const err = document.createElement("p");
      err.className = "field-error";
      err.dataset.for = "other";
      err.hidden = true;
      const send = Object.assign(document.createElement("button"), { type: "submit", className: "button primary obj-send", textContent: T.obj_reply });
      card.append(on, text, action, answer, err, send);
      card.addEventListener("submit", (ev) => {
        ev.preventDefault();
        run(send, async () => {
          clearErrors(card);
          if (!answer.value.trim()) return showError(card, "text", T.required);
          const doc = await signed({ type: "ObjectionReply", log: ORIGIN, publisher: key.did, objection: { index: o.index, leafHash: o.leaf_hash }, action: action.value, text: answer.value.trim() });
          await api("POST", `${API}/entries`, doc);
          say(T.obj_done, "ok");
          await loadLog();
        }, card);
      });
      box.append(card);
    }
  }
  $("obj-none").hidden = open > 0;
}

// --- wiring ---------------------------------------------------------------------------

async function run(button, fn, form) {
  button.disabled = true;
  try {
    await fn();
  } catch (error) {
    if (form && error && error.zh) showError(form, null, reason(error));
    else say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

$("key-make").addEventListener("click", () => run($("key-make"), async () => { await createManagerKey(); await showKey(); }));
$("signin").addEventListener("click", () => run($("signin"), async () => { await signIn(); await loadLog(); }));
$("add-income").addEventListener("click", () => addLine("income"));
$("add-expense").addEventListener("click", () => addLine("expense"));
$("st-account").addEventListener("change", prefill);
$("st-file").addEventListener("change", () => run($("st-check"), upload, $("st-form")));
$("st-check").addEventListener("click", () =>
  run($("st-check"), async () => {
    const body = statementBody($("st-form"));
    if (body && (await check($("st-form"), "IncomeExpense", body))) say(T.check_ok, "ok");
  }, $("st-form")),
);
$("st-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  run($("st-publish"), async () => {
    const body = statementBody($("st-form"));
    if (body) await publish($("st-form"), "IncomeExpense", body, "st-result");
    await loadLog();
  }, $("st-form"));
});
$("fee-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  run($("fee-publish"), async () => {
    const body = feeBody($("fee-form"));
    if (body) await publish($("fee-form"), "FeeStandard", body, "fee-result");
  }, $("fee-form"));
});

(async () => {
  try {
    await showKey();
    await loadLog();
    prefill();
    addLine("income");
    addLine("expense");
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true";
})();
