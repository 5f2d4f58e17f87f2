// What the console's two pages share: Beijing time and the ballot's status in plain words.

import { T } from "./page.js";

/** Beijing time, as every page shows it: 2026-12-01 20:30. */
export function beijing(text) {
  // A time without its zone is UTC (as the server keeps every time).
  const zoned = typeof text === "string" && !/(Z|[+-]\d{2}:\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) return String(text ?? "—").slice(0, 40);
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace("T", " ");
}

export function statusLabel(status) {
  return T[`status_${status}`] ?? String(status).slice(0, 40);
}
