import { describe, expect, test } from "vitest";
import {
  cellId,
  coverageLine,
  coverageOf,
  coveredShare,
  parseCell,
  reachableCells,
  type CoverageInput,
} from "../../fixtures/chaos/coverage.ts";
import type { ChaosScenario, FaultStep, UserPlan } from "../../fixtures/core/scenario.ts";
import type { HistoryEvent } from "../../fixtures/history/history.ts";

const user = (id: string, process: UserPlan["process"] = "child"): UserPlan => ({
  id,
  process,
  resources: ["rc:a"],
  ttlMs: 500,
  retry: { retryCount: 3, retryDelay: 50, retryJitter: 0 },
  fenced: false,
  cycles: [{ thinkMs: 0, holdMs: 40, extend: true, late: "none" }],
});

const scenario = (faults: FaultStep[]): ChaosScenario => ({
  version: 1,
  envelope: "assumptions",
  nodes: 3,
  mix: ["ioredis", "ioredis", "node-redis"],
  users: [user("c1"), user("c2")],
  faults,
});

const call = (process: string, op: HistoryEvent["op"], start: number, end: number, ok = true): HistoryEvent[] => [
  { process, op, type: "invoke", time: start, resource: "rc:a" },
  // Granted leases run 500 ms (the ttl): holds end at the owner's release, as holdsOf has them.
  { process, op, type: ok ? "ok" : "fail", time: end, resource: "rc:a", ...(ok ? { expires: start + 500 } : {}) },
];

/**
 * c1: acquire 0–10 (a first round 0–2, a retry round 5–6), holds 10–50 with an extend 30–35,
 * releases 50–52. c2: a failed acquire 20–25 (contends with c1's hold); a winning acquire 110–170.
 */
const history: HistoryEvent[] = [
  ...call("c1", "acquire", 0, 10),
  ...call("c1", "extend", 30, 35),
  ...call("c1", "release", 50, 52),
  ...call("c2", "acquire", 20, 25, false),
  ...call("c2", "acquire", 110, 170),
];
const wire = {
  c1: [
    { sent: 0, replied: 2 },
    { sent: 5, replied: 6 },
    { sent: 30, replied: 33 },
    { sent: 50, replied: 51 },
  ],
  c2: [
    { sent: 20, replied: 21 },
    { sent: 110, replied: 111 },
  ],
};
const input = (steps: Array<[FaultStep, number, number | undefined]>): CoverageInput => ({
  scenario: scenario(steps.map(([s]) => s)),
  history,
  wire,
  faults: steps.map(([step, began, ended]) => ({ step, began, ...(ended === undefined ? {} : { ended }) })),
});

