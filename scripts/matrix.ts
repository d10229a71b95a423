// Runs the conformance properties for every built-in driver (reference first) and prints the
// implementations × properties table (markdown on stdout, JSON in reports/matrix.json).
import {
  concurrencySetting,
  loadConfig,
  matrixChaosRunsSetting,
  matrixDriversSetting,
  seedSetting,
} from "../fixtures/core/config.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { BUILTIN_DRIVERS } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { formatMatrix, runDriver, type DriverRun } from "../fixtures/properties/matrix.ts";
import { loadBaseline, offersUsing, takesSeveralResources } from "../fixtures/properties/baselines.ts";
import {
  chaosCell,
  chaosNews,
  chaosRow,
  drawsRoutines,
  MATRIX_CHAOS_TTL,
  matrixChaosParallel,
  type ChaosRow,
} from "../fixtures/chaos/summary.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import { PropertyWorkers } from "../fixtures/properties/workers.ts";
import { runCli } from "./cli.ts";
import { parseFlags, shardFlag } from "./args.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { describeShard, shardOf } from "../fixtures/properties/shard.ts";
import { dirname } from "node:path";

await runCli(async () => {
  const args = parseFlags(
    process.argv.slice(2),
    {
      command: "matrix",
      usage:
        "usage: redlock-conformance matrix [--shard i/n] [--json file]   (npm run matrix -- …; MATRIX_DRIVERS, MATRIX_CHAOS_RUNS, RC_CONCURRENCY and the harness settings come from the environment: docs/settings.md)",
      options: { shard: { type: "string" }, json: { type: "string", default: "reports/matrix.json" } },
    },
    ({ values }, problems) => ({ shard: problems.take(shardFlag("--shard", values.shard)), json: values.json }),
  );
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const drivers = matrixDriversSetting() ?? [...BUILTIN_DRIVERS];
  // A shard runs every n-th property for every driver; the generated-runs rows run in shard 1.
  const properties = shardOf(PROPERTIES, args.shard);
  const chaosRuns = !args.shard || args.shard.index === 1 ? matrixChaosRunsSetting() : 0;
  const chaos = new Map<string, ChaosRow[]>();
  const runs: DriverRun[] = [];
  const started = Date.now();
  // Every driver's properties go to one set of workers: drivers side by side as well as properties.
  const concurrency = resolveConcurrency(provider, concurrencySetting());
  const workers = new PropertyWorkers(concurrency);
  process.stderr.write(
    `${args.shard ? `${describeShard(args.shard)}: ${properties.length} of ${PROPERTIES.length} properties; ` : ""}${drivers.length} drivers, up to ${workers.size} properties side by side (${workers.size === 1 ? "one at a time" : "each on fleets of its own"})\n`,
  );
  try {
    const finished = await Promise.all(
      drivers.map(async (driver) => {
        const run = await runDriver(
          driver,
          { config, provider, seed, workers },
          (r) => {
            if (r.judgement.outcome === "fail") process.stderr.write(`${driver} ${r.id}: unexpected ${r.status}\n`);
          },
          properties,
        );
        process.stderr.write(`${driver}: done, ${run.seconds.toFixed(1)} s after it began\n`);
        return run;
      }),
    );
    runs.push(...finished);
  } finally {
    await workers.close();
  }
  if (chaosRuns > 0) {
    const pool = FleetPool.of(config, provider);
    try {
      for (const run of runs) {
        const driver = await resolveDriver(run.driver, { nodeCount: config.nodeCount });
        const nodeCounts = provider === "external" ? [config.nodeCount] : undefined;
        const known = loadBaseline(run.driver)?.chaos;
        const env = {
          config,
          provider,
          pool,
          seed,
          multiResource: takesSeveralResources(run.driver),
          using: drawsRoutines(driver, offersUsing(run.driver)),
          parallel: matrixChaosParallel(provider, concurrency),
          ...(nodeCounts ? { nodeCounts } : {}),
          ...(known ? { known } : {}),
        };
        chaos.set(run.driver, [
          await chaosRow(driver, "assumptions", chaosRuns, env),
          await chaosRow(driver, "beyond", chaosRuns, env),
        ]);
        process.stderr.write(`${run.driver}: ${chaosRuns} generated runs per envelope\n`);
      }
    } finally {
      await pool.close();
    }
  }
  const rows =
    chaos.size === 0
      ? []
      : (["assumptions", "beyond"] as const).map((envelope) => ({
          label: `generated runs, ${envelope} envelope (seed ${seed}; \`npm run chaos -- --driver X --envelope ${envelope} --seed ${seed} --runs ${chaosRuns} --ttl ${MATRIX_CHAOS_TTL.min}-${MATRIX_CHAOS_TTL.max}\` replays and explains a finding)`,
          class: "chaos",
          cells: runs.map((run) => chaosCell(chaos.get(run.driver)?.find((r) => r.envelope === envelope))),
        }));
  console.log(formatMatrix(runs, rows));
  console.log(`\nWhole matrix: ${((Date.now() - started) / 1000).toFixed(1)} s on provider ${provider}.`);
  mkdirSync(dirname(args.json), { recursive: true });
  writeFileSync(
    args.json,
    JSON.stringify(
      {
        provider,
        seed,
        ...(args.shard ? { shard: args.shard } : {}),
        selected: PROPERTIES.map((p) => p.id),
        runs,
        chaos: Object.fromEntries(chaos),
      },
      null,
      2,
    ),
  );
  console.error(
    `JSON: ${args.json}${args.shard ? " (one shard: `redlock-conformance merge` puts the shards together)" : ""}`,
  );
  if (
    runs.some(
      (run) => run.results.some((r) => r.judgement.outcome === "fail") || chaosNews(chaos.get(run.driver) ?? []),
    )
  )
    process.exitCode = 1;
});
