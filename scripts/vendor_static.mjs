#!/usr/bin/env node
// Copies the browser libraries the owner's pages use from node_modules (the versions pinned
// in package.json) into web/pages/static/vendor/, with their licences, and writes
// web/pages/static/vendor/VENDORED.json: package, version, licence and the SHA-256 of every file.
// The copies are committed, so a server needs no npm and no page loads anything from a CDN.
//
//   npm install && node scripts/vendor_static.mjs            copy and write the manifest
//   node scripts/vendor_static.mjs --check                   exit 1 if the copies differ
//
// tests/unit/test_vendored_static.py checks the manifest against the files and package.json.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// One path string, so the layout tool (and a reader grepping for web/pages/static) finds it.
const out = join(root, "web/pages/static/vendor");

// What each page needs and nothing more: scrypt (with what it imports) from @noble/hashes,
// the ES module build of qrcode-generator, jsQR's browser bundle, Swagger UI for /docs.
const PACKAGES = [
  {
    name: "@noble/hashes",
    dir: "noble-hashes",
    files: ["scrypt.js", "pbkdf2.js", "hmac.js", "sha2.js", "_md.js", "_u64.js", "utils.js"],
    license: "LICENSE",
  },
  {
    name: "qrcode-generator",
    dir: "qrcode-generator",
    files: ["dist/qrcode.mjs"],
    // The package ships no LICENSE file; its sources state the MIT licence (header of
    // qrcode.mjs), whose text is written out here with the author's copyright line.
    license: null,
    licenseText:
      "Copyright (c) 2009 Kazuhiko Arase\n\n" +
      "Permission is hereby granted, free of charge, to any person obtaining a copy of this software " +
      'and associated documentation files (the "Software"), to deal in the Software without ' +
      "restriction, including without limitation the rights to use, copy, modify, merge, publish, " +
      "distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the " +
      "Software is furnished to do so, subject to the following conditions:\n\n" +
      "The above copyright notice and this permission notice shall be included in all copies or " +
      "substantial portions of the Software.\n\n" +
      'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, ' +
      "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR " +
      "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE " +
      "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR " +
      "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER " +
      "DEALINGS IN THE SOFTWARE.\n",
  },
  { name: "jsqr", dir: "jsqr", files: ["dist/jsQR.js"], license: "LICENSE" },
  // /docs (web/api/docs.py): Swagger UI's prebuilt bundle and style, with the licences of
  // what the bundle contains; no CDN.
  {
    name: "swagger-ui-dist",
    dir: "swagger-ui",
    files: ["swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-bundle.js.LICENSE.txt", "NOTICE"],
    license: "LICENSE",
  },
];

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies;

function planned() {
  const files = new Map(); // path under vendor/ → bytes
  const manifest = { note: "written by scripts/vendor_static.mjs; do not edit", packages: [] };
  for (const pkg of PACKAGES) {
    const src = join(root, "node_modules", pkg.name);
    const meta = JSON.parse(readFileSync(join(src, "package.json"), "utf8"));
    if (meta.version !== pinned[pkg.name]) {
      throw new Error(`${pkg.name}: node_modules has ${meta.version}, package.json pins ${pinned[pkg.name]}`);
    }
    const entry = { name: pkg.name, version: meta.version, license: meta.license, files: {} };
    const add = (name, bytes) => {
      files.set(`${pkg.dir}/${name}`, bytes);
      entry.files[name] = sha256(bytes);
    };
    for (const f of pkg.files) add(f.split("/").pop(), readFileSync(join(src, f)));
    add("LICENSE", pkg.license ? readFileSync(join(src, pkg.license)) : Buffer.from(pkg.licenseText));
    manifest.packages.push(entry);
  }
  files.set("VENDORED.json", Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}

const files = planned();
if (process.argv.includes("--check")) {
  const stale = [...files].filter(([p, b]) => !existsSync(join(out, p)) || sha256(readFileSync(join(out, p))) !== sha256(b));
  for (const [p] of stale) console.error(`differs from node_modules: web/pages/static/vendor/${p}`);
  process.exit(stale.length ? 1 : 0);
}
for (const [p, bytes] of files) {
  mkdirSync(dirname(join(out, p)), { recursive: true });
  writeFileSync(join(out, p), bytes);
}
console.log(`vendored ${PACKAGES.length} packages into web/pages/static/vendor`);
