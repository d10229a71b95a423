import { describe, expect, test } from "vitest";
import { ConfigError, DriverCallTimeout } from "../../fixtures/core/errors.ts";
import { boundedCall, describeInflight, driverCallBounds } from "../../fixtures/drivers/bounded.ts";
import { resolveDriver } from "../../fixtures/drivers/load.ts";
import { CommandLog } from "../../fixtures/clients/command-log.ts";

describe("driver modules are validated before anything starts (no Redis needed)", () => {
  test("a factory that throws on its own is refused with its message", async () => {
    const error = await resolveDriver("./suites/sample-drivers/throws.mjs").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/createDriver threw: needs at least 3 clients/);
  });

  test("a factory that needs live clients while it is built is left to its real creation", async () => {
    const resolved = await resolveDriver("./suites/sample-drivers/uses-clients-at-creation.mjs");
    expect(resolved.module).toMatch(/\/suites\/sample-drivers\/uses-clients-at-creation\.mjs$/);
  });

  test("a driver spec is resolved once per process: the same value every time", async () => {
    const first = await resolveDriver("reference");
    expect(await resolveDriver("reference")).toBe(first);
    expect(first.module).toBe("reference");
  });
});

describe("driver call bounds (pure)", () => {
  const rtt = { p50: 1, p99: 2, max: 3 };
  test("acquire: the retry window of its strategy plus one ttl; retry forever has no bound", () => {
    const bounds = driverCallBounds(rtt);
    // 3 × (100 + 20) + (3 + 2) × 2 × 4 + 500 = 900, + ttl 1000
    expect(bounds.acquire(1000, { retryCount: 3, retryDelay: 100, retryJitter: 20 })?.ms).toBe(1900);
    expect(bounds.acquire(1000, { retryCount: -1 })).toBeNull();
    // extend and release assume the largest library default, 10 × (200 ± 200)
    expect(bounds.release()?.ms).toBe(10 * 400 + 12 * 8 + 500);
    // a release may retry with the strategy it is given; forever has no bound
    expect(bounds.release({ retryCount: 3, retryDelay: 100, retryJitter: 20 })?.ms).toBe(900);
    expect(bounds.release({ retryCount: -1 })).toBeNull();
    expect(bounds.extend(2000).ms).toBe(10 * 400 + 12 * 8 + 500 + 2000);
    expect(bounds.close().ms).toBe(5000);
  });

  test("a call past its bound rejects with the step, the bound and what is in flight", async () => {
    const log = new CommandLog();
    log.begin("n2", "ioredis", "evalsha", ["abc", 1, "locks:x"]);
    const error = await boundedCall(
      "d",
      "acquire",
      { ms: 30, how: "test bound" },
      () => new Promise(() => undefined),
      log,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverCallTimeout);
    expect((error as DriverCallTimeout).message).toMatch(
      /^driver d: acquire\(\) did not settle within 30 ms \(bound: test bound\)\nin flight \(per node/,
    );
    expect((error as DriverCallTimeout).message).toMatch(/n2 \(ioredis\): EVALSHA abc 1 locks:x pending \d+ ms/);
  });

  test("a call that settles in time is returned as is, even when it throws synchronously", async () => {
    const log = new CommandLog();
    expect(await boundedCall("d", "release", { ms: 1000, how: "" }, async () => 7, log)).toBe(7);
    await expect(
      boundedCall(
        "d",
        "release",
        { ms: 1000, how: "" },
        () => {
          throw new Error("sync");
        },
        log,
      ),
    ).rejects.toThrow("sync");
  });

  test("nothing in flight is said plainly", () => {
    expect(describeInflight([])).toMatch(/nothing — no command to any node is pending/);
  });
});
