#!/usr/bin/env -S node --import tsx
// Benchmarks of generated chaos (numbers for docs/speed.md and docs/chaos.md, never asserted in tests):
//   npm run bench:chaos [-- --seed S] [--parallel K]
//                                            runs per minute on the reference (5 nodes), one run at a
//                                            time and K at a time (default 3), and the share of run
//                                            time spent in fault waits
//   npm run bench:chaos -- --mutants [--runs N] [--only a,b] [--replays 5] [--parallel K] [--shrink-runs N]
//                                            the generator alone against every mutant of the
//                                            reference: runs until caught, time, shrunk size
//   npm run bench:chaos -- --aiming [--runs N] [--seeds K] [--only a,b] [--modes off,on] [--parallel K]
//                                            per mutant, generated runs until the first finding,
//                                            median over seeds 1…K, unaimed and steered (--steer)
import { loadConfig, seedSetting } from "../fixtures/core/config.ts";
import { MUTATIONS, type Mutation } from "../fixtures/drivers/reference.ts";
import { mutantDriver, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { type CampaignOptions, defaultShrinkRuns, runCampaign, steeringOf } from "../fixtures/chaos/campaign.ts";
import { foundNews } from "../fixtures/chaos/judge.ts";
import { runScenario } from "../fixtures/chaos/run.ts";
import type { HarnessConfig, ProviderName } from "../fixtures/core/config.ts";
import { runCli } from "./cli.ts";
import { commaList, parseFlags, wholeNumber } from "./args.ts";

/** Runs at once the speed figure compares with one at a time: on the project's 2-core host, the most that still gained (docs/speed.md). */
const BENCH_PARALLEL = 3;

await runCli(async () => {
  const {
    mutants,
    aiming,
    modes,
    seeds,
    runs,
    only,
    seed: seedFlag,
    replays,
    parallel,
    shrinkRuns,
  } = parseFlags(
    process.argv.slice(2),
    {
      command: "bench:chaos",
      usage:
        "usage: npm run bench:chaos -- [--seed S] [--runs N] [--parallel K]   |   npm run bench:chaos -- --mutants [--runs N] [--only a,b] [--replays N] [--seed S] [--parallel K] [--shrink-runs N]",
      options: {
        mutants: { type: "boolean", default: false },
        aiming: { type: "boolean", default: false },
        modes: { type: "string", default: "off,on" },
        seeds: { type: "string", default: "5" },
        runs: { type: "string" },
        only: { type: "string" },
        seed: { type: "string" },
        replays: { type: "string", default: "5" },
        parallel: { type: "string" },
        "shrink-runs": { type: "string" },
      },
    },
    ({ values }, problems) => ({
      mutants: values.mutants,
      aiming: values.aiming,
      modes: (problems.take(commaList("--modes", values.modes, { known: ["off", "on"] })) ?? ["off", "on"]) as Array<
        "off" | "on"
      >,
      seeds: problems.take(wholeNumber("--seeds", values.seeds, { min: 1, max: 100 })) ?? 5,
      runs:
        problems.take(
          wholeNumber("--runs", values.runs ?? (values.mutants || values.aiming ? "40" : "20"), { min: 1 }),
        ) ?? 0,
      only: problems.take(commaList("--only", values.only, { known: Object.keys(MUTATIONS) })) as
        | Mutation[]
        | undefined,
      seed: problems.take(wholeNumber("--seed", values.seed, { min: 0 })),
      replays: problems.take(wholeNumber("--replays", values.replays, { min: 0 })) ?? 0,
      // Speed compares one at a time with this many; the mutants' pass runs this many at a time (1: as before).
      parallel:
        problems.take(
          wholeNumber("--parallel", values.parallel ?? (values.mutants ? "1" : String(BENCH_PARALLEL)), {
            min: 1,
            max: 16,
          }),
        ) ?? 1,
      shrinkRuns: problems.take(wholeNumber("--shrink-runs", values["shrink-runs"], { min: 0 })),
    }),
  );
  const seed = seedFlag ?? seedSetting();
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const pool = FleetPool.of(config, provider);
  try {
    if (aiming) {
      await benchAiming({
        config,
        provider,
        pool,
        runs,
        seeds,
        parallel,
        modes,
        mutations: only ?? (Object.keys(MUTATIONS) as Mutation[]),
      });
      return;
    }
    if (!mutants) {
      const driver = await resolveDriver("reference", { nodeCount: 5 });
      console.log(
        `| provider | runs at once | runs | runs per minute | mean run | share of run time spent waiting for faults to heal |`,
      );
      console.log(`|---|---|---|---|---|---|`);
      // The same runs (one seed) one at a time, then K at a time: the pool's fleets are warm for both.
      for (const k of parallel > 1 ? [1, parallel] : [1]) {
        let faultWaitMs = 0;
        let runMs = 0;
        const started = Date.now();
        const campaign = await runCampaign({
          config,
          provider,
          driver,
          pool,
          runs,
          seed,
          parallel: k,
          shape: { envelope: "assumptions", nodeCounts: [5] },
          onRun: (r) => {
            runMs += r.ms;
            // The time the run had to last because a fault was still in force after the users were done.
            const usersDone = Math.max(0, ...r.history.map((e) => e.time)) - r.origin;
            // As applied: once the users are done the nemesis heals at once, so this is what healing costs.
            const faultsDone = Math.max(0, ...r.faults.map((a) => (a.ended ?? a.began ?? r.origin) - r.origin));
            faultWaitMs += Math.max(0, faultsDone - usersDone);
          },
        });
        const minutes = (Date.now() - started) / 60_000;
        console.log(
          `| ${provider} | ${k} | ${campaign.runs} | ${(campaign.runs / minutes).toFixed(1)} | ${(runMs / campaign.runs / 1000).toFixed(1)} s | ${((100 * faultWaitMs) / runMs).toFixed(0)} % |`,
        );
      }
      return;
    }
    console.log(
      `the generator alone (no catalog) against each mutant: assumptions envelope, up to ${runs} runs, seed ${seed}, provider ${provider}, ${parallel} at a time, shrink budget ${shrinkRuns ?? defaultShrinkRuns(parallel)} runs\n`,
    );
    console.log(
      `| mutant | caught | runs until caught | time to detect | checker | shrunk to (fault steps / users) | shrink runs | shrunk scenario replays |`,
    );
    console.log("|---|---|---|---|---|---|---|---|");
    for (const mutant of only ?? (Object.keys(MUTATIONS) as Mutation[])) {
      const driver = mutantDriver(mutant);
      const started = Date.now();
      let detectMs = 0;
      let seen = 0;
      let caughtAt = 0;
      const campaign = await runCampaign({
        config,
        provider,
        driver,
        pool,
        runs,
        seed,
        parallel,
        shrinkRuns: shrinkRuns ?? defaultShrinkRuns(parallel),
        shape: { envelope: "assumptions", multiResource: true },
        onRun: (r, phase, place) => {
          if (phase === "generated") seen++;
          // The first defect in generation order is the one reported (runs at once end out of order).
          if (
            phase === "generated" &&
            r.violations.some((v) => v.defect) &&
            (!caughtAt || place!.index + 1 < caughtAt)
          ) {
            caughtAt = place!.index + 1;
            detectMs = Date.now() - started;
          }
        },
      });
      const found = campaign.counterexample;
      // The shrunk scenario played again as a bug report's file would be: how often it fails again.
      let again = 0;
      for (let i = 0; found && i < replays; i++)
        if (
          foundNews(await runScenario(JSON.parse(JSON.stringify(found.scenario)), { config, provider, driver, pool }))
        )
          again++;
      const checkers = found
        ? [...new Set(found.violations.filter((v) => v.defect).map((v) => v.verdict.checker))].join(", ")
        : "—";
      console.log(
        `| ${mutant} | ${found ? "yes" : "**no**"} | ${found ? campaign.runs : `> ${seen}`} | ${found ? `${(detectMs / 1000).toFixed(0)} s` : "—"} | ${checkers} | ` +
          `${found ? `${found.scenario.faults.length} / ${found.scenario.users.length} (from ${campaign.original!.scenario.faults.length} / ${campaign.original!.scenario.users.length})` : "—"} | ${found ? campaign.shrinkRuns : "—"} | ${found ? `${again}/${replays}` : "—"} |`,
      );
    }
  } finally {
    await pool.close();
  }
});

/**
 * off ÷ on, as far as capped searches tell: "—" when neither found it, "≥ x" when only aiming did
 * (off is at least one more than the cap), "≤ x" when only aiming off did.
 */
function ratio(off: number, on: number, cap: number): string {
  const r = (off / on).toFixed(1);
  if (off > cap && on > cap) return "—";
  return off > cap ? `≥ ${r}` : on > cap ? `≤ ${r}` : r;
}

/** The median of counts where a search that found nothing counts as one more run than it had. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs until the first finding, per mutant of the reference, median over seeds 1…K: the generator
 * as it draws (aiming off) and steered (aiming on: the cells due first, steer.ts nextAim), in one run of the
 * bench. Short leases (200–700 ms), as the chaos suite runs them.
 */
async function benchAiming(o: {
  config: HarnessConfig;
  provider: ProviderName;
  pool: FleetPool;
  runs: number;
  seeds: number;
  parallel: number;
  /** Which of the two to measure (a re-measure of one side keeps the other's figures). */
  modes: ReadonlyArray<"off" | "on">;
  mutations: readonly Mutation[];
}): Promise<void> {
  const shape: CampaignOptions["shape"] = {
    envelope: "assumptions",
    multiResource: true,
    using: true,
    ttl: { min: 200, max: 700 },
  };
  const steer = steeringOf(shape);
  const reachable = steer.reachable;
  console.log(
    `runs until the first finding (> ${o.runs}: none in ${o.runs}), median over seeds 1–${o.seeds}, assumptions envelope, ttl 200–700 ms, ${o.parallel} at a time, provider ${o.provider}; on = --steer over ${reachable.length} reachable cells\n`,
  );
  console.log("| mutant | aiming off: median (per seed) | aiming on: median (per seed) | off ÷ on |");
  console.log("|---|---|---|---|");
  const started = Date.now();
  for (const mutation of o.mutations) {
    const driver = mutantDriver(mutation);
    const firsts: Record<"off" | "on", number[]> = { off: [], on: [] };
    for (const mode of o.modes)
      for (let seed = 1; seed <= o.seeds; seed++) {
        let first = 0;
        await runCampaign({
          config: o.config,
          provider: o.provider,
          driver,
          pool: o.pool,
          runs: o.runs,
          seed,
          parallel: o.parallel,
          shrinkRuns: 0,
          shape,
          ...(mode === "on" ? { steer } : {}),
          onRun: (r, phase, place) => {
            if (phase === "generated" && foundNews(r) && (!first || place!.index + 1 < first)) first = place!.index + 1;
          },
        });
        firsts[mode].push(first || o.runs + 1);
      }
    const show = (xs: number[]) => xs.map((x) => (x > o.runs ? `>${o.runs}` : String(x))).join(", ");
    const off = median(firsts.off);
    const on = median(firsts.on);
    const fmt = (xs: number[]) => {
      if (xs.length === 0) return "not measured";
      const m = median(xs);
      return `${m > o.runs ? `> ${o.runs}` : String(m)} (${show(xs)})`;
    };
    const both = firsts.off.length > 0 && firsts.on.length > 0;
    console.log(`| ${mutation} | ${fmt(firsts.off)} | ${fmt(firsts.on)} | ${both ? ratio(off, on, o.runs) : "—"} |`);
  }
  console.log(`\n${((Date.now() - started) / 60_000).toFixed(1)} min`);
}
