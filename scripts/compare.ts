// Prints only the properties on which two drivers differ: the way to regression-check an upgrade.
//   redlock-conformance compare redlock@4.2.0 redlock@5.0.0-beta.2 [--only IDS] [--confirm N] [--concurrency N] [--junit FILE] [--bench]
// Any two specs: versions of one family, a migration (redlock @sesamecare-oss/redlock), modules.
// A first-run difference is re-run N times (default 3) on both sides and reported only when every
// re-run agrees. Exit 1 on a stable regression (passes on A, not on B).
// Or, without running anything, two recorded matrices (reports/matrix.json of two runs), driver by
// driver: the way to show that a change of the harness itself changed no result.
//   npm run compare -- --json before.json after.json
// Or two chaos campaigns' run folders: verdicts and coverage side by side (cells hit by one only).
//   npm run compare -- --chaos reports/chaos/A reports/chaos/B
import { concurrencySetting, seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { readFileSync } from "node:fs";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { runDriver, type DriverRun } from "../fixtures/properties/matrix.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import { PropertyWorkers } from "../fixtures/properties/workers.ts";
import {
  confirmDifferences,
  differingIds,
  formatComparison,
  formatDiff,
  isRegression,
  isStable,
  type Difference,
} from "../fixtures/properties/compare.ts";
import { selectProperties } from "../fixtures/properties/catalog.ts";
import { providerSkip } from "../fixtures/properties/judgement.ts";
import { checkJUnitPath, junitSuite, writeJUnit } from "./junit.ts";
import { describePackage, resolveDriver } from "../fixtures/drivers/load.ts";
import { benchDiff, benchDriver } from "../fixtures/workload/bench.ts";
import { EXIT, runCli } from "./cli.ts";
import { compareCampaigns, readCampaignResults } from "../fixtures/chaos/compare-campaigns.ts";
import { commaList, parseFlags, type Shard, shardFlag, wholeNumber } from "./args.ts";
import { describeShard, shardOf } from "../fixtures/properties/shard.ts";

const BENCH_CYCLES = 200;
const DEFAULT_CONFIRM = 3;
const USAGE =
  "usage: redlock-conformance compare <specA> <specB> [--only ID,ID] [--confirm N] [--concurrency N] [--shard i/n] [--junit file] [--bench]\n" +
  "         specs: built-in names, a family (redlock: your project's copy), family@version (redlock@5.0.0-beta.1), or module paths;\n" +
  "         --confirm: re-runs of each differing property on both sides (default 3); --bench adds the speed deltas\n" +
  "       redlock-conformance compare --json <matrix-before.json> <matrix-after.json>\n" +
  "       redlock-conformance compare --chaos <run-folder-A> <run-folder-B>";

function readMatrix(path: string): { provider: string; runs: DriverRun[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`--json: cannot read ${path} as JSON (${errorMessage(error)})\n${USAGE}`);
  }
  const runs = (data as { runs?: unknown }).runs;
  if (!Array.isArray(runs) || runs.some((r) => typeof r?.driver !== "string" || !Array.isArray(r?.results))) {
    throw new ConfigError(`--json: ${path} is not a matrix written by npm run matrix (reports/matrix.json)`);
  }
  return data as { provider: string; runs: DriverRun[] };
}

function compareRecorded(beforePath: string, afterPath: string): number {
  const before = readMatrix(beforePath);
  const after = readMatrix(afterPath);
  let regressions = 0;
  let differences = 0;
  for (const run of after.runs.filter((r) => !before.runs.some((b) => b.driver === r.driver))) {
    console.log(`${run.driver}: only in ${afterPath}`);
    differences++;
  }
  for (const run of before.runs) {
    const other = after.runs.find((r) => r.driver === run.driver);
    if (!other) {
      console.log(`${run.driver}: not in ${afterPath}`);
      differences++;
      continue;
    }
    // A result that went missing (or appeared) is a difference too, not an agreement.
    const ids = (r: DriverRun) => new Set(r.results.map((x) => x.id));
    const missing = [...ids(run)].filter((id) => !ids(other).has(id));
    const added = [...ids(other)].filter((id) => !ids(run).has(id));
    if (missing.length + added.length > 0) {
      console.log(
        `${run.driver}: ${missing.length ? `missing in ${afterPath}: ${missing.join(", ")}` : ""}${missing.length && added.length ? "; " : ""}${added.length ? `only in ${afterPath}: ${added.join(", ")}` : ""}`,
      );
      differences++;
    }
    const diff = formatDiff(
      { ...run, driver: `${run.driver} (${beforePath})` },
      { ...other, driver: `${other.driver} (${afterPath})` },
    );
    console.log(`${diff.text}\n`);
    regressions += diff.regressions;
    differences += diff.text.includes("agree on all") ? 0 : 1;
  }
  console.log(
    `${before.runs.length} driver(s) compared (${before.provider} → ${after.provider}): ${differences === 0 ? "identical statuses" : `${differences} driver(s) differ`}.`,
  );
  return regressions;
}

