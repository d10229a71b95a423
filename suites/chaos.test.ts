import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test as propTest } from "@fast-check/vitest";
import { afterAll, describe, expect, inject, test } from "vitest";
import { scenarioArb, type ScenarioShape } from "../fixtures/chaos/arbitraries.ts";
import { runCampaign, steeringOf, type CampaignOptions } from "../fixtures/chaos/campaign.ts";
import { driftScenario } from "../fixtures/chaos/drift.ts";
import { LIMITATIONS, limitationScenario } from "../fixtures/chaos/limitations.ts";
import { foundNews } from "../fixtures/chaos/judge.ts";
import { hitAim } from "../fixtures/chaos/aim.ts";
import { parseCell } from "../fixtures/chaos/coverage.ts";
import { formatRun, runScenario, type ChaosRunResult } from "../fixtures/chaos/run.ts";
import { loadConfig, seedSetting } from "../fixtures/core/config.ts";
import { DRIFT_ALLOWANCE, outsideAssumptions, type ChaosScenario } from "../fixtures/core/scenario.ts";
import { mutantDriver, resolveDriver, type ResolvedDriver } from "../fixtures/drivers/load.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { ContenderPool } from "../fixtures/harness/child-contender.ts";
import { loadBaseline, takesSeveralResources } from "../fixtures/properties/baselines.ts";
import { DURING_ROUTINE } from "../fixtures/history/history.ts";

/**
 * Generated chaos in `npm test`: a small budget of runs per envelope on the reference and on the
 * default driver, and a mutant the generator must find and shrink on its own. `npm run chaos`
 * runs bigger budgets; a failure here names the scenario file and the command that replays it.
 */
const provider = inject("provider");
const config = loadConfig();
const seed = seedSetting();
const pool = FleetPool.of(config, provider);
// Child users kept from run to run: a process start costs about a second on this 2-core host.
const contenders = new ContenderPool();
afterAll(async () => {
  await contenders.close();
  await pool.close();
});

const reference = await resolveDriver("reference", { nodeCount: config.nodeCount });
const defaultDriver = await resolveDriver(config.driver, { nodeCount: config.nodeCount });
// Short ttls keep a run to a few seconds; external fleets have the node count they have.
const shape = (envelope: ScenarioShape["envelope"], driver = reference): ScenarioShape => ({
  envelope,
  ttl: { min: 200, max: 700 },
  multiResource: takesSeveralResources(driver),
  ...(provider === "external" ? { nodeCounts: [config.nodeCount] } : {}),
});

/** Saves the scenario so the failure message can name one file that replays it. */
function report(result: ChaosRunResult, driverFlag: string): string {
  const dir = join("reports", "chaos");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `suite-${seed}-${Date.now()}.json`);
  writeFileSync(file, `${JSON.stringify(result.scenario, null, 2)}\n`);
  return formatRun(result, `REDIS_PROVIDER=${provider} npm run chaos -- ${driverFlag} --replay ${file}`);
}

async function play(
  scenario: ChaosScenario,
  driver = reference,
  known = loadBaseline(driver)?.chaos,
): Promise<ChaosRunResult> {
  const result = await runScenario(scenario, {
    config,
    provider,
    driver,
    pool,
    contenders,
    ...(known ? { known } : {}),
  });
  if (result.unsupported) console.log(`${result.unsupported} (run not counted)`);
  return result;
}

// On containers the pool's container starts overload the two cores while runs are judged: side by
// side there, a reference run once missed its liveness bound with every node's replies 357 ms late
// and the nemesis 700 ms behind its schedule. Containers keep them one at a time.
const searchesSideBySide = provider === "processes" ? describe.concurrent : describe;

/** A defect of the kind a broken quorum makes: two owners, or a lease granted or extended on too few keys. */
const brokeTheLock = (r: ChaosRunResult) =>
  r.violations.some((v) => v.defect && ["mutual-exclusion", "owner-value", "validity"].includes(v.verdict.checker));

