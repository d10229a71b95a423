import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { isOrphaned, readProcessRecords } from "../fixtures/core/ledger.ts";
import { schemaErrors } from "./unit/junit-schema.ts";

/**
 * The package as a user gets it: `npm pack` (which builds), installed with redlock@5.0.0-beta.2
 * into a fresh foreign project, then its bin, its vitest entry and the CI recipe run from there
 * with no tsx and no dev dependency of ours. The versioned drivers install into a cache of this
 * run's own, from the npm registry (or npm's local cache).
 *
 * It tests packaging, not a fleet: it runs once, in the processes pass (its commands start local
 * redis-server processes); on other providers it is skipped with that reason.
 */
const provider = inject("provider");
const ROOT = join(import.meta.dirname, "..");
const OWN = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

let tmp = "";
let app = "";
let tarball = "";
let env: NodeJS.ProcessEnv = {};

/** A child's environment without this vitest worker's variables (a nested vitest must not see them). */
function foreignEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(VITEST|TSX_|NODE_OPTIONS$|LOCK_DRIVER$|npm_)/.test(k)),
  );
  return {
    ...clean,
    REDIS_PROVIDER: "processes",
    RC_SEED: "42",
    RC_PACKAGE_CACHE: join(tmp, "package-cache"),
    ...extra,
  };
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? app,
      env: options.env ?? env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const cli = (args: string[], extra?: Record<string, string>) =>
  run("npx", ["--no-install", "redlock-conformance", ...args], extra ? { env: foreignEnv(extra) } : {});
const output = (r: Ran) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

