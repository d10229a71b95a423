import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ConfigError, InfrastructureError } from "../../fixtures/core/errors.ts";
import { familyNamed, parseFamilySpec, projectPackage, rangeFor } from "../../fixtures/drivers/families.ts";
import { installFailure } from "../../fixtures/drivers/package-cache.ts";
import { baselineFor } from "../../fixtures/properties/baselines.ts";
import { newsOf } from "../../fixtures/properties/judgement.ts";
import { confirmDifferences, formatComparison, isRegression } from "../../fixtures/properties/compare.ts";
import type { DriverRun } from "../../fixtures/properties/matrix.ts";

const redlock = familyNamed("redlock")!;

describe("driver specs and families", () => {
  test("a family name alone, family@exact-version, and what is refused", () => {
    expect(parseFamilySpec("redlock")).toEqual({ family: redlock });
    expect(parseFamilySpec("redlock@5.0.0-beta.1")).toEqual({ family: redlock, version: "5.0.0-beta.1" });
    expect(parseFamilySpec("@sesamecare-oss/redlock@1.3.1")?.version).toBe("1.3.1");
    expect(parseFamilySpec("@sesamecare-oss/redlock")?.family.name).toBe("@sesamecare-oss/redlock");
    expect(parseFamilySpec("./my-driver.mjs")).toBeNull();
    expect(parseFamilySpec("left-pad@1.0.0")).toBeNull();
    expect(() => parseFamilySpec("redlock@^5")).toThrow(
      /"\^5" is not an exact version; name one, e.g. redlock@5\.0\.0-beta\.2/,
    );
  });

  test("each version goes to the adapter of its API generation; outside every range is one clear error", () => {
    expect(rangeFor(redlock, "4.2.0").range).toBe(">=4.0.0 <5.0.0-0");
    expect(rangeFor(redlock, "5.0.0-beta.1").range).toBe(">=5.0.0-0 <6.0.0-0");
    expect(() => rangeFor(redlock, "3.1.2")).toThrow(ConfigError);
    expect(() => rangeFor(redlock, "3.1.2")).toThrow(
      /outside what the redlock adapter supports .*3\.x and older have a callback API/,
    );
    expect(() => rangeFor(familyNamed("redis-semaphore")!, "5.6.0")).toThrow(/instanceof check/);
  });

  describe("a family name means the copy the user's project declares and installed", () => {
    const dir = mkdtempSync(join(tmpdir(), "rc-family-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const project = (deps: Record<string, string>, installed?: string) => {
      const root = mkdtempSync(join(dir, "p-"));
      writeFileSync(join(root, "package.json"), JSON.stringify({ name: "app", dependencies: deps }));
      if (installed) {
        mkdirSync(join(root, "node_modules", "redlock"), { recursive: true });
        writeFileSync(
          join(root, "node_modules", "redlock", "package.json"),
          JSON.stringify({ name: "redlock", version: installed }),
        );
      }
      mkdirSync(join(root, "src"), { recursive: true });
      return root;
    };

    test("found from a subfolder, version cleaned (redlock 5 writes v5.0.0-beta.2)", () => {
      const root = project({ redlock: "^5.0.0-beta.2" }, "v5.0.0-beta.2");
      expect(projectPackage(redlock, join(root, "src"))).toEqual({ name: "redlock", version: "5.0.0-beta.2", root });
    });

    test("present only because something else brought it (not declared): refused, with both fixes", () => {
      const root = project({ other: "1.0.0" }, "4.2.0");
      expect(() => projectPackage(redlock, root)).toThrow(
        /does not depend on redlock; install it there \(npm install redlock\) or name a version to test from our cache \(redlock@<version>\)/,
      );
    });

    test("declared but not installed", () => {
      expect(() => projectPackage(redlock, project({ redlock: "4.2.0" }))).toThrow(
        /lists redlock but it is not installed \(run npm install there\)/,
      );
    });
  });

  test("npm's failures: a missing version is bad input, an unreachable registry is infrastructure", () => {
    const etarget = installFailure(
      "redlock@5.0.0-beta.9",
      "npm error code ETARGET\nnpm error notarget No matching version found for redlock@5.0.0-beta.9.",
    );
    expect(etarget).toBeInstanceOf(ConfigError);
    expect(etarget.message).toMatch(/the registry has no version 5\.0\.0-beta\.9 of this package/);
    expect(installFailure("nope-nope@1.0.0", "npm error code E404\nnpm error 404 Not Found")).toBeInstanceOf(
      ConfigError,
    );
    const offline = installFailure(
      "redlock@4.0.0",
      "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\nnpm error request to http://127.0.0.1:9/redlock failed",
    );
    expect(offline).toBeInstanceOf(InfrastructureError);
    expect(offline.message).toMatch(/could not be reached.*--driver redlock\)/s);
  });
});

