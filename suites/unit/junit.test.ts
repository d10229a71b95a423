import fc from "fast-check";
import { parse, type TestSuite, type TestSuites } from "junit2json";
import { describe, expect, test } from "vitest";
import { validateXML } from "xmllint-wasm";
import { junitXml, type JUnitCase, type JUnitSuite } from "../../fixtures/core/junit.ts";
import { schemaErrors } from "./junit-schema.ts";

// What a conforming parser makes of the document (W3C canonical form). xml2js is laxer than XML
// 1.0 about line ends and attribute whitespace, so only this shows CR and newlines survive.
async function canonical(xml: string): Promise<string> {
  const result = await validateXML({ xml: { fileName: "report.xml", contents: xml }, normalization: "c14n" });
  return result.normalized;
}

// junit2json (xml2js, strict) stands for the CI side: what a dashboard would read back.
async function readBack(xml: string): Promise<TestSuites> {
  const parsed = await parse(xml);
  if (!parsed) throw new Error(`junit2json read nothing from: ${xml}`);
  return parsed as TestSuites; // the writer's root is always <testsuites>
}

const suiteAt = (doc: TestSuites, index: number): TestSuite => {
  const suite = doc.testsuite?.[index];
  if (!suite) throw new Error(`no testsuite ${index}`);
  return suite;
};

const NASTY = "a < b && c > d, \"quoted\" 'single', ]]> and <![CDATA[ x ]]>, bell\u0001, nul\u0000, emoji 🔒🧪";
const CLEAN = "a < b && c > d, \"quoted\" 'single', ]]> and <![CDATA[ x ]]>, bell, nul, emoji 🔒🧪";
const REPORT = [
  "mutual exclusion violated: 2 holders of lock:k",
  "\tclient A held it 0..120 ms",
  "\tclient B held it 80..200 ms",
  NASTY,
].join("\n");
const REPORT_READ = REPORT.replace(NASTY, CLEAN);

const mixed: JUnitSuite = {
  name: "conformance <redlock5> & friends",
  timestamp: "2024-05-06T07:08:09.123+02:00",
  hostname: "ci-runner-7",
  properties: { driver: "redlock5", seed: "run-42", "note & <quote>": 'say "hi"\nnew line' },
  cases: [
    { name: "acquire then release", classname: "safety.basic", seconds: 0.0123, outcome: "passed" },
    {
      name: "exclusive under partition",
      classname: "safety.partition",
      seconds: 1.5,
      outcome: "failed",
      message: "two holders\u0001 at once",
      text: REPORT,
    },
    {
      name: "clock jump",
      classname: "safety.clock",
      seconds: 0,
      outcome: "skipped",
      message: "clock faults are unsupported on the external provider",
    },
    {
      name: "release after close",
      classname: "liveness",
      seconds: 2.0004,
      outcome: "error",
      text: "TypeError: x is not a function\n    at release (driver.ts:10:3)",
      systemOut: `stdout with ${NASTY}\r\nand a CRLF`,
    },
    {
      name: `name ${NASTY}`,
      classname: "weird.names",
      seconds: Number.NaN,
      outcome: "passed",
      systemOut: "only output",
    },
  ],
};

