import { loadConfig } from "../fixtures/core/config.ts";
import { conformanceSuite } from "../fixtures/vitest/conformance-suite.ts";

/**
 * The conformance properties against LOCK_DRIVER, one test each, judged against the driver's
 * committed baseline (or, for a user's module, "every must-hold, must-fail and liveness property
 * passes"). It is the public `conformanceSuite` of redlock-conformance/vitest, so this project's
 * own run exercises exactly what users register in theirs.
 */
const config = loadConfig();
conformanceSuite({
  driver: config.driver,
  replay: (id, seed, provider) =>
    `RC_SEED=${seed} LOCK_DRIVER=${config.driver} REDIS_PROVIDER=${provider} npm run conformance -- -t ${id}`,
});