async function expectValidJUnit(file: string): Promise<string> {
  const xml = readFileSync(join(app, file), "utf8");
  expect(await schemaErrors(xml), `${file} against the Jenkins JUnit schema`).toEqual([]);
  return xml;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe.skipIf(provider !== "processes")(
  "the packed package in a foreign project (runs once, in the processes pass: it tests packaging, not a fleet)",
  () => {
    let ledgerBefore: number[] = [];

    beforeAll(async () => {
      ledgerBefore = readProcessRecords().map((r) => r.pid);
      tmp = mkdtempSync(join(tmpdir(), "rc-foreign-"));
      app = join(tmp, "app");
      env = foreignEnv();
      const packed = await run("npm", ["pack", "--silent", "--pack-destination", tmp], {
        cwd: ROOT,
        env: foreignEnv(),
      });
      expect(packed.status, output(packed)).toBe(0);
      tarball = join(tmp, packed.stdout.trim().split("\n").at(-1)!);
      await run("mkdir", ["-p", app], { cwd: tmp });
      writeFileSync(
        join(app, "package.json"),
        JSON.stringify({ name: "foreign-app", version: "1.0.0", private: true, type: "module" }, null, 2),
      );
      copyFileSync(join(ROOT, "suites", "sample-drivers", "my-redlock.mjs"), join(app, "my-redlock.mjs"));
      // One install: the package, the redlock it tests, and the vitest its conformanceSuite() runs in.
      const installed = await run("npm", [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        tarball,
        "redlock@5.0.0-beta.2",
        `vitest@${OWN.devDependencies.vitest}`,
      ]);
      expect(installed.status, output(installed)).toBe(0);
    }, 300_000);

    afterAll(() => {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    // Runs of the bin that share nothing but the installed project (each writes files of its own
    // names): side by side within each group, the groups one after another (a suite marked
    // concurrent would run beside its concurrent siblings: up to nine runs at once on two cores).
    // The checks of the packed files read only.
    describe("the bin, the tarball and the installed files", () => {
      test.concurrent("the tarball passes publint, and its entry points resolve with types for node16/nodenext and bundler users (attw)", async () => {
        const lint = await run("npx", ["--no-install", "publint", tarball], { cwd: ROOT, env: foreignEnv() });
        expect(lint.status, output(lint)).toBe(0);
        expect(lint.stdout).toMatch(/All good!/);
        // An ESM-only package: CommonJS require() and node10 resolution are out of scope by design.
        const types = await run("npx", ["--no-install", "attw", "--profile", "esm-only", "--format", "json", tarball], {
          cwd: ROOT,
          env: foreignEnv(),
        });
        expect(types.status, output(types)).toBe(0);
        const report = JSON.parse(types.stdout) as {
          analysis: {
            entrypoints: Record<
              string,
              { resolutions: Record<string, { resolution?: { fileName: string; isTypeScript: boolean } }> }
            >;
          };
        };
        for (const entry of [".", "./vitest"]) {
          for (const kind of ["node16-esm", "bundler"]) {
            const resolved = report.analysis.entrypoints[entry]?.resolutions[kind]?.resolution;
            expect(resolved?.fileName, `${entry} for ${kind}`).toMatch(/\.d\.ts$/);
            expect(resolved?.isTypeScript, `${entry} for ${kind}`).toBe(true);
          }
        }
      }, 120_000);

      test.concurrent("installs as compiled JavaScript: no tsx, no dev dependency of ours, no TypeScript source", async () => {
        expect(existsSync(join(app, "node_modules", "tsx")), "tsx in the foreign project").toBe(false);
        // A package of the same name may come with a runtime dependency (@types/node through
        // testcontainers' types); none may be there because redlock-conformance asked for it.
        for (const name of Object.keys(OWN.devDependencies).filter((n) => existsSync(join(app, "node_modules", n)))) {
          const why = await run("npm", ["explain", name]);
          expect(why.stdout, `${name} in the foreign project`).not.toMatch(
            new RegExp(`^\\s*${name.replace(/[/.]/g, "\\$&")}@\\S+ from redlock-conformance@`, "m"),
          );
        }
        const pkg = join(app, "node_modules", "redlock-conformance");
        const sources = filesUnder(pkg).filter((f) => /\.[cm]?ts$/.test(f) && !/\.d\.[cm]?ts$/.test(f));
        expect(sources.map((f) => relative(pkg, f))).toEqual([]);
        expect(existsSync(join(pkg, "build", "scripts", "conformance.js"))).toBe(true);
      });

      test.concurrent("npx redlock-conformance --driver redlock tests the redlock the project installed, and writes valid JUnit", async () => {
        const r = await cli(["--driver", "redlock", "--only", "ME-1,QU-2,VA-3", "--junit", "conformance.xml"]);
        expect(r.status, output(r)).toBe(0);
        expect(r.stdout).toContain(`redlock 5.0.0-beta.2, installed in ${app}`);
        expect(r.stdout).toMatch(/baseline redlock@5\.0\.0-beta\.2;/);
        expect(r.stdout).toMatch(/: 1 passed, 0 failed, 2 informational/);
        const xml = await expectValidJUnit("conformance.xml");
        expect(xml).toMatch(/<testsuite [^>]*tests="3" failures="0"/);
      }, 180_000);

      test.concurrent("a hand-written driver module without `using` conforms: exit 0, the AE rows are skips with their reason (bin, --json, JUnit)", async () => {
        const r = await cli(["--driver", "./my-redlock.mjs", "--json", "my-redlock.json", "--junit", "my-redlock.xml"]);
        expect(r.status, output(r)).toBe(0);
        expect(r.stdout).toMatch(/no baseline: every must-hold, must-fail and liveness property must pass/);
        // The figures that matter: nothing failed and the seven AE rows are skips (a "should" bound under load may turn informational).
        expect(r.stdout).toMatch(/: \d+ passed, 0 failed, \d+ informational .*, 7 skipped, /);
        for (const id of ["AE-1", "AE-2", "AE-3", "AE-4", "AE-5", "AE-6", "AE-7"])
          expect(r.stdout).toMatch(
            new RegExp(
              `^skip +${id} +unsupported .* SKIPPED: .using. \\(an auto-extending lock\\) is unsupported by the \\./my-redlock\\.mjs driver`,
              "m",
            ),
          );
        expect(r.stdout).toMatch(/^skipped for the driver: AE-1, AE-2, AE-3, AE-4, AE-5, AE-6, AE-7 — /m);
        const json = JSON.parse(readFileSync(join(app, "my-redlock.json"), "utf8")) as {
          results: Array<{ id: string; status: string; judgement: { outcome: string } }>;
        };
        expect(json.results.filter((x) => x.judgement.outcome === "skip").map((x) => x.id)).toEqual([
          "AE-1",
          "AE-2",
          "AE-3",
          "AE-4",
          "AE-5",
          "AE-6",
          "AE-7",
        ]);
        expect(json.results.filter((x) => x.judgement.outcome === "fail")).toEqual([]);
        const xml = await expectValidJUnit("my-redlock.xml");
        expect(xml).toMatch(/<testsuite [^>]*tests="50" failures="0" errors="0" skipped="7"/);
        expect(xml).toMatch(/<testcase name="AE-1 [^"]*"[^>]*>\s*<skipped>SKIPPED: `using`/);
      }, 240_000);

      test.concurrent("compare redlock@4.2.0 redlock@5.0.0-beta.2 installs both into the cache and prints the confirmed differences (exit 1: regressions)", async () => {
        const r = await cli([
          "compare",
          "redlock@4.2.0",
          "redlock@5.0.0-beta.2",
          "--only",
          "ME-1,QU-2,VA-3",
          "--confirm",
          "1",
          "--junit",
          "compare.xml",
        ]);
        expect(r.status, output(r)).toBe(1);
        expect(r.stdout).toMatch(/^redlock@4\.2\.0: redlock 4\.2\.0, from the version cache, /m);
        expect(r.stdout).toMatch(/^\| QU-2 .*\| 1 of 1 re-runs agreed \|$/m);
        expect(r.stdout).toMatch(/^\| VA-3 .*\| 1 of 1 re-runs agreed \|$/m);
        expect(r.stdout).not.toMatch(/^\| ME-1/m);
        expect(r.stdout).toMatch(
          /2 difference\(s\) out of 3 properties; 2 pass on redlock@4\.2\.0 but not on redlock@5\.0\.0-beta\.2 \(regressions\)/,
        );
        expect(r.stdout).toMatch(/- VA-3: redlock@5\.0\.0-beta\.2 now fails it: no check of the elapsed time/);
        const xml = await expectValidJUnit("compare.xml");
        expect(xml).toMatch(/<testsuite [^>]*tests="3" failures="2"/);
      }, 240_000);

      test.concurrent("bad input is exit 2 and an unreachable registry exit 3, each one error, nothing started", async () => {
        const cases: Array<[string[], Record<string, string> | undefined, number, RegExp]> = [
          [
            ["--driver", "redlock-universal"],
            undefined,
            2,
            /package\.json does not depend on redlock-universal; install it there \(npm install redlock-universal\) or name a version/,
          ],
          [
            ["--driver", "redis-semaphore@5.6.0"],
            undefined,
            2,
            /version 5\.6\.0 is outside what the redis-semaphore adapter supports \(>=5\.8\.0/,
          ],
          [["--driver", "redlock@latest"], undefined, 2, /"latest" is not an exact version/],
          [["--driver", "redlock@5.0.0-beta.9"], undefined, 2, /the registry has no version 5\.0\.0-beta\.9/],
          [
            ["--driver", "redlock@5.0.0-alpha.1"],
            {
              npm_config_registry: "http://127.0.0.1:9/",
              npm_config_fetch_retries: "0",
              npm_config_prefer_online: "true",
            },
            3,
            /the npm registry could not be reached/,
          ],
          [["compare", "redlock", "--confirm", "1"], undefined, 2, /usage: redlock-conformance compare/],
        ];
        for (const [args, extra, status, message] of cases) {
          const r = await cli(args, extra);
          expect(r.status, `${args.join(" ")}\n${output(r)}`).toBe(status);
          expect(r.stderr, args.join(" ")).toMatch(message);
          expect(r.stderr.match(/^Error:/gm), args.join(" ")).toHaveLength(1);
          expect(r.stdout, `${args.join(" ")}: a run began`).not.toMatch(/provider processes/);
        }
      }, 180_000);
    });

    // The project's own vitest runs wait on ttls: side by side.
    describe("conformanceSuite() in the project's own vitest run", () => {
      beforeAll(() => {
        writeFileSync(
          join(app, "vitest.config.mjs"),
          `export default { test: { include: ["conformance.test.mjs"], pool: "forks", globalSetup: ["redlock-conformance/vitest/global-setup"] } };\n`,
        );
        writeFileSync(
          join(app, "conformance.test.mjs"),
          `import { conformanceSuite } from "redlock-conformance/vitest";\nconformanceSuite({ driver: process.env.FOREIGN_DRIVER, only: process.env.FOREIGN_ONLY ? process.env.FOREIGN_ONLY.split(",") : undefined });\n`,
        );
        // A user's driver built on the package's public entry: the reference with a known bug.
        writeFileSync(
          join(app, "mutant-driver.mjs"),
          `import { createReferenceDriver } from "redlock-conformance";\nexport default (ctx) => createReferenceDriver(ctx, "release-without-owner-check");\n`,
        );
      });

      /** The user's vitest run, with its JSON report in a file of its own (the runs are side by side). */
      const vitest = async (driver: string, only: string | null = "OV-1,OV-2") => {
        const json = `vitest-${driver.replace(/\W+/g, "-")}.json`;
        const r = await run(
          "npx",
          ["--no-install", "vitest", "run", "--reporter=verbose", "--reporter=json", `--outputFile.json=${json}`],
          { env: foreignEnv({ FOREIGN_DRIVER: driver, ...(only ? { FOREIGN_ONLY: only } : {}) }) },
        );
        return { ...r, results: () => results(json) };
      };
      const results = (json: string) =>
        JSON.parse(readFileSync(join(app, json), "utf8")) as {
          numPassedTests: number;
          numFailedTests: number;
          numPendingTests: number;
          testResults: Array<{
            assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
          }>;
        };

      test.concurrent("passes for the reference driver", async () => {
        const r = await vitest("reference");
        expect(r.status, output(r)).toBe(0);
        expect(r.results()).toMatchObject({ numPassedTests: 2, numFailedTests: 0 });
      }, 180_000);

      // The bin above ran the whole catalog for this driver; here the AE rows and the properties a
      // per-node timeout changes (the judging code is the same: conformanceSuite and the bin share it).
      test.concurrent("passes for the hand-written driver without `using`: the AE rows are skipped with their reason", async () => {
        const r = await vitest("./my-redlock.mjs", "QU-3,VA-4,VA-3,TE-4,AE-1,AE-2,AE-3,AE-4,AE-5,AE-6,AE-7");
        expect(r.status, output(r)).toBe(0);
        const tests = r.results().testResults.flatMap((f) => f.assertionResults);
        expect(tests).toHaveLength(11);
        expect(r.results()).toMatchObject({ numFailedTests: 0, numPassedTests: 4, numPendingTests: 7 });
        for (const t of tests.filter((x) => / AE-\d /.test(x.fullName)))
          expect(["skipped", "pending"], t.fullName).toContain(t.status);
        // The verbose reporter prints each skip's reason beside the test.
        expect(r.stdout).toMatch(
          /AE-1 \[must-hold\].*SKIPPED: `using` \(an auto-extending lock\) is unsupported by the .*my-redlock\.mjs driver/,
        );
      }, 240_000);

      test.concurrent("fails for a mutant, with the usual report (property, nodes, timeline, replay seed)", async () => {
        const r = await vitest("./mutant-driver.mjs");
        expect(r.status, output(r)).toBe(1);
        const tests = r.results().testResults.flatMap((f) => f.assertionResults);
        expect(tests.find((t) => t.fullName.includes("OV-1"))?.status).toBe("passed");
        const failed = tests.find((t) => t.fullName.includes("OV-2"));
        expect(failed?.status).toBe("failed");
        const message = failed?.failureMessages.join("\n") ?? "";
        expect(message).toMatch(/OV-2 failed but the default expectation expects pass/);
        expect(message).toMatch(/^fleet: /m);
        expect(message).toMatch(/^timeline \(ms since the property began/m);
        expect(message).toMatch(/^replay: RC_SEED=42 REDIS_PROVIDER=processes npx vitest run -t "OV-2 "/m);
      }, 180_000);
    });

    // Three jobs of the workflow, each with its reports folder: side by side.
    describe("the CI recipe (examples/github-actions), its commands as the workflow runs them", () => {
      const script = () =>
        join(app, "node_modules", "redlock-conformance", "examples", "github-actions", "redlock-upgrade-check.sh");
      const baseLock = (version: string) => {
        const file = join(tmp, `base-lock-${version}.json`);
        writeFileSync(file, JSON.stringify({ lockfileVersion: 3, packages: { "node_modules/redlock": { version } } }));
        return file;
      };
      const recipe = (lock: string, reports: string) =>
        run("bash", [script(), "redlock", lock, reports, "--", "--only", "ME-1,VA-3"]);

      test.concurrent("the workflow runs the shipped script", () => {
        const workflow = readFileSync(
          join(app, "node_modules", "redlock-conformance", "examples", "github-actions", "redlock-conformance.yml"),
          "utf8",
        );
        expect(workflow).toMatch(
          /bash node_modules\/redlock-conformance\/examples\/github-actions\/redlock-upgrade-check\.sh "\$LOCK_PACKAGE" "\$RUNNER_TEMP\/base-package-lock\.json" reports/,
        );
        expect(existsSync(script())).toBe(true);
      });

      test.concurrent("no bump: the conformance run only, exit 0", async () => {
        const r = await recipe(join(tmp, "no-base-lock.json"), "reports-same");
        expect(r.status, output(r)).toBe(0);
        expect(r.stdout).toMatch(/redlock unchanged \(5\.0\.0-beta\.2\): no comparison/);
        await expectValidJUnit("reports-same/conformance.xml");
        expect(existsSync(join(app, "reports-same", "compare.xml"))).toBe(false);
      }, 180_000);

      test.concurrent("a bump that changes none of the properties checked (5.0.0-beta.1 → 5.0.0-beta.2 on ME-1, VA-3): compare reports no difference, exit 0", async () => {
        const r = await recipe(baseLock("5.0.0-beta.1"), "reports-beta");
        expect(r.status, output(r)).toBe(0);
        expect(r.stdout).toMatch(/redlock changed: 5\.0\.0-beta\.1 -> 5\.0\.0-beta\.2/);
        expect(r.stdout).toMatch(/redlock@5\.0\.0-beta\.1 and redlock@5\.0\.0-beta\.2 agree on all 2 properties\./);
        await expectValidJUnit("reports-beta/compare.xml");
      }, 240_000);

      test.concurrent("a bump that regresses (4.2.0 → 5.0.0-beta.2): the job fails (exit 1) and the report says what and why", async () => {
        const r = await recipe(baseLock("4.2.0"), "reports-major");
        expect(r.status, output(r)).toBe(1);
        expect(r.stdout).toMatch(/^\| VA-3 .*\| 3 of 3 re-runs agreed \|$/m);
        const xml = await expectValidJUnit("reports-major/compare.xml");
        expect(xml).toMatch(/<failure message="regression: passes on redlock@4\.2\.0, fail on redlock@5\.0\.0-beta\.2/);
      }, 240_000);
    });

    test("another installed version is the one tested: the project moves to redlock 4.2.0", async () => {
      const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "redlock@4.2.0"]);
      expect(installed.status, output(installed)).toBe(0);
      const r = await cli(["--driver", "redlock", "--only", "QU-2"]);
      expect(r.status, output(r)).toBe(0);
      expect(r.stdout).toContain(`redlock 4.2.0, installed in ${app}`);
      expect(r.stdout).toMatch(/baseline redlock@4\.2\.0;/);
      expect(r.stdout).toMatch(/^ok +QU-2 +pass/m);
    }, 180_000);

    test("nothing the foreign runs started is left running", () => {
      // Orphans only: the file beside this one (integration-waiting) holds live fleets of its own.
      const left = readProcessRecords()
        .filter((r) => isOrphaned(r.owner, r.runner))
        .map((r) => r.pid)
        .filter((pid) => !ledgerBefore.includes(pid));
      expect(left).toEqual([]);
    });
  },
);
