#!/usr/bin/env -S node --import tsx
// Speed of each driver beside the raw bound, in one run (numbers for docs/speed.md, never asserted):
//   npm run bench [-- --drivers reference,redlock@5] [--cycles 300] [--json reports/bench.json]
// Per driver, on 5 nodes: sequential acquire + release, contended by 4 and 16 users (one key,
// fast retries), and the raw bound — one parallel SET NX PX and one compare-and-delete per node —
// through the harness's clients and through bare ones (the wrapper's and command log's cost).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadConfig } from "../fixtures/core/config.ts";
import { BUILTIN_DRIVERS, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { benchDriver, benchTable, type DriverBench } from "../fixtures/workload/bench.ts";
import { runCli } from "./cli.ts";
import { commaList, parseFlags, wholeNumber } from "./args.ts";

await runCli(async () => {
  const { specs, cycles, json } = parseFlags(
    process.argv.slice(2),
    {
      command: "bench",
      usage:
        "usage: npm run bench -- [--drivers a,b] [--cycles N] [--json FILE]   (redlock-conformance bench [...] from a project)",
      options: {
        drivers: { type: "string", default: BUILTIN_DRIVERS.join(",") },
        cycles: { type: "string", default: "300" },
        json: { type: "string", default: "reports/bench.json" },
      },
    },
    ({ values }, problems) => ({
      specs: problems.take(commaList("--drivers", values.drivers)) ?? [],
      cycles: problems.take(wholeNumber("--cycles", values.cycles, { min: 10 })) ?? 0,
      json: values.json,
    }),
  );
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
