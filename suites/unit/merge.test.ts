import { describe, expect, test } from "vitest";
import { mergeCampaigns } from "../../fixtures/chaos/merge-campaigns.ts";
import type { CampaignRecord } from "../../fixtures/chaos/record.ts";
import { ConfigError } from "../../fixtures/core/errors.ts";
import { Problem, shardFlag } from "../../fixtures/core/flags.ts";
import { mergeReports, outcomesOf } from "../../fixtures/properties/merge.ts";
import { shardOf } from "../../fixtures/properties/shard.ts";

const ids = ["ME-1", "QU-1", "QU-2", "VA-1", "AE-1", "AE-2", "SC-1"];

function conformance(index: number, count: number, overrides: Record<string, unknown> = {}) {
  const mine = shardOf(ids, { index, count });
  return {
    driver: "redlock@5",
    package: { name: "redlock", version: "5.0.0-beta.2" },
    provider: "processes",
    seed: 42,
    shard: { index, count },
    selected: ids,
    results: mine.map((id) => ({ id, status: "pass", judgement: { outcome: id === "QU-2" ? "fail" : "pass" } })),
    ...overrides,
  };
}

const permutations = <T>(xs: readonly T[]): T[][] =>
  xs.length <= 1
    ? [[...xs]]
    : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

describe("shards", () => {
  test("i/n is validated, in the one wording of bad flags", () => {
    expect(shardFlag("--shard", "2/4")).toEqual({ index: 2, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "a/b", "2", "1/300"])
      expect(shardFlag("--shard", bad)).toBeInstanceOf(Problem);
  });

  test("the n parts cover the list exactly once, round-robin, whatever n", () => {
    for (let n = 1; n <= 9; n++) {
      const parts = Array.from({ length: n }, (_, i) => shardOf(ids, { index: i + 1, count: n }));
      expect(parts.flat().sort()).toEqual([...ids].sort());
    }
    expect(shardOf(ids, { index: 2, count: 3 })).toEqual(["QU-1", "AE-1"]);
  });
});

describe("merge", () => {
  const parts = [1, 2, 3].map((i) => ({ file: `shard-${i}.json`, data: conformance(i, 3) }));

  test("the shards of one run merge into the unsharded report, in any order", () => {
    const merged = permutations(parts).map((order) => mergeReports(order));
    for (const m of merged) expect(m).toEqual(merged[0]);
    const { report } = merged[0]! as { report: { results: Array<{ id: string }>; shard?: unknown } };
    expect(report.results.map((r) => r.id)).toEqual(ids);
    expect(report.shard).toBeUndefined();
    expect(outcomesOf(merged[0]!).get("fail")).toBe(1);
  });

  test("parts of different runs, a missing part, a part twice or an overlap are refused with one error", () => {
    const refused = (inputs: Array<{ file: string; data: unknown }>, pattern: RegExp) => {
      expect(() => mergeReports(inputs)).toThrow(ConfigError);
      expect(() => mergeReports(inputs)).toThrow(pattern);
    };
    refused(
      [parts[0]!, { file: "other.json", data: conformance(2, 3, { seed: 7 }) }, parts[2]!],
      /not a part of the same run.*seed 7 vs 42/,
    );
    refused(
      [
        parts[0]!,
        { file: "v4.json", data: conformance(2, 3, { package: { name: "redlock", version: "4.2.0" } }) },
        parts[2]!,
      ],
      /package redlock@4.2.0/,
    );
    refused([parts[0]!, parts[2]!], /shard\(s\) 2\/3 missing/);
    refused([parts[0]!, parts[0]!, parts[1]!, parts[2]!], /the same shard \(1\/3\)/);
    refused([{ file: "old.json", data: { driver: "x", results: [] } }], /not a report merge can read/);
    const incomplete = conformance(2, 3);
    incomplete.results = incomplete.results.slice(1);
    refused([parts[0]!, { file: "cut.json", data: incomplete }, parts[2]!], /no result for QU-1/);
  });

  test("matrix shards merge per driver; the generated-runs rows come from shard 1", () => {
    const matrix = (index: number) => ({
      provider: "processes",
      seed: 42,
      shard: { index, count: 2 },
      selected: ids,
      runs: ["reference", "redlock@5"].map((driver) => ({
        driver,
        seconds: 10 * index,
        results: shardOf(ids, { index, count: 2 }).map((id) => ({ id, judgement: { outcome: "pass" } })),
      })),
      chaos: index === 1 ? { reference: [] } : {},
    });
    const a = mergeReports([
      { file: "m1", data: matrix(1) },
      { file: "m2", data: matrix(2) },
    ]);
    const b = mergeReports([
      { file: "m2", data: matrix(2) },
      { file: "m1", data: matrix(1) },
    ]);
    expect(a).toEqual(b);
    if (a.kind !== "matrix") throw new Error("a matrix report");
    expect(a.report.runs.map((r) => r.results.map((x) => x.id))).toEqual([ids, ids]);
    expect(a.report.runs[0]!.seconds).toBe(20);
    expect(a.report.chaos).toEqual({ reference: [] });
  });
});

describe("merge of chaos shards' run folders", () => {
  const record = (index: number, overrides: Partial<CampaignRecord> = {}): CampaignRecord => ({
    driver: "reference",
    envelope: "assumptions",
    provider: "processes",
    seed: 42,
    startedAt: 1000 + index,
    ms: 100 * index,
    versions: { redis: "7.0.15" },
    shard: { index, count: 2, flags: '{"runs":4}' },
    runs: [
      {
        index: 1,
        phase: "generated",
        offset: 0,
        ms: 50,
        scenario: {} as never,
        verdicts: [],
        violations: [],
        history: [],
        faults: [],
      },
    ],
    replay: [`replay ${index}`],
    ...overrides,
  });

  test("the parts, in any order, lay their runs end to end with one numbering", () => {
    const a = mergeCampaigns([
      { dir: "p1", record: record(1) },
      { dir: "p2", record: record(2) },
    ]);
    const b = mergeCampaigns([
      { dir: "p2", record: record(2) },
      { dir: "p1", record: record(1) },
    ]);
    expect(a).toEqual(b);
    expect(a.runs.map((r) => [r.index, r.offset])).toEqual([
      [1, 0],
      [2, 50],
    ]);
    expect(a.shard).toBeUndefined();
    expect(a.ms).toBe(200);
    expect(a.replay).toEqual(["replay 1", "replay 2"]);
  });

  test("parts of other campaigns, a missing or doubled part and a whole campaign are refused", () => {
    expect(() =>
      mergeCampaigns([
        { dir: "p1", record: record(1) },
        { dir: "x", record: record(2, { shard: { index: 2, count: 2, flags: '{"runs":5}' } }) },
      ]),
    ).toThrow(/x is not a part of the same campaign as p1: flags/);
    expect(() => mergeCampaigns([{ dir: "p1", record: record(1) }])).toThrow(/shard\(s\) 2\/2 missing/);
    expect(() =>
      mergeCampaigns([
        { dir: "p1", record: record(1) },
        { dir: "q1", record: record(1) },
      ]),
    ).toThrow(/same shard/);
    const { shard: _, ...whole } = record(1);
    expect(() => mergeCampaigns([{ dir: "w", record: whole }])).toThrow(/not of a shard/);
  });
});
