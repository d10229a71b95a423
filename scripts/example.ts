// The example3 program: an ioredis and a node-redis client in one array, a Redlock over them,
// acquire with a custom retry strategy → extend → check TTL and value on the nodes → release.
import { describeMix, loadConfig } from "../fixtures/core/config.ts";
import { runExample3 } from "../fixtures/harness/example3.ts";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { harnessOptions, withHarness } from "../fixtures/harness/harness.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

const RETRY = { retryCount: 10, retryDelay: 200, retryJitter: 100 };

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "example",
    usage:
      "usage: npm run example   (no arguments; LOCK_DRIVER, CLIENT_MIX, LOCK_TTL_MS and the other settings come from the environment: docs/settings.md)",
    options: {},
  });
  const config = loadConfig();
  const driver = await resolveDriver(config.driver, { nodeCount: config.nodeCount });
  const { provider, reason } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  console.log(
    `provider: ${provider} (${reason}); nodes: ${config.nodeCount}; clients: ${describeMix(config.clientMix)}; driver: ${config.driver}`,
  );
  await withHarness(harnessOptions(config, provider, driver), async (harness) => {
    console.log(`clients: ${harness.clients.describe()}`);
    const result = await runExample3(harness.fleet, harness.clients, harness.driver, {
      ttlMs: config.ttlMs,
      retry: RETRY,
      log: (line) => console.log(line),
    });
    const t = result.timings;
    console.log(
      `timings: acquire ${t.acquireMs.toFixed(1)} ms, extend ${t.extendMs.toFixed(1)} ms, release ${t.releaseMs.toFixed(1)} ms`,
    );
  });
});
