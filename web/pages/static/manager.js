// The property manager's desk: this device's manager key signs in and signs every
// disclosure and reply. Each form is checked twice before anything is signed: here, field by
// field (a message beside the field, in the page's language), then by the server's dry run
// (POST …/disclosures/check), whose refusal names its field and is shown beside it too.
// Money is typed in yuan and sent as integer fen, read digit by digit (money.js): no float
// ever holds an amount.

import { createManagerKey, formatUtc, loadManagerKey, signDocument } from "./gongzhi.js";
import { fenToYuan, isPeriod, nextPeriod, previousPeriod, yuanToFen } from "./money.js";
import { $, LANG, T, api, fmt, reason } from "./page.js";
import { replyForm } from "./reply_form.js";

const SLUG = document.body.dataset.community;
const ORIGIN = document.body.dataset.origin;
const API = `/api/communities/${encodeURIComponent(SLUG)}/disclosures`;
const VC_V2 = "https://www.w3.org/ns/credentials/v2";
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
// The schema's own limits (ledger/disclosure/fields.py): refused here first, in words.
const MAX_NAME = 200;
const MAX_TEXT = 2000;
const MAX_HOTLINE = 40;
const ACCOUNT_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

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

/** `body.items[1].method` → `body.items[1]` → `body.items` → `body` → null. */
function parentOf(where) {
  const up = where.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
  return up === where ? null : up;
}

/** Show `text` beside the field `where` names (`body.items[1].method`), or, when no slot
 * has that name, in the nearest enclosing one (`body.items[1]`, then the form's own). */
function showError(form, where, text) {
  const input = where ? form.querySelector(`[data-field="${CSS.escape(where)}"]`) : null;
  let slot = null;
  for (let at = where; at && !slot; at = parentOf(at)) {
    slot = form.querySelector(`.field-error[data-for="${CSS.escape(at)}"]`);
  }
  slot = slot ?? form.querySelector('.field-error[data-for="other"]');
  slot.textContent = text;
  slot.hidden = false;
  if (input) input.setAttribute("aria-invalid", "true");
  (form.querySelector("[aria-invalid='true']") ?? slot).scrollIntoView({ block: "center" });
}

/** Every failing field of a form, marked at once; true when there was none. */
function marked(form, problems) {
  for (const [where, text] of problems) showError(form, where, text);
  return problems.length === 0;
}

/** The problem with a text field, if any: blank, too long. */
function textProblem(value, max, label) {
  if (!value) return fmt(T.v_required, { field: label });
  if (value.length > max) return fmt(T.v_too_long, { max });
  return null;
}

