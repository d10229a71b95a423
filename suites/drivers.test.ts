import { describe, expect } from "vitest";
import { runExample3 } from "../fixtures/example3.ts";
import { resolveDriverFactory, instantiateDriver } from "../fixtures/drivers/load.ts";
import { ConfigError } from "../fixtures/errors.ts";
import { test } from "../fixtures/test.ts";

const RETRY = { retryCount: 3, retryDelay: 100, retryJitter: 20 };

describe("LOCK_DRIVER: built-in names and user modules", () => {
  test("an unknown name lists the built-in drivers", async () => {
    await expect(resolveDriverFactory("redlock@99")).rejects.toThrow(/neither a built-in driver \(redlock@5.*\) nor a path/);
  });

  test("a path with no file says where it looked", async () => {
    await expect(resolveDriverFactory("./suites/sample-drivers/nope.mjs")).rejects.toThrow(/no file at .*nope\.mjs/);
  });

  test.each([
    ["no-default.mjs", /no default export function createDriver\(ctx\) \(default export is missing; named exports: createDriver, version\)/],
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
    await expect(instantiateDriver(factory, "throws", { clients: [] })).rejects.toThrow(/createDriver threw: needs at least 3 clients/);
  });

  test.for([
    ["./suites/sample-drivers/plain-js-driver.mjs", "plain-js-redlock"],
    ["./suites/sample-drivers/typescript-driver.ts", "typescript-fork"],
  ] as const)("%s runs the example3 sequence", async ([path, name], { lab }) => {
    const h = await lab.open({ driver: path, nodeCount: 3 });
    expect(h.driver.name).toBe(name);
    const lines: string[] = [];
    await runExample3(h.fleet, h.clients, h.driver, { ttlMs: 5000, retry: RETRY, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(4);
  });
});