type Args =
  | { mode: "recorded"; before: string; after: string }
  | { mode: "campaigns"; before: string; after: string }
  | ({ mode: "live" } & LiveArgs);

interface LiveArgs {
  a: string;
  b: string;
  bench: boolean;
  only?: readonly string[];
  confirm: number;
  concurrency?: number;
  shard?: Shard;
  junit?: string;
}

function parseCompareArgs(argv: readonly string[]): Args {
  return parseFlags(
    argv,
    {
      command: "compare",
      usage: USAGE,
      options: {
        only: { type: "string" },
        confirm: { type: "string" },
        concurrency: { type: "string" },
        shard: { type: "string" },
        junit: { type: "string" },
        bench: { type: "boolean" },
        // Two recorded matrices instead of two drivers: the positionals are their files.
        json: { type: "boolean" },
        // Two chaos campaigns' run folders: their verdicts and coverage side by side.
        chaos: { type: "boolean" },
      },
      positionals: {
        min: 2,
        max: 2,
        names: "<specA> <specB> (with --json: <matrix-before.json> <matrix-after.json>; with --chaos: two run folders)",
      },
    },
    ({ values, positionals: [first = "", second = ""] }, problems): Args => {
      if (values.json || values.chaos) {
        const mode = values.json ? "--json" : "--chaos";
        if (values.json && values.chaos) problems.add("--json compares matrices, --chaos campaigns: give one");
        const live = {
          "--only": values.only,
          "--confirm": values.confirm,
          "--concurrency": values.concurrency,
          "--shard": values.shard,
          "--junit": values.junit,
          "--bench": values.bench,
        };
        const given = Object.entries(live).flatMap(([flag, value]) => (value === undefined ? [] : [flag]));
        if (given.length > 0)
          problems.add(
            `${mode} compares two recorded ${values.json ? "matrices" : "campaigns"} and runs nothing: it takes no ${given.join(", ")}`,
          );
        if (values.chaos) return { mode: "campaigns", before: first, after: second };
        return { mode: "recorded", before: first, after: second };
      }
      const only = problems.take(commaList("--only", values.only, { upper: true }));
      // An unknown id or an unwritable report path is bad input before anything starts.
      if (only) problems.attempt(() => selectProperties(only, "--only"));
      problems.attempt(() => checkJUnitPath(values.junit));
      const confirm = problems.take(
        wholeNumber("--confirm", values.confirm ?? String(DEFAULT_CONFIRM), { min: 0, max: 20, of: "re-runs" }),
      );
      const concurrency = problems.take(
        wholeNumber("--concurrency", values.concurrency, { min: 1, max: 64, of: "properties side by side" }),
      );
      const shard = problems.take(shardFlag("--shard", values.shard));
      return {
        mode: "live",
        concurrency,
        shard,
        a: first,
        b: second,
        bench: values.bench === true,
        only,
        confirm: confirm ?? DEFAULT_CONFIRM,
        junit: values.junit,
      };
    },
  );
}