/** Yuan as typed → fen; a balance (`signed`) may be in deficit, written "-12.50". */
function amount(text, signed = false) {
  const t = String(text ?? "").trim();
  const negative = signed && /^[-−]/.test(t);
  const fen = yuanToFen(negative ? t.slice(1) : t);
  return fen === null ? null : negative ? -fen : fen;
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

// Publishing needs a session: the forms' publish buttons stay off until the key signs in.
const PUBLISH = ["st-publish", "fee-publish", "acct-publish"];

function signedIn(yes) {
  for (const id of PUBLISH) $(id).disabled = !yes;
  $("signin-first").hidden = yes;
  if (yes) document.body.dataset.signedIn = "true";
}

/** Whether this device's key is signed in already (the session cookie of an earlier
 * sign-in, the page reloaded) as this community's property manager. */
async function resumed() {
  if (!key) return false;
  try {
    const me = await api("GET", "/api/me");
    return me.did === key.did && me.grants.some((g) => g.community === SLUG && g.role === "propertyManager");
  } catch (error) {
    if (error.status === 401) return false; // not signed in: the button is there
    throw error;
  }
}

/** Sign in with the device's key; true when signed in. A refusal (the DID is no property
 * manager here) is said beside the button, with what a manager can do about it. */
async function signIn() {
  $("signin-error").hidden = true;
  say(T.signin_busy, "busy");
  const challenge = await api("POST", "/api/auth/challenge");
  const presentation = await signDocument(
    { "@context": [VC_V2], type: ["VerifiablePresentation"], holder: key.did },
    { key, proofPurpose: challenge.proof_purpose ?? "authentication", challenge: challenge.challenge, domain: challenge.domain },
  );
  try {
    await api("POST", "/api/auth/sign-in", { presentation, session: "cookie" });
  } catch (error) {
    if (error.status !== 401 && error.status !== 403) throw error;
    // The server's words name owners' enrolment codes: not a manager's way in.
    $("status").hidden = true;
    $("signin-error").hidden = false;
    $("signin-error").scrollIntoView({ block: "center" });
    return false;
  }
  say(T.signed_in, "ok");
  return true;
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
  for (const e of result.errors) showError(form, e.where, LANG === "en" ? e.en : e.zh);
  return result.ok;
}

/** Check, sign and append; the appended entry, or null when the check refused it. */
async function publish(form, kind, body) {
  if (!(await check(form, kind, body))) return null;
  const doc = await signed({ type: "Disclosure", log: ORIGIN, kind, publisher: key.did, body });
  return api("POST", `${API}/entries`, doc);
}

// --- the statements: income and expense, maintenance fund, common-area income -----------

const accounts = new Map(); // accountId → {name, kind, period (last reported), closing}
let serial = 0; // makes every created control's id unique on the page

/** Each section of lines: its total's input and body field; the fund's spending lines name
 * what was paid for `item` (not `category`) and cite the ballot result that approved them. */
const SECTIONS = {
  income: { total: "st-total-income", field: "totalIncomeFen" },
  expense: { total: "st-total-expense", field: "totalExpenseFen" },
  costs: { total: "st-total-costs", field: "totalCostFen" },
  disbursements: { total: "st-total-disbursements", field: "totalDisbursedFen" },
  spending: { total: "st-total-spending", field: "totalSpendingFen", name: "item", ballot: true },
};
/** The sections each statement kind has (ledger/disclosure/kinds.py). */
const KINDS = {
  IncomeExpense: ["income", "expense"],
  CommonAreaIncome: ["income", "costs", "disbursements"],
  MaintenanceFund: ["spending"],
};
// The passed ballots on using the maintenance fund (…/approved-spending), by ballot id:
// {ballot_id, title, ref, approved_fen, spent_fen, left_fen}.
const approvals = new Map();

function kindOf() {
  return accounts.get($("st-account").value)?.kind ?? "IncomeExpense";
}

/** The ballot a spending line cites, as a select of the passed 使用维修资金 ballots. */
function ballotChoices(select, chosen) {
  const none = Object.assign(document.createElement("option"), { value: "", textContent: approvals.size ? T.st_ballot_choose : T.st_ballot_none });
  select.replaceChildren(
    none,
    ...[...approvals.values()].map((a) =>
      Object.assign(document.createElement("option"), {
        value: String(a.ballot_id),
        textContent: fmt(T.st_ballot_option, { id: a.ballot_id, title: a.title, left: fenToYuan(a.left_fen) }),
      }),
    ),
  );
  if (chosen && approvals.has(Number(chosen))) select.value = String(Number(chosen));
}

/** One line of a section: category (or item), amount, the approving ballot for the fund's
 * spending, note; `line.row` is its row in an uploaded file. */
function addLine(section, line = {}) {
  const n = ++serial;
  const row = document.createElement("fieldset");
  row.className = "item line";
  const legend = document.createElement("legend");
  legend.textContent = line.row ? fmt(T.st_file_row, { row: line.row }) : T[`st_${section}_line`];
  row.append(legend);
  if (line.row) row.dataset.row = line.row;
  const field = (part, label, control) => {
    const id = `ln-${n}-${part}`;
    control.id = id;
    const l = Object.assign(document.createElement("label"), { htmlFor: id, textContent: label });
    const err = Object.assign(document.createElement("p"), { id: `${id}-error`, className: "field-error", hidden: true });
    err.dataset.part = part;
    control.setAttribute("aria-describedby", err.id);
    row.append(l, control, err);
  };
  const input = (part, value, mode) => {
    const el = Object.assign(document.createElement("input"), { className: `plain line-${part}`, value: value ?? "" });
    if (mode) el.inputMode = mode;
    return el;
  };
  field("category", SECTIONS[section].name ? T.st_item : T.st_category, input("category", line.category ?? line.item));
  field("amount", T.st_amount, input("amount", line.amount ?? (line.amountFen === undefined ? "" : fenToYuan(line.amountFen)), "decimal"));
  if (SECTIONS[section].ballot) {
    const select = Object.assign(document.createElement("select"), { className: "line-ballot" });
    ballotChoices(select, line.ballot);
    field("ballot", T.st_ballot, select);
  }
  field("note", T.st_line_note, input("note", line.note));
  const whole = Object.assign(document.createElement("p"), { className: "field-error", hidden: true });
  whole.dataset.part = "";
  const remove = Object.assign(document.createElement("button"), { type: "button", className: "button secondary line-remove", textContent: T.st_remove });
  remove.addEventListener("click", () => {
    row.remove();
    sumLines();
  });
  row.append(whole, remove);
  $(`${section}-lines`).append(row);
  return row;
}

/** Name a row's controls and error slots for what they are in the body being built
 * (`body.income[2].amountFen`), so the server's errors land beside the right field. */
function nameRow(row, at, parts) {
  for (const [part, name] of parts) {
    const control = row.querySelector(`input[data-part="${part}"], textarea[data-part="${part}"], select[data-part="${part}"], .line-${part}`);
    if (control) control.dataset.field = name ? `${at}.${name}` : at;
    const slot = row.querySelector(`.field-error[data-part="${part}"]`);
    if (slot) slot.dataset.for = name ? `${at}.${name}` : at;
  }
  const whole = row.querySelector('.field-error[data-part=""]');
  if (whole) whole.dataset.for = at;
}

function unname(row) {
  for (const el of row.querySelectorAll("[data-field]")) delete el.dataset.field;
  for (const el of row.querySelectorAll(".field-error[data-for]")) delete el.dataset.for;
}

/** A section's lines; a problem is pushed as [where, text]. Blank rows are left out. A
 * fund's spending line must cite a listed ballot, and the lines citing one ballot may
 * together spend no more than it has left (the server checks it again, over all periods). */
function lines(section, problems) {
  const out = [];
  const { name = "category", ballot: cites } = SECTIONS[section];
  const citing = new Map(); // ballot id → fen spent by the lines so far
  for (const row of $(`${section}-lines`).querySelectorAll("fieldset.line")) {
    const category = row.querySelector(".line-category").value.trim();
    const typed = row.querySelector(".line-amount").value.trim();
    const note = row.querySelector(".line-note").value.trim();
    const chosen = cites ? row.querySelector(".line-ballot").value : "";
    if (!category && !typed && !note && !chosen) {
      unname(row); // left out of the body: no error of another line may land here
      continue;
    }
    const at = `body.${section}[${out.length}]`;
    nameRow(row, at, [["category", name], ["amount", "amountFen"], ["ballot", "approval"], ["note", "note"]]);
    const fileRow = row.dataset.row ? (text) => fmt(T.st_row_error, { row: row.dataset.row, text }) : (text) => text;
    const bad = textProblem(category, MAX_NAME, name === "item" ? T.st_item : T.st_category);
    if (bad) problems.push([`${at}.${name}`, fileRow(bad)]);
    const fen = amount(typed);
    if (fen === null) problems.push([`${at}.amountFen`, fileRow(T.bad_money)]);
    if (note.length > MAX_TEXT) problems.push([`${at}.note`, fileRow(fmt(T.v_too_long, { max: MAX_TEXT }))]);
    const line = { [name]: category, amountFen: fen };
    if (cites) {
      const approval = approvals.get(Number(chosen));
      if (!approval) problems.push([`${at}.approval`, fileRow(T.v_ballot)]);
      else {
        line.approval = approval.ref;
        const spent = (citing.get(approval.ballot_id) ?? 0) + (fen ?? 0);
        citing.set(approval.ballot_id, spent);
        if (fen !== null && spent > approval.left_fen) {
          problems.push([`${at}.amountFen`, fileRow(fmt(T.v_over_ballot, { id: approval.ballot_id, title: approval.title, left: fenToYuan(approval.left_fen), spent: fenToYuan(spent) }))]);
        }
      }
    }
    if (note) line.note = note;
    out.push(line);
  }
  return out;
}

function statementBody(form) {
  clearErrors(form);
  const problems = [];
  const id = $("st-account").value;
  if (!accounts.has(id)) problems.push(["other", T.st_no_account]);
  const kind = kindOf();
  const period = $("st-period").value.trim();
  if (!isPeriod(period)) problems.push(["body.period", T.v_period]);
  const money = (inputId, where, signed) => {
    const fen = amount($(inputId).value, signed);
    if (fen === null) problems.push([where, signed ? T.bad_balance : T.bad_money]);
    return fen;
  };
  // A maintenance fund is never overdrawn (ledger/disclosure/kinds.py): its balances are
  // plain amounts; the other accounts' may be in deficit.
  const balance = kind !== "MaintenanceFund";
  const body = { accountId: id, account: accounts.get(id)?.name ?? "", period, openingFen: money("st-opening", "body.openingFen", balance) };
  if (kind === "MaintenanceFund") {
    body.depositsFen = money("st-deposits", "body.depositsFen", false);
    body.interestFen = money("st-interest", "body.interestFen", false);
  }
  for (const section of KINDS[kind]) body[section] = lines(section, problems);
  for (const section of KINDS[kind]) {
    const { total, field } = SECTIONS[section];
    body[field] = money(total, `body.${field}`, false);
  }
  if (kind === "CommonAreaIncome") {
    body.netFen = money("st-net", "body.netFen", true);
    body.ownersShareFen = money("st-share", "body.ownersShareFen", true);
  }
  body.closingFen = money("st-closing", "body.closingFen", balance);
  return marked(form, problems) ? body : null;
}

/** The form shows the parts of the chosen account's kind, and its templates. */
function showKind() {
  const kind = kindOf();
  const form = $("st-form");
  form.dataset.kind = kind;
  for (const part of form.querySelectorAll(".st-part")) part.hidden = !part.dataset.kinds.split(" ").includes(kind);
  $("st-kind").textContent = fmt(T.st_kind, { kind: T[`kind_${kind}`] });
  $("st-upload-note").textContent = T[`st_upload_note_${kind}`];
  for (const fmtName of ["csv", "xlsx"]) $(`tpl-${fmtName}`).href = `${API}/statement-template.${fmtName}?kind=${kind}`;
  for (const section of KINDS[kind]) if (!$(`${section}-lines`).children.length) addLine(section);
}

function prefill() {
  const a = accounts.get($("st-account").value);
  showKind();
  if (!a) return;
  clearErrors($("st-form"));
  $("st-period").value = nextPeriod(a.period);
  $("st-opening").value = fenToYuan(a.closing);
  closingHint();
}

/** The totals of the lines as typed, where every amount reads; else left as they are (the
 * fields stay editable: the server checks that they add up). Common-area income's net and
 * owners' share follow from its totals (民法典 第282条: all of the net is the owners'). */
function sumLines() {
  for (const [section, { total }] of Object.entries(SECTIONS)) {
    const fens = [...$(`${section}-lines`).querySelectorAll(".line-amount")].map((i) => i.value.trim()).filter(Boolean).map((v) => amount(v));
    if (fens.every((f) => f !== null)) $(total).value = fenToYuan(fens.reduce((n, f) => n + f, 0));
  }
  netOfTotals();
}

function netOfTotals() {
  const income = amount($("st-total-income").value);
  const costs = amount($("st-total-costs").value);
  if (income !== null && costs !== null) {
    $("st-net").value = fenToYuan(income - costs);
    $("st-share").value = $("st-net").value;
  }
  closingHint();
}

/** What the closing balance must be, from the opening and totals as typed, shown under it
 * as the manager types; the server's check stays the authority. */
function closingHint() {
  const kind = kindOf();
  const read = (id, signed = false) => amount($(id).value, signed);
  const opening = read("st-opening", true);
  const [inflow, outflow] = {
    IncomeExpense: () => [read("st-total-income"), read("st-total-expense")],
    CommonAreaIncome: () => [read("st-share", true), read("st-total-disbursements")],
    MaintenanceFund: () => {
      const deposits = read("st-deposits");
      const interest = read("st-interest");
      return [deposits === null || interest === null ? null : deposits + interest, read("st-total-spending")];
    },
  }[kind]();
  const known = opening !== null && inflow !== null && outflow !== null;
  $("st-closing-hint").hidden = !known;
  if (known) $("st-closing-hint").textContent = fmt(T[`st_closing_hint_${kind}`], { closing: fenToYuan(opening + inflow - outflow) });
}

/** The passed 使用维修资金 ballots a spending line may cite, with what each has left. */
async function loadApprovals() {
  approvals.clear();
  for (const a of await api("GET", `${API}/approved-spending`)) approvals.set(a.ballot_id, a);
  $("st-approvals").replaceChildren(
    ...[...approvals.values()].map((a) =>
      Object.assign(document.createElement("li"), {
        textContent: fmt(T.st_approval_line, { id: a.ballot_id, title: a.title, approved: fenToYuan(a.approved_fen), left: fenToYuan(a.left_fen) }),
      }),
    ),
  );
  if (!approvals.size) $("st-approvals").append(Object.assign(document.createElement("li"), { textContent: T.st_ballot_none }));
  for (const select of $("spending-lines").querySelectorAll(".line-ballot")) ballotChoices(select, select.value);
}

async function upload() {
  const file = $("st-file").files[0];
  if (!file) return;
  const form = $("st-form");
  const kind = kindOf();
  clearErrors(form);
  const list = $("st-file-errors");
  list.replaceChildren();
  $("st-file-done").hidden = true;
  $("st-file").value = ""; // the same file, fixed and chosen again, is read again
  const type = file.name.toLowerCase().endsWith(".xlsx") ? XLSX : "text/csv";
  const response = await fetch(`${API}/statement-lines?kind=${kind}`, { method: "POST", credentials: "same-origin", headers: { "Content-Type": type }, body: file });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error(data?.error?.zh ?? String(response.status)), data?.error ?? {});
  // The file becomes the draft: every row it holds, as written, each under its section.
  const placed = new Map();
  for (const section of KINDS[kind]) $(`${section}-lines`).replaceChildren();
  for (const r of data.rows) {
    if (r.section && KINDS[kind].includes(r.section)) placed.set(r.row, addLine(r.section, r));
  }
  const errors = [];
  for (const e of data.errors) {
    const text = fmt(T.st_row_error, { row: e.row, text: LANG === "en" ? e.en : e.zh });
    const row = placed.get(e.row);
    if (row && e.cell !== "section") {
      // beside the cell it is about
      const part = ["amount", "ballot"].includes(e.cell) ? e.cell : "category";
      const slot = row.querySelector(`.field-error[data-part="${part}"]`);
      slot.textContent = text;
      slot.hidden = false;
      const cell = row.querySelector(`.line-${part}`);
      cell.setAttribute("aria-invalid", "true");
      errors.push(cell);
    } else {
      list.append(Object.assign(document.createElement("li"), { className: "field-error", textContent: text }));
    }
  }
  for (const section of KINDS[kind]) if (!$(`${section}-lines`).children.length) addLine(section);
  sumLines();
  if (data.errors.length) {
    (errors[0] ?? list).scrollIntoView({ block: "center" });
    return;
  }
  const counts = Object.fromEntries(KINDS[kind].map((s) => [s, data[s].length]));
  $("st-file-done").textContent = fmt(T[`st_upload_done_${kind}`], counts);
  $("st-file-done").hidden = false;
}

