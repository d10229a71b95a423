#!/usr/bin/env -S node --import tsx
// Runs the conformance properties against one driver (LOCK_DRIVER or --driver) without vitest:
// the command a library maintainer runs from their own project (bin: redlock-conformance).
//   redlock-conformance [--driver redlock|redlock@5.0.0-beta.1|./my-driver.mjs] [--only ME-1,QU-2] [--json report.json] [--junit report.xml]
// Exit codes: 0 as expected, 1 an unexpected result, 2 bad input, 3 infrastructure could not start.
import { concurrencySetting, seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import { writeFileSync } from "node:fs";
import { baselineFor, recordedName, type BaselineMatch } from "../fixtures/properties/baselines.ts";
import {
  judge,
  newsOf,
  OUTCOME_MARK,
  outcomeMessage,
  providerSkip,
  type Judgement,
  type Outcome,
} from "../fixtures/properties/judgement.ts";
import { describePackage, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { selectProperties } from "../fixtures/properties/catalog.ts";
import { runProperties } from "../fixtures/properties/run-properties.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";
import { EXIT, runCli } from "./cli.ts";
import { commaList, parseFlags, type Shard, shardFlag, wholeNumber } from "./args.ts";
import { describeShard, shardOf } from "../fixtures/properties/shard.ts";
import { checkJUnitPath, junitSuite, propertyCase, writeJUnit } from "./junit.ts";

const USAGE =
  "usage: redlock-conformance [--driver <name|family|family@version|path>] [--only ID,ID] [--concurrency N] [--shard i/n] [--json file] [--junit file]\n       redlock-conformance compare <specA> <specB> [--only ID,ID] [--confirm N] [--concurrency N] [--shard i/n] [--junit file]\n       redlock-conformance matrix [--shard i/n] [--json file]\n       redlock-conformance merge <report.json>… [--json file] [--junit file]";

interface Args {
  driver?: string;
  only?: readonly string[];
  concurrency?: number;
  shard?: Shard;
  json?: string;
  junit?: string;
}

function parseConformanceArgs(argv: readonly string[]): Args {
  return parseFlags(
    argv,
    {
      command: "conformance",
      usage: USAGE,
      options: {
        driver: { type: "string" },
        only: { type: "string" },
        concurrency: { type: "string" },
        shard: { type: "string" },
        json: { type: "string" },
        junit: { type: "string" },
      },
    },
    ({ values }, problems) => {
      const only = problems.take(commaList("--only", values.only, { upper: true }));
      // An unknown id or an unwritable report path is bad input before anything starts.
      if (only) problems.attempt(() => selectProperties(only, "--only"));
      problems.attempt(() => checkJUnitPath(values.junit));
      const concurrency = problems.take(
        wholeNumber("--concurrency", values.concurrency, { min: 1, max: 64, of: "properties side by side" }),
      );
      const shard = problems.take(shardFlag("--shard", values.shard));
      return { driver: values.driver, only, concurrency, shard, json: values.json, junit: values.junit };
    },
  );
}

await runCli(async () => {
  const args = parseConformanceArgs(process.argv.slice(2));
  const config = loadConfig();
  const selected = selectProperties(args.only, "--only");
  // A shard runs its part of the selection; `merge` puts the parts' --json reports back together.
  const properties = shardOf(selected, args.shard);
  const driver = await resolveDriver(args.driver ?? config.driver, { nodeCount: config.nodeCount });
  const seed = seedSetting();
  const { provider } = await resolveProvider(config);
  const concurrency = resolveConcurrency(provider, args.concurrency ?? concurrencySetting());
  await reapLeftovers({ docker: provider === "containers" });
  const match = baselineFor(driver);
  const baseline = match?.baseline ?? null;
  const version = driver.package?.version;
  console.log(
    `driver ${driver.spec}${driver.package ? ` (${describePackage(driver.package)})` : ""}; ${describeBaseline(match, version)}; provider ${provider}; seed ${seed}${args.shard ? `; ${describeShard(args.shard)}: ${properties.length} of ${selected.length} properties` : ""}; ${concurrency === 1 ? "one property at a time" : `up to ${concurrency} properties side by side`}`,
  );
  const started = Date.now();
  // Each result is judged once, as it comes: the line printed, the summary and the reports agree.
  const judged: Array<PropertyResult & { judgement: Judgement; news: string | null }> = [];
  await runProperties(
    properties,
    {
      config,
      provider,
      driver,
      seed,
      concurrency,
      unexpected: (r) => judge(r, baseline).outcome === "fail",
      replay: (id) =>
        `RC_SEED=${seed} REDIS_PROVIDER=${provider} npx redlock-conformance --driver ${driver.spec} --only ${id}`,
    },
    (r) => {
      const j = judge(r, baseline);
      const news = newsOf(r, j, match, version);
      judged.push({ ...r, judgement: j, news });
      const text = outcomeMessage(r, j, baseline?.expected[r.id]?.why);
      // An unexpected pass does not fail the run, but still stands out (other news keeps its outcome's mark; its NEWS line follows).
      const mark = j.differs && j.outcome === "pass" ? "NEWS" : OUTCOME_MARK[j.outcome];
      console.log(
        `${mark} ${r.id.padEnd(5)} ${r.status.padEnd(13)} ${r.class.padEnd(16)} ${r.title}${text ? ` — ${text}` : ""} (${(r.ms / 1000).toFixed(1)} s)`,
      );
      if (news) console.log(`     NEWS: ${news}`);
      if ((j.outcome === "fail" || j.outcome === "not-exercised") && r.details)
        console.log(r.details.replace(/^/gm, "      "));
    },
  );
  // Printed as they came; reported in the catalog's order, whatever ran first.
  const order = new Map(properties.map((p, i) => [p.id, i]));
  judged.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const count = (o: Outcome) => judged.filter((r) => r.judgement.outcome === o).length;
  const newsCount = judged.filter((r) => r.news).length;
  console.log(
    `\n${driver.spec}: ${count("pass")} passed, ${count("fail")} failed, ${count("informational")} informational (known or "should" failures), ${count("skip")} skipped, ${count("not-exercised")} not exercised${newsCount ? `, ${newsCount} news` : ""} (provider ${provider}); ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const byProvider = judged.filter(providerSkip);
  if (byProvider.length > 0) {
    console.log(
      `skipped on ${provider}: ${byProvider.map((r) => r.id).join(", ")} — not a result of the driver; they run on a fleet the harness controls ` +
        `(REDIS_PROVIDER=processes or containers)${provider === "external" ? "; those that need node operations also run here with a REDIS_NODE_CONTROL module that provides them" : ""}.`,
    );
  }
  const byDriver = new Map<string, string[]>();
  for (const r of judged.filter((x) => x.judgement.outcome === "skip" && !providerSkip(x)))
    byDriver.set(r.reason ?? "", [...(byDriver.get(r.reason ?? "") ?? []), r.id]);
  for (const [reason, ids] of byDriver) console.log(`skipped for the driver: ${ids.join(", ")} — ${reason}`);
  const idle = judged.filter((r) => r.judgement.outcome === "not-exercised");
  if (idle.length > 0) {
    console.log(`not exercised (no verdict: the situation did not happen; never counted as a pass):`);
    for (const r of idle) console.log(`  ${r.id}: ${r.reason}`);
  }
  const news = judged.flatMap((r) => (r.news ? [r.news] : []));
  if (news.length > 0)
    console.log(
      `\nNews against ${match ? recordedName(match.baseline) : "the default expectation"}:\n${news.map((n) => `- ${n}`).join("\n")}`,
    );
  if (args.json)
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          driver: driver.spec,
          package: driver.package,
          baseline: match && { package: match.baseline.package, exact: match.exact },
          provider,
          seed,
          ...(args.shard ? { shard: args.shard } : {}),
          selected: selected.map((p) => p.id),
          results: judged,
        },
        null,
        2,
      ),
    );
  const suite = junitSuite(
    `conformance ${driver.spec}`,
    judged.map((r) => propertyCase(driver.spec, r, r.news ?? undefined, baseline?.expected[r.id]?.why)),
    {
      driver: driver.spec,
      ...(driver.package
        ? { package: `${driver.package.name}@${driver.package.version} (${driver.package.source})` }
        : {}),
      baseline: match ? match.baseline.package : "none",
      provider,
      seed: String(seed),
    },
  );
  writeJUnit(args.junit, [suite]);
  if (count("fail") > 0) process.exitCode = EXIT.unexpected;
});

function describeBaseline(match: BaselineMatch | null, version: string | undefined): string {
  if (!match) return "no baseline: every must-hold, must-fail and liveness property must pass";
  const recorded = recordedName(match.baseline);
  return match.exact
    ? `baseline ${recorded}`
    : `baseline ${recorded}, the nearest recorded version to ${version}: a result that differs is news about this version`;
}
