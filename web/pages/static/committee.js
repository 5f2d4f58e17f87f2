// What the committee's pages share (the signing page, the console): the registration in
// force as this device accepts it, and signing in with this device's member key.

import {
  GongzhiError,
  inForce,
  loadMemberKey,
  loadValue,
  pinnedChain,
  registrationChain,
  saveValue,
  signDocument,
} from "./gongzhi.js";
import { api } from "./page.js";

const VC_V2 = "https://www.w3.org/ns/credentials/v2";

const pinName = (slug) => `pin:${slug}`;

/** A pin the page's address carries (#root=DID&reg=HASH, as an enrolment link does), or null. */
function pinFromAddress() {
  const fragment = new URLSearchParams(globalThis.location?.hash.slice(1) ?? "");
  const root = fragment.get("root") ?? "";
  const reg = fragment.get("reg") ?? "";
  if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/.test(root) || !/^[0-9a-f]{64}$/.test(reg)) return null;
  return { root, reg };
}

/**
 * Pin the committee this device will trust for `slug`, once: the street office's root and
 * the registration in force — from the page's address when it carries them (the office's
 * printed link), else from the server's trust file as it is now (trust on first use, at the
 * moment the member makes their key). Later, a server serving another committee is caught.
 */
export async function pinCommittee(slug) {
  const known = await loadValue(pinName(slug));
  if (known) return known;
  const regs = await api("GET", `/api/communities/${encodeURIComponent(slug)}/registrations`);
  if (Array.isArray(regs) && regs.length === 0) return null; // no committee yet: nothing to pin
  let pin = pinFromAddress();
  if (pin) {
    await pinnedChain(regs, pin, slug); // the printed pin must match what the server holds
    pin = { ...pin, from: "address" };
  } else {
    const trust = await api("GET", "/.well-known/gongzhi-trust.json");
    const chain = await registrationChain(regs, trust.roots ?? [], slug);
    const last = chain.registrations[chain.registrations.length - 1];
    pin = { root: last.root, reg: last.hash, from: "first-use" };
  }
  pin.at = new Date().toISOString();
  await saveValue(pinName(slug), pin);
  return pin;
}

/** The registration in force, from the chain this device accepts: the pin it holds for the
 * community (an owner's enrolment QR, or the member's key making), else — a device that has
 * pinned nothing yet, and so signs nothing — the roots of the server's trust file. A server
 * whose registrations do not chain to the pin is refused, in both languages. */
export async function registrationInForce(slug) {
  const regs = await api("GET", `/api/communities/${encodeURIComponent(slug)}/registrations`);
  const pin = await loadValue(pinName(slug));
  let chain;
  if (pin) {
    try {
      chain = await pinnedChain(regs, pin, slug);
    } catch (error) {
      throw new GongzhiError(
        `服务器给出的业委会与本机记下的街道办事处备案不符，本机不会签署。请联系街道办事处。（${error.zh ?? error}）`,
        `the committee the server names is not the one this device pinned from the street office; this device will not sign. Contact the street office. (${error.en ?? error})`,
      );
    }
  } else {
    const trust = await api("GET", "/.well-known/gongzhi-trust.json");
    chain = await registrationChain(regs, trust.roots ?? [], slug);
  }
  return inForce(chain, Date.now() * 1000);
}

/** Sign in with this device's member key: challenge → presentation → HttpOnly cookie.
 * Null when the device holds no member key. */
export async function signInAsMember() {
  const key = await loadMemberKey();
  if (!key) return null;
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
  return api("POST", "/api/auth/sign-in", { presentation, session: "cookie" });
}