describe("baselines by family and nearest recorded version", () => {
  test("the recorded version itself is the exact baseline", () => {
    const match = baselineFor({ spec: "redlock@4.2.0", package: { name: "redlock", version: "4.2.0" } });
    expect(match).toMatchObject({ version: "4.2.0", exact: true });
    expect(match?.baseline.driver).toBe("redlock@4");
  });

  test("another version: the nearest recorded one of the same adapter range, never another range's", () => {
    expect(
      baselineFor({ spec: "redlock@5.0.0-beta.1", package: { name: "redlock", version: "5.0.0-beta.1" } }),
    ).toMatchObject({ version: "5.0.0-beta.2", exact: false });
    expect(baselineFor({ spec: "redlock@4.0.0", package: { name: "redlock", version: "4.0.0" } })).toMatchObject({
      version: "4.2.0",
      exact: false,
    });
    expect(
      baselineFor({
        spec: "@sesamecare-oss/redlock@1.3.1",
        package: { name: "@sesamecare-oss/redlock", version: "1.3.1" },
      }),
    ).toMatchObject({ version: "1.4.0", exact: false });
  });

  test("names and modules keep their file-named baselines; a user's module has none", () => {
    expect(baselineFor("redlock@5")?.baseline.package).toMatch(/^redlock@5\.0\.0-beta\.2/);
    expect(baselineFor("reference")).toMatchObject({ exact: true, version: null });
    expect(baselineFor("./my-driver.mjs")).toBeNull();
  });

  test("a difference from the nearest version is news about this version, with the property's explanation", () => {
    const match = baselineFor({ spec: "redlock@5.0.0-beta.1", package: { name: "redlock", version: "5.0.0-beta.1" } });
    const base = { title: "t", class: "must-fail" as const, ms: 1 };
    expect(
      newsOf(
        { ...base, id: "VA-3", status: "pass" },
        { outcome: "pass", expected: "fail", differs: true },
        match,
        "5.0.0-beta.1",
      ),
    ).toMatch(
      /^this version \(5\.0\.0-beta\.1\) now passes VA-3 \(t\); redlock@5\.0\.0-beta\.2 \(the nearest recorded version\) fails it: no check of the elapsed time/,
    );
    expect(
      newsOf(
        { ...base, id: "ME-1", status: "fail", reason: "two holders" },
        { outcome: "fail", expected: "pass", differs: true },
        match,
        "5.0.0-beta.1",
      ),
    ).toBe(
      "this version (5.0.0-beta.1) now fails ME-1 (t); redlock@5.0.0-beta.2 (the nearest recorded version) passes it. Observed: two holders",
    );
    expect(
      newsOf(
        { ...base, id: "ME-1", status: "pass" },
        { outcome: "pass", expected: "pass", differs: false },
        match,
        "5.0.0-beta.1",
      ),
    ).toBeNull();
  });
});

describe("compare: only stable differences are reported", () => {
  const result = (id: string, status: "pass" | "fail") => ({
    id,
    title: id,
    class: "must-hold" as const,
    status,
    ms: 1,
    judgement: { outcome: "pass" as const, expected: status, differs: false },
  });
  const run = (driver: string, statuses: Record<string, "pass" | "fail">): DriverRun => ({
    driver,
    provider: "processes",
    seed: 1,
    seconds: 1,
    results: Object.entries(statuses).map(([id, s]) => result(id, s)),
  });

  test("a difference every re-run reproduces is reported (a regression when A passed); one the re-runs contradict is not", () => {
    const a = run("a", { "ME-1": "pass", "VA-3": "pass", "RE-2": "fail" });
    const b = run("b", { "ME-1": "pass", "VA-3": "fail", "RE-2": "pass" });
    const reruns = [
      { a: run("a", { "VA-3": "pass", "RE-2": "fail" }), b: run("b", { "VA-3": "fail", "RE-2": "fail" }) },
      { a: run("a", { "VA-3": "pass", "RE-2": "fail" }), b: run("b", { "VA-3": "fail", "RE-2": "pass" }) },
    ];
    const differences = confirmDifferences(a, b, reruns);
    expect(differences.map((d) => [d.id, d.agreeing, d.reruns])).toEqual([
      ["VA-3", 2, 2],
      ["RE-2", 1, 2],
    ]);
    const { text, regressions } = formatComparison(a, b, differences);
    expect(regressions).toBe(1);
    expect(text).toMatch(/^\| VA-3 VA-3 \| must-hold \| ✓ {2}\| ✗ {2}\| 2 of 2 re-runs agreed \|$/m);
    expect(text).not.toMatch(/^\| RE-2/m);
    expect(text).toMatch(/Not reported as differences.*\n- RE-2 RE-2: first run a fail, b pass; 1 of 2 re-runs agreed/);
  });

  test("no difference: one line saying so", () => {
    const a = run("a", { "ME-1": "pass" });
    expect(formatComparison(a, run("b", { "ME-1": "pass" }), []).text).toBe("a and b agree on all 1 properties.");
  });

  test("B not exercising what A passed is a difference, not a regression; B failing or dropping it is", () => {
    const a = run("a", { "VA-4": "pass", "AE-1": "pass", "ME-1": "pass" });
    const b: DriverRun = {
      ...run("b", {}),
      results: [
        { ...result("VA-4", "pass"), status: "not-exercised", reason: "every slow acquisition refused" },
        { ...result("AE-1", "pass"), status: "unsupported", unsupportedBy: "driver" },
        result("ME-1", "fail"),
      ],
    };
    const differences = confirmDifferences(a, b, [{ a, b }]);
    expect(differences.map((d) => [d.id, d.b, isRegression(d)])).toEqual([
      ["VA-4", "not-exercised", false],
      ["AE-1", "unsupported", true],
      ["ME-1", "fail", true],
    ]);
    expect(formatComparison(a, b, differences).regressions).toBe(2);
    expect(formatComparison(a, b, differences).text).toMatch(
      /^\| VA-4 VA-4 \| must-hold \| ✓ {2}\| ○ every slow acquisition refused \| 1 of 1 re-runs agreed \|$/m,
    );
  });
});
