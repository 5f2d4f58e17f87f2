// The owner's pages: enrol, sign in, vote with confirmation, keep and check the receipt.
// All key use goes through gongzhi.js; this file only wires the pages to it and to the API.
// The signing key comes from a key source (keysource.js): the phone's key in IndexedDB, or
// a printed voting card opened in this page's memory (owner_card.js, /owner/card).

import { GongzhiError, ensureOwnerKey, loadOwnerKey, loadValue, saveValue } from "./gongzhi_core.js";
import { $, LANG, T, api, fmt, reason, show } from "./page.js";
import { deviceSource } from "./keysource.js";
// the large-text switch, shared with the public pages (applies itself on import)
import "./text_size.js";

const VC_V2 = "https://www.w3.org/ns/credentials/v2";

/** gongzhi.js, the signing and checking two thirds of the client: fetched when a page first
 * signs or checks, or once its buttons are up (`warmProofs`), never before them — on a slow
 * phone its bytes were the last thing the first button waited for (BENCHMARKS.md). */
const proofs = () => import("./gongzhi.js");
const signDocument = async (doc, options) => (await proofs()).signDocument(doc, options);
// A failed fetch here is not the owner's concern yet: signing or checking says so if it recurs.
const warmProofs = () => proofs().catch(() => {});

function say(text, kind = "ok", where = "status") {
  const el = $(where);
  el.textContent = text;
  el.className = `${el.id === "status" ? "status" : "result"} ${kind}`;
  el.hidden = false;
  if (kind === "error") el.scrollIntoView({ block: "center", behavior: "smooth" });
}

function quiet(where = "status") {
  $(where).hidden = true;
}

/** `api`, sending the very same body again while the server says it is busy (429/503 with
 * Retry-After) or the network drops: a signed vote sent twice gets the receipt of the one
 * that counts, so retrying is safe and the owner need not tap again. */
