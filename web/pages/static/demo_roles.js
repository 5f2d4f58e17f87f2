// DEMO ONLY (/demo): make this device a committee member or the property manager of the
// demo estate. The device makes its own non-extractable key, as on a real phone
// (gongzhi.js); the demo server, which holds the demo street office's key, registers that
// DID (a new committee registration with it as chair, or a property-manager role
// credential) — what a real street office does on its own computer. Then the page links to
// the console's sign-in or the manager's desk.

import { createManagerKey, createMemberKey, loadManagerKey, loadMemberKey } from "./gongzhi.js";
import { pinCommittee } from "./committee.js";
import { $, T, api, reason } from "./page.js";

const SLUG = "xianxia-demo";

function say(id, text, kind) {
  const el = $(id);
  el.textContent = text;
  el.className = `msg demo-status ${kind}`;
  el.hidden = false;
}

async function act(role) {
  const button = $(`act-${role}`);
  const status = `${role}-status`;
  button.disabled = true;
  say(status, T[`${role}_busy`], "busy");
  try {
    if (!globalThis.crypto?.subtle || !globalThis.indexedDB) {
      say(status, T.no_crypto, "error");
      return;
    }
    const key =
      role === "member"
        ? ((await loadMemberKey()) ?? (await createMemberKey()))
        : ((await loadManagerKey()) ?? (await createManagerKey()));
    await api("POST", `/demo/${role}`, { did: key.did });
    // The member's pages pin the committee on first use: pinned now, with this device in
    // it, so the signing page trusts the registration just made (a device that pinned an
    // earlier one keeps it: the new one chains from it).
    if (role === "member") await pinCommittee(SLUG);
    say(status, T[`${role}_done`], "ok");
    $(`${role}-ready`).hidden = false;
  } catch (error) {
    say(status, T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

$("act-member").addEventListener("click", () => act("member"));
$("act-manager").addEventListener("click", () => act("manager"));
document.body.dataset.ready = "true"; // for the browser tests: the page has wired itself
