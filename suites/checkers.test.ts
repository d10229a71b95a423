import { describe, expect, test } from "vitest";
import { judge, type Baseline } from "../fixtures/baselines.ts";
import { overlappingHolds, type Hold } from "../fixtures/properties/holds.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";

const hold = (owner: string, start: number, end: number): Hold => ({ owner, value: `${owner}-v`, start, end });

describe("overlappingHolds (pure, hand-made histories)", () => {
  test("back-to-back holds of different owners do not overlap", () => {
    expect(overlappingHolds([hold("a", 0, 10), hold("b", 10, 20), hold("c", 20, 30)])).toEqual([]);
  });
  test("an overlap between different owners is reported once, in start order", () => {
    const [a, b] = [hold("a", 0, 10), hold("b", 9, 20)];
    expect(overlappingHolds([b, a])).toEqual([[a, b]]);
  });
  test("one owner's overlapping holds (re-entry, extension) are not a violation", () => {
    expect(overlappingHolds([hold("a", 0, 10), hold("a", 5, 15)])).toEqual([]);
  });
  test("a long hold overlapping several later ones reports each pair", () => {
    const long = hold("a", 0, 100);
    const later = [hold("b", 10, 20), hold("c", 30, 40), hold("a", 50, 60)];
    expect(overlappingHolds([long, ...later]).map(([x, y]) => `${x.owner}${y.owner}`)).toEqual(["ab", "ac"]);
  });
  test("a hold ended by expiration before the next acquire is not an overlap", () => {
    expect(overlappingHolds([hold("a", 0, 30), hold("b", 30.001, 50)])).toEqual([]);
  });
});

describe("judge: results against baselines", () => {
  const result = (id: string, klass: PropertyResult["class"], status: PropertyResult["status"]): PropertyResult => ({ id, title: id, class: klass, status, ms: 1 });
  const baseline: Baseline = { driver: "x", package: "x@1", expected: { "VA-3": { status: "fail", why: "no elapsed check" }, "MR-1": { status: "unsupported" } } };

  test("with a baseline, the recorded status is expected, failures and passes alike", () => {
    expect(judge(result("VA-3", "must-fail", "fail"), baseline)).toBe("expected");
    expect(judge(result("MR-1", "must-hold", "unsupported"), baseline)).toBe("expected");
    expect(judge(result("VA-3", "must-fail", "pass"), baseline)).toBe("unexpected-pass");
    expect(judge(result("ME-1", "must-hold", "fail"), baseline)).toBe("unexpected-fail");
  });
  test("without a baseline, must-hold, must-fail and liveness must pass; should is informational", () => {
    for (const klass of ["must-hold", "must-fail", "liveness"] as const) {
      expect(judge(result("P", klass, "pass"), null)).toBe("expected");
      expect(judge(result("P", klass, "fail"), null)).toBe("unexpected-fail");
      expect(judge(result("P", klass, "unsupported"), null)).toBe("unexpected-fail");
    }
    expect(judge(result("P", "should", "fail"), null)).toBe("informational");
  });
});

describe("suites/PROPERTIES.md documents every property", () => {
  test("each property id of the catalog has a row, with its class", async () => {
    const { readFileSync } = await import("node:fs");
    const { PROPERTIES } = await import("../fixtures/properties/catalog.ts");
    const doc = readFileSync(new URL("./PROPERTIES.md", import.meta.url), "utf8");
    for (const p of PROPERTIES) {
      const row = doc.split("\n").find((line) => line.startsWith(`| ${p.id} |`));
      expect(row, `${p.id} has no row in PROPERTIES.md`).toBeDefined();
      expect(row!.trim().endsWith(`| ${p.class} |`), `${p.id}: class in PROPERTIES.md differs from ${p.class}`).toBe(true);
    }
  });
});
