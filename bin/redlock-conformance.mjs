#!/usr/bin/env node
// Entry point for other projects: `npx redlock-conformance --driver ./my-driver.mjs`, and
// `npx redlock-conformance chaos --driver ./my-driver.mjs --runs 50` for generated runs.
// Runs the TypeScript sources through tsx with this package's runtime tsconfig; a relative
// driver path is resolved from the caller's working directory.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve("tsx/esm")).href;
// Subcommands: `chaos` (generated runs); anything else is the conformance run's own arguments.
const [first, ...rest] = process.argv.slice(2);
const [script, args] = first === "chaos" ? ["chaos.ts", rest] : ["conformance.ts", process.argv.slice(2)];
const result = spawnSync(process.execPath, ["--import", tsx, join(root, "scripts", script), ...args], {
  stdio: "inherit",
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, "tsconfig.runtime.json") },
});
process.exit(result.status ?? (result.signal ? 128 : 1));