// --- the fee standard -----------------------------------------------------------------

const FEE_PARTS = ["item", "target", "standardFen", "per", "method", "basis", "pricing"];

function addFeeItem() {
  const n = ++serial;
  const box = $("fee-items");
  const row = $("fee-item-template").content.firstElementChild.cloneNode(true);
  for (const part of FEE_PARTS) {
    const id = `fi-${n}-${part}`;
    const control = row.querySelector(`input[data-part="${part}"], textarea[data-part="${part}"], select[data-part="${part}"]`);
    control.id = id;
    row.querySelector(`label[data-part="${part}"]`).htmlFor = id;
    const err = row.querySelector(`.field-error[data-part="${part}"]`);
    err.id = `${id}-error`;
    control.setAttribute("aria-describedby", err.id);
  }
  const remove = row.querySelector(".fi-remove");
  remove.addEventListener("click", () => {
    row.remove();
    numberFeeItems();
  });
  box.append(row);
  numberFeeItems();
  return row;
}

function numberFeeItems() {
  const rows = [...$("fee-items").querySelectorAll("fieldset.fee-item")];
  rows.forEach((row, i) => {
    row.querySelector("legend").textContent = fmt(T.fee_item_n, { n: i + 1 });
    const remove = row.querySelector(".fi-remove");
    remove.textContent = fmt(T.fee_remove, { n: i + 1 });
    remove.hidden = rows.length === 1; // a fee standard lists at least one fee
  });
}

