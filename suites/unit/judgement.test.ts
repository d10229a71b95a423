import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { validateBaseline, type Baseline } from "../../fixtures/properties/baselines.ts";
import { judge, outcomeMessage, type Outcome } from "../../fixtures/properties/judgement.ts";
import type { PropertyResult, ResultStatus } from "../../fixtures/properties/runner.ts";
import type { Harness } from "../../fixtures/harness/harness.ts";
import { about, NotExercised, PropertyViolation, type PropertyClass } from "../../fixtures/properties/types.ts";

// One judgement for every front end (vitest, bin, matrix, compare, JUnit): every status against
// every expectation, written out, so a change of the rules is a change of this table.

type Observed = ResultStatus | "unsupported by the provider";
const OBSERVED: readonly Observed[] = ["pass", "fail", "unsupported", "unsupported by the provider", "not-exercised"];

function result(observed: Observed, klass: PropertyClass = "must-hold"): PropertyResult {
  const status: ResultStatus = observed === "unsupported by the provider" ? "unsupported" : observed;
  return {
    id: "P-1",
    title: "p",
    class: klass,
    status,
    ms: 1,
    reason: "what happened",
    ...(status === "unsupported" ? { unsupportedBy: observed === "unsupported" ? "driver" : "provider" } : {}),
  };
}
const baseline = (status: ResultStatus): Baseline => ({
  driver: "d",
  package: "d@1.0.0",
  expected: { "P-1": status === "pass" ? { status } : { status, why: "recorded reason" } },
});

/** [observed, expectation] → [outcome, differs from a baseline]. */
const TABLE: Array<[Observed, string, Outcome, boolean]> = [
  // The default expectation (no baseline entry), must-hold / must-fail / liveness.
  ["pass", "default must", "pass", false],
  ["fail", "default must", "fail", false],
  ["unsupported", "default must", "skip", false], // an optional capability the driver does not offer
  ["unsupported by the provider", "default must", "skip", false],
  ["not-exercised", "default must", "not-exercised", false],
  // The default expectation, should / known-limitation.
  ["pass", "default should", "pass", false],
  ["fail", "default should", "informational", false],
  ["unsupported", "default should", "skip", false],
  ["unsupported by the provider", "default should", "skip", false],
  ["not-exercised", "default should", "not-exercised", false],
  // A baseline that records a pass.
  ["pass", "baseline pass", "pass", false],
  ["fail", "baseline pass", "fail", true],
  ["unsupported", "baseline pass", "fail", true], // a built-in that lost `using`
  ["unsupported by the provider", "baseline pass", "skip", false],
  ["not-exercised", "baseline pass", "not-exercised", true],
  // A baseline that records a failure.
  ["pass", "baseline fail", "pass", true],
  ["fail", "baseline fail", "informational", false],
  ["unsupported", "baseline fail", "fail", true],
  ["unsupported by the provider", "baseline fail", "skip", false],
  ["not-exercised", "baseline fail", "not-exercised", true],
  // A baseline that records the capability as absent.
  ["pass", "baseline unsupported", "pass", true],
  ["fail", "baseline unsupported", "fail", true],
  ["unsupported", "baseline unsupported", "skip", false],
  ["unsupported by the provider", "baseline unsupported", "skip", false],
  ["not-exercised", "baseline unsupported", "not-exercised", true],
  // A baseline that records, with a reason, that the situation cannot happen for this driver.
  ["pass", "baseline not-exercised", "pass", true],
  ["fail", "baseline not-exercised", "fail", true],
  ["unsupported", "baseline not-exercised", "fail", true],
  ["unsupported by the provider", "baseline not-exercised", "skip", false],
  ["not-exercised", "baseline not-exercised", "not-exercised", false],
];