describe("JUnit XML (Jenkins junit-4.xsd, read back by junit2json)", () => {
  test("a mixed suite with hostile text is schema-valid and reads back with its counts and reports", async () => {
    const xml = junitXml([mixed], "run 1");
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml).not.toMatch(/[\u0000\u0001]/);
    expect(xml).not.toContain("<![CDATA[");
    expect(await schemaErrors(xml)).toEqual([]);

    const doc = await readBack(xml);
    expect(doc).toMatchObject({ name: "run 1", tests: 5, failures: 1, errors: 1, time: 3.513 });
    const suite = suiteAt(doc, 0);
    expect(suite).toMatchObject({ name: mixed.name, tests: 5, failures: 1, errors: 1, skipped: 1, time: 3.513 });
    expect(suite).toMatchObject({
      timestamp: "2024-05-06T05:08:09",
      hostname: "ci-runner-7",
      id: 0,
      package: mixed.name,
    });
    expect(suite.properties).toEqual([
      { name: "driver", value: "redlock5" },
      { name: "seed", value: "run-42" },
      { name: "note & <quote>", value: 'say "hi"\nnew line' },
    ]);

    const [passed, failed, skipped, errored, weird] = suite.testcase ?? [];
    expect(passed).toEqual({ name: "acquire then release", classname: "safety.basic", time: 0.012 });
    expect(failed?.failure).toEqual([{ message: "two holders at once", type: "AssertionError", inner: REPORT_READ }]);
    expect(skipped?.skipped).toEqual([{ inner: "clock faults are unsupported on the external provider" }]);
    expect(errored?.error).toEqual([
      { message: "TypeError: x is not a function", type: "Error", inner: mixed.cases[3]?.text },
    ]);
    expect(errored?.["system-out"]).toEqual([`stdout with ${CLEAN}\r\nand a CRLF`]);
    expect(weird).toMatchObject({ name: `name ${CLEAN}`, time: 0, "system-out": ["only output"] });

    const parsedByLibxml2 = await canonical(xml);
    expect(parsedByLibxml2).toContain('value="say &quot;hi&quot;&#xA;new line"');
    expect(parsedByLibxml2).toContain("&#xD;\nand a CRLF</system-out>");
    expect(parsedByLibxml2).toContain(
      `message="two holders at once" type="AssertionError">${REPORT_READ.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</failure>`,
    );
  });

  test("no suites, and a suite with no cases, are valid documents with zero counts", async () => {
    const none = junitXml([]);
    expect(await schemaErrors(none)).toEqual([]);
    expect(await readBack(none)).toEqual({ name: "redlock-conformance", tests: 0, failures: 0, errors: 0, time: 0 });

    const empty = junitXml([{ name: "empty", properties: {}, cases: [] }]);
    expect(await schemaErrors(empty)).toEqual([]);
    expect(empty).not.toContain("<properties");
    const suite = suiteAt(await readBack(empty), 0);
    expect(suite).toEqual({
      name: "empty",
      tests: 0,
      failures: 0,
      errors: 0,
      skipped: 0,
      time: 0,
      hostname: "localhost",
      id: 0,
      package: "empty",
    });
  });

  test("counts add up per suite and across suites; ids follow the order", async () => {
    const outcomes: JUnitCase["outcome"][] = ["passed", "failed", "failed", "skipped", "error", "passed", "skipped"];
    const suites = [0, 1, 2].map((n) => ({
      name: `suite-${n}`,
      cases: outcomes.slice(n).map((outcome, i) => ({ name: `t${i}`, classname: `c${n}`, seconds: 0.25, outcome })),
    }));
    const xml = junitXml(suites);
    expect(await schemaErrors(xml)).toEqual([]);
    const doc = await readBack(xml);
    expect(doc).toMatchObject({ tests: 7 + 6 + 5, failures: 2 + 2 + 1, errors: 3, time: 4.5 });
    expect(doc.testsuite?.map((s) => [s.id, s.tests, s.failures, s.errors, s.skipped, s.time])).toEqual([
      [0, 7, 2, 1, 2, 1.75],
      [1, 6, 2, 1, 2, 1.5],
      [2, 5, 1, 1, 2, 1.25],
    ]);
  });

  test("any text at all, lone surrogates and U+FFFE included, stays valid and reads back minus what XML 1.0 cannot hold", async () => {
    // Any UTF-16 unit, so lone surrogates and control characters come up, not only whole code points.
    const unit = fc.oneof(
      fc.constantFrom("<", ">", "&", '"', "'", "]]>", "\r", "\n", "\t", "\r\n"),
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
    );
    const texts = [
      ...fc.sample(fc.string({ unit, maxLength: 40 }), { numRuns: 300, seed: 7 }),
      "lone high \uD800 end",
      "lone low \uDC00 end",
      "non-characters \uFFFE\uFFFF end",
    ];
    // The prefixes keep xml2js from turning a numeric-looking message into a number.
    const cases = texts.map(
      (text, i): JUnitCase => ({
        name: `t${i}`,
        classname: "fuzz",
        seconds: 0,
        outcome: "failed",
        message: `m${i} ${text}`,
        text: `#${i} ${text}`,
      }),
    );
    const xml = junitXml([{ name: "fuzz", cases }]);
    expect(await schemaErrors(xml)).toEqual([]);

    const legal = (text: string) => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu, "");
    const read = suiteAt(await readBack(xml), 0).testcase ?? [];
    expect(read).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      expect(read[i]?.failure).toEqual([
        { message: `m${i} ${legal(text)}`, type: "AssertionError", inner: `#${i} ${legal(text)}` },
      ]);
    });
  });

  test("the check can fail: the schema rejects elements out of order, and libxml2 rejects a raw control character", async () => {
    const xml = junitXml([
      { name: "s", properties: { a: "1" }, cases: [{ name: "t", classname: "c", seconds: 1, outcome: "passed" }] },
    ]);
    const reordered = xml.replace(/(\s*<properties>[\s\S]*<\/properties>)(\s*<testcase[^>]*\/>)/, "$2$1");
    expect(reordered).not.toBe(xml);
    expect((await schemaErrors(reordered)).join("\n")).toMatch(/properties.*not expected/);
    expect(await schemaErrors(xml.replace('name="t"', 'name="t\u0001"'))).not.toEqual([]);
  });
});