function feeBody(form) {
  clearErrors(form);
  const problems = [];
  const v = (id) => $(id).value.trim();
  const need = (where, value, max, label) => {
    const bad = textProblem(value, max, label);
    if (bad) problems.push([where, bad]);
    return value;
  };
  const body = {
    provider: need("body.provider", v("fee-provider"), MAX_NAME, T.fee_provider),
    effective: v("fee-effective"),
    hotline: need("body.hotline", v("fee-hotline"), MAX_HOTLINE, T.fee_hotline),
    items: [],
  };
  if (!DAY.test(body.effective)) problems.push(["body.effective", T.v_date]);
  const seen = new Set();
  for (const row of $("fee-items").querySelectorAll("fieldset.fee-item")) {
    const at = `body.items[${body.items.length}]`;
    nameRow(row, at, FEE_PARTS.map((p) => [p, p]));
    const get = (part) => row.querySelector(`[data-part="${part}"].plain, select[data-part="${part}"]`).value.trim();
    const item = {
      item: need(`${at}.item`, get("item"), MAX_NAME, T.fee_item),
      target: need(`${at}.target`, get("target"), MAX_NAME, T.fee_target),
      standardFen: amount(get("standardFen")),
      per: get("per"),
      method: need(`${at}.method`, get("method"), MAX_NAME, T.fee_method),
      basis: need(`${at}.basis`, get("basis"), MAX_TEXT, T.fee_basis),
      pricing: get("pricing"),
    };
    if (item.standardFen === null) problems.push([`${at}.standardFen`, T.bad_money]);
    const pair = `${item.item}\u0000${item.target}`;
    if (item.item && item.target && seen.has(pair)) problems.push([at, fmt(T.v_fee_twice, { item: item.item, target: item.target })]);
    seen.add(pair);
    body.items.push(item);
  }
  if (!body.items.length) problems.push(["body.items", T.v_no_fee]);
  return marked(form, problems) ? body : null;
}

