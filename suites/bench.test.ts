import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, inject, test } from "vitest";
import type { BenchCase } from "../fixtures/workload/bench.ts";

/**
 * `npm run bench` end to end with a tiny budget: every case is measured and written, for two
 * drivers. What it checks is that the bench runs and says what it measured — never how fast
 * anything is (speed lives in docs/speed.md, not in timed tests).
 */
const work = mkdtempSync(join(tmpdir(), "rc-bench-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("npm run bench: sequential, contended ×4 and ×16, and the raw bound through harness and bare clients, per driver", () => {
  const json = join(work, "bench.json");
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "scripts/bench.ts", "--drivers", "reference,redis-semaphore", "--cycles", "10", "--json", json],
    {
      encoding: "utf8",
      timeout: 180_000,
      env: { ...process.env, REDIS_PROVIDER: inject("provider"), TSX_TSCONFIG_PATH: "tsconfig.runtime.json" },
    },
  );
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const report = JSON.parse(readFileSync(json, "utf8")) as { runs: Array<{ driver: string; cases: BenchCase[] }> };
  expect(report.runs.map((r) => r.driver)).toEqual(["reference", "redis-semaphore"]);
  for (const r of report.runs) {
    expect(r.cases.map((c) => c.name)).toEqual([
      "sequential",
      "contended ×4",
      "contended ×16",
      "raw bound (harness clients)",
      "raw bound (bare clients)",
    ]);
    for (const c of r.cases) {
      expect(c.cycles, `${r.driver} ${c.name}`).toBeGreaterThanOrEqual(10);
      expect(c.failures, `${r.driver} ${c.name}`).toBe(0);
      expect(c.p50).toBeGreaterThan(0);
      expect(c.p99).toBeGreaterThanOrEqual(c.p50);
    }
  }
  expect(run.stdout).toMatch(/\| reference \| sequential \| 1 \| 10 \|/);
  expect(run.stdout).toMatch(/wrapper \+ log: [+−]/);
}, 200_000);