/** A small search on a mutant: 3 nodes (an external fleet: its own), short leases, users in this process. */
function mutantSearch(
  mutant: ResolvedDriver,
  shape: Partial<ScenarioShape>,
  budget: Pick<CampaignOptions, "runs" | "shrinkRuns" | "confirmRuns" | "parallel" | "aim" | "onRun"> & {
    steer?: boolean;
    /** The search's seed (default: the suite's). */
    seed?: number;
  },
) {
  const { steer, seed: from = seed, ...rest } = budget;
  const full: ScenarioShape = {
    envelope: "assumptions",
    ttl: { min: 200, max: 500 },
    nodeCounts: provider === "external" ? [config.nodeCount] : [3],
    processes: ["in-process"],
    ...shape,
  };
  return runCampaign({
    config,
    provider,
    driver: mutant,
    pool,
    contenders,
    shape: full,
    seed: from,
    ...rest,
    ...(steer ? { steer: steeringOf(full) } : {}),
  });
}

/** Three runs of the reference, each aimed at one cell, and the runs as they were played. */
async function aimedReference(cell: string, scenarioShape: ScenarioShape) {
  const played: ChaosRunResult[] = [];
  const campaign = await runCampaign({
    config,
    provider,
    driver: reference,
    pool,
    contenders,
    shape: scenarioShape,
    seed,
    runs: 3,
    aim: parseCell(cell)!,
    shrinkRuns: 0,
    onRun: (r) => played.push(r),
  });
  return { campaign, played };
}