// --- opening an account ---------------------------------------------------------------

function accountBody(form) {
  clearErrors(form);
  const problems = [];
  const kind = $("acct-kind").value;
  const name = $("acct-name").value.trim();
  const bad = textProblem(name, MAX_NAME, T.acct_name);
  if (bad) problems.push(["body.name", bad]);
  const id = $("acct-id").value.trim();
  if (!ACCOUNT_ID.test(id)) problems.push(["body.accountId", T.v_account_id]);
  else if (accounts.has(id)) problems.push(["body.accountId", fmt(T.v_account_taken, { id, name: accounts.get(id).name })]);
  const period = $("acct-period").value.trim();
  if (!isPeriod(period)) problems.push(["body.firstPeriod", T.v_period]);
  // A maintenance fund is never overdrawn (ledger/disclosure/kinds.py): only the others
  // may open in deficit.
  const signed = kind !== "MaintenanceFund";
  const opening = amount($("acct-opening").value, signed);
  if (opening === null) problems.push(["body.openingFen", signed ? T.bad_balance : T.bad_money]);
  const body = { accountId: id, name, statementKind: kind, firstPeriod: period, openingFen: opening };
  return marked(form, problems) ? body : null;
}

function showAccounts() {
  const list = $("acct-list");
  list.replaceChildren(
    ...[...accounts].map(([id, a]) =>
      Object.assign(document.createElement("li"), {
        textContent: fmt(T.acct_line, { name: a.name, id, kind: T[`kind_${a.kind}`] ?? a.kind, period: a.period, closing: fenToYuan(a.closing) }),
      }),
    ),
  );
  if (!accounts.size) list.append(Object.assign(document.createElement("li"), { textContent: T.acct_none }));
}

