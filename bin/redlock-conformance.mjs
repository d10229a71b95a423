#!/usr/bin/env node
// Entry point for other projects: `npx redlock-conformance --driver ./my-driver.mjs`, and
// `npx redlock-conformance chaos --driver ./my-driver.mjs --runs 50` for generated runs,
// `npx redlock-conformance bench --drivers ./my-driver.mjs` for speed and
// `npx redlock-conformance compare redlock@5 ./fork.mjs` for what differs.
// In a source checkout (scripts/<name>.ts exists) it runs the TypeScript sources through tsx with
// this package's runtime tsconfig — always the current sources, never a possibly stale build.
// In an installed package (no sources, tsx not installed) it runs the compiled
// build/scripts/<name>.js with plain node. A relative driver path is resolved from the caller's
// working directory.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Subcommands: `chaos` (generated runs, campaigns), `bench` (speed against the raw bound),
// `compare` (only what differs between drivers), `matrix` (every built-in driver × every property),
// `merge` (the reports of a run's shards as one); anything else is the conformance run's own arguments.
const SUBCOMMANDS = { chaos: "chaos", bench: "bench", compare: "compare", matrix: "matrix", merge: "merge" };
const [first, ...rest] = process.argv.slice(2);
const [script, args] = Object.hasOwn(SUBCOMMANDS, first ?? "")
  ? [SUBCOMMANDS[first], rest]
  : ["conformance", process.argv.slice(2)];

/** How to run `script`: the sources through tsx when they are here, else the compiled build. */
function command() {
  const source = join(root, "scripts", `${script}.ts`);
  if (existsSync(source)) {
    // tsx is a dev dependency: resolved only in a source checkout, where it is installed.
    let tsx;
    try {
      tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm")).href;
    } catch {
      return {
        error: `redlock-conformance: ${source} is a source checkout but tsx is not installed (run npm install)`,
      };
    }
    return {
      argv: ["--import", tsx, source],
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.runtime.json") },
    };
  }
  const compiled = join(root, "build", "scripts", `${script}.js`);
  if (existsSync(compiled)) return { argv: [compiled], env: process.env };
  return {
    error: `redlock-conformance: neither ${source} nor ${compiled} exists (a source checkout needs its scripts/, a package its build/: run npm run build)`,
  };
}

const run = command();
if (run.error) {
  console.error(run.error);
  process.exit(2);
}
const result = spawnSync(process.execPath, [...run.argv, ...args], { stdio: "inherit", env: run.env });
// Killed by a signal (Ctrl-C: SIGINT): exit as a shell reports it, 128 + the signal's number (130).
process.exit(result.status ?? (result.signal ? 128 + (constants.signals[result.signal] ?? 0) : 1));