describe(`generated chaos (seed ${seed})`, () => {
  // Runs wait on ttls with the CPU mostly idle, so on processes the tests of a group run side by
  // side, each on fleets of its own from the shared pool: three searches at once is what parallel
  // chaos is checked clean at on this 2-core host (docs/speed.md). The rest run alone: two searches whose
  // shrinking must agree, SC-10's clock jump and the drift's overlap window depend on a quiet host
  // (side by side, SC-10 once saw no double grant and the two shrinks once ended apart).
  searchesSideBySide("searches: the reference and the default driver", () => {
    propTest.prop([scenarioArb(shape("assumptions"))], { numRuns: 3, seed, endOnFailure: true })(
      "the reference has no defect within Redlock's assumptions",
      async (scenario) => {
        const result = await play(scenario);
        expect(foundNews(result), report(result, "--driver reference")).toBe(false);
      },
      60_000,
    );

    propTest.prop([scenarioArb(shape("beyond"))], { numRuns: 2, seed, endOnFailure: true })(
      "beyond the assumptions, every violation of the reference is attributed to a fault step outside them, and it never hangs",
      async (scenario) => {
        const result = await play(scenario);
        expect(foundNews(result), report(result, "--driver reference")).toBe(false);
        for (const v of result.violations) {
          expect(v.causes.length, report(result, "--driver reference")).toBeGreaterThan(0);
          expect(outsideAssumptions(scenario).length).toBeGreaterThan(0);
        }
      },
      60_000,
    );

    propTest.prop([scenarioArb(shape("assumptions", defaultDriver))], { numRuns: 2, seed, endOnFailure: true })(
      `the default driver (${defaultDriver.spec}) shows nothing its baseline does not document`,
      async (scenario) => {
        const result = await play(scenario, defaultDriver);
        expect(foundNews(result), report(result, `--driver ${defaultDriver.spec}`)).toBe(false);
      },
      60_000,
    );
  });

  // Alone, not beside the searches above: its shrinking should see the load its replay sees. Beside
  // them, a quorum-off-by-one race with no fault failed 3 of 3 shrinking plays on a core kept busy,
  // and then 0 of 10 replays once the neighbours had finished (flake runs 12, 14, 15 of 2026-12-07).
  // Alone was not enough (it happened again): the shrinker now keeps one fault step (shrink.ts).
  test("the generator finds a mutant on its own, shrinks it, and the saved scenario replays the violation", {
    timeout: 240_000,
  }, async () => {
    const mutant = mutantDriver("quorum-off-by-one");
    // A double grant needs a user cut off from a minority while another takes the rest.
    const search = (from: number) =>
      mutantSearch(
        mutant,
        { faults: ["partition", "blackhole"], users: { min: 2, max: 2 }, maxFaults: 3, horizonMs: 300, maxRolls: 1 },
        // A candidate (and the failing run itself) must fail three more times, its steps 10 ms
        // later, earlier and as they are: one lucky race does not make a replayable file (a run
        // whose partition fell 7 ms after an extend failed 4 of 4 plays on a loaded host and 0 of
        // 10 on a quiet one: CI, processes, seed 202665272).
        { runs: 40, shrinkRuns: 8, confirmRuns: 3, seed: from },
      );
    // A finding that does not come back is reported unconfirmed and not shrunk: what this test
    // checks (a file that replays) needs a confirmed one, so the search goes on with the next seed.
    let campaign = await search(seed);
    const unconfirmed: number[] = [];
    for (let k = 1; k < 3 && campaign.confirmed === false; k++) {
      unconfirmed.push(campaign.seed);
      campaign = await search(seed + 1_000_003 * k);
    }
    const found = campaign.counterexample;
    expect(found, `quorum-off-by-one survived ${campaign.runs} generated runs (seed ${campaign.seed})`).toBeDefined();
    expect(
      campaign.confirmed,
      `seeds ${[...unconfirmed, campaign.seed].join(", ")}: every finding was a race that did not come back`,
    ).toBe(true);
    const before = campaign.original!.scenario;
    expect(found!.scenario.faults.length).toBeLessThanOrEqual(before.faults.length);
    expect(found!.scenario.users.length).toBeLessThanOrEqual(before.users.length);
    // A quorum one short shows as two owners, or as a lease granted or extended on too few keys
    // to protect it (validity): seed 588350506's first finding is the latter, with either shrinker.
    expect(brokeTheLock(found!), formatRun(found!, `seed ${campaign.seed}`)).toBe(true);
    // The file a bug report would carry, played again: the violation comes back. A timing-bound
    // race may need another try on a busy 2-core host (a counterexample shrunk to a race with no
    // fault at all is the weakest: 0 of 5 replays once on containers); `npm run bench:chaos` counts them.
    const file = JSON.parse(JSON.stringify(found!.scenario)) as ChaosScenario;
    let replayed: ChaosRunResult | undefined;
    for (let attempt = 0; attempt < 10 && !(replayed && foundNews(replayed)); attempt++)
      replayed = await play(file, mutant, undefined);
    expect(foundNews(replayed!), report(replayed!, "--mutant quorum-off-by-one")).toBe(true);
  });

  // One retry: the premise (whether a run fails hardly depends on timing) failed twice in 20 flake
  // runs with a core kept busy — an ok extend came late and the run passed in one of the two plays.
  // The choice of run and the shrink steps given the outcomes are unit-tested (chaos-shrink.test.ts).
  // The engine's choice of run does not depend on the provider: one pass runs it.
  test.skipIf(provider !== "processes")(
    "two runs at a time find the same run of the seed and shrink it to the same counterexample as one at a time (processes pass)",
    {
      timeout: 180_000,
      retry: 1,
    },
    async () => {
      // A mutant every ok extend shows (the expiration does not move), one user, no fault: whether
      // a run fails does not depend on timing (it has an extend or not), so any difference would be
      // the parallelism's. (With up to three users, who won a race decided whether the winner's
      // extend came at all: CI, processes, seed 1620638575, run 0.)
      const mutant = mutantDriver("extend-keeps-expiration");
      const campaign = (parallel: number) =>
        mutantSearch(mutant, { users: { min: 1, max: 1 }, maxFaults: 0 }, { runs: 8, shrinkRuns: 20, parallel });
      const one = await campaign(1);
      const two = await campaign(2);
      expect(one.counterexample, `extend-keeps-expiration survived 8 generated runs (seed ${seed})`).toBeDefined();
      expect(two.path, `seed ${seed}: --parallel 2 reported another run of the search`).toBe(one.path);
      expect(two.original!.scenario).toEqual(one.original!.scenario);
      expect(two.counterexample!.scenario, report(two.counterexample!, "--mutant extend-keeps-expiration")).toEqual(
        one.counterexample!.scenario,
      );
    },
  );

  // Aiming (docs/chaos.md "Coverage and aiming"): on an external fleet the nemesis may not pause
  // its nodes, and a run it cannot play is not a run that met its cell.
  describe.skipIf(provider === "external")("aimed runs", () => {
    test("every run aimed at a cell meets it, as read from what happened: the reference held while another user waited, and a partition fell then", {
      timeout: 90_000,
    }, async () => {
      const { campaign, played } = await aimedReference("partition@holding/contended", shape("assumptions"));
      expect(campaign.counterexample, "the reference shows a defect").toBeUndefined();
      expect(played).toHaveLength(3);
      for (const run of played) {
        expect(run.scenario.aim).toBe("partition@holding/contended");
        expect(
          hitAim(run),
          `${report(run, "--driver reference")}\ncoverage: ${JSON.stringify(run.coverage.cells)}`,
        ).toBe(true);
      }
    });

    test("aimed at a contended acquire with a node paused past the per-node timeout, the generator finds a quorum that counts timeouts as yes votes", {
      timeout: 150_000,
    }, async () => {
      const mutant = mutantDriver("timeout-counts-as-yes");
      // 3 nodes: two users each win one, and both count the paused third (measured on processes:
      // aimed, found within 20 runs on 4 of 4 seeds; the unaimed figures are in docs/chaos.md).
      const campaign = await mutantSearch(
        mutant,
        { nodeCounts: provider === "external" ? [config.nodeCount] : [3] },
        {
          runs: 40,
          shrinkRuns: 0,
          parallel: provider === "processes" ? 3 : 1,
          aim: parseCell("node-pause@acquire-pending/contended")!,
        },
      );
      const found = campaign.original;
      expect(found, `timeout-counts-as-yes survived ${campaign.runs} aimed runs (seed ${seed})`).toBeDefined();
      expect(found!.scenario.aim).toBe("node-pause@acquire-pending/contended");
      expect(brokeTheLock(found!), formatRun(found!, `seed ${seed}`)).toBe(true);
    });
  });

  // Steering's first aim (steer.ts): every phase's most direct fault, contended first — a pending
  // acquire with each racer cut from a minority of its own. Measured: run 1 on seeds 1–5, every
  // node count (docs/chaos.md "Runs to a finding, aiming off and on").
  describe.skipIf(provider === "external")("steered campaigns", () => {
    test("a steered campaign catches a quorum that counts silent nodes as yes votes in its first runs, at the contended acquire it aimed at", {
      timeout: 90_000,
    }, async () => {
      const campaign = await mutantSearch(
        mutantDriver("timeout-counts-as-yes"),
        {},
        { runs: 4, shrinkRuns: 0, steer: true },
      );
      const found = campaign.original;
      expect(found, `timeout-counts-as-yes survived ${campaign.runs} steered runs (seed ${seed})`).toBeDefined();
      expect(found!.scenario.aim).toMatch(/@acquire-pending\/contended$/);
      expect(brokeTheLock(found!), formatRun(found!, `seed ${seed}`)).toBe(true);
    });
  });

  describe.skipIf(provider === "external")("routines under using", () => {
    test("aimed at a routine's process stalled in its first extension, the reference leaves nobody acting on a lock they lost", {
      timeout: 90_000,
    }, async () => {
      const { campaign, played } = await aimedReference("extend-stall@using-extending/contended", {
        ...shape("assumptions"),
        using: true,
      });
      expect(campaign.counterexample, "the reference shows a defect").toBeUndefined();
      for (const run of played) {
        expect(
          hitAim(run),
          `${report(run, "--driver reference")}
coverage: ${JSON.stringify(run.coverage.cells)}`,
        ).toBe(true);
        // The situation happened, and the checker had something to judge: the routine ran, its
        // process was stalled inside it, and the nodes were sampled while it ran.
        const ended = run.history.filter((e) => e.op === "routine" && e.type !== "invoke");
        expect(
          ended.some((e) => (e.stalls ?? []).length > 0),
          report(run, "--driver reference"),
        ).toBe(true);
        expect(run.history.some((e) => e.op === "sample" && e.detail === DURING_ROUTINE)).toBe(true);
        expect(run.verdicts.find((v) => v.checker === "auto-extension")?.result).not.toBe("invalid");
      }
    });

    test("the generator finds a using that never fires its signal, and one that leaves its timer running", {
      timeout: 150_000,
    }, async () => {
      // Both child-process users (the stall needs one); measured in docs/chaos.md.
      const search = (mutation: Parameters<typeof mutantDriver>[0], aim: string) =>
        mutantSearch(
          mutantDriver(mutation),
          { using: true, processes: ["child"] },
          { runs: 10, shrinkRuns: 0, aim: parseCell(aim)! },
        );
      for (const [mutation, aim, kind] of [
        ["using-signal-never-fired", "extend-stall@using-extending/alone", "routine-lost-unsignalled"],
        // A clock step keeps no node from answering: a fault that does makes what the links carry
        // after the call doubtful (a client may send what it queued then), so it cannot show this.
        ["using-timer-left-running", "clock-drift@using-routine/alone", "sent-after-using"],
      ] as const) {
        const campaign = await search(mutation, aim);
        const found = campaign.original;
        expect(found, `${mutation} survived ${campaign.runs} aimed runs (seed ${seed})`).toBeDefined();
        const verdict = found!.violations.find((v) => v.verdict.checker === "auto-extension");
        expect(verdict?.defect, formatRun(found!, `seed ${seed}`)).toBe(true);
        expect(verdict!.verdict.findings.map((f) => f.kind)).toContain(kind);
      }
    });
  });

  // The catalog's known limitations as fixed schedules: beyond the assumptions, each double grant
  // is reported and attributed to the step that made it possible (never a defect, never missed).
  test.for(LIMITATIONS)(
    "%s as a fixed schedule: the double grant is found and attributed to its fault step",
    { timeout: 60_000 },
    async (which, ctx) => {
      const result = await play(limitationScenario(which));
      if (result.unsupported) return ctx.skip(result.unsupported);
      const overlap = result.violations.find((v) => v.verdict.checker === "mutual-exclusion");
      expect(overlap, report(result, "--driver reference")).toBeDefined();
      expect(overlap!.defect, report(result, "--driver reference")).toBe(false);
      expect(overlap!.causes.join("\n")).toMatch(
        which === "SC-8" ? /restart n\d dropping its data/ : /clock of n2 \+5000ms/,
      );
      expect(foundNews(result), report(result, "--driver reference")).toBe(false);
    },
  );

  // Clock skew for real: every node's clock runs fast while a contender waits for the keys to
  // expire. Half the allowance leaves the reference a margin that scheduling noise cannot eat
  // (at the allowance itself it is 2 ms by design; `npm run bench:drift` measures the thresholds).
  test("drift within the allowance never breaks mutual exclusion; a driver without a drift term breaks at the allowance", {
    timeout: 60_000,
  }, async (ctx) => {
    const half = 1 + DRIFT_ALLOWANCE / 2;
    const safe = await play(driftScenario(half));
    if (safe.unsupported) return ctx.skip(safe.unsupported);
    expect(safe.scenario.envelope).toBe("assumptions");
    expect(foundNews(safe), report(safe, "--driver reference")).toBe(false);
    const mutant = mutantDriver("no-drift");
    // Broken: two owners at once, or (from the keys' PTTL in real time) a lease outliving its keys.
    // The overlap's window is about 27 ms against a 10 ms retry, so on a busy 2-core host one try
    // may miss both; up to three (bench:drift counts how often); the reference half above gets one.
    const overlaps = (r: ChaosRunResult) =>
      r.verdicts.some((v) => (v.checker === "mutual-exclusion" || v.checker === "validity") && v.result === "invalid");
    let broken = await play(driftScenario(1 + DRIFT_ALLOWANCE), mutant, undefined);
    for (let attempt = 1; attempt < 3 && !overlaps(broken); attempt++)
      broken = await play(driftScenario(1 + DRIFT_ALLOWANCE), mutant, undefined);
    expect(overlaps(broken), report(broken, "--mutant no-drift")).toBe(true);
  });
});

