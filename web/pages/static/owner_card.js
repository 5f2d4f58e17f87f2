// The printed voting card (投票卡) on the owner's pages: making one at enrolment, and voting
// with one at the committee's desk, on a relative's phone or in any browser.
//
// Loaded by owner.js only on the pages that need it; `ui` is what owner.js lends it (the
// page words, the API client, sign-in, the ballot page). Nothing of a card is written to
// IndexedDB, localStorage or a cookie: the key lives in a `cardSource` (keysource.js) in this
// page's memory until 完成 or until the page goes away. The only thing kept is a count of
// wrong PINs per card in sessionStorage (this tab, this browser session), which is what
// bounds the attempts here; README says what it does not bound (offline guessing).

import { CARD_PREFIX, WrongPinError, checkPin, newCardKey, openCard, readCard, sealCard } from "./cardkey.js";
import { GongzhiError, signDocument, sha256, toHex } from "./gongzhi.js";
import { cardSource } from "./keysource.js";
import { cameraScanner, readPhoto } from "./qrscan.js";
import { qrSvg } from "./qrsvg.js";

export const MAX_TRIES = 5;

function progressTo(ui) {
  const bar = ui.$("card-progress");
  bar.value = 0;
  bar.hidden = false;
  return {
    update: (fraction) => {
      bar.value = Math.round(fraction * 100);
    },
    done: () => {
      bar.hidden = true;
    },
  };
}

// ---- making a card at enrolment -------------------------------------------------------

/** The card's text in groups of four after its prefix, so it can be read out and typed
 * back (readCard ignores the spaces). */
function grouped(text) {
  return [CARD_PREFIX, ...text.slice(CARD_PREFIX.length).match(/.{1,4}/g)].join(" ");
}

function showCard(ui, text, { community, units, did, waiting }) {
  const { $, T, fmt, show } = ui;
  $("card-qr").replaceChildren(qrSvg(text));
  $("card-community").textContent = fmt(T.card_community, { community });
  $("card-units").textContent = units.length ? fmt(T.my_units, { units: units.join("、") }) : "";
  $("card-did").textContent = fmt(T.card_did, { did: `${did.slice(0, 16)}…${did.slice(-8)}` });
  $("card-how").textContent = fmt(T.card_how, { url: `${location.origin}/owner/card` });
  $("card-printed-text").textContent = grouped(text);
  show("card-waiting", waiting);
  show("enrol-card", false);
  show("card-made");
  $("card-print").addEventListener("click", () => window.print());
  $("card-printed").addEventListener("click", () => {
    $("card-qr").replaceChildren();
    $("card-printed-text").textContent = "";
    location.replace(ui.keepLang("/owner"));
  });
}

/**
 * Enrol with a card: check the PIN, make a key in memory, redeem the code with it (the same
 * API as a phone), seal the key under the PIN and show the card to print; then drop the key.
 */
export async function enrolCard(ui, code) {
  const { $, T, say, quiet, api, fmt, unitsOf, reason } = ui;
  const pin = $("card-pin").value;
  try {
    checkPin(pin);
  } catch (error) {
    say(T.error + reason(error), "error");
    return;
  }
  if (pin !== $("card-pin-again").value) {
    say(T.card_pin_mismatch, "error");
    return;
  }
  const button = $("enrol-submit");
  button.disabled = true;
  say(T.card_making, "busy");
  let key = null;
  let enrolled = false;
  const progress = progressTo(ui);
  try {
    const info = await api("GET", "/api/identity");
    key = await newCardKey();
    const answer = await signDocument(
      { type: "EnrolmentRedemption", code, holder: key.did },
      { key, proofPurpose: "authentication", domain: info.domain },
    );
    const credentials = await api("POST", "/api/enrolment/redeem", answer);
    enrolled = true;
    history.replaceState(null, "", location.pathname + location.search); // forget the code
    const community = credentials.communities?.[0];
    if (!community) throw new GongzhiError(T.card_no_community, T.card_no_community);
    say(T.card_sealing, "busy");
    const text = await sealCard(key, pin, community, { onProgress: progress.update });
    const did = key.did;
    key.scalar.fill(0);
    key = null;
    $("card-pin").value = "";
    $("card-pin-again").value = "";
    quiet();
    const waiting = Boolean(credentials.pending) && !credentials.credentials?.length;
    showCard(ui, text, { community, units: unitsOf(credentials), did, waiting });
  } catch (error) {
    say(enrolled ? fmt(T.card_seal_failed, { reason: reason(error) }) : T.error + reason(error), "error");
  } finally {
    if (key) key.scalar.fill(0);
    progress.done();
    button.disabled = false;
  }
}

