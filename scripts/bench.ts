#!/usr/bin/env -S node --import tsx
// Speed of each driver beside the raw bound, in one run (numbers for docs/speed.md, never asserted):
//   npm run bench [-- --drivers reference,redlock@5] [--cycles 300] [--json reports/bench.json]
// Per driver, on 5 nodes: sequential acquire + release, contended by 4 and 16 users (one key,
// fast retries), and the raw bound — one parallel SET NX PX and one compare-and-delete per node —
// through the harness's clients and through bare ones (the wrapper's and command log's cost).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadConfig } from "../fixtures/core/config.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { BUILTIN_DRIVERS, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { benchDriver, benchTable, type DriverBench } from "../fixtures/workload/bench.ts";
import { flagReader, runCli } from "./cli.ts";

await runCli(async () => {
  const argv = process.argv.slice(2);
  const known = new Set(["--drivers", "--cycles", "--json"]);
  for (let i = 0; i < argv.length; i += 2)
    if (!known.has(argv[i]!))
      throw new ConfigError(
        `unknown argument ${argv[i]} (usage: npm run bench -- [--drivers a,b] [--cycles N] [--json FILE])`,
      );
  const flag = flagReader(argv);
  const cycles = Number(flag("--cycles") ?? 300);
  if (!Number.isInteger(cycles) || cycles < 10)
    throw new ConfigError(`--cycles ${flag("--cycles")} is not a whole number ≥ 10`);
  const specs = (flag("--drivers") ?? BUILTIN_DRIVERS.join(",")).split(",").map((d) => d.trim());
  const json = flag("--json") ?? "reports/bench.json";
  const config = loadConfig();
  // Every driver is resolved (and validated) before anything starts.
  const drivers = [];
  for (const spec of specs) drivers.push(await resolveDriver(spec, { nodeCount: 5 }));
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  console.log(`bench: ${drivers.length} driver(s), ${cycles} cycles per case, 5 nodes, provider ${provider}\n`);
  const runs: DriverBench[] = [];
  for (const driver of drivers) {
    const started = Date.now();
    runs.push(await benchDriver(config, provider, driver, cycles));
    console.error(`  ${driver.spec}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(benchTable(runs));
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify({ provider, cycles, at: new Date().toISOString(), runs }, null, 2)}\n`);
  console.log(`\nJSON: ${json}`);
});
