import { renameSync, writeFileSync } from "node:fs";
import { test } from "../../fixtures/vitest/test.ts";

// Opens a harness, reports its nodes, then waits to be interrupted.
test("hold a fleet until interrupted", async ({ lab }) => {
  const h = await lab.open({ nodeCount: 3 });
  const nodes = h.fleet.nodes.map((n) => ({
    name: n.name,
    host: n.host,
    port: n.port,
    ...n.handle,
  }));
  const file = process.env.RC_READY_FILE!;
  writeFileSync(
    `${file}.tmp`,
    JSON.stringify({ event: "ready", pid: process.pid, runner: process.env.RC_RUNNER, nodes }),
  );
  renameSync(`${file}.tmp`, file); // atomic: the leak suite never reads a half-written file
  await new Promise((resolve) => setTimeout(resolve, 240_000));
});
