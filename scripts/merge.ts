#!/usr/bin/env -S node --import tsx
// Puts the parts of a sharded run back together (bin: redlock-conformance merge):
//   redlock-conformance merge shard-1.json shard-2.json … [--json merged.json] [--junit merged.xml]
//   npm run merge -- reports/matrix-1.json reports/matrix-2.json [--json reports/matrix.json]
//   redlock-conformance merge reports/chaos/shard-1 reports/chaos/shard-2 … [--out DIR] [--junit FILE]
// (the run folders of `chaos --shard i/n`: one run folder, results.json and report.html)
// One report, as the unsharded run would have written it; the exit code of the whole run.
// Exit codes: 0 as expected, 1 an unexpected result in any shard, 2 bad input (files that are not
// the parts of one run, a part missing or given twice).
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mergeCampaigns } from "../fixtures/chaos/merge-campaigns.ts";
import { campaignFoundNews, type CampaignRecord } from "../fixtures/chaos/record.ts";
import { CAMPAIGN_FILE, defaultRunFolder, writeRunFolder } from "../fixtures/chaos/run-folder.ts";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import type { Judgement } from "../fixtures/properties/judgement.ts";
import { formatMatrix, type DriverRun } from "../fixtures/properties/matrix.ts";
import { mergeReports, outcomesOf } from "../fixtures/properties/merge.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";
import { parseFlags } from "./args.ts";
import { EXIT, runCli } from "./cli.ts";
import { chaosSuite, checkJUnitPath, junitSuite, propertyCase, writeJUnit } from "./junit.ts";

const USAGE =
  "usage: redlock-conformance merge <report.json>… [--json merged.json] [--junit merged.xml]\n       redlock-conformance merge <chaos run folder>… [--out DIR] [--junit merged.xml]";

await runCli(async () => {
  const args = parseFlags(
    process.argv.slice(2),
    {
      command: "merge",
      usage: USAGE,
      options: { json: { type: "string" }, junit: { type: "string" }, out: { type: "string" } },
      positionals: { min: 1, max: 1024, names: "<report.json>… or <run folder>… (every shard's)" },
    },
    ({ values, positionals }, problems) => {
      problems.attempt(() => checkJUnitPath(values.junit));
      const folders = positionals.filter((p) => existsSync(p) && statSync(p).isDirectory());
      if (folders.length > 0 && folders.length < positionals.length)
        problems.add("give either --json reports or chaos run folders, not both");
      if (folders.length > 0 && values.json) problems.add("--json is for reports; run folders merge into --out DIR");
      if (folders.length === 0 && values.out)
        problems.add("--out is for chaos run folders; reports merge into --json FILE");
      return {
        files: positionals,
        folders: folders.length > 0,
        json: values.json,
        junit: values.junit,
        out: values.out,
      };
    },
  );
  if (args.folders) {
    const parts = args.files.map((dir) => {
      const file = join(dir, CAMPAIGN_FILE);
      try {
        return { dir, record: JSON.parse(readFileSync(file, "utf8")) as CampaignRecord };
      } catch (error) {
        throw new ConfigError(
          `merge: ${dir} has no readable ${CAMPAIGN_FILE} (${errorMessage(error).split("\n")[0]}): only the run folders of \`chaos --shard i/n\` can be merged`,
        );
      }
    });
    const merged = mergeCampaigns(parts);
    const out = args.out ?? defaultRunFolder(join("reports", "chaos"), `${merged.driver}-merged`, Date.now());
    const files = writeRunFolder(out, merged, { latest: args.out === undefined });
    writeJUnit(args.junit, [chaosSuite(merged, files.report)]);
    const defect = campaignFoundNews(merged);
    console.log(
      `merged ${parts.length} shard(s) of ${merged.driver} (envelope ${merged.envelope}, seed ${merged.seed}): ${merged.runs.filter((r) => r.phase === "generated").length} generated runs, ${merged.runs.filter((r) => r.phase === "shrinking").length} shrinking runs; ${defect ? "a new defect" : "no new defect"}\nrun folder: ${out} (report.html, results.json)`,
    );
    for (const line of defect ? merged.replay : []) console.log(`replay: ${line}`);
    if (defect) process.exitCode = EXIT.unexpected;
    return;
  }
  const inputs = args.files.map((file) => {
    try {
      return { file, data: JSON.parse(readFileSync(file, "utf8")) as unknown };
    } catch (error) {
      throw new ConfigError(`merge: ${file} cannot be read as JSON (${errorMessage(error)})`);
    }
  });
  const merged = mergeReports(inputs);
  const outcomes = outcomesOf(merged);
  const summary = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(", ");
  if (merged.kind === "matrix") {
    if (args.junit) throw new ConfigError("merge: --junit is for conformance reports (the matrix writes none)");
    console.log(formatMatrix(merged.report.runs as unknown as DriverRun[]));
    console.log(
      `\nmerged ${args.files.length} part(s): ${merged.report.runs.length} drivers × ${merged.report.selected.length} properties; ${summary}`,
    );
  } else {
    const { report } = merged;
    const results = report.results as Array<PropertyResult & { judgement: Judgement; news?: string | null }>;
    for (const r of results.filter((x) => x.judgement.outcome === "fail"))
      console.log(`FAIL ${r.id} ${r.status} — ${r.reason ?? ""}`);
    console.log(
      `merged ${args.files.length} part(s) of ${report.driver} (provider ${report.provider}, seed ${report.seed}): ${report.results.length} properties; ${summary}`,
    );
    writeJUnit(args.junit, [
      junitSuite(
        `conformance ${report.driver}`,
        results.map((r) => propertyCase(report.driver, r, r.news ?? undefined)),
        {
          driver: report.driver,
          provider: report.provider,
          seed: String(report.seed),
          merged: String(args.files.length),
        },
      ),
    ]);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify(merged.report, null, 2));
  if ((outcomes.get("fail") ?? 0) > 0) process.exitCode = EXIT.unexpected;
});
