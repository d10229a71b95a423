import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, inject } from "vitest";
import { runExample3 } from "../fixtures/harness/example3.ts";
import { resolveDriverFactory, instantiateDriver } from "../fixtures/drivers/load.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { test } from "../fixtures/vitest/test.ts";

const RETRY = { retryCount: 3, retryDelay: 100, retryJitter: 20 };

// Loading and resolving drivers does not depend on the provider (example3.test.ts and the
// conformance suite run drivers on each): one pass runs this file.
const onePass = describe.skipIf(inject("provider") !== "processes");

onePass(
  "LOCK_DRIVER: built-in names and user modules (processes pass: loading does not depend on the provider)",
  () => {
    test("an unknown name lists the built-in drivers and the families", async () => {
      await expect(resolveDriverFactory("nosuchlock")).rejects.toThrow(
        /neither a built-in driver \(reference, redlock@5, redlock@4\), nor a family \(redlock, @sesamecare-oss\/redlock, redlock-universal, redis-semaphore; alone for the version your project installed, or name@version\), nor a path/,
      );
    });

    test("a family with a version that is not exact says so", async () => {
      await expect(resolveDriverFactory("redlock@99")).rejects.toThrow(
        /redlock@99: "99" is not an exact version; name one, e\.g\. redlock@5\.0\.0-beta\.2/,
      );
    });

    test("a path with no file says where it looked", async () => {
      await expect(resolveDriverFactory("./suites/sample-drivers/nope.mjs")).rejects.toThrow(/no file at .*nope\.mjs/);
    });

    test.each([
      [
        "no-default.mjs",
        /no default export function createDriver\(ctx\) \(default export is missing; named exports: createDriver, version\)/,
      ],
      ["default-object.mjs", /default export is object/],
      ["syntax-error.mjs", /failed to load/],
    ])("%s is refused with what is wrong", async (file, message) => {
      const error = await resolveDriverFactory(`./suites/sample-drivers/${file}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
    });

    test("a factory whose driver lacks methods is refused, naming each missing member", async () => {
      const factory = await resolveDriverFactory("./suites/sample-drivers/missing-methods.mjs");
      await expect(instantiateDriver(factory, "missing-methods", { clients: [] })).rejects.toThrow(
        "lacks extend() (got string), release() (got undefined), close() (got undefined)",
      );
    });

    test("a factory that throws is reported with its message", async () => {
      const factory = await resolveDriverFactory("./suites/sample-drivers/throws.mjs");
      await expect(instantiateDriver(factory, "throws", { clients: [] })).rejects.toThrow(
        /createDriver threw: needs at least 3 clients/,
      );
    });

    test.for([
      ["./suites/sample-drivers/plain-js-driver.mjs", "plain-js-redlock"],
      ["./suites/sample-drivers/typescript-driver.ts", "typescript-fork"],
    ] as const)("%s runs the example3 sequence", async ([path, name], { lab }) => {
      const h = await lab.open({ driver: path, nodeCount: 3 });
      expect(h.driver.name).toBe(name);
      // runExample3 fails on any step whose check does not hold.
      await runExample3(h.fleet, h.clients, h.driver, { ttlMs: 5000, retry: RETRY });
    });
  },
);

onePass("usable from another project: the redlock-conformance bin (processes pass)", () => {
  const bin = join(process.cwd(), "bin", "redlock-conformance.mjs");
  const reference = pathToFileURL(join(process.cwd(), "fixtures", "drivers", "reference.ts")).href;
  const project = (driverSource: string) => {
    const dir = mkdtempSync(join(tmpdir(), "rc-user-project-"));
    writeFileSync(join(dir, "my-driver.mjs"), driverSource);
    return dir;
  };
  const run = (cwd: string, args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], {
      cwd,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, REDIS_PROVIDER: inject("provider") },
    });

  test("runs a user's driver module, resolved from the user's directory, and exits 0 when it conforms", () => {
    const dir = project(
      `import { createReferenceDriver } from "${reference}";\nexport default (ctx) => ({ ...createReferenceDriver(ctx), name: "my-fork" });\n`,
    );
    try {
      // SC-13 runs a child-process contender, which loads the user's module from the user's directory.
      const r = run(dir, ["--driver", "./my-driver.mjs", "--only", "RE-1,OV-2,SC-13"]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/no baseline: every must-hold, must-fail and liveness property must pass/);
      expect(r.stdout).toMatch(/: 3 passed, 0 failed, /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("exits 1 and prints the failure details when the driver breaks a must-hold property", () => {
    const dir = project(
      `import { createReferenceDriver } from "${reference}";\nexport default (ctx) => createReferenceDriver(ctx, "release-without-owner-check");\n`,
    );
    try {
      const r = run(dir, ["--driver", "./my-driver.mjs", "--only", "OV-2"]);
      expect(r.status, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/FAIL OV-2/);
      expect(r.stdout).toMatch(/stale release removed B's key/);
      expect(r.stdout).toMatch(/replay: RC_SEED=\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("`redlock-conformance chaos` runs generated scenarios on a user's driver module from their directory", {
    timeout: 120_000,
  }, () => {
    const dir = project(
      `import { createReferenceDriver } from "${reference}";\nexport default (ctx) => ({ ...createReferenceDriver(ctx), name: "my-fork" });\n`,
    );
    try {
      const r = run(dir, ["chaos", "--driver", "./my-driver.mjs", "--runs", "2", "--nodes", "3", "--seed", "5"]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^chaos: .*my-driver\.mjs, envelope assumptions, 2 runs, seed 5/m);
      expect(r.stdout.match(/^run +\d+: 3 nodes/gm), r.stdout).toHaveLength(2);
      expect(r.stdout).toMatch(/no new defect in assumptions/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
