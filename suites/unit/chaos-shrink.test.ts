import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { scenarioArb } from "../../fixtures/chaos/arbitraries.ts";
import { chunks, ddmin, firstFailingOf } from "../../fixtures/chaos/ddmin.ts";
import { generatedScenarios } from "../../fixtures/chaos/generate.ts";
import { inOrder } from "../../fixtures/chaos/in-order.ts";
import type { ChaosRunResult } from "../../fixtures/chaos/run.ts";
import { idleSteps, shifted, shrinkFailure, withCycles, withUsers } from "../../fixtures/chaos/shrink.ts";
import type { ChaosScenario, FaultStep } from "../../fixtures/core/scenario.ts";

/** Resolves after a few ms drawn from the value, so that runs finish out of order. */
const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const jitter = (i: number, parallel: number) => ((i * 7919 + parallel * 104_729) % 13) + 1;

describe("in order, several at a time", () => {
  test("results are judged in the tasks' order whatever order they finish in; a stop leaves the rest unjudged", async () => {
    for (const parallel of [1, 2, 3, 5]) {
      const judged: number[] = [];
      const unjudged = await inOrder(
        Array.from({ length: 10 }, (_, i) => i),
        parallel,
        (i) => later(i * 10, 20 - 2 * i),
        (i) => {
          judged.push(i);
          return i !== 4;
        },
      );
      expect(judged).toEqual([0, 1, 2, 3, 4]);
      // What had been taken past the stop (ahead, while task 0 was slow): played, never judged.
      expect(unjudged.map((u) => u.task)).toEqual(unjudged.map((_, k) => 5 + k));
      if (parallel === 1) expect(unjudged).toEqual([]);
    }
  });

  test("never more than `parallel` tasks at once; a thrown task is rethrown once the others are done", async () => {
    let running = 0;
    let most = 0;
    let settled = 0;
    const run = async (i: number) => {
      running++;
      most = Math.max(most, running);
      await later(undefined, jitter(i, 3));
      running--;
      settled++;
      if (i === 2) throw new Error("fleet gone");
      return i;
    };
    await expect(inOrder([0, 1, 2, 3, 4, 5, 6], 3, run, () => true)).rejects.toThrow("fleet gone");
    expect(most).toBe(3);
    expect(running).toBe(0);
    expect(settled).toBeGreaterThanOrEqual(3);
  });
});

