import { afterAll, describe, expect, inject } from "vitest";
import { loadConfig, seedSetting } from "../fixtures/core/config.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { judge, loadBaseline } from "../fixtures/properties/baselines.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { runProperty } from "../fixtures/properties/runner.ts";
import { test } from "../fixtures/vitest/test.ts";

/**
 * The conformance properties against LOCK_DRIVER, one test each, judged against the driver's
 * committed baseline (or, for a user's module, "every must-hold, must-fail and liveness property
 * passes"). An unexpected failure fails the test with everything needed to act on it; an
 * unexpected pass is reported (an upgrade that fixes something is news) without failing.
 */
// Fleets are shared between the tests of this file (reset between uses): see FleetPool.
const config = loadConfig();
const driver = await resolveDriver(config.driver, { nodeCount: config.nodeCount });
const baseline = loadBaseline(driver);
const seed = seedSetting();
const pool = new FleetPool({ provider: inject("provider"), image: config.image, externalNodes: config.externalNodes, nodeControl: config.nodeControl });
afterAll(() => pool.close());

describe(`conformance of ${driver.spec} (${baseline ? `baseline ${baseline.package}` : "no baseline"}; seed ${seed})`, () => {
  for (const property of PROPERTIES) {
    test(`${property.id} [${property.class}] ${property.title}`, async ({ lab, skip, annotate }) => {
      const result = await runProperty(property, { config: lab.config, provider: lab.provider, driver, seed, pool });
      const judgement = judge(result, baseline);
      if (judgement === "skipped") skip(`UNSUPPORTED on ${lab.provider}: ${result.reason}`);
      const why = baseline?.expected[property.id]?.why;
      if (judgement === "unexpected-fail") {
        expect.fail(
          `${property.id} ${result.status === "unsupported" ? "is unsupported" : "failed"} but the baseline expects ${baseline?.expected[property.id]?.status ?? "pass"}: ${result.reason}\n\n${result.details ?? ""}`,
        );
      }
      if (judgement === "unexpected-pass") {
        await annotate(`UNEXPECTED PASS: the baseline expects ${baseline?.expected[property.id]?.status} (${why}); update baselines/ if this is a fix`, "warning");
        console.warn(`${driver} ${property.id}: UNEXPECTED PASS (baseline: ${why})`);
      }
      if (result.status === "unsupported") skip(`UNSUPPORTED: ${result.reason}`);
      if (result.status === "fail") await annotate(`known failure (${judgement === "informational" ? property.class : "baseline"}): ${why ?? result.reason}`);
      if (result.reason && result.status === "pass") await annotate(result.reason);
    });
  }
});
