// Reliability check of the suites themselves: runs the conformance suite (properties and fault
// scenarios) and the generated chaos suite N times in a row with the other core kept busy, and
// reports every run that had an unexpected result.
// Usage: npm run flake -- [runs=20] [suite files...] [vitest args...]; suite files given (suites/x.test.ts) replace the default two.
import { spawn, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { runCli } from "./cli.ts";

await runCli(async () => {
  const [countArg, ...rest] = process.argv.slice(2);
  const files = rest.filter((a) => /\.test\.ts$/.test(a));
  const extra = rest.filter((a) => !files.includes(a));
  const suites = files.length > 0 ? files : ["suites/conformance.test.ts", "suites/chaos.test.ts"];
  const runs = Number(countArg ?? 20);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer (got ${countArg})`);
  // One busy loop per core but one: the suite runs on the remaining core, as on a loaded CI box.
  const burners = Array.from({ length: Math.max(1, cpus().length - 1) }, () =>
    spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" }),
  );
  const kill = () => burners.forEach((b) => b.kill("SIGKILL"));
  process.on("exit", kill);
  // Stopped from outside (Ctrl-C, a CI timeout): the spin loops must not outlive it.
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
  const failures: number[] = [];
  const started = Date.now();
  try {
    for (let i = 1; i <= runs; i++) {
      const t = Date.now();
      const r = spawnSync("npx", ["vitest", "run", ...suites, "--reporter=dot", ...extra], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      const summary = (r.stdout.match(/Tests\s+.*$/m)?.[0] ?? "no summary").replace(/\x1b\[[0-9;]*m/g, "");
      console.log(`run ${i}/${runs}: ${r.status === 0 ? "clean" : "UNEXPECTED RESULTS"} — ${summary} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
      if (r.status !== 0) {
        failures.push(i);
        console.log(r.stdout.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => /FAIL|AssertionError|Error:/.test(l)).slice(0, 20).join("\n"));
      }
    }
  } finally {
    kill();
  }
  console.log(`\n${runs} runs, ${failures.length} with unexpected results${failures.length ? ` (runs ${failures.join(", ")})` : ""}; ${((Date.now() - started) / 60000).toFixed(1)} min with ${burners.length} busy core(s)`);
  if (failures.length > 0) process.exitCode = 1;
});
