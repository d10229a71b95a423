#!/usr/bin/env -S node --import tsx
// Puts the --json reports of a run's shards back together (bin: redlock-conformance merge):
//   redlock-conformance merge shard-1.json shard-2.json … [--json merged.json] [--junit merged.xml]
//   npm run merge -- reports/matrix-1.json reports/matrix-2.json [--json reports/matrix.json]
// One report, as the unsharded run would have written it; the exit code of the whole run.
// Exit codes: 0 as expected, 1 an unexpected result in any shard, 2 bad input (files that are not
// the parts of one run, a part missing or given twice).
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import type { Judgement } from "../fixtures/properties/judgement.ts";
import { formatMatrix, type DriverRun } from "../fixtures/properties/matrix.ts";
import { mergeReports, outcomesOf } from "../fixtures/properties/merge.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";
import { parseFlags } from "./args.ts";
import { EXIT, runCli } from "./cli.ts";
import { checkJUnitPath, junitSuite, propertyCase, writeJUnit } from "./junit.ts";

const USAGE = "usage: redlock-conformance merge <report.json>… [--json merged.json] [--junit merged.xml]";

await runCli(async () => {
  const args = parseFlags(
    process.argv.slice(2),
    {
      command: "merge",
      usage: USAGE,
      options: { json: { type: "string" }, junit: { type: "string" } },
      positionals: { min: 1, max: 1024, names: "<report.json>… (the --json report of every shard)" },
    },
    ({ values, positionals }, problems) => {
      problems.attempt(() => checkJUnitPath(values.junit));
      return { files: positionals, json: values.json, junit: values.junit };
    },
  );
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
