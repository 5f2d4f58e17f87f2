#!/usr/bin/env node
// Compiles contracts/src/*.sol with the pinned solc (npm `solc`) into contracts/build/<Name>.json.
//
//   node scripts/compile_contracts.mjs            write the artifacts
//   node scripts/compile_contracts.mjs --check    exit 1 if the committed artifacts differ
//   node scripts/compile_contracts.mjs --out DIR  write the artifacts into DIR instead
//
// Settings are fixed here, so the same sources always give byte-identical artifacts; a
// warning fails the build like an error does.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const SOLC_VERSION = "0.8.37+commit.f401782d";
// cancun: the newest fork that both py-evm 0.12 (CancunVM) and common permissioned chains
// (Besu, anvil) run; it gives solc MCOPY and transient storage.
const SETTINGS = {
  evmVersion: "cancun",
  optimizer: { enabled: true, runs: 10000 },
  metadata: { bytecodeHash: "ipfs", appendCBOR: true },
  viaIR: false,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = join(root, "contracts", "src");
const defaultOut = join(root, "contracts", "build");

function parseArgs(argv) {
  const args = { check: false, out: defaultOut };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") args.check = true;
    else if (argv[i] === "--out" && i + 1 < argv.length) args.out = resolve(argv[++i]);
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return args;
}

function sha256(text) {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function compile() {
  if (solc.version() !== `${SOLC_VERSION}.Emscripten.clang`) {
    throw new Error(`solc ${solc.version()} found, ${SOLC_VERSION} pinned`);
  }
  const names = readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort();
  const sources = {};
  for (const name of names) {
    sources[`contracts/src/${name}`] = { content: readFileSync(join(srcDir, name), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      ...SETTINGS,
      outputSelection: {
        "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = output.errors ?? [];
  if (problems.length > 0) {
    for (const p of problems) console.error(p.formattedMessage);
    throw new Error(`${problems.length} compiler error(s) or warning(s)`);
  }
  const artifacts = {};
  for (const [path, contracts] of Object.entries(output.contracts)) {
    for (const [contractName, c] of Object.entries(contracts)) {
      artifacts[`${contractName}.json`] = {
        contractName,
        sourcePath: path,
        sourceSha256: sha256(sources[path].content),
        compiler: { name: "solc", version: SOLC_VERSION },
        settings: SETTINGS,
        abi: c.abi,
        methodIdentifiers: c.evm.methodIdentifiers,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
    }
  }
  return artifacts;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const artifacts = compile();
  let stale = 0;
  for (const [file, artifact] of Object.entries(artifacts)) {
    const text = `${JSON.stringify(artifact, null, 2)}\n`;
    const target = join(args.out, file);
    if (args.check) {
      const committed = existsSync(target) ? readFileSync(target, "utf8") : null;
      if (committed !== text) {
        console.error(`stale: ${target} differs from its sources; run node scripts/compile_contracts.mjs`);
        stale++;
      }
    } else {
      mkdirSync(args.out, { recursive: true });
      writeFileSync(target, text);
      console.log(`wrote ${target}`);
    }
  }
  if (args.check && existsSync(args.out)) {
    for (const file of readdirSync(args.out).filter((f) => f.endsWith(".json"))) {
      if (!(file in artifacts)) {
        console.error(`stale: ${join(args.out, file)} has no source any more`);
        stale++;
      }
    }
  }
  if (stale > 0) process.exit(1);
  if (args.check) console.log(`${Object.keys(artifacts).length} artifact(s) up to date`);
}

main();