async function apiRetrying(method, url, body, attempts = 6) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api(method, url, body);
    } catch (error) {
      const busy = error instanceof TypeError || error.status === 429 || error.status === 503;
      if (!busy || attempt >= attempts) throw error;
      say(T.busy_retrying, "busy");
      const seconds = Math.min(Math.max(error.retryAfter || 2, 1), 30);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

/** Sign in with the device key: challenge → signed presentation → HttpOnly session cookie;
 * with a card's key source, a bearer token that source keeps in memory instead. */
async function signIn(key, source = deviceSource) {
  const challenge = await api("POST", "/api/auth/challenge");
  const presentation = await signDocument(
    { "@context": [VC_V2], type: ["VerifiablePresentation"], holder: key.did },
    {
      key,
      proofPurpose: challenge.proof_purpose ?? "authentication",
      challenge: challenge.challenge,
      domain: challenge.domain,
    },
  );
  const session = await api("POST", "/api/auth/sign-in", { presentation, session: source.session });
  if (session.token) source.setToken(session.token);
  await source.save("session", { did: session.did, grants: session.grants, expires: session.expires });
  return session;
}

function unitsOf(credentials) {
  const units = [];
  for (const vc of credentials?.credentials ?? []) {
    for (const u of vc.credentialSubject?.units ?? []) units.push(u.unitId);
  }
  return units;
}

async function communitiesKnown() {
  const slugs = new Set();
  const creds = await loadValue("credentials");
  for (const vc of creds?.credentials ?? []) {
    if (vc.credentialSubject?.communityId) slugs.add(vc.credentialSubject.communityId);
  }
  const session = await loadValue("session");
  for (const g of session?.grants ?? []) if (g.community) slugs.add(g.community);
  return [...slugs];
}

function keepLang(path) {
  return LANG === "en" ? `${path}?lang=en` : path;
}

// ---- home -------------------------------------------------------------------------------

async function homePage() {
  const key = await loadOwnerKey();
  $("key-state").textContent = key ? T.key_here : T.key_missing;
  if (key) {
    $("key-did").textContent = key.did;
    show("key-detail");
    let stored = await loadValue("credentials");
    if (stored?.pending && !stored.credentials?.length) {
      // Queued until a committee member signs it: sign in again (the server then uses the
      // credential if it was issued meanwhile) and fetch what this DID holds now.
      try {
        await signIn(key);
        stored = await api("GET", "/api/me/credentials");
        await saveValue("credentials", stored);
      } catch {
        /* still waiting, or offline: the note below stays */
      }
    }
    show("waiting", Boolean(stored?.pending) && !stored?.credentials?.length);
    const units = unitsOf(stored);
    if (units.length) {
      $("my-units").textContent = fmt(T.my_units, { units: units.join("、") });
      show("my-units");
    }
    const me = await fetch("/api/me", { credentials: "same-origin" });
    show(me.ok ? "signed-in" : "signin-link");
  } else {
    show("enrol-link");
  }
  if (key) {
    $("my-id-show").hidden = false;
    $("my-id-show").addEventListener("click", async () => {
      const { qrSvg } = await qrModule();
      $("my-id-qr").replaceChildren(qrSvg(key.did));
      $("my-id-did").textContent = key.did;
      show("my-id");
      $("my-id").scrollIntoView({ block: "start" });
    });
  }
  // Before enrolment no community is known: every community served here is listed, read-only.
  const list = $("ballot-list");
  const known = await communitiesKnown();
  const slugs = known.length ? known : list.dataset.communities.split(" ").filter(Boolean);
  show("read-only", !key);
  let shown = 0;
  for (const slug of slugs) {
    for (const b of await api("GET", `/api/communities/${encodeURIComponent(slug)}/ballots`)) {
      if (!LISTED.has(b.status)) continue;
      shown += 1;
      const voted = await loadValue(`vote:${b.origin}`);
      const li = document.createElement("li");
      li.dataset.ballot = String(b.id);
      li.dataset.status = b.status;
      const title = document.createElement("p");
      title.className = "big";
      title.textContent = b.title;
      const state = document.createElement("p");
      state.className = "ballot-status";
      state.textContent = T[`status_${b.status}`] ?? b.status;
      const go = document.createElement("a");
      const open = b.status === "open";
      go.className = open && key && !voted ? "button primary" : "button secondary";
      go.href = keepLang(`/owner/ballots/${b.id}`);
      if (!open) go.textContent = b.result ? T.view_result : T.view_ballot;
      else if (voted) go.textContent = `✓ ${T.voted_already}`;
      else go.textContent = key ? T.go_vote : T.view_ballot;
      li.append(title, state, go);
      list.append(li);
    }
  }
  show("no-ballots", shown === 0);
}

// What the home lists: every ballot past its draft, closed ones too (with their result).
const LISTED = new Set(["announced", "open", "closing", "closed", "final"]);

// ---- enrol ------------------------------------------------------------------------------

function codeFromAddress() {
  // The printed QR code carries the code in the fragment (#code=…): never sent to a server.
  const fragment = new URLSearchParams(location.hash.slice(1));
  return fragment.get("code") ?? "";
}

/** The trust anchor printed with the code (#…&root=DID&reg=HASH): the street office's root
 * DID and the hash of the committee registration in force when the code was made. */
function pinFromAddress() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const root = fragment.get("root") ?? "";
  const reg = fragment.get("reg") ?? "";
  if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/.test(root) || !/^[0-9a-f]{64}$/.test(reg)) return null;
  return { root, reg };
}

const pinName = (community) => `pin:${community}`;

/** Keep the printed trust anchor for each community the new credentials are of. */
async function keepPin(pin, credentials) {
  if (!pin) return;
  for (const vc of credentials?.credentials ?? []) {
    const community = vc.credentialSubject?.communityId;
    if (typeof community === "string") {
      await saveValue(pinName(community), { ...pin, at: new Date().toISOString(), from: "enrolment" });
    }
  }
}

/**
 * The committee this device trusts for `community`: the registrations the server holds,
 * accepted only as the chain of the root and registration pinned at enrolment. A device
 * enrolled before codes carried a pin takes the server's trust file once (trust on first
 * use) and pins what it found, so that a committee swapped later is still caught.
 */
