#!/usr/bin/env -S node --import tsx
// Runs the conformance properties against one driver (LOCK_DRIVER or --driver) without vitest:
// the command a library maintainer runs from their own project (bin: redlock-conformance).
//   redlock-conformance [--driver ./my-driver.mjs] [--only ME-1,QU-2] [--json report.json]
import { seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { writeFileSync } from "node:fs";
import { judge, loadBaseline } from "../fixtures/properties/baselines.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { runProperties } from "../fixtures/properties/runner.ts";
import { runCli } from "./cli.ts";

function parseArgs(argv: string[]): { driver?: string; only?: string[]; json?: string } {
  const out: { driver?: string; only?: string[]; json?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--driver") out.driver = value();
    else if (arg === "--only") out.only = value().split(",").map((s) => s.trim().toUpperCase());
    else if (arg === "--json") out.json = value();
    else if (arg === "--help" || arg === "-h") {
      console.log("usage: redlock-conformance [--driver <name|path>] [--only ID,ID] [--json file]");
      process.exit(0);
    } else throw new ConfigError(`unknown argument ${arg} (see --help)`);
  }
  return out;
}

const MARK = { expected: "ok ", "unexpected-fail": "FAIL", "unexpected-pass": "NEWS", informational: "info", skipped: "skip" } as const;

await runCli(async () => {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const unknown = (args.only ?? []).filter((id) => !PROPERTIES.some((p) => p.id === id));
  if (unknown.length) throw new ConfigError(`--only: unknown property ${unknown.join(", ")} (known: ${PROPERTIES.map((p) => p.id).join(", ")})`);
  const driver = await resolveDriver(args.driver ?? config.driver, { nodeCount: config.nodeCount });
  const seed = seedSetting();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const baseline = loadBaseline(driver.spec);
  console.log(`driver ${driver.spec}${baseline ? ` (baseline ${baseline.package})` : " (no baseline: every must-hold, must-fail and liveness property must pass)"}; provider ${provider}; seed ${seed}`);
  const properties = args.only ? PROPERTIES.filter((p) => args.only!.includes(p.id)) : PROPERTIES;
  const started = Date.now();
  const results = await runProperties(properties, { config, provider, driver, seed, replay: (id) => `RC_SEED=${seed} REDIS_PROVIDER=${provider} npx redlock-conformance --driver ${driver.spec} --only ${id}` }, (r) => {
    const j = judge(r, baseline);
    console.log(`${MARK[j]} ${r.id.padEnd(5)} ${r.status.padEnd(11)} ${r.class.padEnd(16)} ${r.title}${r.reason ? ` — ${r.reason}` : ""} (${(r.ms / 1000).toFixed(1)} s)`);
    if (j === "unexpected-fail" && r.details) console.log(r.details.replace(/^/gm, "      "));
  });
  const judged = results.map((r) => ({ ...r, judgement: judge(r, baseline) }));
  const count = (j: string) => judged.filter((r) => r.judgement === j).length;
  console.log(
    `\n${driver.spec}: ${count("expected")} as expected, ${count("unexpected-fail")} unexpected failure(s), ${count("unexpected-pass")} unexpected pass(es), ${count("informational")} informational, ${count("skipped")} skipped (provider ${provider}); ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const skipped = judged.filter((r) => r.judgement === "skipped");
  if (skipped.length > 0) {
    console.log(
      `skipped on ${provider}: ${skipped.map((r) => r.id).join(", ")} — not a result of the driver; they run on a fleet the harness controls ` +
        `(REDIS_PROVIDER=processes or containers)${provider === "external" ? "; those that need node operations also run here with a REDIS_NODE_CONTROL module that provides them" : ""}.`,
    );
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ driver: driver.spec, provider, seed, results: judged }, null, 2));
  if (count("unexpected-fail") > 0) process.exitCode = 1;
});
