import { describe, expect, test } from "vitest";
import { progressLine, countOps } from "../../fixtures/chaos/progress.ts";
import {
  campaignFoundNews,
  operationStats,
  summarizeCheckers,
  type CampaignRecord,
  type RecordedRun,
} from "../../fixtures/chaos/record.ts";
import { lanesOf, renderReport } from "../../fixtures/chaos/report-html.ts";
import { resultsOf, scheduleOf } from "../../fixtures/chaos/run-folder.ts";
import { compareCampaigns } from "../../fixtures/chaos/compare-campaigns.ts";
import { parseSchedule, type ChaosScenario } from "../../fixtures/core/scenario.ts";
import type { HistoryEvent } from "../../fixtures/history/history.ts";
import type { CheckerVerdict } from "../../fixtures/history/verdict.ts";
import { findingText } from "../../fixtures/history/verdict-text.ts";

// Hand-made campaigns: two runs of two users on three nodes, times relative to each run.
const ev = (
  process: string,
  op: HistoryEvent["op"],
  type: HistoryEvent["type"],
  time: number,
  more: Partial<HistoryEvent> = {},
): HistoryEvent => ({ process, op, type, time, resource: "rc:a", ...more });
const scenario = (nodes = 3): ChaosScenario => ({
  version: 1,
  envelope: "assumptions",
  nodes,
  mix: Array.from({ length: nodes }, () => "ioredis" as const),
  users: ["c1", "c2"].map((id) => ({
    id,
    process: "in-process" as const,
    resources: ["rc:a"],
    ttlMs: 500,
    retry: { retryCount: 2, retryDelay: 50, retryJitter: 0 },
    fenced: false,
    cycles: [{ thinkMs: 0, holdMs: 100, extend: true, late: "none" as const }],
  })),
  faults: [{ at: 20, kind: "partition", user: "c2", nodes: [1], forMs: 200 }],
});
const valid = (checker: CheckerVerdict["checker"]): CheckerVerdict => ({
  checker,
  result: "valid",
  findings: [],
});
const history: HistoryEvent[] = [
  ev("c1", "acquire", "invoke", 0, { ttl: 500 }),
  ev("c1", "acquire", "ok", 4, { expires: 490, value: "v1" }),
  ev("c2", "acquire", "invoke", 1, { ttl: 500 }),
  ev("c2", "acquire", "fail", 120, { detail: "no quorum" }),
  ev("c1", "extend", "invoke", 60, { ttl: 500 }),
  ev("c1", "extend", "ok", 63, { expires: 550, value: "v1" }),
  ev("c1", "release", "invoke", 110),
  ev("c1", "release", "info", 900, { cause: "timeout" }),
];
const run = (
  index: number,
  offset: number,
  verdicts: CheckerVerdict[],
  more: Partial<RecordedRun> = {},
): RecordedRun => ({
  index,
  phase: "generated",
  offset,
  ms: 1000,
  scenario: scenario(),
  verdicts,
  violations: verdicts.filter((v) => v.result === "invalid").map((verdict) => ({ verdict, causes: [], defect: true })),
  history,
  faults: [{ step: scenario().faults[0]!, line: "t=20ms partition c2 from n1 for 200ms", began: 21, ended: 221 }],
  ...more,
});
const campaign = (runs: RecordedRun[]): CampaignRecord => ({
  driver: "reference",
  envelope: "assumptions",
  provider: "processes",
  seed: 42,
  startedAt: Date.UTC(2026, 11, 2),
  ms: 2500,
  versions: { ioredis: "5.9.2" },
  runs,
  replay: ["npm run chaos -- --driver reference --replay reports/chaos/x/schedule.json"],
});
const overlapOn = (resource: string): CheckerVerdict => ({
  checker: "mutual-exclusion",
  result: "invalid",
  findings: [
    {
      kind: "overlap",
      at: 150,
      resource,
      first: { owner: "c1", value: "v1", startAt: 4, endAt: 490 },
      second: { owner: "c2", value: "v2", startAt: 300, endAt: 800 },
      overlapMs: 190,
    },
  ],
});
const overlap = overlapOn("rc:a");

