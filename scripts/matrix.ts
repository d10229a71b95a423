// Runs the conformance properties for every built-in driver (reference first) and prints the
// implementations × properties table (markdown on stdout, JSON in reports/matrix.json).
import { loadConfig, matrixDriversSetting, seedSetting } from "../fixtures/core/config.ts";
import { mkdirSync, writeFileSync } from "node:fs";
import { BUILTIN_DRIVERS } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { formatMatrix, runDriver, type DriverRun } from "../fixtures/properties/matrix.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const drivers = matrixDriversSetting() ?? Object.keys(BUILTIN_DRIVERS);
  const runs: DriverRun[] = [];
  const started = Date.now();
  for (const driver of drivers) {
    process.stderr.write(`${driver}: `);
    runs.push(await runDriver(driver, { config, provider, seed }, (r) => process.stderr.write(r.judgement === "unexpected-fail" ? "!" : r.status === "pass" ? "." : r.status === "fail" ? "x" : "-")));
    process.stderr.write(` ${runs[runs.length - 1]!.seconds.toFixed(1)} s\n`);
  }
  console.log(formatMatrix(runs));
  console.log(`\nWhole matrix: ${((Date.now() - started) / 1000).toFixed(1)} s on provider ${provider}.`);
  mkdirSync("reports", { recursive: true });
  writeFileSync("reports/matrix.json", JSON.stringify({ provider, seed, runs }, null, 2));
  console.error("JSON: reports/matrix.json");
  if (runs.some((run) => run.results.some((r) => r.judgement === "unexpected-fail"))) process.exitCode = 1;
});