describe("judge: every status against every expectation", () => {
  test("the table covers every observed status for every expectation", () => {
    const expectations = [...new Set(TABLE.map(([, e]) => e))];
    for (const e of expectations)
      expect(
        TABLE.filter(([, x]) => x === e)
          .map(([o]) => o)
          .sort(),
      ).toEqual([...OBSERVED].sort());
  });

  for (const [observed, expectation, outcome, differs] of TABLE) {
    test(`${observed} against ${expectation} → ${outcome}${differs ? " (news)" : ""}`, () => {
      const [kind, what] = expectation.split(" ") as [string, string];
      const klass: PropertyClass = what === "should" ? "should" : "must-hold";
      const judged = judge(result(observed, klass), kind === "baseline" ? baseline(what as ResultStatus) : null);
      expect(judged.outcome).toBe(outcome);
      expect(judged.differs).toBe(differs);
    });
  }

  test("a known-limitation without a baseline is judged like a should", () => {
    expect(judge(result("fail", "known-limitation"), null).outcome).toBe("informational");
    for (const klass of ["must-fail", "liveness"] as const)
      expect(judge(result("fail", klass), null).outcome).toBe("fail");
  });

  test("the messages say which kind of skip, why a situation did not happen, and what a known failure is", () => {
    expect(
      outcomeMessage(result("unsupported by the provider"), judge(result("unsupported by the provider"), null)),
    ).toMatch(/^UNSUPPORTED by the provider: what happened/);
    expect(outcomeMessage(result("unsupported"), judge(result("unsupported"), null))).toMatch(
      /^SKIPPED: what happened/,
    );
    expect(outcomeMessage(result("not-exercised"), judge(result("not-exercised"), null))).toMatch(
      /^NOT EXERCISED: what happened/,
    );
    expect(
      outcomeMessage(
        result("not-exercised"),
        judge(result("not-exercised"), baseline("not-exercised")),
        "recorded reason",
      ),
    ).toMatch(/\(baseline: recorded reason\)/);
    expect(outcomeMessage(result("fail"), judge(result("fail"), baseline("fail")), "recorded reason")).toBe(
      "known failure (baseline): recorded reason — observed: what happened",
    );
    expect(outcomeMessage(result("fail"), judge(result("fail"), null))).toBe(
      "P-1 failed but the default expectation expects pass: what happened",
    );
    expect(outcomeMessage(result("unsupported"), judge(result("unsupported"), baseline("pass")))).toBe(
      "P-1 is unsupported but the baseline expects pass: what happened",
    );
  });
});

describe("baselines: every status but a pass says why", () => {
  test("every committed baseline is valid", () => {
    const dir = new URL("../../baselines/", import.meta.url);
    for (const file of readdirSync(dir))
      expect(() => validateBaseline(JSON.parse(readFileSync(new URL(file, dir), "utf8")), file)).not.toThrow();
  });

  test("not-exercised without a reason, an unknown status, or no map is bad input", () => {
    expect(() => validateBaseline({ expected: { "VA-4": { status: "not-exercised" } } }, "b.json")).toThrow(
      /b\.json: VA-4: status not-exercised needs a "why"/,
    );
    expect(() => validateBaseline({ expected: { "VA-4": { status: "skipped", why: "x" } } }, "b.json")).toThrow(
      /status "skipped" is none of pass, fail, unsupported, not-exercised/,
    );
    expect(() => validateBaseline({}, "b.json")).toThrow(/has no "expected" map/);
    // The chaos section: a checker, or checker/finding-kind, each with why.
    expect(() =>
      validateBaseline({ expected: {}, chaos: { "auto-extension/sent-after-using": "AE-3" } }, "b.json"),
    ).not.toThrow();
    expect(() => validateBaseline({ expected: {}, chaos: { "auto-extention": "x" } }, "b.json")).toThrow(
      /chaos: "auto-extention" is neither a checker/,
    );
    expect(() => validateBaseline({ expected: {}, chaos: { validity: "" } }, "b.json")).toThrow(
      /chaos: validity needs a "why"/,
    );
    expect(
      validateBaseline(
        { expected: { "VA-4": { status: "not-exercised", why: "refuses every slow acquisition by design" } } },
        "b.json",
      ).expected["VA-4"]?.status,
    ).toBe("not-exercised");
  });
});

describe("a verdict from one of several harnesses names that harness", () => {
  // A stand-in: `about` only keeps the object; the runner reads its fleet and timeline.
  const first = { name: "first" } as unknown as Harness;
  const second = { name: "second" } as unknown as Harness;

  test.for([
    ["violation", () => new PropertyViolation("lost")],
    ["not exercised", () => new NotExercised("never ran")],
  ] as const)("a %s thrown inside `about` carries its harness, and an inner one wins", async ([, make]) => {
    const error = await about(first, () => Promise.reject(make())).catch((e: unknown) => e);
    expect((error as PropertyViolation).harness).toBe(first);
    const nested = await about(first, () => about(second, () => Promise.reject(make()))).catch((e: unknown) => e);
    expect((nested as PropertyViolation).harness).toBe(second);
  });

  test("anything else passes through untouched, and a result is returned as it is", async () => {
    const plain = new Error("driver error");
    await expect(about(first, () => Promise.reject(plain))).rejects.toBe(plain);
    expect((plain as { harness?: unknown }).harness).toBeUndefined();
    await expect(about(first, async () => 42)).resolves.toBe(42);
  });
});