// --- the log --------------------------------------------------------------------------

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
    if (e.kind === "AccountOpened") {
      accounts.set(b.accountId, { name: b.name, kind: b.statementKind, period: previousPeriod(b.firstPeriod), closing: b.openingFen });
    } else if (accounts.has(b?.accountId) && accounts.get(b.accountId).kind === e.kind) {
      accounts.set(b.accountId, { ...accounts.get(b.accountId), period: b.period, closing: b.closingFen });
    }
  }
  // Every account is offered; its kind decides the form's parts (`showKind`).
  const select = $("st-account");
  const was = select.value;
  select.replaceChildren(
    ...[...accounts].map(([id, a]) => Object.assign(document.createElement("option"), { value: id, textContent: `${a.name}（${id}）` })),
  );
  if (was && accounts.has(was)) select.value = was;
  $("st-no-account").hidden = accounts.size > 0;
  showAccounts();
  showObjections(all);
  await loadApprovals(); // what a fund's spending may cite, and what each ballot has left
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
      const card = replyForm(d, o, async (action, text) => {
        const doc = await signed({ type: "ObjectionReply", log: ORIGIN, publisher: key.did, objection: { index: o.index, leafHash: o.leaf_hash }, action, text });
        await api("POST", `${API}/entries`, doc);
        say(T.obj_done, "ok");
        await loadLog();
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

/** A form's submit: build the body (null when a field is wrong), check, sign, publish. */
function publishing(formId, buttonId, kind, build, resultId, after) {
  $(formId).addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (document.body.dataset.signedIn !== "true") return; // its button is off until then
    run($(buttonId), async () => {
      $(resultId).hidden = true;
      const body = build($(formId));
      // a statement's kind is its account's, read as it is published
      const appended = body && (await publish($(formId), typeof kind === "function" ? kind() : kind, body));
      if (appended) {
        await loadLog();
        if (after) after();
        // said once the desk shows the log with it (balances, what a ballot has left)
        $(resultId).textContent = fmt(T.published, { index: appended.index });
        $(resultId).hidden = false;
      }
    }, $(formId));
  });
}