await runCli(async () => {
  const args = parseCompareArgs(process.argv.slice(2));
  if (args.mode === "recorded") {
    if (compareRecorded(args.before, args.after) > 0) process.exitCode = EXIT.unexpected;
    return;
  }
  if (args.mode === "campaigns") {
    const [a, b] = [readCampaignResults(args.before), readCampaignResults(args.after)];
    console.log(compareCampaigns(a, b, [args.before, args.after]).join("\n"));
    return;
  }
  const started = Date.now();
  const config = loadConfig();
  // Both drivers are resolved (installed, validated) before anything starts.
  const drivers = [
    await resolveDriver(args.a, { nodeCount: config.nodeCount }),
    await resolveDriver(args.b, { nodeCount: config.nodeCount }),
  ] as const;
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const workers = new PropertyWorkers(resolveConcurrency(provider, args.concurrency ?? concurrencySetting()));
  const env = { config, provider, seed, workers };
  // A shard compares its part of the properties; each shard's exit code stands for its part.
  const properties = shardOf(selectProperties(args.only, "--only"), args.shard);
  for (const d of drivers) console.log(`${d.spec}: ${d.package ? describePackage(d.package) : "module"}`);
  console.log(
    `provider ${provider}; seed ${seed}; ${properties.length} properties${args.shard ? ` (${describeShard(args.shard)})` : ""}; differences re-run ${args.confirm} time(s) on both sides; ${workers.size === 1 ? "one property at a time" : `up to ${workers.size} properties side by side`}`,
  );
  let runA: DriverRun;
  let runB: DriverRun;
  const reruns: Array<{ a: DriverRun; b: DriverRun }> = [];
  try {
    // Both sides at once, and every re-run at once: each property has fleets of its own.
    [runA, runB] = await Promise.all([
      runDriver(args.a, env, undefined, properties),
      runDriver(args.b, env, undefined, properties),
    ]);
    const differing = differingIds(runA, runB);
    if (differing.length > 0 && args.confirm > 0) {
      const subset = properties.filter((p) => differing.includes(p.id));
      console.log(
        `first runs differ on ${differing.join(", ")}; re-running them ${args.confirm} time(s) on both sides (same seed) to tell a stable difference from timing noise`,
      );
      reruns.push(
        ...(await Promise.all(
          Array.from({ length: args.confirm }, async () => {
            const [a, b] = await Promise.all([
              runDriver(args.a, env, undefined, subset),
              runDriver(args.b, env, undefined, subset),
            ]);
            return { a, b };
          }),
        )),
      );
    }
  } finally {
    await workers.close();
  }
  const differences = confirmDifferences(runA, runB, reruns);
  const { text, regressions } = formatComparison(runA, runB, differences);
  console.log(`\n${text}\n\nCompared in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  writeJUnit(args.junit, [comparisonSuite(runA, runB, differences)]);
  if (args.bench) {
    // Speed beside safety: the same cases for both, one after the other on fresh fleets.
    const [benchA, benchB] = [
      await benchDriver(config, provider, drivers[0], BENCH_CYCLES),
      await benchDriver(config, provider, drivers[1], BENCH_CYCLES),
    ];
    console.log(
      `\nSpeed (${BENCH_CYCLES} acquire + release cycles per case, 5 nodes, ${provider}; timing on a shared machine is noisy — a change under ~20 % is within it):\n${benchDiff(benchA!, benchB!)}`,
    );
  }
  if (regressions > 0) process.exitCode = EXIT.unexpected;
});

/** One testcase per property: failed when B loses what A has (a stable regression). */
function comparisonSuite(a: DriverRun, b: DriverRun, differences: readonly Difference[]) {
  const cases = a.results.map((ra) => {
    const rb = b.results.find((r) => r.id === ra.id);
    const d = differences.find((x) => x.id === ra.id);
    const name = `${ra.id} [${ra.class}] ${ra.title}`;
    const classname = `${a.driver} → ${b.driver}`;
    const seconds = (ra.ms + (rb?.ms ?? 0)) / 1000;
    if (providerSkip(ra) || (rb && providerSkip(rb)))
      return {
        name,
        classname,
        seconds,
        outcome: "skipped" as const,
        message: `UNSUPPORTED on ${a.provider}: ${ra.reason ?? rb?.reason ?? ""}`,
      };
    const statuses = `${a.driver}: ${ra.status}${ra.reason ? ` (${ra.reason})` : ""}\n${b.driver}: ${rb?.status}${rb?.reason ? ` (${rb.reason})` : ""}`;
    if (d && isRegression(d))
      return {
        name,
        classname,
        seconds,
        outcome: "failed" as const,
        message: `regression: passes on ${a.driver}, ${d.b} on ${b.driver} (${d.agreeing} of ${d.reruns} re-runs agreed)`,
        text: `${statuses}${d.why ? `\nwhy: ${d.why}` : ""}\n\n${rb?.details ?? ""}`,
      };
    const note = d
      ? isStable(d)
        ? `difference (not a regression; ${d.agreeing} of ${d.reruns} re-runs agreed)`
        : `unstable: ${d.agreeing} of ${d.reruns} re-runs agreed, not reported`
      : "same status";
    return { name, classname, seconds, outcome: "passed" as const, systemOut: `${note}\n${statuses}` };
  });
  return junitSuite(`compare ${a.driver} → ${b.driver}`, cases, {
    a: a.driver,
    b: b.driver,
    provider: a.provider,
    seed: String(a.seed),
  });
}
