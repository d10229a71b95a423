import { afterAll, describe, expect, inject } from "vitest";
import { concurrencySetting, seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { MARGIN_MS } from "../fixtures/properties/checks.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import { PropertyWorkers } from "../fixtures/properties/workers.ts";
import { test } from "../fixtures/vitest/test.ts";
import { AUDIT, expectedOf, VARIANTS } from "./sample-drivers/audit.ts";

/**
 * The catalog's vacuity audit (suites/sample-drivers/AUDIT.md): drivers at the edges — one that
 * refuses everything, one that grants without touching Redis, a no-op extend, a 10 ms and no
 * per-node timeout, `using` that never extends or never releases — each gets exactly the status
 * the audit says is right for every property it runs. A property that starts passing one of them
 * is a property that passes without its situation having happened. Then the single-bug variants
 * of the hand-written driver: each caught in 5 of 5 runs by a verdict with a margin ≥ 50 ms.
 *
 * It tests the catalog's logic, not a provider: it runs in the processes pass only.
 */
const provider = inject("provider");
const seed = seedSetting();
const config = loadConfig();
const pool = FleetPool.of(config, provider);
// Side by side, each property in a worker process of its own (see docs/speed.md).
const workers = new PropertyWorkers(resolveConcurrency(provider, concurrencySetting()));
const concurrent = workers.size > 1;
afterAll(async () => {
  await workers.close();
  await pool.close();
});
const load = (module: string) => resolveDriver(`./suites/sample-drivers/${module}`, { nodeCount: config.nodeCount });

describe.skipIf(provider !== "processes")(
  `vacuity audit: edge drivers get the status that is right for them (seed ${seed}; processes pass only: it tests the catalog, not a provider)`,
  () => {
    for (const audited of AUDIT) {
      describe(audited.module, { concurrent }, () => {
        for (const property of PROPERTIES) {
          const expected = expectedOf(audited, property.id);
          if (!expected) continue;
          test(`${property.id} → ${expected.status}`, async () => {
            const result = await workers.run(
              property,
              { config, provider, driver: await load(audited.module), seed, pool },
              0,
              (r) => r.status !== expected.status,
            );
            expect(
              result.status,
              `${audited.module} ${property.id} (${property.class}): expected ${expected.status} because ${expected.why}\ngot: ${result.reason ?? ""}\n${result.details ?? ""}`,
            ).toBe(expected.status);
          });
        }
      });
    }

    describe("single-bug variants of my-redlock.mjs: caught in 5 of 5 runs, with a margin of at least 50 ms", {
      concurrent,
    }, () => {
      for (const variant of VARIANTS) {
        test(`${variant.module} (${variant.bug}) → ${variant.caughtBy} fails`, async () => {
          const property = PROPERTIES.find((p) => p.id === variant.caughtBy)!;
          const driver = await load(variant.module);
          const results = await Promise.all(
            [0, 1, 2, 3, 4].map((run) =>
              workers.run(
                property,
                { config, provider, driver, seed: seed + run, pool },
                0,
                (r) => r.status !== "fail" || (r.marginMs ?? 0) < MARGIN_MS,
              ),
            ),
          );
          for (const [run, result] of results.entries()) {
            expect(
              result.status,
              `run ${run + 1} of 5 (seed ${seed + run}): ${result.reason ?? ""}\n${result.details ?? ""}`,
            ).toBe("fail");
            expect(result.marginMs, `run ${run + 1} of 5: ${result.reason}`).toBeGreaterThanOrEqual(MARGIN_MS);
          }
        }, 240_000);
      }
    });
  },
);