describe("campaign record", () => {
  test("checkers summarise as Jepsen's three values: invalid beats unknown beats valid", () => {
    const unknown: CheckerVerdict = {
      checker: "owner-value",
      result: "unknown",
      findings: [
        {
          kind: "quorum-not-holding",
          at: 10,
          doubt: "nodes-unanswered",
          process: "c1",
          op: "acquire",
          resource: "rc:a",
          grantedAt: 4,
          validUntilAt: 490,
          ttlMs: 500,
          holding: 1,
          quorum: 2,
          nodes: [{ node: "n0", value: "v1", pttl: 480 }, null],
          value: "v1",
        },
      ],
    };
    const summary = summarizeCheckers(
      campaign([run(1, 0, [valid("mutual-exclusion"), unknown]), run(2, 1200, [overlap, valid("owner-value")])]),
    );
    expect(summary.find((s) => s.checker === "mutual-exclusion")).toMatchObject({
      result: "invalid",
      runs: { valid: 1, invalid: 1, unknown: 0 },
    });
    expect(summary.find((s) => s.checker === "mutual-exclusion")!.evidence[0]).toMatchObject({
      run: 2,
      defect: true,
      line: findingText(overlap.findings[0]!),
    });
    expect(summary.find((s) => s.checker === "owner-value")).toMatchObject({
      result: "unknown",
      runs: { valid: 1, invalid: 0, unknown: 1 },
    });
  });
  test("operation statistics pair invokes with their outcomes; an info is unknown and has no latency", () => {
    const stats = operationStats(campaign([run(1, 0, [])]));
    expect(stats.find((s) => s.op === "acquire")).toMatchObject({ ok: 1, fail: 1, unknown: 0, p50: 4, p99: 119 });
    expect(stats.find((s) => s.op === "release")).toMatchObject({ ok: 0, fail: 0, unknown: 1 });
    expect(stats.find((s) => s.op === "release")!.p50).toBeUndefined();
    expect(countOps(history)).toEqual({ ok: 2, fail: 1, unknown: 1 });
  });
  test("the schedule is the counterexample when there is one, else every played scenario, and --replay reads both", () => {
    const passing = campaign([run(1, 0, []), run(2, 1200, [], { scenario: scenario(5) })]);
    const all = scheduleOf(passing);
    expect(parseSchedule(JSON.stringify(all), "schedule.json").map((s) => s.nodes)).toEqual([3, 5]);
    const failing = campaign([
      run(1, 0, [overlap]),
      run(2, 1200, [overlap], { phase: "shrinking", counterexample: true, scenario: { ...scenario(), faults: [] } }),
    ]);
    expect(parseSchedule(JSON.stringify(scheduleOf(failing)), "schedule.json")).toEqual([
      { ...scenario(), faults: [] },
    ]);
    expect(() => parseSchedule('{"version":1,"scenarios":[]}', "empty.json")).toThrow(/no scenarios/);
    expect(() => parseSchedule('{"version":1,"scenarios":[{"version":2}]}', "bad.json")).toThrow(
      /bad.json \(scenario 1\) is not a chaos scenario/,
    );
  });
  test("results.json says defect only for news: a known defect (the baseline's) is not one", () => {
    const knownRun = run(1, 0, [overlap]);
    knownRun.violations = [{ verdict: overlap, causes: [], defect: true, known: "VA-3" }];
    expect(campaignFoundNews(campaign([knownRun]))).toBe(false);
    expect(resultsOf(campaign([run(1, 0, [overlap])]))).toMatchObject({
      defect: true,
      seed: 42,
      runs: { generated: 1 },
      checkers: [{ checker: "mutual-exclusion", result: "invalid" }],
    });
  });
});

describe("campaign coverage", () => {
  const covered = (index: number, cells: Record<string, number>, phase: RecordedRun["phase"] = "generated") =>
    run(index, index * 1000, [valid("mutual-exclusion")], {
      phase,
      coverage: { cells, shares: { "partition/minority": 1 } },
    });
  const record = {
    ...campaign([
      covered(1, { "partition@holding/contended": 2, "partition@acquire-pending/alone": 1 }),
      covered(2, { "partition@holding/contended": 1 }),
      // Shrinking replays variants of one finding: not the search's coverage.
      covered(3, { "partition@release/alone": 5 }, "shrinking"),
    ]),
    reach: { kinds: ["partition" as const], contention: true, children: false },
  };

  test("results.json: every reachable cell with its count and runs, hit over reachable, node shares", () => {
    const c = resultsOf(record).coverage;
    expect(c.reachable).toBe(14);
    expect(c.hit).toBe(2);
    expect(c.cells.find((x) => x.id === "partition@holding/contended")).toMatchObject({ count: 3, runs: [1, 2] });
    expect(c.cells.find((x) => x.id === "partition@release/alone")).toMatchObject({ count: 0, runs: [] });
    expect(c.shares).toEqual({ "partition/minority": 2 });
    // Grid order: phases as an operation goes, alone before contended.
    expect(c.cells.slice(0, 3).map((x) => x.id)).toEqual([
      "partition@acquire-pending/alone",
      "partition@acquire-pending/contended",
      "partition@acquire-retry/alone",
    ]);
  });

  test("report.html: the grid with counts, runs per cell, unreachable rows greyed, and the share hit", () => {
    const html = renderReport(record);
    expect(html).toContain("2 of 14 reachable cells hit (14 %)");
    expect(html).toMatch(/data-cell="partition@holding\/contended" data-runs="1:1000,2:2000"[^>]*>3</);
    expect(html).toMatch(/data-cell="partition@release\/alone" data-runs=""[^>]*><\/td>/);
    const none = renderReport(campaign([run(1, 0, [valid("mutual-exclusion")])]));
    expect(none).toContain("no coverage recorded");
  });
});

