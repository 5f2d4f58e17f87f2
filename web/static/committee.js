// What the committee's pages share (the signing page, the console): the registration in
// force as this device accepts it, and signing in with this device's member key.

import { inForce, loadMemberKey, loadValue, pinnedChain, registrationChain, signDocument } from "./gongzhi.js";
import { api } from "./page.js";

const VC_V2 = "https://www.w3.org/ns/credentials/v2";

/** The registration in force, from the chain this device accepts: the pin it holds for the
 * community (an owner's enrolment QR), else the roots of the server's trust file. */
export async function registrationInForce(slug) {
  const regs = await api("GET", `/api/communities/${encodeURIComponent(slug)}/registrations`);
  const pin = await loadValue(`pin:${slug}`);
  let chain;
  if (pin) {
    chain = await pinnedChain(regs, pin, slug);
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
