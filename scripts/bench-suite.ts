#!/usr/bin/env -S node --import tsx
// Benchmark, not a test: the same conformance work one property at a time and side by side, in
// one run, with the ratio and whether the statuses agree (numbers for docs/speed.md):
//   npm run bench:suite [-- --drivers redlock@5,reference] [--compare A,B] [--concurrency K] [--compiled]
// --compiled builds the package and runs this bench from build/ under plain node, as an installed
// package runs (`npx redlock-conformance`): workers then start without tsx (~0.45 s instead of ~1.3 s each).
// Peak memory is the resident set of the whole process tree (this process, property workers, their
// redis-servers and contenders), sampled every 250 ms.
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import {
  concurrencySetting,
  loadConfig,
  PACKAGE_ROOT,
  RUNNING_COMPILED,
  seedSetting,
} from "../fixtures/core/config.ts";
import { descendantsOf, residentKib } from "../fixtures/core/identity.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import { runDriver, type DriverRun } from "../fixtures/properties/matrix.ts";
import { PropertyWorkers } from "../fixtures/properties/workers.ts";
import { commaList, parseFlags, wholeNumber } from "./args.ts";
import { runCli } from "./cli.ts";

/** Resident KiB of a process and its descendants (the harness's shared /proc walk). */
const treeRssKb = (root: number) => [root, ...descendantsOf(root)].reduce((sum, pid) => sum + residentKib(pid), 0);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakMb: number }> {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRssKb(process.pid));
  }, 250);
  const started = Date.now();
  try {
    const value = await work();
    return { value, seconds: (Date.now() - started) / 1000, peakMb: Math.round(peak / 1024) };
  } finally {
    clearInterval(sampler);
  }
}

const statuses = (runs: readonly DriverRun[]) =>
  runs.flatMap((run) => run.results.map((r) => `${run.driver} ${r.id} ${r.status}`)).sort();

function differences(a: readonly DriverRun[], b: readonly DriverRun[]): string[] {
  const other = new Set(statuses(b));
  return statuses(a).filter((s) => !other.has(s));
}

await runCli(async () => {
  const args = parseFlags(
    process.argv.slice(2),
    {
      command: "bench:suite",
      usage: "usage: npm run bench:suite -- [--drivers a,b] [--compare A,B] [--concurrency K] [--compiled]",
      options: {
        compiled: { type: "boolean", default: false },
        drivers: { type: "string", default: "redlock@5" },
        compare: { type: "string" },
        concurrency: { type: "string" },
      },
    },
    ({ values }, problems) => ({
      compiled: values.compiled === true,
      drivers: problems.take(commaList("--drivers", values.drivers)) ?? [],
      compare: problems.take(commaList("--compare", values.compare)),
      concurrency: problems.take(
        wholeNumber("--concurrency", values.concurrency, { min: 2, max: 64, of: "properties side by side" }),
      ),
    }),
  );
  if (args.compare && args.compare.length !== 2) throw new Error("--compare takes two driver specs: A,B");
  if (args.compiled && !RUNNING_COMPILED) {
    const run = (command: string, argv: string[]) =>
      spawnSync(command, argv, { cwd: PACKAGE_ROOT, stdio: "inherit" }).status ?? 1;
    if (run("npm", ["run", "-s", "build"]) !== 0) throw new Error("npm run build failed: see its output above");
    const forwarded = process.argv.slice(2).filter((a) => a !== "--compiled");
    process.exitCode = run(process.execPath, ["build/scripts/bench-suite.js", ...forwarded]);
    return;
  }
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const k = args.concurrency ?? resolveConcurrency(provider, concurrencySetting());
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, node ${process.version}; provider ${provider}; seed ${seed}; side by side: ${k}\n`,
  );
  const jobs: Array<{ label: string; specs: readonly string[] }> = [
    ...args.drivers.map((d) => ({ label: `conformance ${d}`, specs: [d] })),
    ...(args.compare ? [{ label: `compare ${args.compare.join(" ")} (first runs)`, specs: args.compare }] : []),
  ];
  const rows: string[] = [
    "| work | one at a time | side by side (K) | ratio | statuses | peak memory (one at a time / side by side) |",
    "|---|---|---|---|---|---|",
  ];
  for (const job of jobs) {
    const measure = async (size: number) => {
      const workers = new PropertyWorkers(size);
      try {
        return await timed(() =>
          Promise.all(job.specs.map((spec) => runDriver(spec, { config, provider, seed, workers }))),
        );
      } finally {
        await workers.close();
      }
    };
    const sequential = await measure(1);
    const side = await measure(k);
    const differ = differences(sequential.value, side.value);
    console.log(
      `${job.label}: ${sequential.seconds.toFixed(1)} s one at a time, ${side.seconds.toFixed(1)} s with ${k} side by side${differ.length ? `; statuses differ: ${differ.join(", ")}` : "; identical statuses"}`,
    );
    rows.push(
      `| ${job.label} | ${sequential.seconds.toFixed(1)} s | ${side.seconds.toFixed(1)} s (${k}) | ${(sequential.seconds / side.seconds).toFixed(1)}× | ${differ.length ? `differ: ${differ.join(", ")}` : "identical"} | ${sequential.peakMb} MB / ${side.peakMb} MB |`,
    );
  }
  console.log(`\n${rows.join("\n")}`);
});
