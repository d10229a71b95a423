#!/usr/bin/env -S node --import tsx
// Benchmarks of generated chaos (numbers for docs/speed.md and docs/chaos.md, never asserted in tests):
//   npm run bench:chaos [-- --seed S]        runs per minute on the reference (5 nodes), and the
//                                            share of wall time the runs spend in fault waits
//   npm run bench:chaos -- --mutants [--runs N] [--only a,b] [--replays 5]
//                                            the generator alone against every mutant of the
//                                            reference: runs until caught, time, shrunk size
import { loadConfig, seedSetting } from "../fixtures/core/config.ts";
import { MUTATIONS, type Mutation } from "../fixtures/drivers/reference.ts";
import { mutantDriver, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { runCampaign } from "../fixtures/chaos/campaign.ts";
import { foundNews } from "../fixtures/chaos/judge.ts";
import { runScenario } from "../fixtures/chaos/run.ts";
import { runCli } from "./cli.ts";
import { commaList, parseFlags, wholeNumber } from "./args.ts";

await runCli(async () => {
  const {
    mutants,
    runs,
    only,
    seed: seedFlag,
    replays,
  } = parseFlags(
    process.argv.slice(2),
    {
      command: "bench:chaos",
      usage:
        "usage: npm run bench:chaos -- [--seed S] [--runs N]   |   npm run bench:chaos -- --mutants [--runs N] [--only a,b] [--replays N] [--seed S]",
      options: {
        mutants: { type: "boolean", default: false },
        runs: { type: "string" },
        only: { type: "string" },
        seed: { type: "string" },
        replays: { type: "string", default: "5" },
      },
    },
    ({ values }, problems) => ({
      mutants: values.mutants,
      runs: problems.take(wholeNumber("--runs", values.runs ?? (values.mutants ? "40" : "20"), { min: 1 })) ?? 0,
      only: problems.take(commaList("--only", values.only, { known: Object.keys(MUTATIONS) })) as
        | Mutation[]
        | undefined,
      seed: problems.take(wholeNumber("--seed", values.seed, { min: 0 })),
      replays: problems.take(wholeNumber("--replays", values.replays, { min: 0 })) ?? 0,
    }),
  );
  const seed = seedFlag ?? seedSetting();
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const pool = FleetPool.of(config, provider);
  try {
    if (!mutants) {
      const driver = await resolveDriver("reference", { nodeCount: 5 });
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
        `| provider | runs | runs per minute | mean run | share of run time spent waiting for faults to heal |`,
      );
      console.log(`|---|---|---|---|---|`);
      console.log(
        `| ${provider} | ${campaign.runs} | ${(campaign.runs / minutes).toFixed(1)} | ${(runMs / campaign.runs / 1000).toFixed(1)} s | ${((100 * faultWaitMs) / runMs).toFixed(0)} % |`,
      );
      return;
    }
    console.log(
      `the generator alone (no catalog) against each mutant: assumptions envelope, up to ${runs} runs, seed ${seed}, provider ${provider}\n`,
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
      const campaign = await runCampaign({
        config,
        provider,
        driver,
        pool,
        runs,
        seed,
        shrinkRuns: 10,
        shape: { envelope: "assumptions", multiResource: true },
        onRun: (r, phase) => {
          if (phase === "generated") seen++;
          if (phase === "generated" && detectMs === 0 && r.violations.some((v) => v.defect))
            detectMs = Date.now() - started;
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
          `${found ? `${found.scenario.faults.length} / ${found.scenario.users.length} (from ${campaign.original!.scenario.faults.length} / ${campaign.original!.scenario.users.length})` : "—"} | ${found ? campaign.shrinks : "—"} | ${found ? `${again}/${replays}` : "—"} |`,
      );
    }
  } finally {
    await pool.close();
  }
});