describe("ddmin over fault steps", () => {
  test("chunks split evenly, keeping order", () => {
    expect(chunks([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
      [8, 9],
    ]);
    expect(chunks([1, 2], 2)).toEqual([[1], [2]]);
  });

  /** A failure that needs steps 3 and 7 of ten, evaluated with delays that reorder completions. */
  const needs3and7 = async (parallel: number) => {
    const taken: number[][] = [];
    let evaluated = 0;
    const fails = async (c: readonly number[]) => {
      evaluated++;
      return later(c.includes(3) && c.includes(7), jitter(c.length + c[0]!, parallel));
    };
    const first = firstFailingOf(fails, parallel);
    const result = await ddmin(
      Array.from({ length: 10 }, (_, i) => i),
      async (candidates) => {
        const found = await first(candidates);
        if (found !== undefined) taken.push([...candidates[found]!]);
        return found;
      },
      { tryEmpty: true },
    );
    return { result, taken, evaluated };
  };

  test("finds the 2-step minimum of a 10-step failing schedule, halves first", async () => {
    const { result, taken, evaluated } = await needs3and7(1);
    expect(result).toEqual([3, 7]);
    // The first cut taken already drops three steps at once (a complement of a quarter).
    expect(taken[0]).toEqual([3, 4, 5, 6, 7, 8, 9]);
    // Fewer evaluations than trying every subset, and few enough for a real budget.
    expect(evaluated).toBeLessThan(40);
  });

  test("the result and every step taken are the same whatever the parallelism", async () => {
    const one = await needs3and7(1);
    for (const parallel of [2, 3, 4, 8]) {
      const many = await needs3and7(parallel);
      expect(many.result).toEqual(one.result);
      expect(many.taken).toEqual(one.taken);
      // Evaluating ahead costs runs, never the answer.
      expect(many.evaluated).toBeGreaterThanOrEqual(one.evaluated);
    }
  });

  test("a failure without any step shrinks to none; minSize keeps at least that many", async () => {
    const always = firstFailingOf(async () => true, 2);
    expect(await ddmin([1, 2, 3, 4], always, { tryEmpty: true })).toEqual([]);
    expect(await ddmin([1, 2, 3, 4], always, { minSize: 1 })).toHaveLength(1);
  });

  test("a budget stops the evaluation: what was taken so far stands", async () => {
    let left = 3;
    const first = firstFailingOf(
      async (c: readonly number[]) => c.includes(3) && c.includes(7),
      1,
      () => left-- > 0,
    );
    const result = await ddmin(
      Array.from({ length: 10 }, (_, i) => i),
      first,
    );
    expect(result.length).toBeGreaterThan(2);
    expect(result).toContain(3);
    expect(result).toContain(7);
  });
});

describe("shrinking a scenario", () => {
  const steps: FaultStep[] = Array.from({ length: 10 }, (_, i) => ({
    at: i * 100,
    kind: "latency",
    node: 0,
    user: "all",
    ms: 20,
    jitterMs: 0,
    direction: "both",
    forMs: 50,
  }));
  const scenario: ChaosScenario = {
    version: 1,
    envelope: "assumptions",
    nodes: 5,
    mix: Array(5).fill("ioredis"),
    users: ["c1", "c2", "c3"].map((id) => ({
      id,
      process: "in-process" as const,
      resources: ["rc:a"],
      ttlMs: 500,
      retry: { retryCount: 2, retryDelay: 50, retryJitter: 0 },
      fenced: false,
      cycles: [0, 1].map((k) => ({ thinkMs: 50 * k, holdMs: 100, extend: false, late: "none" as const })),
    })),
    faults: steps,
  };
  const result = (s: ChaosScenario, failed: boolean): ChaosRunResult => ({
    scenario: s,
    verdicts: [],
    violations: failed
      ? [{ verdict: { checker: "mutual-exclusion", result: "invalid", findings: [] }, causes: [], defect: true }]
      : [],
    history: [],
    // Steps past 800 ms are never reached: every user had finished.
    faults: s.faults.map((step) =>
      step.at < 800
        ? { step, line: "", began: step.at, ended: step.at + 50 }
        : { step, line: "", error: "not reached: every user had finished" },
    ),
    origin: 0,
    ms: 1000,
    details: "",
    coverage: { cells: {}, shares: {} },
  });
  /**
   * Fails when the steps at 300 and 700 ms (give or take `slackMs`: a confirmation plays them a
   * little earlier or later) and users c1, c2 are there (any cycles).
   */
  const fake = (slackMs = 20) => {
    const played: ChaosScenario[] = [];
    const near = (ats: number[], t: number) => ats.some((at) => Math.abs(at - t) <= slackMs);
    const play = async (s: ChaosScenario) => {
      played.push(s);
      const ats = s.faults.map((f) => f.at);
      const ids = s.users.map((u) => u.id);
      await later(undefined, jitter(ats.length + ids.length, played.length));
      return result(s, near(ats, 300) && near(ats, 700) && ids.includes("c1") && ids.includes("c2"));
    };
    return { played, play };
  };

  test("steps that did nothing are known from the run; users and cycles go with their steps", () => {
    expect(idleSteps(result(scenario, true).faults).map((f) => f.at)).toEqual([800, 900]);
    const aimed = { ...scenario, faults: [{ at: 0, kind: "client-crash" as const, user: "c3" }, ...steps] };
    expect(withUsers(aimed, ["c1", "c2"]).faults).toHaveLength(10);
    // A node step anchored to c3 goes with c3; one anchored to any user stays.
    const anchor = { phase: "acquire" as const, users: 1, delayMs: 0 };
    const anchored = {
      ...scenario,
      faults: [
        { at: 0, kind: "node-pause" as const, node: 0, forMs: 10, anchor: { ...anchor, user: "c3" } },
        { at: 0, kind: "node-pause" as const, node: 1, forMs: 10, anchor: { ...anchor, user: "any" } },
      ],
    };
    expect(withUsers(anchored, ["c1", "c2"]).faults.map((f) => f.anchor?.user)).toEqual(["any"]);
    expect(withCycles(scenario, [["c1", 0]])).toBeUndefined();
    expect(
      withCycles(scenario, [
        ["c1", 1],
        ["c2", 0],
        ["c3", 0],
      ])?.users[0]?.cycles[0]?.thinkMs,
    ).toBe(50);
  });

  test("down to the two steps, two users and a cycle each that fail, the same for any parallelism", async () => {
    const outcomes = [];
    for (const parallel of [1, 2, 4]) {
      const { play, played } = fake();
      const shrunk = await shrinkFailure(result(scenario, true), { play, parallel, budget: 200, confirmRuns: 1 });
      const s = shrunk.counterexample.scenario;
      expect(s.faults.map((f) => f.at)).toEqual([300, 700]);
      expect(s.users.map((u) => u.id)).toEqual(["c1", "c2"]);
      expect(s.users.map((u) => u.cycles.length)).toEqual([1, 1]);
      expect(shrunk.budgetUsed).toBe(false);
      expect(shrunk.runs).toBe(played.length);
      outcomes.push(s);
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  test("a run that failed with a step in force keeps one: a fault-free race replays only under the timing it was found in", async () => {
    // Fails whatever is left (a race that needs no fault): shrinking still keeps one active step.
    const always = async (s: ChaosScenario) => result(s, true);
    const shrunkFrom = (s: ChaosScenario) =>
      shrinkFailure(result(s, true), { play: always, parallel: 1, budget: 200, confirmRuns: 1 });
    expect((await shrunkFrom(scenario)).counterexample.scenario.faults).toHaveLength(1);
    // A run that failed with no step in force shrinks to none.
    const idleOnly = { ...scenario, faults: scenario.faults.filter((f) => f.at >= 800) };
    expect((await shrunkFrom(idleOnly)).counterexample.scenario.faults).toHaveLength(0);
  });

  test("a candidate is confirmed with its timed steps 10 ms later, earlier, then as they are: a failure that needs a fault to the ms is not taken", async () => {
    const { play } = fake(0);
    const shrunk = await shrinkFailure(result(scenario, true), { play, parallel: 1, budget: 200, confirmRuns: 3 });
    // Only the first play of a candidate meets its steps to the ms: no candidate is taken.
    expect(shrunk.shrinks).toBe(0);
    expect(shrunk.counterexample.scenario).toEqual(scenario);
    const robust = fake(10);
    const taken = await shrinkFailure(result(scenario, true), {
      play: robust.play,
      parallel: 1,
      budget: 400,
      confirmRuns: 3,
    });
    expect(taken.counterexample.scenario.faults.map((f) => f.at)).toEqual([300, 700]);
    // The confirmations of the candidate taken: +10, −10, then as it is; anchored steps stay put.
    const confirmations = robust.played.filter((s) => s.faults.length === 2 && s.users.length === 2);
    expect(confirmations.slice(-4).map((s) => s.faults.map((f) => f.at))).toEqual([
      [300, 700],
      [310, 710],
      [290, 690],
      [300, 700],
    ]);
    const anchored = {
      ...scenario,
      faults: [{ ...steps[0]!, anchor: { user: "c1", phase: "acquire" as const, users: 1, delayMs: 0 } }, steps[3]!],
    };
    expect(shifted(anchored, -500).faults.map((f) => f.at)).toEqual([0, 1]);
    expect(shifted(anchored, 10).faults.map((f) => f.at)).toEqual([0, 310]);
    // A step at 0 is in place from the start (a split vote's cuts): it stays where it is.
    const fromStart = { ...scenario, faults: [steps[0]!, steps[3]!] };
    expect(shifted(fromStart, 10).faults.map((f) => f.at)).toEqual([0, 310]);
    expect(shifted(fromStart, -10).faults.map((f) => f.at)).toEqual([0, 290]);
    // A move that would take the scenario out of its envelope is not made: a minority of 2 of 5
    // nodes paused at once is inside, a third pause moved onto them is not.
    const pause = (at: number, node: number) => ({ at, kind: "node-pause" as const, node, forMs: 50 });
    const edge = { ...scenario, faults: [pause(0, 0), pause(0, 1), pause(55, 2)] };
    expect(shifted(edge, 10).faults.map((f) => f.at)).toEqual([0, 0, 65]);
    expect(shifted(edge, -10)).toBe(edge);
  });

  test("a failure that does not come back when played again is reported as found, unconfirmed and not shrunk", async () => {
    let plays = 0;
    const passes = async (s: ChaosScenario) => {
      plays++;
      return result(s, false);
    };
    const shrunk = await shrinkFailure(result(scenario, true), {
      play: passes,
      parallel: 2,
      budget: 60,
      confirmRuns: 3,
    });
    expect(shrunk.confirmed).toBe(false);
    expect(shrunk.counterexample.scenario).toEqual(scenario);
    // A majority of three is out of reach after two passes: the third is not played.
    expect([shrunk.shrinks, shrunk.runs, plays]).toEqual([0, 2, 2]);
    const { play } = fake();
    expect(
      (await shrinkFailure(result(scenario, true), { play, parallel: 1, budget: 200, confirmRuns: 1 })).confirmed,
    ).toBe(true);
  });

  test("the failing run is confirmed by a majority of its confirmations, a candidate only by all of them", async () => {
    // A race that comes back 2 plays in 3 (every third play passes): a finding, confirmed.
    let plays = 0;
    const twoInThree = async (s: ChaosScenario) => result(s, plays++ % 3 !== 1);
    const shrunk = await shrinkFailure(result(scenario, true), {
      play: twoInThree,
      parallel: 1,
      budget: 60,
      confirmRuns: 3,
    });
    expect(shrunk.confirmed).toBe(true);
    // Every candidate meets a passing play among its four: none is taken.
    expect(shrunk.shrinks).toBe(0);
    expect(shrunk.counterexample.scenario).toEqual(scenario);
    let once = 0;
    const oneInThree = async (s: ChaosScenario) => result(s, once++ % 3 === 0);
    expect(
      (await shrinkFailure(result(scenario, true), { play: oneInThree, parallel: 1, budget: 60, confirmRuns: 3 }))
        .confirmed,
    ).toBe(false);
  });

  test("a candidate is taken only when it fails again; the budget counts real runs", async () => {
    let calls = 0;
    // Every candidate's first run fails and its confirmation passes: a lucky race, never taken.
    const flaky = async (s: ChaosScenario) => result(s, calls++ % 2 === 0);
    const shrunk = await shrinkFailure(result(scenario, true), {
      play: flaky,
      parallel: 1,
      budget: 12,
      confirmRuns: 1,
    });
    expect(shrunk.counterexample.scenario).toEqual(scenario);
    expect(shrunk.shrinks).toBe(0);
    expect(shrunk.budgetUsed).toBe(true);
    // A candidate starts only under the budget; its confirmation may go one past it.
    expect(shrunk.runs).toBeLessThanOrEqual(13);
  });
});

describe("generation from a seed", () => {
  const arb = scenarioArb({ envelope: "assumptions", ttl: { min: 200, max: 700 } });

  test("run i of a seed is what fast-check's check draws for it, whatever the run count", () => {
    const drawn: ChaosScenario[] = [];
    fc.check(
      fc.property(arb, (s) => {
        drawn.push(s);
        return true;
      }),
      { seed: 1951277782, numRuns: 12 },
    );
    expect(generatedScenarios(arb, 1951277782, 12)).toEqual(drawn);
    expect(generatedScenarios(arb, 1951277782, 5)).toEqual(drawn.slice(0, 5));
  });
});
