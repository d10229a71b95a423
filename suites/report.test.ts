import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

/**
 * The chaos command's run folder, opened in a real browser: a short campaign on the reference
 * (no defect) and on a mutant (a defect), each report.html loaded from disk in headless Chromium,
 * its DOM checked against results.json (a lane per client and per node; a violation marker when
 * and only when a checker is invalid), and a screenshot kept under reports/ for CI.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// The flags the machine needs: no sandbox as root, and no background traffic (the network is closed).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const provider = inject("provider");
const work = mkdtempSync(join(tmpdir(), "rc-report-"));
let browser: Browser;

beforeAll(async () => {
  if (provider !== "processes") return;
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium, as .ci/run and scripts/setup.sh do) or set CHROMIUM_PATH`,
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Results {
  defect: boolean;
  coverage: { reachable: number; hit: number; cells: Array<{ id: string; count: number; runs: number[] }> };
  checkers: Array<{ checker: string; result: string }>;
  perRun: Array<{ users: number; nodes: number }>;
}

async function campaign(
  name: string,
  args: string[],
): Promise<{ status: number | null; out: string; output: string; results: Results }> {
  const out = join(work, name);
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/chaos.ts", ...args, "--out", out], {
    env: { ...process.env, REDIS_PROVIDER: provider, TSX_TSCONFIG_PATH: "tsconfig.runtime.json" },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const guard = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const status = await new Promise<number | null>((done) => child.on("close", done)).finally(() => clearTimeout(guard));
  if (!existsSync(join(out, "results.json")))
    throw new Error(`the ${name} campaign wrote no results.json (exit ${status}):\n${output}`);
  return {
    status,
    out,
    output,
    results: JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results,
  };
}

/** The coverage grid as the browser shows it, and what a click on the first hit cell lists. */
async function coverageGrid(page: Page) {
  const cells = page.locator("td[data-cell]");
  const hit = page.locator("td[data-cell]:not([data-runs=''])");
  const first = hit.first();
  const clicked = (await hit.count()) > 0 ? await first.getAttribute("data-cell") : null;
  if (clicked) await first.click();
  const runLinks = await page.locator("#coverage-runs a[data-run]").allTextContents();
  // A run's link scrolls the timeline to it.
  if (runLinks.length) await page.locator("#coverage-runs a[data-run]").first().click();
  return {
    cells: await cells.count(),
    hit: await hit.count(),
    clicked,
    runLinks,
    summary: await page.locator("#coverage-summary").textContent(),
    selected: await page.locator("td.selected").count(),
    zoomAfterRunLink: await page.locator("#zoom-level").textContent(),
  };
}

async function openReport(out: string, screenshot: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  try {
    const started = performance.now();
    await page.goto(`file://${resolve(out, "report.html")}`, { waitUntil: "load" });
    const loadMs = performance.now() - started;
    mkdirSync("reports", { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    return {
      loadMs,
      clientLanes: await page.locator('g.lane[data-kind="client"]').count(),
      nodeLanes: await page.locator('g.lane[data-kind="node"]').count(),
      markers: await page.locator("line.violation-marker").count(),
      operations: await page.locator("#timeline-svg rect.acquire").count(),
      violationPanels: await page.locator("#violations .violation").count(),
      coverage: await coverageGrid(page),
      // Zoom works: the timeline gets wider.
      zoomed: await (async () => {
        const before = await page.locator("#timeline-inner").evaluate((e) => e.getBoundingClientRect().width);
        await page.click("#zoom-in");
        const after = await page.locator("#timeline-inner").evaluate((e) => e.getBoundingClientRect().width);
        return after / before;
      })(),
    };
  } finally {
    await page.close();
  }
}

// The report renders a run folder, whatever provider wrote it (chaos.test.ts plays campaigns on
// each provider): one pass runs it. The two campaigns wait on ttls with the CPU mostly idle, so
// they run side by side, with one browser.
describe
  .skipIf(provider !== "processes")
  .concurrent("report.html in headless Chromium (processes pass: the report does not depend on the provider)", () => {
    test("the reference's campaign: no defect, exit 0, a lane per client and per node, no violation marker", async () => {
      const run = await campaign("reference", ["--driver", "reference", "--runs", "3", "--seed", "11"]);
      expect(run.status, run.output).toBe(0);
      expect(run.results.defect).toBe(false);
      expect(
        run.results.checkers.every((c) => c.result !== "invalid"),
        JSON.stringify(run.results.checkers),
      ).toBe(true);
      const page = await openReport(run.out, "reports/report-reference.png");
      expect(page.clientLanes).toBe(Math.max(...run.results.perRun.map((r) => r.users)));
      expect(page.nodeLanes).toBe(Math.max(...run.results.perRun.map((r) => r.nodes)));
      expect(page.operations, "the timeline drew no acquire").toBeGreaterThan(0);
      expect(page.markers).toBe(0);
      expect(page.violationPanels).toBe(0);
      // The coverage grid: every cell of results.json, the hit ones clickable to their runs.
      const coverage = run.results.coverage;
      expect(page.coverage.cells).toBe(coverage.cells.length);
      expect(page.coverage.hit, "3 generated runs with faults met no lock operation").toBe(
        coverage.cells.filter((c) => c.count > 0).length,
      );
      expect(page.coverage.hit).toBeGreaterThan(0);
      expect(page.coverage.summary).toContain(`${coverage.hit} of ${coverage.reachable} reachable cells hit`);
      const clicked = coverage.cells.find((c) => c.id === page.coverage.clicked)!;
      expect(page.coverage.runLinks.map((t) => Number(t.replace(/^, /, "").replace("run ", "")))).toEqual(clicked.runs);
      expect(page.coverage.selected).toBe(1);
      expect(page.coverage.zoomAfterRunLink).toBe("×20");
      expect(page.zoomed).toBeCloseTo(2, 1);
      expect(statSync("reports/report-reference.png").size).toBeGreaterThan(10_000);
      console.log(
        `report.html of 3 runs: ${(statSync(join(run.out, "report.html")).size / 1024).toFixed(0)} KiB, loaded in ${page.loadMs.toFixed(0)} ms`,
      );
    }, 300_000);

    test("a mutant's campaign: a defect, exit 1, the violation marked on the timeline with its evidence", async () => {
      const run = await campaign("mutant", [
        "--mutant",
        "constant-value",
        "--runs",
        "10",
        "--seed",
        "42",
        "--shrink-runs",
        "1",
      ]);
      expect(run.status, run.output).toBe(1);
      expect(run.results.defect).toBe(true);
      const invalid = run.results.checkers.filter((c) => c.result === "invalid");
      expect(invalid.length, JSON.stringify(run.results.checkers)).toBeGreaterThan(0);
      const page = await openReport(run.out, "reports/report-mutant.png");
      expect(page.clientLanes).toBeGreaterThan(0);
      expect(page.nodeLanes).toBe(Math.max(...run.results.perRun.map((r) => r.nodes)));
      expect(page.markers).toBeGreaterThan(0);
      expect(page.violationPanels).toBe(Math.min(page.markers, 20)); // the report details 20, results.json has every one
      expect(readFileSync(join(run.out, "report.html"), "utf8")).toMatch(/<b>mutual-exclusion<\/b> — DEFECT/);
    }, 300_000);
  });