describe.skipIf(inject("provider") !== "processes")(
  "sharded campaigns (processes pass: the division is provider-independent)",
  () => {
    const cli = (script: string, args: string[]) =>
      new Promise<{ status: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
          env: { ...process.env, TSX_TSCONFIG_PATH: "tsconfig.runtime.json", REDIS_PROVIDER: "processes" },
        });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (status) => resolve({ status, output }));
      });
    interface Results {
      defect: boolean;
      runs: { generated: number };
      perRun: Array<{
        phase: string;
        nodes: number;
        users: number;
        faultSteps: number;
        verdicts: Record<string, string>;
      }>;
    }
    const read = (dir: string) => JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Results;
    const runsOf = (r: Results) =>
      r.perRun
        .filter((run) => run.phase === "generated")
        // The same scenarios, judged alike: a checker's "unknown" (a fault touched a key's node, a
        // race with real time decided it) and "valid" both say no defect, and which one a run gets
        // can differ between two plays of one scenario; "invalid" must agree exactly.
        .map((run) =>
          JSON.stringify([
            run.nodes,
            run.users,
            run.faultSteps,
            Object.entries(run.verdicts)
              .filter(([, v]) => v === "invalid")
              .map(([checker]) => checker),
          ]),
        )
        .sort();

    test("two shards merged give the unsharded campaign's runs and verdicts; the merge refuses a part of another campaign", {
      timeout: 240_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), "rc-shards-"));
      try {
        const common = ["--driver", "reference", "--runs", "4", "--seed", String(seed), "--ttl", "300-900"];
        const shard = (i: number) => [...common, "--shard", `${i}/2`, "--out", join(root, `part-${i}`)];
        // Side by side: the campaigns wait on ttls. (Once, so, the reference showed a double grant
        // that was the history's: a child's release stamped when its death was noticed — fixed,
        // see docs/chaos.md.)
        const [whole, part1, part2, other] = await Promise.all([
          cli("scripts/chaos.ts", [...common, "--out", join(root, "whole")]),
          cli("scripts/chaos.ts", shard(1)),
          cli("scripts/chaos.ts", shard(2)),
          cli("scripts/chaos.ts", [
            ...common.slice(0, -2),
            "--ttl",
            "300-800",
            "--shard",
            "2/2",
            "--out",
            join(root, "other"),
          ]),
        ]);
        expect(whole.status, whole.output).toBe(0);
        for (const [i, part] of [part1, part2].entries()) {
          expect(part.status, part.output).toBe(0);
          expect(read(join(root, `part-${i + 1}`)).runs.generated).toBe(2);
        }
        expect(other.status, other.output).toBe(0);
        // Given in either order: the same merged campaign.
        const merged = await cli("scripts/merge.ts", [
          join(root, "part-2"),
          join(root, "part-1"),
          "--out",
          join(root, "merged"),
        ]);
        expect(merged.status, merged.output).toBe(0);
        expect(runsOf(read(join(root, "merged")))).toEqual(runsOf(read(join(root, "whole"))));
        expect(read(join(root, "merged")).defect).toBe(false);
        expect(readFileSync(join(root, "merged", "report.html"), "utf8")).toContain("<html");
        const refused = await cli("scripts/merge.ts", [join(root, "part-1"), join(root, "other")]);
        expect(refused.status, refused.output).toBe(2);
        expect(refused.output).toMatch(/is not a part of the same campaign as .*flags/);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  },
);