describe("coverage: which fault met which operation phase, from what happened", () => {
  test("a node pause over c1's first round and its retry delay: pending and retry, alone; c2 was idle", () => {
    const c = coverageOf(input([[{ at: 1, kind: "node-pause", node: 1, forMs: 3 }, 1, 4]]));
    expect(c.cells).toEqual({ "node-pause@acquire-pending/alone": 1, "node-pause@acquire-retry/alone": 1 });
    expect(c.shares).toEqual({ "node-pause/minority": 1 });
  });

  test("a partition of c1 while it holds and c2 contends: holding, contended; c2 is not reached", () => {
    const c = coverageOf(input([[{ at: 21, kind: "partition", user: "c1", nodes: [0], forMs: 3 }, 21, 24]]));
    expect(c.cells).toEqual({ "partition@holding/contended": 1 });
  });

  test("latency on every user over c1's extend: pending then deciding for c1, and nothing for idle c2", () => {
    const c = coverageOf(
      input([
        [{ at: 31, kind: "latency", node: 0, user: "all", ms: 5, jitterMs: 0, direction: "both", forMs: 3 }, 31, 34],
      ]),
    );
    expect(c.cells).toEqual({ "latency@extend-pending/alone": 1, "latency@extend-deciding/alone": 1 });
  });

  test("an acquire-stall counts where it fired: the first acquire of its user that lasted the stall", () => {
    const c = coverageOf(input([[{ at: 100, kind: "acquire-stall", user: "c2", forMs: 50 }, 100, 100]]));
    expect(c.cells).toEqual({ "acquire-stall@acquire-deciding/alone": 1 });
    // Armed, but no acquire of c1 after it lasted 50 ms: it never fired, and covers nothing.
    const never = coverageOf(input([[{ at: 60, kind: "acquire-stall", user: "c1", forMs: 50 }, 60, 60]]));
    expect(never.cells).toEqual({});
  });

  test("inside a using call: a quorum stall before the routine is the acquisition's, during it an extension's; a client stall is neither", () => {
    // c3's using call 200–400, its routine 210–390 (a round 300–305 in it: an extension).
    const using = (stalls: NonNullable<HistoryEvent["stalls"]>): CoverageInput => {
      const steps: FaultStep[] = [
        { at: 200, kind: "acquire-stall", user: "c3", forMs: 5 },
        { at: 200, kind: "extend-stall", user: "c3", forMs: 20 },
      ];
      return {
        scenario: { ...scenario(steps), users: [user("c3")] },
        history: [
          { process: "c3", op: "using", type: "invoke", time: 200, resource: "rc:a" },
          { process: "c3", op: "routine", type: "invoke", time: 210, resource: "rc:a", value: "v" },
          { process: "c3", op: "routine", type: "ok", time: 390, resource: "rc:a", value: "v", stalls },
          { process: "c3", op: "using", type: "ok", time: 400, resource: "rc:a" },
        ],
        wire: { c3: [{ sent: 300, replied: 305 }] },
        faults: steps.map((step) => ({ step, began: 200 })),
      };
    };
    const fired = coverageOf(
      using([
        { fromAt: 202, toAt: 207, atQuorum: true },
        { fromAt: 305, toAt: 325, atQuorum: true },
      ]),
    );
    expect(fired.cells).toEqual({ "acquire-stall@using-acquire/alone": 1, "extend-stall@using-extending/alone": 1 });
    // The same periods from the process's own stall op (a client-stall): no armed stall fired.
    expect(
      coverageOf(
        using([
          { fromAt: 202, toAt: 207 },
          { fromAt: 305, toAt: 325 },
        ]),
      ).cells,
    ).toEqual({});
  });

  test("an extend-stall counts at the extend it fired in: the first of its user that lasted the stall", () => {
    const c = coverageOf(input([[{ at: 25, kind: "extend-stall", user: "c1", forMs: 4 }, 25, 25]]));
    expect(c.cells).toEqual({ "extend-stall@extend-deciding/alone": 1 });
    expect(reachableCells({ kinds: ["extend-stall"], contention: true, children: true }).map(cellId)).toEqual([
      "extend-stall@extend-deciding/alone",
      "extend-stall@extend-deciding/contended",
    ]);
  });

  test("a step never applied, or not reached, covers nothing", () => {
    const step: FaultStep = { at: 1, kind: "node-pause", node: 1, forMs: 3 };
    const c = coverageOf({
      ...input([]),
      scenario: scenario([step, step]),
      faults: [
        { step, error: "not reached: every user had finished" },
        { step, began: 1, error: "not applied: no such node" },
      ],
    });
    expect(c).toEqual({ cells: {}, shares: {} });
  });

  test("node share: two nodes of three faulty at once is a majority; half of four is half", () => {
    const a: FaultStep = { at: 1, kind: "node-pause", node: 0, forMs: 10 };
    const b: FaultStep = { at: 2, kind: "node-pause", node: 1, forMs: 10 };
    const c = coverageOf(
      input([
        [a, 1, 11],
        [b, 2, 12],
      ]),
    );
    expect(c.shares).toEqual({ "node-pause/minority": 1, "node-pause/majority": 1 });
    const four = coverageOf({
      ...input([
        [a, 1, 11],
        [b, 2, 12],
      ]),
      scenario: { ...scenario([a, b]), nodes: 4 },
    });
    expect(four.shares).toEqual({ "node-pause/minority": 1, "node-pause/half": 1 });
  });

  test("cells by id, and the reachable cells of a shape", () => {
    const cell = { kind: "node-pause", phase: "acquire-pending", contention: "contended" } as const;
    expect(parseCell(cellId(cell))).toEqual(cell);
    expect(parseCell("node-pause@sleeping/alone")).toBeUndefined();
    expect(parseCell("nap@holding/alone")).toBeUndefined();
    const reach = reachableCells({
      kinds: ["node-pause", "acquire-stall", "client-crash"],
      contention: true,
      children: false,
    });
    // node-pause: 7 phases × 2; acquire-stall and client-crash need child users.
    expect(reach).toHaveLength(14);
    expect(reachableCells({ kinds: ["acquire-stall"], contention: false, children: true })).toEqual([
      { kind: "acquire-stall", phase: "acquire-deciding", contention: "alone" },
    ]);
    const c = coverageOf(input([[{ at: 1, kind: "node-pause", node: 1, forMs: 3 }, 1, 4]]));
    expect(coveredShare(c, reach)).toBeCloseTo(2 / 14);
    expect(coverageLine(c, reach)).toBe("coverage 2/14 cells (14 %)");
  });
});
