// A QR code drawn as an SVG in the page itself, with the vendored qrcode-generator
// (web/pages/static/vendor/qrcode-generator, pinned in package.json): no server round trip and
// no network, so it works offline. Its own module so that the pages drawing one (the voting
// card, the owner's DID, the vote receipt) load only this and the 11 KB generator, and only
// when they draw.

import qrcode from "./vendor/qrcode-generator/qrcode.mjs";

const NS = "http://www.w3.org/2000/svg";
const QUIET = 4; // ISO/IEC 18004 quiet zone, in modules

/** The QR code of `text` (error correction M, byte mode holding its UTF-8) as an SVG of dark
 * modules, in attributes only: the pages allow no inline style. `label`, when given, names
 * it for a screen reader. */
export function qrSvg(text, label = "") {
  const qr = qrcode(0, "M");
  // The generator keeps only the low byte of each UTF-16 unit, which would garble a
  // receipt's "—" (a signed note's signature line): it is handed the UTF-8 bytes instead,
  // one character each, which is what scanners (jsQR, BarcodeDetector) decode byte mode as.
  qr.addData(String.fromCharCode(...new TextEncoder().encode(text)), "Byte");
  qr.make();
  const n = qr.getModuleCount();
  const side = String(n + 2 * QUIET);
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${side} ${side}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.dataset.modules = String(n);
  if (label) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
  }
  const back = document.createElementNS(NS, "rect");
  back.setAttribute("width", side);
  back.setAttribute("height", side);
  back.setAttribute("fill", "#fff");
  let d = "";
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.isDark(row, col)) d += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    }
  }
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(back, path);
  return svg;
}

/** Size `svg` (a `qrSvg`) to the widest it fits in `width` CSS pixels with every module a
 * whole number of the screen's pixels: a module of 5.4 pixels is drawn 5 or 6 wide by turns,
 * and a dense code so drawn is not read back from a screenshot (jsQR failed on one). */
export function fitToPixels(svg, width) {
  const side = Number(svg.dataset.modules) + 2 * QUIET;
  const ratio = globalThis.devicePixelRatio || 1;
  const pixels = Math.max(1, Math.floor((width * ratio) / side));
  const size = String((pixels * side) / ratio);
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
}