$("key-make").addEventListener("click", () => run($("key-make"), async () => { await createManagerKey(); await showKey(); }));
$("signin").addEventListener("click", () =>
  run($("signin"), async () => {
    if (!(await signIn())) return;
    await loadLog();
    prefill();
    // Only now is the desk ready for work: marked earlier, what was typed could still be
    // overwritten by this prefill (a race the desk's browser test lost at times).
    signedIn(true);
  }),
);
for (const section of Object.keys(SECTIONS)) {
  $(`add-${section}`).addEventListener("click", () => addLine(section).querySelector("input").focus());
}
$("fee-add").addEventListener("click", () => addFeeItem().querySelector("input").focus());
$("st-account").addEventListener("change", prefill);
for (const id of ["st-opening", "st-total-expense", "st-total-disbursements", "st-total-spending", "st-deposits", "st-interest", "st-net", "st-share"]) {
  $(id).addEventListener("input", closingHint);
}
for (const id of ["st-total-income", "st-total-costs"]) $(id).addEventListener("input", netOfTotals);
for (const section of Object.keys(SECTIONS)) {
  $(`${section}-lines`).addEventListener("input", (ev) => {
    if (ev.target.classList.contains("line-amount")) sumLines();
  });
}
$("st-file").addEventListener("change", () => run($("st-check"), upload, $("st-form")));
$("st-check").addEventListener("click", () =>
  run($("st-check"), async () => {
    const body = statementBody($("st-form"));
    if (body && (await check($("st-form"), kindOf(), body))) say(T.check_ok, "ok");
  }, $("st-form")),
);
/** After a statement is published: an empty form for the account's next month (the lines
 * and totals left in it invited publishing the same month's figures again — new-user trial). */
function nextStatement() {
  for (const section of Object.keys(SECTIONS)) $(`${section}-lines`).replaceChildren();
  const typed = "input:not([type=file]):not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea";
  for (const input of $("st-form").querySelectorAll(typed)) {
    if (!["st-period", "st-opening"].includes(input.id)) input.value = "";
  }
  prefill();
}

publishing("st-form", "st-publish", kindOf, statementBody, "st-result", nextStatement);
publishing("fee-form", "fee-publish", "FeeStandard", feeBody, "fee-result");
publishing("acct-form", "acct-publish", "AccountOpened", accountBody, "acct-result", () => {
  // a new account is the one whose first month comes next
  const id = $("acct-id").value.trim();
  if ([...$("st-account").options].some((o) => o.value === id)) {
    $("st-account").value = id;
    prefill();
  }
});

(async () => {
  signedIn(false);
  try {
    addLine("income");
    addLine("expense");
    addFeeItem();
    await showKey();
    const again = await resumed();
    await loadLog();
    prefill();
    if (again) signedIn(true); // after the prefill, as a new sign-in (above)
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true";
})();
