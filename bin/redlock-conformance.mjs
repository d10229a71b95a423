#!/usr/bin/env node
// Entry point for other projects: `npx redlock-conformance --driver ./my-driver.mjs`, and
// `npx redlock-conformance chaos --driver ./my-driver.mjs --runs 50` for generated runs and
// `npx redlock-conformance bench --drivers ./my-driver.mjs` for speed.
// Runs the TypeScript sources through tsx with this package's runtime tsconfig; a relative
// driver path is resolved from the caller's working directory.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx/esm")).href;
// Subcommands: `chaos` (generated runs, campaigns), `bench` (speed against the raw bound);
// anything else is the conformance run's own arguments.
const SUBCOMMANDS = { chaos: "chaos.ts", bench: "bench.ts" };
const [first, ...rest] = process.argv.slice(2);
const [script, args] = Object.hasOwn(SUBCOMMANDS, first ?? "") ? [SUBCOMMANDS[first], rest] : ["conformance.ts", process.argv.slice(2)];
const result = spawnSync(process.execPath, ["--import", tsx, join(root, "scripts", script), ...args], {
  stdio: "inherit",
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.runtime.json") },
});
// Killed by a signal (Ctrl-C: SIGINT): exit as a shell reports it, 128 + the signal's number (130).
process.exit(result.status ?? (result.signal ? 128 + (constants.signals[result.signal] ?? 0) : 1));
