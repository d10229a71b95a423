import type { TestProject } from "vitest/node";
import { onEmergencyExit } from "../fixtures/core/cleanup.ts";
import { describeMix, loadConfig, RUNNER_VARIABLE } from "../fixtures/core/config.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { formatIdentity, self } from "../fixtures/core/identity.ts";
import { reapLeftovers, reapRunSync, resolveProvider } from "../fixtures/fleet/index.ts";
import type {} from "../fixtures/vitest/test.ts"; // brings the ProvidedContext declaration

/**
 * Runs once in vitest's main process, before any worker: validates all input (so a bad setting
 * is one error and nothing starts), reaps what earlier killed runs left, and marks this process
 * as the runner so that everything its workers start is reaped if it dies.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  await resolveDriver(config.driver, { nodeCount: config.nodeCount }); // validated before anything starts; workers resolve their own
  const { provider, reason } = await resolveProvider(config);
  process.env[RUNNER_VARIABLE] = formatIdentity(self); // inherited by the workers: see runnerIdentity()
  const reaped = await reapLeftovers({ docker: provider === "containers" });
  if (reaped.processes + reaped.containers > 0) {
    console.log(`reaped leftovers of an earlier run: ${reaped.processes} redis-server process(es), ${reaped.containers} container(s)`);
  }
  console.log(
    `redlock-conformance: provider ${provider} (${reason}); nodes ${config.nodeCount}; clients ${describeMix(config.clientMix)}; driver ${config.driver}`,
  );
  project.provide("provider", provider);
  const unregister = onEmergencyExit(() => reapRunSync(self));
  return async () => {
    unregister();
    reapRunSync(self);
    await reapLeftovers({ docker: provider === "containers" });
  };
}
