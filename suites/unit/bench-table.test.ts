import { describe, expect, test } from "vitest";
import { benchDiff, benchTable, type BenchCase, type DriverBench } from "../../fixtures/workload/bench.ts";

const kase = (name: string, clients: number, p50: number, opsPerSec: number): BenchCase => ({
  name,
  clients,
  cycles: 300,
  failures: name === "contended ×16" ? 2 : 0,
  p50,
  p99: p50 * 3,
  opsPerSec,
});
const run = (driver: string, scale: number): DriverBench => ({
  driver,
  provider: "processes",
  nodes: 5,
  cases: [
    kase("sequential", 1, 2 * scale, 500 / scale),
    kase("contended ×4", 4, 8 * scale, 150),
    kase("contended ×16", 16, 30 * scale, 140),
    kase("raw bound (harness clients)", 1, 1, 1000),
    kase("raw bound (bare clients)", 1, 0.8, 1250),
  ],
});

describe("bench tables", () => {
  test("one row per case; sequential against the raw bound; the wrapper's cost on the raw row; failures shown", () => {
    const table = benchTable([run("reference", 1)]);
    expect(table).toContain("| reference | sequential | 1 | 300 | 2.00 | 6.00 | 500 | ×2.0 |");
    expect(table).toContain(
      "| reference | raw bound (harness clients) | 1 | 300 | 1.00 | 3.00 | 1000 | wrapper + log: +0.20 ms |",
    );
    expect(table).toContain("| reference | contended ×16 | 16 | 300 (2) |");
  });
  test("compare --bench: B against A per case, raw rows left out", () => {
    const diff = benchDiff(run("redlock@5", 1), run("candidate", 2));
    expect(diff).toContain("| sequential | 2.00 ms / 500 | 4.00 ms / 250 | +100 % | -50 % |");
    expect(diff).not.toContain("raw bound");
  });
});
