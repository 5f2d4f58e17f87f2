// Minify the pages' own scripts and styles (web/pages/static/*.js, *.css) into build/static,
// with a manifest of each source's SHA-256. The server serves a minified copy only while the
// manifest says it was made from the source as it is now (web/pages/assets.py), so a stale or
// half-written build can never be served: the source is, as it always could be.
//
// Why: on a slow phone the owner's ballot page waits for its scripts' bytes; minified they are
// about 40 % fewer on the wire (BENCHMARKS.md, the owner's pages). Each file stays the module it
// was (esbuild's transform, no bundling): the same imports, exports and file names.
//
// Run by scripts/setup.sh after `npm install`: node scripts/minify_static.mjs
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { transformSync, version } from "esbuild";

const SOURCE = "web/pages/static";
const OUT = "build/static";
const MANIFEST = `${OUT}/manifest.json`;

// The manifest goes first and comes back last: while files are being written there is none,
// and each file is replaced whole (written beside, then renamed), so a server starting or
// running meanwhile never reads half a file.
mkdirSync(OUT, { recursive: true });
rmSync(MANIFEST, { force: true });
const files = {};
for (const name of readdirSync(SOURCE).sort()) {
  const loader = name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : null;
  if (!loader) continue;
  const source = readFileSync(`${SOURCE}/${name}`);
  const { code } = transformSync(source.toString("utf8"), {
    loader,
    minify: true,
    charset: "utf8", // Chinese words as they are (3 bytes each), not \u escapes (6)
    legalComments: "none", // the vendored libraries keep theirs: they are not minified here
  });
  writeFileSync(`${OUT}/${name}.tmp`, code);
  renameSync(`${OUT}/${name}.tmp`, `${OUT}/${name}`);
  files[name] = createHash("sha256").update(source).digest("hex");
}
for (const name of readdirSync(OUT)) {
  if (name !== "manifest.json" && !(name in files)) rmSync(`${OUT}/${name}`, { force: true });
}
writeFileSync(`${MANIFEST}.tmp`, `${JSON.stringify({ tool: `esbuild ${version}`, files }, null, 1)}\n`);
renameSync(`${MANIFEST}.tmp`, MANIFEST);
console.log(`minified ${Object.keys(files).length} files into ${OUT} (esbuild ${version})`);
