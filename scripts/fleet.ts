// Starts a fleet and keeps it up until Ctrl-C: for chaos experiments by hand, or for pointing
// another program at real nodes. Prints REDIS_NODES for the external provider, and one JSON line
// (for tools) describing every node. Everything is removed on Ctrl-C, SIGTERM or SIGHUP.
import { renameSync, writeFileSync } from "node:fs";
import { loadConfig, readyFileSetting, startedByNpm } from "../fixtures/core/config.ts";
import { ancestorsToOutlive, isAlive } from "../fixtures/core/identity.ts";
import { nodeUrl } from "../fixtures/fleet/credentials.ts";
import { reapLeftovers, resolveProvider, startFleet } from "../fixtures/fleet/index.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

// Taken before anything else: if npm is signalled while the fleet is still starting, the chain is
// already known and its end is noticed as soon as the watch begins.
const outlive = ancestorsToOutlive(startedByNpm());

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "fleet",
    usage:
      "usage: npm run fleet   (no arguments; REDIS_PROVIDER, REDIS_NODE_COUNT, REDIS_IMAGE and the other settings come from the environment: docs/settings.md)",
    options: {},
  });
  const config = loadConfig();
  const { provider, reason } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const fleet = await startFleet({
    provider,
    nodeCount: config.nodeCount,
    allowEven: true,
    image: config.image,
    externalNodes: config.externalNodes,
  });
  const nodes = fleet.nodes.map((n) => ({
    name: n.name,
    host: n.host,
    port: n.port,
    ...n.handle,
  }));
  const ready = { event: "ready", provider, pid: process.pid, nodes };
  console.log(`provider: ${provider} (${reason})`);
  // With the fleet's password, so a person (or the external provider) can still connect by hand.
  console.log(
    `REDIS_NODES=${fleet.nodes.map((n) => nodeUrl({ ...n.credentials, host: n.host, port: n.port })).join(",")}`,
  );
  console.log(JSON.stringify(ready));
  const readyFile = readyFileSetting();
  if (readyFile) {
    // Atomic: a reader never sees a half-written file.
    writeFileSync(`${readyFile}.tmp`, JSON.stringify(ready));
    renameSync(`${readyFile}.tmp`, readyFile);
  }
  console.log("Fleet is up. Press Ctrl-C to stop it; every node is removed.");
  // Stay alive until a signal; the fleet's exit hooks remove the nodes and re-raise it. A
  // supervisor's SIGTERM to `npm run fleet` ends npm without reaching this process, so it also
  // goes (removing its nodes) as soon as any process it was started under is gone.
  setInterval(() => {
    if (outlive.some((ancestor) => !isAlive(ancestor))) process.kill(process.pid, "SIGTERM");
  }, 250);
  await new Promise<never>(() => undefined);
});
