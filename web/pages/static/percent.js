// How every page writes a share as a percentage: two decimals, truncated, in integers
// (BigInt), exactly as web/pages/result_view.py's percent_text does on the server. So one
// share never reads differently on two pages, and a share just short of two thirds never
// reads "66.67%".

/** n/d (d > 0, n >= 0; numbers, numeric strings or BigInts) as "66.66%". */
export function percentText(n, d) {
  const hundredths = (BigInt(n) * 10000n) / BigInt(d);
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, "0")}%`;
}

/** A share already in whole basis points (the turnout's area_bp, truncated by the box). */
export function percentOfBp(bp) {
  return percentText(bp, 10000);
}
