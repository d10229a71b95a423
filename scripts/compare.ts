// Prints only the properties on which two drivers differ: the way to regression-check an upgrade.
//   npm run compare -- redlock@5 ./candidate-driver.mjs [--bench]   (--bench: speed deltas too)
// Or, without running anything, two recorded matrices (reports/matrix.json of two runs), driver by
// driver: the way to show that a change of the harness itself changed no result.
//   npm run compare -- --json before.json after.json
import { seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { readFileSync } from "node:fs";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { formatDiff, runDriver, type DriverRun } from "../fixtures/properties/matrix.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { benchDiff, benchDriver } from "../fixtures/workload/bench.ts";
import { runCli } from "./cli.ts";

const BENCH_CYCLES = 200;
const USAGE = "usage: npm run compare -- <driverA> <driverB> [--bench]   (built-in names or module paths; --bench adds the speed deltas)\n       npm run compare -- --json <matrix-before.json> <matrix-after.json>";

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
      console.log(`${run.driver}: ${missing.length ? `missing in ${afterPath}: ${missing.join(", ")}` : ""}${missing.length && added.length ? "; " : ""}${added.length ? `only in ${afterPath}: ${added.join(", ")}` : ""}`);
      differences++;
    }
    const diff = formatDiff({ ...run, driver: `${run.driver} (${beforePath})` }, { ...other, driver: `${other.driver} (${afterPath})` });
    console.log(`${diff.text}\n`);
    regressions += diff.regressions;
    differences += diff.text.includes("agree on all") ? 0 : 1;
  }
  console.log(`${before.runs.length} driver(s) compared (${before.provider} → ${after.provider}): ${differences === 0 ? "identical statuses" : `${differences} driver(s) differ`}.`);
  return regressions;
}

await runCli(async () => {
  const [a, b, ...rest] = process.argv.slice(2);
  if (a === "--json") {
    const [after, ...extra] = rest;
    if (!b || !after || extra.length > 0) throw new ConfigError(USAGE);
    if (compareRecorded(b, after) > 0) process.exitCode = 1;
    return;
  }
  const bench = rest.includes("--bench");
  const unknown = rest.filter((r) => r !== "--bench");
  if (!a || !b || a.startsWith("--") || b.startsWith("--") || unknown.length > 0) throw new ConfigError(USAGE);
  const config = loadConfig();
  // Both drivers are resolved (and validated) before anything starts.
  const drivers = bench ? [await resolveDriver(a, { nodeCount: 5 }), await resolveDriver(b, { nodeCount: 5 })] : [];
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const runA = await runDriver(a, { config, provider, seed });
  const runB = await runDriver(b, { config, provider, seed });
  const { text, regressions } = formatDiff(runA, runB);
  console.log(text);
  if (bench) {
    // Speed beside safety: the same cases for both, one after the other on fresh fleets.
    const [benchA, benchB] = [await benchDriver(config, provider, drivers[0]!, BENCH_CYCLES), await benchDriver(config, provider, drivers[1]!, BENCH_CYCLES)];
    console.log(`\nSpeed (${BENCH_CYCLES} acquire + release cycles per case, 5 nodes, ${provider}; timing on a shared machine is noisy — a change under ~20 % is within it):\n${benchDiff(benchA!, benchB!)}`);
  }
  if (regressions > 0) process.exitCode = 1;
});