async function committeeFor(community, source = deviceSource) {
  const regs = await api("GET", `/api/communities/${encodeURIComponent(community)}/registrations`);
  let pin = await source.load(pinName(community));
  if (!pin) {
    const trust = await api("GET", "/.well-known/gongzhi-trust.json");
    const chain = await (await proofs()).registrationChain(regs, trust.roots ?? [], community);
    const last = chain.registrations[chain.registrations.length - 1];
    pin = { root: last.root, reg: last.hash, at: new Date().toISOString(), from: "first-use" };
    await source.save(pinName(community), pin);
  }
  try {
    return await (await proofs()).pinnedChain(regs, pin, community);
  } catch (error) {
    throw new GongzhiError(
      `服务器给出的业委会与本机登记时记下的街道办事处备案不符，核对结果不能采信。请联系街道办事处并保存本页截图。（${error.zh ?? error}）`,
      `the committee the server names is not the one the street office registered when this device enrolled; the check cannot be trusted. Contact the street office and keep a screenshot of this page. (${error.en ?? error})`,
    );
  }
}

async function enrolPage() {
  const input = $("code");
  input.value = codeFromAddress();
  if (await loadOwnerKey()) show("enrol-again");
  const cardChosen = () => document.querySelector("input[name=enrol-kind]:checked")?.value === "card";
  for (const radio of document.querySelectorAll("input[name=enrol-kind]")) {
    radio.addEventListener("change", () => {
      for (const pin of document.querySelectorAll("#card-pins input")) pin.required = cardChosen();
      show("card-pins", cardChosen());
      quiet();
    });
  }
  input.addEventListener("input", () => {
    input.removeAttribute("aria-invalid");
    quiet("code-error");
  });
  $("enrol-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) {
      // The page's own words beside the box, not the browser's "Please fill out this field."
      input.setAttribute("aria-invalid", "true");
      say(T.code_missing, "error", "code-error");
      input.focus();
      return;
    }
    quiet("code-error");
    if (cardChosen()) {
      // A card instead of a phone key: nothing of it is kept on this device.
      await (await cardModule()).enrolCard(UI, input.value.trim());
      return;
    }
    const button = $("enrol-submit");
    button.disabled = true;
    say(T.enrol_working, "busy");
    try {
      const pin = pinFromAddress();
      const info = await api("GET", "/api/identity");
      const key = await ensureOwnerKey();
      const answer = await signDocument(
        { type: "EnrolmentRedemption", code: input.value.trim(), holder: key.did },
        { key, proofPurpose: "authentication", domain: info.domain },
      );
      const credentials = await api("POST", "/api/enrolment/redeem", answer);
      await saveValue("credentials", credentials);
      await keepPin(pin, credentials);
      history.replaceState(null, "", location.pathname + location.search); // forget the code
      try {
        await signIn(key); // one step less for the owner; the sign-in page remains for later
      } catch {
        /* signing in can be done from the home page */
      }
      quiet();
      show("enrol-card", false);
      $("enrol-units").textContent = fmt(T.my_units, { units: unitsOf(credentials).join("、") });
      const waiting = Boolean(credentials.pending) && !credentials.credentials?.length;
      show("enrol-done-text", !waiting);
      show("enrol-waiting", waiting); // 等待业委会签发 until a member signs the credential
      show("enrol-done");
    } catch (error) {
      say(T.error + reason(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}

// ---- sign in ----------------------------------------------------------------------------

async function signinPage() {
  const key = await loadOwnerKey();
  const button = $("signin-submit");
  if (!key) {
    button.disabled = true;
    say(T.signin_need_key, "error");
    show("signin-enrol");
    return;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    say(T.signin_working, "busy");
    try {
      await signIn(key);
      quiet();
      show("signin-done");
      button.hidden = true;
    } catch (error) {
      say(T.error + reason(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}

// ---- ballot -----------------------------------------------------------------------------

function groups(hex) {
  return hex.slice(0, 16).match(/.{4}/g).join(" ");
}

/** The receipt copy: the signed vote and its receipt, with nothing of this device's — the
 * very text /verify reads, pasted or scanned (verify.js, `scanned`). */
function receiptCopy(record) {
  return JSON.stringify({ vote: record.vote, receipt: record.receipt });
}

/** The receipt copy as a QR code, drawn here (qrsvg.js, fetched only now): another phone
 * opens /verify and scans it, or /verify reads a screenshot of it. */
async function showReceiptQr(record) {
  const { qrSvg, fitToPixels } = await qrModule();
  const box = $("receipt-qr");
  const svg = qrSvg(receiptCopy(record), T.receipt_qr_label);
  box.replaceChildren(svg);
  show("receipt-qr-box");
  const fit = () => {
    if (svg.isConnected) fitToPixels(svg, box.clientWidth);
    else removeEventListener("resize", fit); // the card page moved to another ballot
  };
  fit();
  addEventListener("resize", fit); // a phone turned on its side has room for a larger one
}

function showReceipt(record, ballotId, source) {
  $("receipt-choice").textContent = fmt(T.voted_choice, { choice: T[record.choice] ?? record.choice });
  $("receipt-index").textContent = fmt(T.receipt_index, { index: record.receipt.index });
  $("receipt-hash").textContent = groups(record.receipt.leaf_hash);
  show("receipt");
  // A receipt without its QR code is still a receipt: the copy button and the check stay.
  showReceiptQr(record).catch(() => show("receipt-qr-box", false));
  $("copy-receipt")?.addEventListener("click", async () => {
    const text = receiptCopy(record);
    try {
      await navigator.clipboard.writeText(text);
      say(T.copied_receipt, "ok", "check-result");
    } catch (error) {
      say(T.error + reason(error), "error", "check-result");
    }
  });
  const button = $("check");
  button.addEventListener("click", async () => {
    button.disabled = true;
    say(T.checking, "busy", "check-result");
    try {
      const fetchProof = (index, since) =>
        api("GET", `/api/ballots/${ballotId}/proof?index=${index}&since=${since}`);
      // The committee pinned at enrolment checks the signed BallotOpened naming the box's key.
      const committee = (community) => committeeFor(community, source);
      const { checkReceipt } = await proofs();
      const checked = await checkReceipt(record.receipt, record.vote, fetchProof, committee, source);
      say(fmt(T.check_ok, { index: checked.index, size: checked.latestSize }), "ok", "check-result");
    } catch (error) {
      say(`${T.check_failed} ${reason(error)}`, "error", "check-result");
    } finally {
      button.disabled = false;
    }
  });
}

async function refreshTurnout(ballotId) {
  const { participation: p } = await api("GET", `/api/ballots/${ballotId}`);
  const reached = (met) => (met ? ` ✓ ${T.reached}` : "");
  $("turnout-area-text").textContent =
    fmt(T.turnout_area, { voted: p.voted.area, total: p.total.area }) + reached(p.area_met);
  $("turnout-heads-text").textContent =
    fmt(T.turnout_heads, { voted: p.voted.headcount, total: p.total.headcount }) +
    reached(p.headcount_met);
  $("turnout-area").value = p.area_bp;
  $("turnout-heads").value = p.headcount_bp;
  // Each item's own turnout comes in the same answer: a vote that leaves an item out moves
  // the totals but not that item, so each is shown as the server counts it.
  for (const meter of document.querySelectorAll("[data-item-turnout]")) {
    const ip = p.items?.[meter.dataset.itemTurnout];
    if (!ip) continue;
    const bp = Number(ip[`${meter.dataset.side}_bp`] ?? 0);
    meter.querySelector(".pct").textContent = basisPoints(bp);
    meter.querySelector("progress").value = Math.min(bp, 10000);
    meter.querySelector(".met").hidden = !ip[`${meter.dataset.side}_met`];
  }
}

/** 9851 basis points → "98.51%", exactly as the server's page writes it (integer digits). */
function basisPoints(bp) {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, "0")}%`;
}

async function ballotPage(source = deviceSource) {
  const { ballotId, ballotOrigin, ballotStatus } = document.body.dataset;
  const open = ballotStatus === "open";
  // The phone's own records (IndexedDB, no network), read side by side.
  const [stored, key, credentials] = await Promise.all([
    source.load(`vote:${ballotOrigin}`),
    open ? source.key() : null,
    open ? source.load("credentials") : null,
  ]);
  // Where this key stands in the census: my entry, a proxy I appointed, owners I vote for.
  // Asked now, but the choices do not wait for it: on a slow phone it was the one round
  // trip left between the scripts and the buttons (BENCHMARKS.md). What it decides — a
  // proxy voting for me hides my own choices, owners I represent — follows when it comes,
  // and a vote is not sent before it has.
  const placed = key ? api("GET", `/api/ballots/${ballotId}/census/${encodeURIComponent(key.did)}`) : Promise.resolve(null);
  let target = null; // null: my own vote; else the mandate of the owner I vote for as proxy
  const startProxyVote = (mandate) => {
    target = mandate;
    show("receipt", false);
    show("proxy", false);
    show("choose");
  };
  if (stored) showReceipt(stored, ballotId, source);
  if (!open) return;
  if (!key) {
    if (!stored) show("no-key");
    return;
  }
  const units = unitsOf(credentials);
  if (units.length) {
    $("my-units").textContent = fmt(T.my_units, { units: units.join("、") });
    show("my-units");
  }
  if (!stored) show("choose");
  const submit = $("confirm-submit");
  const items = [...document.querySelectorAll("fieldset.item")];
  const choices = {}; // item id → "agree" | "oppose" | "abstain", or candidate ids
  const labelOf = (fieldset) => {
    const value = choices[fieldset.dataset.item];
    if (value === undefined) return T.not_chosen;
    if (Array.isArray(value)) {
      const names = [...fieldset.querySelectorAll("button[data-candidate]")]
        .filter((b) => value.includes(b.dataset.candidate))
        .map((b) => b.textContent.trim());
      return names.join("、") || T.not_chosen;
    }
    return T[value];
  };
  // Each item's choice on a line of its own (#confirm-question and #receipt-choice are pre-line).
  const eachItem = () => items.map((f) => `${f.dataset.title}：${labelOf(f)}`).join("\n");
  const review = () => {
    if (!Object.keys(choices).length) {
      say(T.nothing_chosen, "error");
      return;
    }
    if (items.length === 1) {
      const only = choices[items[0].dataset.item];
      $("confirm-question").textContent = fmt(T.confirm_question, { choice: labelOf(items[0]) });
      submit.className = `button primary ${Array.isArray(only) ? "" : only}`;
    } else {
      $("confirm-question").textContent = `${T.confirm_items}\n${eachItem()}`;
      submit.className = "button primary";
    }
    show("choose", false);
    show("confirm");
    quiet();
    // Both confirm buttons on screen at once, without the owner having to scroll.
    $("confirm").scrollIntoView({ block: "nearest" });
    submit.focus({ preventScroll: true });
  };
  for (const fieldset of items) {
    const id = fieldset.dataset.item;
    const seats = Number(fieldset.dataset.seats);
    for (const button of fieldset.querySelectorAll("button[data-choice]")) {
      button.addEventListener("click", () => {
        choices[id] = button.dataset.choice;
        for (const b of fieldset.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
        if (items.length === 1) review(); // one item: one tap, then the confirmation
      });
    }
    for (const button of fieldset.querySelectorAll("button[data-candidate]")) {
      button.addEventListener("click", () => {
        const picked = new Set(choices[id] ?? []);
        const c = button.dataset.candidate;
        if (picked.has(c)) picked.delete(c);
        else if (picked.size < seats) picked.add(c);
        // Every candidate unpicked again: not taking part in this item, as the page says.
        if (picked.size) choices[id] = [...picked];
        else delete choices[id];
        button.setAttribute("aria-pressed", String(picked.has(c)));
      });
    }
  }
  $("review")?.addEventListener("click", review);
  $("confirm-back").addEventListener("click", () => {
    show("confirm", false);
    show("choose");
  });
  submit.addEventListener("click", async () => {
    submit.disabled = true;
    $("confirm-back").disabled = true;
    say(T.sending, "busy");
    try {
      const place = await placed;
      // A proxy votes for me, or my key holds several entries and none is picked yet: my
      // own choice is not sent (the server would refuse a vote that does not name its entry).
      if (!target && (place?.mandate || severalEntries(place))) {
        show("confirm", false);
        quiet();
        return;
      }
      const doc = { type: "Vote", ballot: ballotOrigin, voter: key.did, choices: { ...choices } };
      // A proxy's vote names the census entry of the owner it is cast for.
      if (target) doc.censusEntry = target.census_entry;
      const vote = await signDocument(doc, { key });
      const receipt = await apiRetrying("POST", `/api/ballots/${ballotId}/votes`, vote);
      const chosen = items.length === 1 ? labelOf(items[0]) : `\n${eachItem()}`;
      const record = { vote, receipt, choice: chosen, at: new Date().toISOString() };
      await source.save(target ? proxyVoteName(ballotOrigin, target) : `vote:${ballotOrigin}`, record);
      if (target) markRepresented(target);
      target = null;
      quiet();
      show("confirm", false);
      showReceipt(record, ballotId, source);
      refreshTurnout(ballotId).catch(() => {}); // a stale bar is harmless; the vote is in
    } catch (error) {
      // The choices come back first, then the message: shown (and scrolled to) last, so it
      // is on screen rather than pushed below the fold by the buttons (new-user trial).
      show("confirm", false);
      show("choose");
      say(T.error + reason(error), "error");
    } finally {
      submit.disabled = false;
      $("confirm-back").disabled = false;
    }
  });
  warmProofs(); // the buttons are up: fetch the signing code before the owner taps
  const place = await placed;
  if (place?.represents.length) showRepresented(place.represents, ballotOrigin, source, startProxyVote);
  // A key holding several census entries (a guardian of several wards, or of a ward and of
  // their own home) casts one vote per entry, each naming it: the choices open once one of
  // them is picked.
  if (severalEntries(place)) await showEntries(place.entries, ballotOrigin, source, startProxyVote);
  else if (place?.census_entry && !stored) wireProxy(place, key, ballotId, ballotOrigin);
  // A proxy in force votes for me: my own choices stay hidden.
  if ((place?.mandate || severalEntries(place)) && !target) {
    show("choose", false);
    show("confirm", false);
  }
}

function severalEntries(place) {
  return (place?.entries?.length ?? 0) > 1;
}

// ---- proxies (委托) -------------------------------------------------------------------

const proxyVoteName = (origin, mandate) => `vote:${origin}:${mandate.census_entry}`;
const DID_KEY = /^did:key:z[1-9A-HJ-NP-Za-km-z]+$/;

/** The owners this key votes for as their proxy: one button each ("为业主（1-1-101）投票"). */
async function showRepresented(mandates, origin, source, start) {
  const list = $("proxy-for-list");
  for (const m of mandates) {
    const units = m.units.join("、");
    const li = document.createElement("li");
    li.dataset.entry = m.census_entry;
    const line = document.createElement("p");
    line.className = "big";
    line.textContent = fmt(T.proxy_for, { units });
    li.append(line);
    if (m.instructed) {
      // The choices are the owner's to tell (the server keeps them secret until the close).
      const note = document.createElement("p");
      note.className = "small";
      note.textContent = T.proxy_instructed;
      li.append(note);
    }
    const go = document.createElement("button");
    go.type = "button";
    go.className = "button primary proxy-vote";
    const done = await source.load(proxyVoteName(origin, m));
    go.textContent = fmt(done ? T.proxy_voted_for : T.proxy_vote_for, { units });
    go.disabled = Boolean(done);
    go.addEventListener("click", () => start(m));
    li.append(go);
    list.append(li);
  }
  show("proxy-for");
}

/** The census entries this key votes for, one button each ("为房屋 1-1-102 投票"). */
async function showEntries(entries, origin, source, start) {
  const list = $("entries-list");
  for (const entry of entries) {
    const units = entry.units.join("、");
    const li = document.createElement("li");
    li.dataset.entry = entry.census_entry;
    const line = document.createElement("p");
    line.className = "big";
    line.textContent = fmt(T.entry_for, { units }) + (entry.guardian ? T.entry_guardian : "");
    li.append(line);
    const go = document.createElement("button");
    go.type = "button";
    go.className = "button primary entry-vote";
    const done = await source.load(proxyVoteName(origin, entry));
    go.textContent = fmt(done ? T.entry_voted_for : T.entry_vote_for, { units });
    go.disabled = Boolean(done);
    go.addEventListener("click", () => start(entry));
    li.append(go);
    list.append(li);
  }
  show("entries-for");
}

function markRepresented(target) {
  const units = { units: target.units.join("、") };
  const entry = `li[data-entry="${target.census_entry}"] button`;
  const proxied = document.querySelector(`#proxy-for-list ${entry}`);
  if (proxied) {
    proxied.textContent = fmt(T.proxy_voted_for, units);
    proxied.disabled = true;
  }
  const own = document.querySelector(`#entries-list ${entry}`);
  if (own) {
    own.textContent = fmt(T.entry_voted_for, units);
    own.disabled = true;
  }
}

/** Appoint a proxy (a signed ProxyMandate) or, while it is unused, withdraw it. */
function wireProxy(place, key, ballotId, origin) {
  const given = (mandate) => {
    show("proxy-give", !mandate);
    show("proxy-given", Boolean(mandate));
    show("choose", !mandate);
    if (!mandate) return;
    $("proxy-given-text").textContent = fmt(T.proxy_in_force, { proxy: mandate.proxy });
    show("proxy-used", Boolean(mandate.used));
    show("proxy-withdraw", !mandate.used);
  };
  show("proxy");
  given(place.mandate);
  let mandate = place.mandate;
  // The camera takes a moment to open: the reader comes meanwhile.
  $("proxy-photo").addEventListener("click", () => scanModule().then((m) => m.prepare()).catch(() => {}));
  $("proxy-photo").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    const text = await scanModule().then((m) => m.readPhoto(file)).catch(() => null);
    if (text && DID_KEY.test(text.trim())) $("proxy-did").value = text.trim();
    else say(T.proxy_bad_did, "error");
  });
  $("proxy-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const proxy = $("proxy-did").value.trim();
    if (!DID_KEY.test(proxy)) {
      say(T.proxy_bad_did, "error");
      return;
    }
    const choices = {};
    for (const select of document.querySelectorAll("select.proxy-choice")) {
      if (select.value) choices[select.dataset.item] = select.value;
    }
    const doc = { type: "ProxyMandate", ballot: origin, censusEntry: place.census_entry, owner: key.did, proxy };
    if (Object.keys(choices).length) doc.choices = choices;
    const button = $("proxy-grant");
    button.disabled = true;
    say(T.proxy_granting, "busy");
    try {
      const receipt = await api("POST", `/api/ballots/${ballotId}/mandates`, await signDocument(doc, { key }));
      mandate = { index: receipt.index, proxy, used: false };
      quiet();
      given(mandate);
    } catch (error) {
      say(T.error + reason(error), "error");
    } finally {
      button.disabled = false;
    }
  });
  $("proxy-withdraw").addEventListener("click", async () => {
    const doc = { type: "ProxyWithdrawal", ballot: origin, censusEntry: place.census_entry, owner: key.did, mandate: mandate.index };
    try {
      await api("POST", `/api/ballots/${ballotId}/mandates`, await signDocument(doc, { key }));
      mandate = null;
      given(null);
      say(T.proxy_withdrawn, "ok");
    } catch (error) {
      if (error.status === 409 && /voted/.test(error.en ?? "")) given({ ...mandate, used: true });
      say(T.error + reason(error), "error");
    }
  });
}

/** The QR reader (qrscan.js, as on /verify and the card page), fetched only when an owner is
 * about to photograph a proxy's QR code: jsQR, 58 KB compressed, held the ballot's choices
 * back by more than a second on a slow phone when it loaded with the page (BENCHMARKS.md). */
const scanModule = () => import("./qrscan.js");

// What the card pages (owner_card.js, loaded only where needed) use of this file.
const UI = { T, LANG, $, fmt, show, say, quiet, reason, api, signIn, unitsOf, keepLang, ballotPage };
const cardModule = () => import("./owner_card.js");
const qrModule = () => import("./qrsvg.js");

const PAGES = {
  home: homePage,
  enrol: enrolPage,
  signin: signinPage,
  ballot: () => ballotPage(),
  card: async () => (await cardModule()).cardPage(UI),
};

async function start() {
  if (!globalThis.crypto?.subtle || !globalThis.indexedDB) {
    say(T.no_crypto, "error");
    return;
  }
  try {
    await PAGES[document.body.dataset.page]?.();
    warmProofs();
  } catch (error) {
    say(T.error + reason(error), "error");
  }
  document.body.dataset.ready = "true"; // for the browser tests: the page has wired itself
}

start();
