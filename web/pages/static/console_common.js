// What the console's two pages share: Beijing time, the ballot's status and its voting
// window in plain words.

import { T, fmt } from "./page.js";

/** Milliseconds since the epoch; a time without its zone is UTC (as the server keeps every
 * time). NaN for what is not a time. */
function utcMs(text) {
  return Date.parse(typeof text === "string" && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text);
}

/** Beijing time, as every page shows it: 2026-12-01 20:30. */
export function beijing(text) {
  const ms = utcMs(text);
  if (Number.isNaN(ms)) return String(text ?? "—").slice(0, 40);
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

/** When voting ran: once closed, until the close (which says so when it came early), not
 * the planned end the committee overrode. */
export function windowLine(b) {
  const times = { opens: beijing(b.opens_at), closes: beijing(b.closes_at) };
  if (!b.closed_at) return fmt(T.window, times);
  const early = utcMs(b.closed_at) < utcMs(b.closes_at);
  return fmt(early ? T.window_closed_early : T.window_closed, { ...times, closed: beijing(b.closed_at) });
}

export function statusLabel(status) {
  return T[`status_${status}`] ?? String(status).slice(0, 40);
}