describe("report.html", () => {
  const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;
  test("one lane per client and per node, over every run (the largest fleet's nodes)", () => {
    const record = campaign([run(1, 0, []), run(2, 1200, [], { scenario: scenario(5) })]);
    expect(lanesOf(record).map((l) => l.id)).toEqual([
      "client:c1",
      "client:c2",
      "node:n0",
      "node:n1",
      "node:n2",
      "node:n3",
      "node:n4",
    ]);
    const html = renderReport(record);
    expect(count(html, /<g class="lane" data-kind="client"/g)).toBe(2);
    expect(count(html, /<g class="lane" data-kind="node"/g)).toBe(5);
    // The partition is drawn on n1's lane, on the campaign's axis (run 2 begins at 1200 ms).
    expect(html).toMatch(
      /<rect class="fault f-cut" x="1221" [^>]*><title>run 2: t=20ms partition c2 from n1 for 200ms/,
    );
  });
  test("a violation marker when and only when a run's verdict is invalid, with the evidence and the moment's nodes", () => {
    const clean = renderReport(campaign([run(1, 0, [valid("mutual-exclusion")])]));
    expect(count(clean, /class="violation-marker/g)).toBe(0);
    expect(clean).toContain("NO DEFECT");
    const html = renderReport(campaign([run(1, 0, [valid("mutual-exclusion")]), run(2, 1200, [overlap])]));
    expect(count(html, /class="violation-marker/g)).toBe(1);
    expect(html).toMatch(/class="violation-marker" data-violation="violation-1" x1="1350"/);
    expect(html).toContain("overlap by 190 ms");
    expect(html).toMatch(/n1: t=20ms partition c2 from n1 for 200ms/);
    expect(html).toContain("DEFECT");
  });
  test("self-contained: no external script, stylesheet, font or image, and text is escaped", () => {
    const record = campaign([run(1, 0, [overlapOn("<script>alert(1)</script>")])]);
    const html = renderReport(record);
    expect(html).not.toMatch(/<script[^>]+src=|<link |@import|url\(|https?:\/\//);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("progress line", () => {
  test("elapsed and what is left, runs, operations by outcome and rate, faults now, violations", () => {
    const line = progressLine({
      elapsedMs: 65_000,
      left: { ms: 535_000 },
      runs: 21,
      shrinking: 0,
      ops: { ok: 300, fail: 20, unknown: 5 },
      faultsActive: 2,
      violations: 0,
    });
    expect(line).toBe(
      "1:05 elapsed, 8:55 left | runs 21 | ops ok 300 fail 20 unknown 5 (5.0/s) | faults now 2 | violations 0",
    );
    expect(
      progressLine({
        elapsedMs: 1000,
        left: { runs: 9 },
        runs: 1,
        shrinking: 3,
        ops: { ok: 0, fail: 0, unknown: 0 },
        faultsActive: 0,
        violations: 1,
        coverage: "coverage 3/14 cells (21 %)",
      }),
    ).toMatch(/9 runs left \| runs 1 \(\+3 shrinking\).*violations 1 \| coverage 3\/14 cells \(21 %\)$/);
  });
});

describe("two campaigns side by side (compare --chaos)", () => {
  const results = (cells: Record<string, number>, invalid = false) =>
    resultsOf({
      ...campaign([run(1, 0, [invalid ? overlap : valid("mutual-exclusion")], { coverage: { cells, shares: {} } })]),
      reach: { kinds: ["partition", "node-pause"], contention: false, children: false },
    });

  test("verdicts and coverage per kind, and the cells one side hit and the other never did", () => {
    const a = results({ "partition@holding/alone": 2 });
    const b = results({ "partition@holding/alone": 1, "node-pause@acquire-pending/alone": 4 }, true);
    const lines = compareCampaigns(a, b, ["runs/a", "runs/b"]).join("\n");
    expect(lines).toMatch(
      /^A: runs\/a — reference, assumptions, 1 generated runs, seed 42: no defect; coverage 1\/14 cells \(7 %\)/,
    );
    expect(lines).toMatch(/B: runs\/b .*: DEFECT; coverage 2\/14 cells \(14 %\)/);
    expect(lines).toMatch(/mutual-exclusion\s+valid\s+invalid\s+← differs/);
    expect(lines).toMatch(/node-pause\s+0\s+1\s+\(7 \/ 7\)/);
    expect(lines).toContain("cells only A hit (0): none");
    expect(lines).toContain("cells only B hit (1):\n  node-pause@acquire-pending/alone (4×)");
  });
});