// ---- voting with a card ---------------------------------------------------------------

const triesName = async (card) => `gzcard-tries:${toHex(await sha256(new TextEncoder().encode(card.did))).slice(0, 16)}`;

function triesOf(name) {
  return Number(sessionStorage.getItem(name) ?? 0) || 0;
}

/** The camera and photo buttons, read by qrscan.js as on /verify: the browser's own
 * BarcodeDetector where it has one, else jsQR, fetched only then. Returns `stop`. */
function scanner(ui, onText) {
  const { $, T, fmt, say, show, reason } = ui;

  function found(text) {
    if (!text.replace(/\s+/g, "").startsWith(CARD_PREFIX)) {
      say(T.card_not_card, "error");
      return false; // the camera keeps looking: the card may come into view next
    }
    stop();
    onText(text);
    say(T.card_scanned, "ok");
    return true;
  }
  const camera = cameraScanner($("scan-video"), found);

  function stop() {
    camera.stop();
    show("scan-video", false);
    show("scan-stop", false);
    show("scan-start");
  }

  $("scan-start").addEventListener("click", async () => {
    show("scan-start", false);
    show("scan-video");
    show("scan-stop");
    say(T.card_scanning, "busy");
    try {
      await camera.start();
    } catch (error) {
      stop();
      say(fmt(T.card_no_camera, { reason: reason(error) }), "error");
    }
  });
  $("scan-stop").addEventListener("click", stop);
  $("scan-photo").addEventListener("change", async (event) => {
    const file = event.target.files?.[0];
    event.target.value = ""; // the same photo chosen again is read again
    if (!file) return;
    let text = null;
    try {
      text = await readPhoto(file);
    } catch {
      text = null; // not an image, or the reader could not be loaded: no card read either way
    }
    if (text === null) say(T.card_no_qr, "error");
    else found(text);
  });
  return stop;
}

