import { mutantDriver } from "../fixtures/drivers/load.ts";
import { concurrencySetting, seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { afterAll, describe, expect, inject } from "vitest";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { MUTATIONS, type Mutation } from "../fixtures/drivers/reference.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { resolveConcurrency } from "../fixtures/properties/concurrency.ts";
import type { PropertyResult } from "../fixtures/properties/runner.ts";
import { PropertyWorkers } from "../fixtures/properties/workers.ts";
import { test } from "../fixtures/vitest/test.ts";

/**
 * Mutation self-test: each mutant is the reference with one plausible bug. A property suite that
 * lets one survive has a blind spot, so a surviving mutant fails the run. Properties run until the
 * first one catches the mutant, the one expected to catch it first.
 *
 * It tests the catalog's logic, not a provider (the conformance suite runs every property on both):
 * it runs in the processes pass only, like the vacuity audit.
 */
const FIRST_CATCHER: Record<Mutation, string> = {
  "release-without-owner-check": "OV-2",
  "quorum-off-by-one": "QU-2",
  "no-cleanup-on-failure": "CL-1",
  "quorum-of-responders": "QU-3",
  "no-elapsed-check": "VA-3",
  // 3 of 5 hung: 2 yes votes and 3 timeouts counted as yes.
  "timeout-counts-as-yes": "QU-3",
  // Its second shape: the client stalls once a quorum of yes replies is in.
  "extend-no-elapsed-check": "TE-4",
  "extend-without-owner-check": "OV-3",
  "no-drift": "VA-2",
  "expiration-from-end": "VA-4",
  "ignore-retry-count": "RT-1",
  "constant-value": "OV-1",
  "partial-multi-resource": "MR-1",
  "extend-minority-accepted": "TE-3",
  "extend-keeps-expiration": "TE-1",
  "extend-expiration-from-end": "TE-1",
  "using-no-extension": "AE-1",
  "using-extension-without-owner-check": "AE-2",
  "using-signal-never-fired": "AE-2",
  "using-timer-left-running": "AE-3",
  "using-extension-from-end": "AE-7",
};

const seed = seedSetting();
// Fleets are shared between the tests of this file (reset between uses): see FleetPool.
const config = loadConfig();
const pool = FleetPool.of(config, inject("provider"));
// Mutants side by side, each property in a worker process of its own (see docs/speed.md).
const workers = new PropertyWorkers(resolveConcurrency(inject("provider"), concurrencySetting()));
afterAll(async () => {
  await workers.close();
  await pool.close();
});

describe.skipIf(inject("provider") !== "processes")(
  `mutation self-test: every mutant of the reference is caught by a property (seed ${seed}; processes pass only: it tests the catalog, not a provider)`,
  () => {
    test("there are at least 10 mutants, each with a description", () => {
      expect(Object.keys(MUTATIONS).length).toBeGreaterThanOrEqual(10);
      expect(Object.keys(FIRST_CATCHER).sort()).toEqual(Object.keys(MUTATIONS).sort());
    });

    for (const mutation of Object.keys(MUTATIONS) as Mutation[]) {
      test(`${mutation}: ${MUTATIONS[mutation]}`, { concurrent: workers.size > 1, timeout: 240_000 }, async ({
        lab,
        skip,
      }) => {
        const driver = mutantDriver(mutation);
        const order = [
          FIRST_CATCHER[mutation],
          ...PROPERTIES.map((p) => p.id).filter((id) => id !== FIRST_CATCHER[mutation]),
        ];
        const tried: PropertyResult[] = [];
        for (const id of order) {
          const property = PROPERTIES.find((p) => p.id === id)!;
          const result = await workers.run(property, {
            config: lab.config,
            provider: lab.provider,
            driver,
            seed,
            pool,
          });
          tried.push(result);
          if (result.status === "fail") return;
        }
        const unsupported = tried.filter((r) => r.status === "unsupported");
        if (unsupported.length > 0 && unsupported.some((r) => r.id === FIRST_CATCHER[mutation])) {
          skip(
            `UNSUPPORTED: the properties that catch this mutant cannot run here (${unsupported.map((r) => r.id).join(", ")})`,
          );
        }
        expect.fail(
          `mutant "${mutation}" survived all ${tried.length} properties (seed ${seed}): the suite cannot tell this bug from a correct Redlock`,
        );
      });
    }
  },
);
