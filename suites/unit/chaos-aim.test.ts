import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { aimScenario, nextAim } from "../../fixtures/chaos/aim.ts";
import { scenarioArb } from "../../fixtures/chaos/arbitraries.ts";
import { aimSeed } from "../../fixtures/chaos/campaign.ts";
import { cellId, parseCell, reachableCells, type Cell } from "../../fixtures/chaos/coverage.ts";
import { chaosArgs, replayLines } from "../../fixtures/chaos/options.ts";
import { monotonicMs, sleep } from "../../fixtures/core/clock.ts";
import type { RedisNode } from "../../fixtures/core/nodes.ts";
import {
  formatStep,
  outsideAssumptions,
  parseScenario,
  type ChaosScenario,
  type FaultStep,
} from "../../fixtures/core/scenario.ts";
import { OperationBoard } from "../../fixtures/history/activity.ts";
import { Nemesis } from "../../fixtures/nemesis/nemesis.ts";

const generated = (seed: number, envelope: ChaosScenario["envelope"] = "assumptions") =>
  fc.sample(scenarioArb({ envelope, ttl: { min: 200, max: 700 } }), { seed, numRuns: 1 })[0]!;

const cell = (id: string): Cell => {
  const parsed = parseCell(id);
  if (!parsed) throw new Error(`not a cell: ${id}`);
  return parsed;
};

/** The step aiming added (anchored); the rest are the generated scenario's. */
const anchoredOf = (s: ChaosScenario) => s.faults.filter((f) => f.anchor !== undefined);

describe("aiming a generated scenario at a coverage cell", () => {
  test("one step of the cell's kind, anchored to its phase; contended: two users on one resource starting together", () => {
    const source = generated(3);
    const aimed = aimScenario(source, cell("node-pause@acquire-pending/contended"), 11, { children: true })!;
    expect(aimed.aim).toBe("node-pause@acquire-pending/contended");
    expect(anchoredOf(aimed)).toHaveLength(1);
    // Every other step is the generated scenario's own, kept where it still fits.
    const added = JSON.stringify(anchoredOf(aimed)[0]);
    for (const f of aimed.faults.filter((x) => JSON.stringify(x) !== added))
      expect(source.faults.map((x) => JSON.stringify(x))).toContain(JSON.stringify(f));
    expect(anchoredOf(aimed)[0]).toMatchObject({
      kind: "node-pause",
      at: 0,
      anchor: { user: aimed.users[0]!.id, phase: "acquire", users: 2, delayMs: 0 },
    });
    expect(aimed.users).toHaveLength(2);
    expect(aimed.users[1]!.resources).toEqual(aimed.users[0]!.resources);
    expect(aimed.users[1]!.cycles[0]!.thinkMs).toBe(aimed.users[0]!.cycles[0]!.thinkMs);
    // A saved aimed scenario is a valid replay file.
    expect(parseScenario(JSON.stringify(aimed), "aimed")).toEqual(aimed);
  });

  test("alone: the target user only; extend phases make its first cycle extend; client faults make it a child", () => {
    const aimed = aimScenario(generated(4), cell("client-stall@extend-pending/alone"), 5, { children: true })!;
    expect(aimed.users).toHaveLength(1);
    expect(aimed.users[0]).toMatchObject({ process: "child" });
    expect(aimed.users[0]!.cycles[0]).toMatchObject({ extend: true, late: "none" });
    expect(anchoredOf(aimed)[0]).toMatchObject({
      kind: "client-stall",
      user: aimed.users[0]!.id,
      anchor: { phase: "extend" },
    });
    expect(
      aimScenario(generated(4), cell("client-stall@extend-pending/alone"), 5, { children: false }),
    ).toBeUndefined();
  });

  test("holding, extend and release: the target holds at least half its ttl, so the rival (20 ms behind) meets the phase", () => {
    for (let seed = 0; seed < 20; seed++)
      for (const phase of ["holding", "extend-pending", "release"] as const) {
        const aimed = aimScenario(generated(seed), cell(`partition@${phase}/contended`), 1, { children: true })!;
        const [target, rival] = aimed.users;
        expect(target!.cycles[0]!.holdMs).toBeGreaterThanOrEqual(target!.ttlMs / 2);
        expect(rival!.cycles[0]!.thinkMs).toBe(target!.cycles[0]!.thinkMs + 20);
      }
  });

  test("retry: the rival starts first and holds, so the target's first attempt is refused and it retries", () => {
    const aimed = aimScenario(generated(8), cell("partition@acquire-retry/contended"), 2, { children: true })!;
    const [target, rival] = aimed.users;
    expect(rival!.cycles[0]!.thinkMs).toBeLessThan(target!.cycles[0]!.thinkMs);
    expect(target!.retry.retryCount).toBeGreaterThanOrEqual(2);
    expect(anchoredOf(aimed)[0]).toMatchObject({ kind: "partition", user: target!.id });
  });

  test("an acquire-stall is armed from the start (it fires at the quorum of the next winning acquire), not anchored", () => {
    const aimed = aimScenario(generated(9), cell("acquire-stall@acquire-deciding/contended"), 2, { children: true })!;
    const stalls = aimed.faults.filter((f) => f.kind === "acquire-stall" && f.at === 0);
    expect(stalls.length).toBeGreaterThan(0);
    expect(stalls[0]).toMatchObject({ kind: "acquire-stall", at: 0, user: aimed.users[0]!.id });
    expect(stalls[0]!.anchor).toBeUndefined();
    expect(anchoredOf(aimed)).toHaveLength(0);
  });

  test("deterministic in (scenario, cell, seed), and inside the assumptions for every reachable cell", () => {
    const cells = reachableCells({
      kinds: ["node-pause", "partition", "clock-jump", "node-down", "client-pause", "latency"],
      contention: true,
      children: true,
    });
    for (let seed = 0; seed < 12; seed++) {
      const s = generated(seed);
      for (const c of cells) {
        const a = aimScenario(s, c, aimSeed(seed, 3), { children: true });
        expect(a, `${cellId(c)} on seed ${seed}`).toBeDefined();
        expect(aimScenario(s, c, aimSeed(seed, 3), { children: true })).toEqual(a);
        expect(outsideAssumptions(a!), `${cellId(c)} on seed ${seed}`).toEqual([]);
      }
    }
  });

  test("steering: uncovered cells in turn, then the least covered", () => {
    const cells = reachableCells({ kinds: ["node-pause"], contention: false, children: false });
    const covered = { cells: { [cellId(cells[0]!)]: 2, [cellId(cells[1]!)]: 1 }, shares: {} };
    expect(cellId(nextAim(cells, covered, 0)!)).toBe(cellId(cells[2]!));
    expect(cellId(nextAim(cells, covered, 1)!)).toBe(cellId(cells[3]!));
    const all = { cells: Object.fromEntries(cells.map((c, i) => [cellId(c), i === 4 ? 1 : 3])), shares: {} };
    expect(cellId(nextAim(cells, all, 7)!)).toBe(cellId(cells[4]!));
  });
});

