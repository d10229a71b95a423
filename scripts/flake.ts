// Reliability check of the suites themselves: runs the conformance suite (properties and fault
// scenarios) and the generated chaos suite N times in a row with the other core kept busy, and
// reports every run that had an unexpected result: each failing test by name with the start of
// its message, and the run's whole output kept in reports/flake/.
// Usage: npm run flake -- [runs=20] [suite files...] [vitest args...]; suite files given (suites/x.test.ts) replace the default two.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { parseFlags, wholeNumber } from "./args.ts";

const OUTPUT_DIR = join("reports", "flake");
const USAGE =
  "usage: npm run flake -- [runs (default 20)] [suite files...] [vitest args...]   (the count comes first; files given replace the default two)";
const ANSI = /\x1b\[[0-9;]*m/g;

/** What vitest's JSON reporter says of one run: its failing tests, and errors outside any test. */
interface RunReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
  testResults: {
    name: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

function readReport(path: string): RunReport | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RunReport;
  } catch {
    return undefined; // vitest died before writing it: the kept output says why
  }
}

/** One line per failing test ("file > name: first lines of the message"), and file-level errors. */
function failureLines(report: RunReport, cwd: string): string[] {
  const lines: string[] = [];
  for (const file of report.testResults) {
    const name = file.name.replace(`${cwd}/`, "");
    for (const t of file.assertionResults.filter((a) => a.status === "failed")) {
      const message = (t.failureMessages[0] ?? "")
        .replace(ANSI, "")
        .split("\n")
        .filter((l) => l.trim())
        .slice(0, 3)
        .join(" / ");
      lines.push(`  FAILED ${name} > ${t.fullName}: ${message.slice(0, 400)}`);
    }
    if (file.message && file.assertionResults.every((a) => a.status !== "failed"))
      lines.push(`  ERROR in ${name}: ${file.message.replace(ANSI, "").split("\n")[0]}`);
  }
  if (lines.length === 0 && !report.success)
    lines.push("  every test passed, but vitest reported errors outside them (see the kept output)");
  return lines;
}

await runCli(async () => {
  // Only the leading run count is flake's own; suite files and vitest's flags (`-t pattern`,
  // `--project x`) follow in any order and go to vitest verbatim. So only the count (and --help)
  // goes through parseFlags: strict parseArgs would refuse every vitest flag, and non-strict
  // parseArgs would guess their shape (`-t pattern` read as a boolean flag and a positional) and
  // still need the raw arguments to pass them on, so the rest is split by name as before.
  const [head, ...rest] = process.argv.slice(2);
  const runs = parseFlags(
    head === undefined ? [] : [head],
    { command: "flake", usage: USAGE, options: {}, positionals: { min: 0, max: 1, names: "[runs]" } },
    ({ positionals: [count = "20"] }, problems) => problems.take(wholeNumber("runs", count, { min: 1 })) ?? 0,
  );
  const files = rest.filter((a) => /\.test\.ts$/.test(a));
  const extra = rest.filter((a) => !files.includes(a));
  const suites = files.length > 0 ? files : ["suites/conformance.test.ts", "suites/chaos.test.ts"];
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  mkdirSync(OUTPUT_DIR, { recursive: true });
  // One busy loop per core but one: the suite runs on the remaining core, as on a loaded CI box.
  const burners = Array.from({ length: Math.max(1, cpus().length - 1) }, () =>
    spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }),
  );
  const kill = () => {
    for (const b of burners) b.kill("SIGKILL");
  };
  process.on("exit", kill);
  // Stopped from outside (Ctrl-C, a CI timeout): the spin loops must not outlive it.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
  const failures: number[] = [];
  const started = Date.now();
  try {
    for (let i = 1; i <= runs; i++) {
      const t = Date.now();
      const json = join(OUTPUT_DIR, `run-${i}.json`);
      const r = spawnSync(
        "npx",
        ["vitest", "run", ...suites, "--reporter=dot", "--reporter=json", `--outputFile.json=${json}`, ...extra],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
          maxBuffer: 256 * 1024 * 1024,
        },
      );
      const report = readReport(json);
      const counts = report
        ? `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`
        : "no report";
      const clean = r.status === 0;
      console.log(
        `run ${i}/${runs}: ${clean ? "clean" : "UNEXPECTED RESULTS"} — ${counts} (${((Date.now() - t) / 1000).toFixed(0)} s)`,
      );
      if (clean) {
        rmSync(json, { force: true });
        continue;
      }
      failures.push(i);
      // vitest writes failures to stderr and the summary to stdout: keep both, in order of the streams.
      const kept = join(OUTPUT_DIR, `run-${i}.log`);
      writeFileSync(
        kept,
        `$ npx vitest run ${suites.join(" ")} ${extra.join(" ")}\nexit ${r.status ?? r.signal}\n\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`.replace(
          ANSI,
          "",
        ),
      );
      const lines = report
        ? failureLines(report, process.cwd())
        : [
            `  vitest wrote no report (exit ${r.status ?? r.signal}): ${r.stderr.replace(ANSI, "").trim().split("\n").slice(-3).join(" / ")}`,
          ];
      console.log([...lines, `  whole output: ${kept}${report ? `, results: ${json}` : ""}`].join("\n"));
    }
  } finally {
    kill();
  }
  console.log(
    `\n${runs} runs, ${failures.length} with unexpected results${failures.length ? ` (runs ${failures.join(", ")}; outputs in ${OUTPUT_DIR}/)` : ""}; ${((Date.now() - started) / 60000).toFixed(1)} min with ${burners.length} busy core(s)`,
  );
  if (failures.length > 0) process.exitCode = 1;
});
