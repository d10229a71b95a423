import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import { junitXml, type JUnitCase, type JUnitSuite } from "../fixtures/core/junit.ts";
import type { Judgement } from "../fixtures/properties/baselines.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";

/** One judged property result as a JUnit testcase: failed only when the result is unexpected. */
export function propertyCase(classname: string, r: PropertyResult & { judgement: Judgement }, text?: string): JUnitCase {
  const name = `${r.id} [${r.class}] ${r.title}`;
  const seconds = r.ms / 1000;
  const summary = `${r.status}${r.reason ? `: ${r.reason}` : ""}`;
  if (r.judgement === "unexpected-fail") return { name, classname, seconds, outcome: "failed", message: summary, text: text ?? r.details ?? summary };
  if (r.judgement === "skipped" || r.status === "unsupported") return { name, classname, seconds, outcome: "skipped", message: `UNSUPPORTED: ${r.reason ?? ""}` };
  // A known failure or an unexpected pass is not a failed test; what it was stays in the output.
  return { name, classname, seconds, outcome: "passed", systemOut: `${r.judgement}: ${summary}${text ? `\n${text}` : ""}` };
}

export function junitSuite(name: string, cases: JUnitCase[], properties: Record<string, string>): JUnitSuite {
  return { name, timestamp: new Date().toISOString(), hostname: hostname(), properties, cases };
}

/** Checked before anything starts: a path we cannot write is bad input, not a lost report at the end. */
export function checkJUnitPath(path: string | undefined): void {
  if (path === undefined) return;
  try {
    writeFileSync(path, "", { flag: "a" });
  } catch (error) {
    throw new ConfigError(`--junit ${path}: cannot write there (${errorMessage(error)})`);
  }
}

export function writeJUnit(path: string | undefined, suites: JUnitSuite[]): void {
  if (path !== undefined) writeFileSync(path, junitXml(suites));
}