describe("anchored steps", () => {
  const pause: FaultStep = {
    at: 0,
    kind: "node-pause",
    node: 0,
    forMs: 40,
    anchor: { user: "c1", phase: "extend", users: 2, delayMs: 5 },
  };

  test("as words, and checked in a replay file", () => {
    expect(formatStep(pause)).toBe("t≥0ms pause n0 40ms (once c1 is in extend with 2+ users busy, +5ms)");
    const s: ChaosScenario = {
      ...generated(1),
      faults: [{ ...pause, anchor: { user: "c9", phase: "napping" as "extend", users: 0, delayMs: -1 } }],
    };
    expect(() => parseScenario(JSON.stringify(s), "f.json")).toThrow(
      /anchor.user must be "any" or a user in users[\s\S]*anchor.phase must be one of acquire, extend, release, holding[\s\S]*anchor.users must be a count[\s\S]*anchor.delayMs/,
    );
  });

  test("the envelope counts an anchored step as in force from its at on: it may meet any later step", () => {
    const s = generated(1);
    const nodes = 3;
    const later: FaultStep = { at: 5000, kind: "node-pause", node: 1, forMs: 10 };
    const scenario = { ...s, nodes, mix: s.mix.slice(0, 3), faults: [pause, later] };
    expect(outsideAssumptions(scenario).join("\n")).toMatch(/2 nodes faulty at once/);
    expect(outsideAssumptions({ ...scenario, faults: [{ ...pause, anchor: undefined } as FaultStep, later] })).toEqual(
      [],
    );
  });

  test("the board: who is in which call, holding, and how many are busy on a resource", () => {
    const board = new OperationBoard();
    board.begin("c1", "acquire", ["rc:a"]);
    board.begin("c2", "acquire", ["rc:a"]);
    board.begin("c3", "acquire", ["rc:b"]);
    expect(board.matching("acquire", "any", 2)).toEqual(["c1", "c2"]);
    board.end("c1", "acquire", true);
    board.end("c2", "acquire", false);
    expect(board.phaseOf("c1")).toBe("holding");
    expect(board.phaseOf("c2")).toBeUndefined();
    expect(board.busyWith("c1")).toBe(1);
    board.gone("c1");
    expect(board.phaseOf("c1")).toBeUndefined();
  });

  test("the nemesis applies an anchored step when its anchor holds, for its length from then; one that never holds is not reached", async () => {
    const calls: Array<[string, number]> = [];
    const node = {
      pause: async () => void calls.push(["pause", monotonicMs()]),
      resume: async () => void calls.push(["resume", monotonicMs()]),
    } as unknown as RedisNode;
    const board = new OperationBoard();
    const nemesis = new Nemesis({ nodes: [node], links: () => [], child: () => undefined, board });
    const never: FaultStep = { ...pause, anchor: { user: "c1", phase: "release", users: 1, delayMs: 0 } };
    const origin = monotonicMs();
    const running = nemesis.run([pause, never], origin);
    await sleep(20);
    board.begin("c1", "acquire", ["rc:a"]);
    board.end("c1", "acquire", true);
    board.begin("c2", "acquire", ["rc:a"]);
    await sleep(20);
    expect(calls).toEqual([]); // c1 holds, but is not in extend yet
    const extendAt = monotonicMs();
    board.begin("c1", "extend", ["rc:a"]);
    await sleep(100);
    nemesis.stop();
    await running;
    expect(calls.map(([what]) => what)).toEqual(["pause", "resume"]);
    const [[, paused], [, resumed]] = calls as [[string, number], [string, number]];
    // After the anchor held (the delay itself is a timer's: libuv's cached loop time can fire a
    // few-ms timer a ms or two early by this clock), and for its length from when it began.
    expect(paused).toBeGreaterThan(extendAt);
    // 40 ms from when it began, not from the schedule (that would heal it at once, ~0 ms): the
    // threshold sits halfway, far from both whatever a busy host does to the timer.
    expect(resumed - paused, `paused for ${(resumed - paused).toFixed(1)} ms`).toBeGreaterThanOrEqual(20);
    const [applied, notReached] = nemesis.record;
    expect(applied!.anchoredOn).toBe("c1");
    expect(notReached!.error).toMatch(/^not reached: its anchor \(once c1 is in release\) never held/);
  });
});

