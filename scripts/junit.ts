import { accessSync, constants, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { hostname } from "node:os";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import { junitXml, type JUnitCase, type JUnitSuite } from "../fixtures/core/junit.ts";
import type { CampaignRecord } from "../fixtures/chaos/record.ts";
import { CHECKER_NAMES } from "../fixtures/history/verdict.ts";
import { verdictLines } from "../fixtures/history/verdict-text.ts";
import { outcomeMessage, type Judgement } from "../fixtures/properties/judgement.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";

/**
 * One judged property result as a JUnit testcase: failed only on an unexpected failure; a skip and
 * a situation that did not happen are <skipped> with their reason; a known failure or an
 * unexpected pass is a passed test whose output says what it was.
 */
export function propertyCase(
  classname: string,
  r: PropertyResult & { judgement: Judgement },
  text?: string,
  why?: string,
): JUnitCase {
  const name = `${r.id} [${r.class}] ${r.title}`;
  const seconds = r.ms / 1000;
  const message = outcomeMessage(r, r.judgement, why);
  switch (r.judgement.outcome) {
    case "fail":
      return { name, classname, seconds, outcome: "failed", message, text: text ?? r.details ?? message };
    case "skip":
    case "not-exercised":
      return { name, classname, seconds, outcome: "skipped", message };
    default:
      return {
        name,
        classname,
        seconds,
        outcome: "passed",
        systemOut: `${r.judgement.outcome}${r.judgement.differs ? " (differs from the baseline)" : ""}: ${message}${text ? `\n${text}` : ""}`,
      };
  }
}

export function junitSuite(name: string, cases: JUnitCase[], properties: Record<string, string>): JUnitSuite {
  return { name, timestamp: new Date().toISOString(), hostname: hostname(), properties, cases };
}

/** Checked before anything starts: a path we cannot write is bad input, not a lost report at the end. */
export function checkJUnitPath(path: string | undefined): void {
  if (path === undefined) return;
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    throw new ConfigError(`--junit ${path}: cannot write there (${errorMessage(error)})`);
  }
}

export function writeJUnit(path: string | undefined, suites: JUnitSuite[]): void {
  if (path !== undefined) writeFileSync(path, junitXml(suites));
}

/**
 * A chaos campaign as one testcase per checker (the properties generated runs check): failed when
 * a run found a defect the baseline does not document, with its evidence and the replay lines.
 */
export function chaosSuite(record: CampaignRecord, report: string): JUnitSuite {
  const runs = record.runs.filter((r) => !r.partial);
  const checked = runs.filter((r) => !r.unsupported);
  const cases = CHECKER_NAMES.map((checker): JUnitCase => {
    const name = `chaos ${checker} (${record.envelope})`;
    const classname = `chaos ${record.driver}`;
    const withVerdict = checked.filter((r) => r.verdicts.some((v) => v.checker === checker));
    // The runs check every checker at once: their time is shared out, so the suite's sum is the campaign's.
    const seconds = withVerdict.reduce((sum, r) => sum + r.ms, 0) / 1000 / CHECKER_NAMES.length;
    if (withVerdict.length === 0)
      return {
        name,
        classname,
        seconds,
        outcome: "skipped",
        message:
          checked.length === 0 ? `no run could be carried out on ${record.provider}` : `no run checked ${checker}`,
      };
    const news = runs.flatMap((r) =>
      r.violations.filter((v) => v.verdict.checker === checker && v.defect && !v.known).map((v) => ({ run: r, v })),
    );
    const known = runs.flatMap((r) => r.violations.filter((v) => v.verdict.checker === checker && v.known));
    if (news.length > 0) {
      // The shrunk counterexample, when there is one, is the smallest story to read.
      const first = news.find((n) => n.run.counterexample) ?? news[0]!;
      const text = [
        `run ${first.run.index} (${first.run.phase}):`,
        ...verdictLines(first.v.verdict).map((e) => `  ${e}`),
        ...(first.v.causes.length ? [`made possible by: ${first.v.causes.join("; ")}`] : []),
        "",
        `replay: ${record.replay.join("\n        ")}`,
        `report: ${report}`,
        `seed: ${record.seed}`,
      ].join("\n");
      return {
        name,
        classname,
        seconds,
        outcome: "failed",
        message: `${checker}: a defect in ${news.length} run(s) of ${withVerdict.length}`,
        text,
      };
    }
    return {
      name,
      classname,
      seconds,
      outcome: "passed",
      systemOut: `checked in ${withVerdict.length} run(s)${known.length ? `; ${known.length} known defect(s) the baseline documents: ${known[0]!.known}` : ""}`,
    };
  });
  return junitSuite(`chaos ${record.driver} (${record.envelope})`, cases, {
    driver: record.driver,
    envelope: record.envelope,
    provider: record.provider,
    seed: String(record.seed),
    report,
  });
}
