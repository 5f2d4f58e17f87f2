// Money and accounting months as people type them, for every page that takes an amount
// (the manager's desk, the committee's ballot wizard). Amounts are read digit by digit into
// integer fen — never through a float, so "0.29" is 29 fen, not 28.999… — and bounded by
// the ledger's own limit (ledger/disclosure/fields.py MAX_FEN), which keeps every value an
// exact JavaScript integer (10^15 < 2^53). Pure: no DOM, so it is tested on its own.

/** The largest amount a disclosure may state, in fen (ledger/disclosure/fields.py). */
export const MAX_FEN = 10 ** 15;

const FULL_WIDTH = { "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9", "．": ".", "，": ",", "￥": "¥" };

/** Yuan as typed → integer fen: "1,234.5" → 123450, "¥８０" → 8000; null unless a plain
 * non-negative amount with at most two decimals (thousands separators and 全角 digits
 * allowed; the same rules as the server's upload reader, web/api/statement_lines.py). */
export function yuanToFen(text) {
  const folded = String(text ?? "")
    .replace(/[０-９．，￥]/g, (c) => FULL_WIDTH[c])
    .trim()
    .replace(/^¥\s*/, "");
  // Commas only between groups of three: "1,23" is refused, not read as 123 yuan.
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(folded);
  if (!m) return null;
  const whole = m[1].replaceAll(",", "");
  if (whole.length > 14) return null; // beyond MAX_FEN; 16 digits of fen stay exact below 2^53
  const fen = Number(whole + (m[2] ?? "").padEnd(2, "0")); // the digits themselves, shifted
  return fen <= MAX_FEN ? fen : null;
}

/** Integer fen → yuan with two decimals, as an input's value: 123450 → "1234.50". */
export function fenToYuan(fen) {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

const PERIOD = /^(2\d{3})-(0[1-9]|1[0-2])$/;

/** Whether `text` is an accounting month YYYY-MM (ledger/disclosure/fields.py `period`). */
export function isPeriod(text) {
  return PERIOD.test(String(text ?? ""));
}

/** The month after "YYYY-MM": "2026-12" → "2027-01". */
export function nextPeriod(period) {
  const [y, m] = period.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** The month before "YYYY-MM": "2027-01" → "2026-12". */
export function previousPeriod(period) {
  const [y, m] = period.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}