export async function cardPage(ui) {
  const { $, T, LANG, fmt, show, say, quiet, reason, api, signIn, unitsOf } = ui;
  let source = null;
  const lang = LANG === "en" ? "?lang=en" : "";
  const stopCamera = scanner(ui, (text) => {
    $("card-text").value = text;
    $("card-pin").focus();
  });

  function forget() {
    const token = source?.forget() ?? null;
    source = null;
    if (token) {
      // credentials "omit": the bearer token names the session, and this browser's own cookie
      // session (a relative's) is neither sent nor cleared.
      fetch("/api/auth/sign-out", {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
        credentials: "omit",
        keepalive: true,
      }).catch(() => {});
    }
  }
  // Leaving the page (closing it, going elsewhere) ends the card's session, and frees the camera.
  addEventListener("pagehide", () => {
    forget();
    stopCamera();
  });

  function finish() {
    forget();
    stopCamera();
    $("card-view").replaceChildren();
    for (const id of ["card-session", "card-ballots", "card-view-back", "card-open"]) show(id, false);
    quiet();
    show("card-finished");
  }
  $("card-done").addEventListener("click", finish);

  async function listBallots() {
    $("card-view").replaceChildren();
    show("card-view-back", false);
    for (const name of ["ballotId", "ballotOrigin", "ballotStatus"]) delete document.body.dataset[name];
    const list = $("card-ballot-list");
    list.replaceChildren();
    const credentials = await source.load("credentials");
    const communities = new Set([source.community, ...(credentials?.communities ?? [])]);
    let open = 0;
    for (const slug of communities) {
      for (const b of await api("GET", `/api/communities/${encodeURIComponent(slug)}/ballots`)) {
        if (b.status !== "open") continue;
        open += 1;
        const li = document.createElement("li");
        const title = document.createElement("p");
        title.className = "big";
        title.textContent = b.title;
        const go = document.createElement("button");
        go.type = "button";
        go.className = "button primary";
        go.textContent = T.go_vote;
        go.addEventListener("click", () => openBallot(b.id).catch((e) => say(T.error + reason(e), "error")));
        li.append(title, go);
        list.append(li);
      }
    }
    show("card-no-ballots", open === 0);
    show("card-ballots");
  }

  /** The normal ballot page, loaded into this page so the key stays in this page's memory. */
  async function openBallot(id) {
    const response = await fetch(`/owner/ballots/${encodeURIComponent(id)}${lang}`, { credentials: "omit" });
    if (!response.ok) throw new GongzhiError(`服务器错误 ${response.status}`, `server error ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    Object.assign(document.body.dataset, {
      ballotId: doc.body.dataset.ballotId,
      ballotOrigin: doc.body.dataset.ballotOrigin,
      ballotStatus: doc.body.dataset.ballotStatus,
    });
    const parts = [...doc.querySelector("main").children].filter((el) => el.id !== "status");
    $("card-view").replaceChildren(...parts.map((el) => document.adoptNode(el)));
    show("card-ballots", false);
    show("card-view-back");
    quiet();
    await ui.ballotPage(source);
    $("card-view").scrollIntoView({ block: "start" });
  }
  $("card-back").addEventListener("click", () => listBallots().catch((e) => say(T.error + reason(e), "error")));

  const button = $("card-unlock");
  $("card-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    let card;
    try {
      card = readCard($("card-text").value);
    } catch (error) {
      say(T.error + reason(error), "error");
      return;
    }
    const tries = await triesName(card);
    if (triesOf(tries) >= MAX_TRIES) {
      say(fmt(T.card_locked, { max: MAX_TRIES }), "error");
      return;
    }
    const pin = $("card-pin").value;
    if (!/^[0-9]{1,12}$/.test(pin)) {
      say(T.card_pin_needed, "error"); // a slip of the finger, not a guess: costs no attempt
      return;
    }
    button.disabled = true;
    say(T.card_opening, "busy");
    const progress = progressTo(ui);
    let key;
    try {
      key = await openCard(card, pin, { onProgress: progress.update });
    } catch (error) {
      progress.done();
      button.disabled = false;
      $("card-pin").value = "";
      if (!(error instanceof WrongPinError)) {
        say(T.error + reason(error), "error");
        return;
      }
      const used = triesOf(tries) + 1;
      sessionStorage.setItem(tries, String(used));
      if (used >= MAX_TRIES) say(fmt(T.card_locked, { max: MAX_TRIES }), "error");
      else say(fmt(T.card_wrong_pin, { left: MAX_TRIES - used }), "error");
      return;
    }
    progress.done();
    sessionStorage.removeItem(tries);
    $("card-pin").value = "";
    $("card-text").value = "";
    stopCamera();
    source = cardSource(key);
    source.community = card.community;
    try {
      say(T.card_signing_in, "busy");
      await signIn(key, source);
      const credentials = await api("GET", "/api/me/credentials", undefined, source.headers());
      await source.save("credentials", credentials);
      const units = unitsOf(credentials);
      $("card-session-units").textContent = units.length ? fmt(T.my_units, { units: units.join("、") }) : "";
      show("card-open", false);
      show("card-session");
      quiet();
      await listBallots();
    } catch (error) {
      // e.g. a card reported lost: its key is refused at sign-in; keep nothing of it.
      forget();
      say(T.error + reason(error), "error");
    } finally {
      button.disabled = false;
    }
  });
}
