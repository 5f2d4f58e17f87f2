// The answer (答复) to one objection, as the questioned entry's publisher gives it: how it
// was dealt with and the answer's text, checked here first; `send(action, text)` then signs
// and posts the reply (the property manager's desk and the committee console sign with
// their own keys). A refusal, the page's or the server's, shows beside the answer and
// nothing is appended. The words are `web/pages/reply_text.py`'s, in the page's own list.

import { T, fmt, reason } from "./page.js";

export const MAX_REPLY = 2000; // the schema's own limit (ledger/disclosure/fields.py), said here first
const ACTIONS = ["explained", "corrected", "rejected"];
let serial = 0;

const element = (tag, props) => Object.assign(document.createElement(tag), props);

/** The form answering objection `o` to disclosure `d` (entries as the API lists them). */
export function replyForm(d, o, send) {
  const n = ++serial;
  const form = element("form", { className: "item objection", noValidate: true });
  form.dataset.index = String(o.index);
  const on = element("p", { className: "small", textContent: fmt(T.obj_on, { index: d.index, kind: T[`kind_${d.kind}`] ?? d.kind }) });
  const text = element("p", { className: "objection-text", textContent: o.entry.text });
  const action = element("select", { id: `obj-${n}-action`, className: "obj-action" });
  for (const a of ACTIONS) action.append(element("option", { value: a, textContent: T[`action_${a}`] }));
  const answer = element("textarea", { id: `obj-${n}-text`, className: "plain obj-text", rows: 3 });
  const error = element("p", { id: `obj-${n}-error`, className: "field-error", hidden: true });
  answer.setAttribute("aria-describedby", error.id);
  const button = element("button", { type: "submit", className: "button primary obj-send", textContent: T.obj_reply });
  form.append(
    on,
    text,
    element("label", { htmlFor: action.id, textContent: T.obj_action }),
    action,
    element("label", { htmlFor: answer.id, textContent: T.obj_text }),
    answer,
    error,
    button,
  );

  const clear = () => {
    error.hidden = true;
    answer.removeAttribute("aria-invalid");
  };
  const wrong = (message) => {
    error.textContent = message;
    error.hidden = false;
    answer.setAttribute("aria-invalid", "true");
    answer.focus();
  };
  answer.addEventListener("input", clear);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const reply = answer.value.trim();
    if (!reply) return wrong(T.obj_required);
    if (reply.length > MAX_REPLY) return wrong(fmt(T.obj_too_long, { max: MAX_REPLY }));
    button.disabled = true;
    try {
      await send(action.value, reply);
    } catch (failure) {
      wrong(reason(failure));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
