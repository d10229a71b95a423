import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { aimScenario } from "../../fixtures/chaos/aim.ts";
import { ACTS_ON, nextAim } from "../../fixtures/chaos/steer.ts";
import { scenarioArb } from "../../fixtures/chaos/arbitraries.ts";
import { aimSeed } from "../../fixtures/chaos/campaign.ts";
import { cellId, PHASES, parseCell, reachableCells, type Cell } from "../../fixtures/chaos/coverage.ts";
import { chaosArgs, replayLines } from "../../fixtures/chaos/options.ts";
import { monotonicMs, sleep } from "../../fixtures/core/clock.ts";
import type { RedisNode } from "../../fixtures/core/nodes.ts";
import {
  FAULT_KINDS,
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
  test("the cell's kind, anchored to its phase, on a minority of the nodes while replies are pending; contended: users on one resource starting together", () => {
    const source = generated(3);
    const aimed = aimScenario(source, cell("node-pause@acquire-pending/contended"), 11, { children: true })!;
    expect(aimed.aim).toBe("node-pause@acquire-pending/contended");
    const minority = aimed.nodes - Math.floor(aimed.nodes / 2) - 1;
    expect(anchoredOf(aimed)).toHaveLength(minority);
    expect(new Set(anchoredOf(aimed).map((f) => ("node" in f ? f.node : -1))).size).toBe(minority);
    // Every other step is the generated scenario's own, kept where it still fits.
    const added = new Set(anchoredOf(aimed).map((f) => JSON.stringify(f)));
    for (const f of aimed.faults.filter((x) => !added.has(JSON.stringify(x))))
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

  test("breadth: a third user on the resource races a contended acquire, users on other resources go on as drawn", () => {
    let raced = 0;
    let apart = 0;
    for (let seed = 0; seed < 60; seed++) {
      const source = fc.sample(
        scenarioArb({
          envelope: "assumptions",
          ttl: { min: 200, max: 700 },
          multiResource: true,
          users: { min: 3, max: 4 },
        }),
        { seed, numRuns: 1 },
      )[0]!;
      const aimed = aimScenario(source, cell("node-pause@acquire-pending/contended"), 1, { children: true })!;
      const [target, ...rest] = aimed.users;
      const sharing = rest.filter((u) => u.resources.some((r) => target!.resources.includes(r)));
      expect(sharing.length).toBeLessThanOrEqual(2);
      for (const u of sharing) expect(u.cycles[0]!.thinkMs).toBe(target!.cycles[0]!.thinkMs);
      if (sharing.length === 2) raced++;
      for (const u of rest.filter((x) => !sharing.includes(x))) {
        expect(u).toEqual(source.users.find((x) => x.id === u.id));
        apart++;
      }
    }
    expect(raced).toBeGreaterThan(10);
    expect(apart).toBeGreaterThan(5);
  });

  test("stale calls: a contended release comes after the target's lease ran out on two seeds of three, the rival retrying fast enough to hold by then", () => {
    const lates = [0, 1, 2, 3, 4, 5].map((seed) => {
      const aimed = aimScenario(generated(seed), cell("node-pause@release/contended"), seed, { children: true })!;
      const [target, rival] = aimed.users;
      expect(rival!.retry.retryDelay).toBeLessThanOrEqual(20);
      expect(rival!.retry.retryCount * rival!.retry.retryDelay).toBeGreaterThanOrEqual(target!.ttlMs);
      return target!.cycles[0]!.late;
    });
    expect(lates).toEqual(["none", "release", "release", "none", "release", "release"]);
  });

  test("a contended extend: late on one seed of three; on the others in time, its handle extended again after its release while the rival holds, the silence over by then", () => {
    const shapes = [0, 1, 2, 3, 4, 5].map((seed) => {
      const aimed = aimScenario(generated(seed), cell("node-pause@extend-pending/contended"), seed, {
        children: true,
      })!;
      const target = aimed.users[0]!;
      const first = target.cycles[0]!;
      if (first.late === "reuse") {
        expect(first.extend).toBe(true);
        // The extend at 0.4 ttl, the release at 0.8: half the extended lease is left to reuse.
        expect(first.holdMs).toBeLessThanOrEqual(
          Math.max(Math.ceil(target.ttlMs * 0.8), 200, target.retry.retryDelay + target.retry.retryJitter + 70),
        );
        expect(anchoredOf(aimed).length).toBeGreaterThan(0);
        for (const f of anchoredOf(aimed)) expect(f).toMatchObject({ forMs: Math.ceil(target.ttlMs / 3) });
        // The acquisition's own cut (withFirstCut) shapes the extend in time.
        expect(
          aimed.faults.filter((f) => f.kind === "node-pause" && !f.anchor && f.at < first.thinkMs + 1).length,
        ).toBeGreaterThan(0);
      }
      return first.late;
    });
    expect(shapes).toEqual(["extend", "reuse", "reuse", "extend", "reuse", "reuse"]);
  });

  test("a contended extend held at its quorum is granted late, inside its lease (45–75 % of the ttl); alone, it is as drawn (mostly past the lease)", () => {
    for (let seed = 0; seed < 8; seed++) {
      const aimed = aimScenario(generated(9), cell("extend-stall@extend-deciding/contended"), seed, {
        children: true,
      })!;
      const target = aimed.users[0]!;
      const stall = aimed.faults.find((f) => f.kind === "extend-stall" && f.user === target.id)!;
      expect("forMs" in stall && stall.forMs / target.ttlMs).toBeGreaterThanOrEqual(0.45);
      expect("forMs" in stall && stall.forMs / target.ttlMs).toBeLessThanOrEqual(0.76);
    }
    const alone = aimScenario(generated(9), cell("extend-stall@extend-deciding/alone"), 3, { children: true })!;
    const stall = alone.faults.find((f) => f.kind === "extend-stall" && f.user === alone.users[0]!.id)!;
    expect("forMs" in stall && stall.forMs / alone.users[0]!.ttlMs).toBeGreaterThanOrEqual(0.8);
  });

  test("a held lease under drifting clocks: every node fast at the allowance from the start, the campaign's longest lease held past its end, the rival retrying every 2 ms", () => {
    for (let seed = 0; seed < 6; seed++) {
      const source = generated(seed);
      const aimed = aimScenario(source, cell("clock-drift@holding/contended"), seed, {
        children: true,
        maxTtlMs: 700,
      })!;
      const [target, rival] = aimed.users;
      const drifts = aimed.faults.filter((f) => f.kind === "clock-drift");
      expect(drifts.map((f) => ("node" in f ? f.node : -1)).sort()).toEqual(
        Array.from({ length: aimed.nodes }, (_, i) => i),
      );
      for (const f of drifts) expect(f).toMatchObject({ at: 0, rate: 1.01 });
      for (const f of drifts) expect(f.anchor).toBeUndefined();
      // The longest lease the campaign draws (generated: 200–700 ms).
      expect(target!.ttlMs).toBe(700);
      expect(target!.cycles[0]).toMatchObject({ extend: false, late: "none" });
      expect(target!.cycles[0]!.holdMs).toBeGreaterThan(target!.ttlMs);
      expect(rival!.retry).toMatchObject({ retryDelay: 2, retryJitter: 0 });
      expect(rival!.retry.retryCount * 2).toBeGreaterThanOrEqual(Math.min(2000, target!.ttlMs * 2));
      expect(outsideAssumptions(aimed)).toEqual([]);
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

  test("steering: every phase with its most direct fault first (all contended, then all alone), twice, then the next kinds, then the rest", () => {
    const reachable = reachableCells({ kinds: FAULT_KINDS, contention: true, children: true, using: true });
    const none = { cells: {}, shares: {} };
    const aims: Record<string, number> = {};
    const order: string[] = [];
    for (let i = 0; i < reachable.length * 3; i++) {
      const next = nextAim(reachable, none, aims)!;
      aims[cellId(next)] = (aims[cellId(next)] ?? 0) + 1;
      order.push(cellId(next));
    }
    const pairs = PHASES.length * 2;
    expect(order.slice(0, 6)).toEqual([
      "blackhole@acquire-pending/contended",
      "acquire-stall@acquire-deciding/contended",
      "node-pause@extend-pending/contended",
      "extend-stall@extend-deciding/contended",
      "node-pause@release/contended",
      "clock-drift@holding/contended",
    ]);
    expect(order[PHASES.length]).toBe("blackhole@acquire-pending/alone");
    const first = order.slice(0, pairs);
    for (const phase of PHASES)
      for (const contention of ["contended", "alone"])
        expect(first).toContain(`${ACTS_ON[phase][0]}@${phase}/${contention}`);
    // The same cells again before any second kind.
    expect(order.slice(pairs, 2 * pairs).sort()).toEqual([...first].sort());
    expect(order[2 * pairs]).toBe(`${ACTS_ON["acquire-pending"][1]}@acquire-pending/contended`);
    // Every reachable cell is aimed at in time, and the direct ones more often.
    expect(new Set(order).size).toBe(reachable.length);
    expect(aims["blackhole@acquire-pending/contended"]).toBeGreaterThan(aims["clock-drift@release/alone"]!);
  });

  test("steering: a blunt cell met by chance is a little less due than one never met, a direct one is not; without client kinds a phase may have none", () => {
    const reachable = reachableCells({ kinds: ["node-pause", "blackhole"], contention: false, children: false });
    // A direct cell is aimed at though a run met it by chance; a blunt one met by chance waits.
    const met = { cells: { "blackhole@acquire-pending/alone": 1, "node-pause@acquire-deciding/alone": 1 }, shares: {} };
    expect(cellId(nextAim(reachable, met, {})!)).toBe("blackhole@acquire-pending/alone");
    // acquire-deciding's direct kinds are the process's: none reachable, both are blunt there.
    const deciding = reachable.filter((c) => c.phase === "acquire-deciding");
    expect(cellId(nextAim(deciding, met, {})!)).toBe("blackhole@acquire-deciding/alone");
    expect(nextAim([], met, {})).toBeUndefined();
    // Run until a coverage share, the cells never met come first.
    expect(cellId(nextAim(reachable, met, {}, { uncoveredFirst: true })!)).toBe("node-pause@extend-pending/alone");
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
