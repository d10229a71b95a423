#!/usr/bin/env -S node --import tsx
// Runs the conformance properties against one driver (LOCK_DRIVER or --driver) without vitest:
// the command a library maintainer runs from their own project (bin: redlock-conformance).
//   redlock-conformance [--driver redlock|redlock@5.0.0-beta.1|./my-driver.mjs] [--only ME-1,QU-2] [--json report.json] [--junit report.xml]
// Exit codes: 0 as expected, 1 an unexpected result, 2 bad input, 3 infrastructure could not start.
import { seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { writeFileSync } from "node:fs";
import { baselineFor, judge, newsOf, type BaselineMatch } from "../fixtures/properties/baselines.ts";
import { resolveDriver, type ResolvedDriver } from "../fixtures/drivers/load.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { runProperties } from "../fixtures/properties/runner.ts";
import { EXIT, runCli } from "./cli.ts";
import { checkJUnitPath, junitSuite, propertyCase, writeJUnit } from "./junit.ts";

const USAGE = "usage: redlock-conformance [--driver <name|family|family@version|path>] [--only ID,ID] [--json file] [--junit file]\n       redlock-conformance compare <specA> <specB> [--only ID,ID] [--confirm N] [--junit file]";

interface Args {
  driver?: string;
  only?: string[];
  json?: string;
  junit?: string;
}

function parseArgs(argv: string[]): Args {
  const out: Args = {};
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
    else if (arg === "--junit") out.junit = value();
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
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
  checkJUnitPath(args.junit);
  const driver = await resolveDriver(args.driver ?? config.driver, { nodeCount: config.nodeCount });
  const seed = seedSetting();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const match = baselineFor(driver);
  const baseline = match?.baseline ?? null;
  const version = driver.package?.version;
  console.log(`driver ${driver.spec}${describePackage(driver.package)}; ${describeBaseline(match, version)}; provider ${provider}; seed ${seed}`);
  const properties = args.only ? PROPERTIES.filter((p) => args.only!.includes(p.id)) : PROPERTIES;
  const started = Date.now();
  const results = await runProperties(properties, { config, provider, driver, seed, replay: (id) => `RC_SEED=${seed} REDIS_PROVIDER=${provider} npx redlock-conformance --driver ${driver.spec} --only ${id}` }, (r) => {
    const j = judge(r, baseline);
    console.log(`${MARK[j]} ${r.id.padEnd(5)} ${r.status.padEnd(11)} ${r.class.padEnd(16)} ${r.title}${r.reason ? ` — ${r.reason}` : ""} (${(r.ms / 1000).toFixed(1)} s)`);
    const news = newsOf(r, j, match, version);
    if (news) console.log(`     NEWS: ${news}`);
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
  const news = judged.map((r) => newsOf(r, r.judgement, match, version)).filter((n): n is string => n !== null);
  if (news.length > 0) console.log(`\nNews against ${match ? match.baseline.package.split(/\s/)[0] : "the default expectation"}:\n${news.map((n) => `- ${n}`).join("\n")}`);
  if (args.json) writeFileSync(args.json, JSON.stringify({ driver: driver.spec, package: driver.package, baseline: match && { package: match.baseline.package, exact: match.exact }, provider, seed, results: judged }, null, 2));
  const suite = junitSuite(`conformance ${driver.spec}`, judged.map((r) => propertyCase(driver.spec, r, newsOf(r, r.judgement, match, version) ?? undefined)), {
    driver: driver.spec,
    ...(driver.package ? { package: `${driver.package.name}@${driver.package.version} (${driver.package.source})` } : {}),
    baseline: match ? match.baseline.package : "none",
    provider,
    seed: String(seed),
  });
  writeJUnit(args.junit, [suite]);
  if (count("unexpected-fail") > 0) process.exitCode = EXIT.unexpected;
});

function describePackage(pkg: ResolvedDriver["package"]): string {
  if (!pkg) return "";
  const where = { pinned: "pinned by redlock-conformance", project: `installed in ${pkg.root}`, cache: `from the version cache, ${pkg.root}` }[pkg.source];
  return ` (${pkg.name} ${pkg.version}, ${where})`;
}

function describeBaseline(match: BaselineMatch | null, version: string | undefined): string {
  if (!match) return "no baseline: every must-hold, must-fail and liveness property must pass";
  const recorded = match.baseline.package.split(/\s/)[0];
  return match.exact ? `baseline ${recorded}` : `baseline ${recorded}, the nearest recorded version to ${version}: a result that differs is news about this version`;
}
