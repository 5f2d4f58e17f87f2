// What the owner's and the committee member's pages share: the page's words (the JSON block
// the server renders, in the page's language), element lookup, templates, showing and
// hiding, an error in the page's language, and fetch() of our own JSON API. No key use here:
// that is gongzhi.js's alone.

import { GongzhiError } from "./gongzhi_core.js";

export const T = JSON.parse(document.getElementById("owner-text").textContent);
export const LANG = document.body.dataset.lang;
export const $ = (id) => document.getElementById(id);

/** "已签 {signed} 人" with {signed: 1} → "已签 1 人". */
export function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function show(id, visible = true) {
  $(id).hidden = !visible;
}

/** An error in the page's language: ours carry both; the browser's own are said as they are. */
export function reason(error) {
  if (error instanceof GongzhiError || (error && error.zh)) return LANG === "en" ? error.en : error.zh;
  if (error && error.name === "NotSupportedError") return T.no_crypto;
  return String(error && error.message ? error.message : error);
}

/** fetch() of our own JSON API; a refusal becomes a GongzhiError with the server's words,
 * its HTTP status and how long the server asks to wait (Retry-After, seconds). */
export async function api(method, url, body, headers = {}) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const e = data && data.error;
    const error = new GongzhiError(e?.zh ?? `服务器错误 ${response.status}`, e?.en ?? `server error ${response.status}`);
    error.status = response.status;
    error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    throw error;
  }
  return data;
}