describe("--aim, --steer, --until-coverage", () => {
  test("a cell is checked, steering excludes --aim, --replay, --path and --shard, and coverage is a percentage", () => {
    expect(chaosArgs({ aim: "node-pause@acquire-pending/contended" }).args.aim).toEqual(
      cell("node-pause@acquire-pending/contended"),
    );
    expect(chaosArgs({ aim: "pause@acquire/2" }).problems[0]).toMatch(
      /--aim pause@acquire\/2 is not a coverage cell: kind@phase\/contention/,
    );
    expect(chaosArgs({ untilCoverage: "60%" }).args).toMatchObject({ steer: true, untilCoverage: 0.6 });
    expect(chaosArgs({ untilCoverage: "0" }).problems).toHaveLength(1);
    expect(chaosArgs({ steer: true, aim: "node-pause@holding/alone" }).problems[0]).toMatch(/give one/);
    expect(chaosArgs({ steer: true, replay: "x.json" }).problems[0]).toMatch(/neither --replay nor --path/);
    expect(chaosArgs({ steer: true, shard: "1/2" }).problems[0]).toMatch(/a shard cannot see/);
  });

  test("a steered run's finding replays with its own cell; a steered campaign's line steers again", () => {
    const { args } = chaosArgs({ untilCoverage: "80", users: "2-3" });
    const lines = replayLines(args, "--driver reference");
    expect(lines.search({ seed: 7, batchRuns: 30, path: 4, aim: "partition@holding/contended" })).toBe(
      "npm run chaos -- --driver reference --envelope assumptions --runs 30 --seed 7 --users 2-3 --path 4 --aim partition@holding/contended",
    );
    expect(lines.campaign(7, 30, 30)).toBe(
      "npm run chaos -- --driver reference --envelope assumptions --runs 30 --seed 7 --users 2-3 --until-coverage 80",
    );
  });
});
