// The console's sign-in: this device's committee member key signs the challenge, the
// server sets the HttpOnly session cookie, and the page it refused is loaded again.

import { signInAsMember } from "./committee.js";
import { $, T, reason } from "./page.js";

function say(text, kind) {
  const el = $("status");
  el.textContent = text;
  el.className = `status ${kind}`;
  el.hidden = false;
}

async function signIn() {
  const button = $("signin");
  button.disabled = true;
  say(T.signin_busy, "busy");
  try {
    const session = await signInAsMember();
    if (!session) {
      say(T.signin_no_key, "error");
      return;
    }
    globalThis.location.reload();
  } catch (error) {
    say(T.error + reason(error), "error");
  } finally {
    button.disabled = false;
  }
}

$("signin")?.addEventListener("click", signIn);
document.body.dataset.ready = "true";
