import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { describe, expect, inject } from "vitest";
import { waitFor } from "../fixtures/core/clock.ts";
import { probeConnect } from "../fixtures/core/net.ts";
import { nodeUrl } from "../fixtures/fleet/credentials.ts";
import { imageToUse, ownContainerLabels, WITHOUT_PERSISTENCE } from "../fixtures/fleet/containers.ts";
import { PROPERTIES } from "../fixtures/properties/catalog.ts";
import { freePort } from "../fixtures/fleet/ports.ts";
import { test } from "../fixtures/vitest/test.ts";

const provider = inject("provider");
const BIN = "bin/redlock-conformance.mjs";

/** `npm run fleet` (or the script under it) in its own process group; resolves with REDIS_NODES once up. */
async function startFleetCommand(
  command: "npm" | "node",
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; nodes: string; output: () => string }> {
  const args = command === "npm" ? ["run", "-s", "fleet"] : ["--import", "tsx", "scripts/fleet.ts"];
  const child = spawn(command === "npm" ? "npm" : process.execPath, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      REDIS_PROVIDER: provider,
      REDIS_NODE_COUNT: "5",
      TSX_TSCONFIG_PATH: "tsconfig.runtime.json",
      ...env,
    },
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const nodes = await waitFor(
    () => /Fleet is up/.test(output) || child.exitCode !== null,
    "the fleet command to report its nodes",
    90_000,
    50,
  )
    .then(() => /^REDIS_NODES=(.*)$/m.exec(output)?.[1])
    .catch(() => undefined);
  if (!nodes) {
    await endGroup(child); // whatever it started goes with its group
    throw new Error(`the fleet command did not come up:\n${output}`);
  }
  return { child, nodes, output: () => output };
}

/** Whether any process of the group led by `pid` is still alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ctrl-C to the fleet command's group, then waits until every process of the group has exited:
 * the command removes its nodes before it exits, so the next test (or file) starts with none of
 * them left behind.
 */
async function endGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid!;
  if (!groupAlive(pid)) return;
  process.kill(-pid, "SIGINT");
  try {
    await waitFor(() => !groupAlive(pid), "the fleet command to remove its nodes and exit after Ctrl-C", 30_000, 50);
  } catch (error) {
    if (groupAlive(pid)) process.kill(-pid, "SIGKILL"); // the next start reaps what it left
    throw error;
  }
}

/**
 * Every property but the auto-extension family: those exercise a library's timers over plain
 * commands, nothing an external fleet does differently, and run on both managed providers in
 * conformance.test.ts — here they would add ~50 s to each of three runs.
 */
const EXTERNAL_CHECKED = PROPERTIES.map((p) => p.id).filter((id) => !id.startsWith("AE-"));
/** Those that need a node operation (stop, kill, pause, restart): external nodes have none without a module. */
const NODE_FAULT = PROPERTIES.filter((p) => p.needs?.length && EXTERNAL_CHECKED.includes(p.id)).map((p) => p.id);

/** The bin, as a user in another terminal runs it, against nodes given by URL only. */
async function conformanceOn(nodes: string, env: Record<string, string> = {}) {
  // Spawned, not spawnSync: the file's tests run side by side (each on a fleet of its own).
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "--driver", "redlock@5", "--only", EXTERNAL_CHECKED.join(",")], {
      env: { ...process.env, REDIS_PROVIDER: "external", REDIS_NODES: nodes, REDIS_NODE_COUNT: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("close", (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr });
    });
  });
  const output = result.stdout + result.stderr;
  const skipped = [...output.matchAll(/^skip (\S+)/gm)].map((m) => m[1]!);
  return {
    status: result.status,
    output,
    skipped,
    line: (id: string) => output.split("\n").find((l) => new RegExp(`^\\S+\\s+${id}\\s`).test(l)) ?? "",
  };
}

const docker = (args: string[]) => promisify(execFile)("docker", args, { encoding: "utf8" });

// The three tests wait on fleets and runs of their own: side by side.
describe.concurrent("conformance on a fleet the harness did not start", () => {
  test("npm run fleet in one process, conformance by URL in another: exit 0, provider limits skipped, SC-11…13 run", {
    timeout: 300_000,
  }, async ({ skip }) => {
    if (provider === "external")
      skip("UNSUPPORTED on external: this suite starts its own fleet to play the external one");
    const fleet = await startFleetCommand("node");
    try {
      const run = await conformanceOn(fleet.nodes);
      expect(run.status, run.output).toBe(0);
      expect(run.output).toMatch(/, 0 failed, /);
      // The node-control properties are skipped with the reason, and summarised.
      expect(NODE_FAULT).toEqual(expect.arrayContaining(["QU-3", "SC-1", "SC-2", "SC-7", "SC-9"]));
      for (const id of NODE_FAULT) expect(run.skipped, run.output).toContain(id);
      expect(run.output).toMatch(/skipped on external: .*REDIS_NODE_CONTROL/);
      // Child-process contenders and the fencing storage work on external nodes.
      for (const id of ["SC-11", "SC-12", "SC-13"]) expect(run.line(id), run.output).toMatch(/^ok\s+SC-1[1-3]\s+pass/);
      expect(run.line("SC-12")).toMatch(/storage n0 \((processes|containers) /);
    } finally {
      await endGroup(fleet.child);
    }
  });

  test("with REDIS_NODE_CONTROL=examples/node-control/docker.mjs over containers started by hand, the node-fault properties run too", {
    timeout: 300_000,
  }, async ({ skip }) => {
    if (spawnSync("docker", ["info"], { stdio: "ignore" }).status !== 0)
      skip("UNSUPPORTED: no Docker engine to run the sample's containers on");
    // The sample starts containers of its own whatever the managed provider is: one pass runs it.
    if (provider === "processes")
      skip("runs in the containers pass: the sample's containers do not depend on the managed provider");
    const image = await imageToUse(process.env.REDIS_IMAGE || undefined);
    const password = randomBytes(18).toString("base64url");
    const ids: string[] = [];
    try {
      const urls: string[] = [];
      for (let i = 0; i < 5; i++) {
        const port = await freePort();
        // Labelled like our own containers, so a crash of this test leaves nothing the reaper misses.
        const { stdout } = await docker([
          "run",
          "-d",
          ...Object.entries(ownContainerLabels()).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
          "-p",
          `127.0.0.1:${port}:6379`,
          image,
          "redis-server",
          "--requirepass",
          password,
          ...WITHOUT_PERSISTENCE,
        ]);
        ids.push(stdout.trim());
        urls.push(nodeUrl({ host: "127.0.0.1", port, password }));
      }
      await waitFor(
        async () =>
          (await Promise.all(urls.map((u) => probeConnect("127.0.0.1", Number(new URL(u).port))))).every(
            (o) => o === "connected",
          ),
        "the containers to listen",
        30_000,
        100,
      );
      const controlled = await conformanceOn(urls.join(","), {
        REDIS_NODE_CONTROL: "examples/node-control/docker.mjs",
      });
      expect(controlled.status, controlled.output).toBe(0);
      expect(controlled.output).toMatch(/, 0 failed, /);
      // Judged against the managed providers' baseline, so every property that ran has their status.
      for (const id of ["QU-3", "SC-1", "SC-2", "SC-7", "SC-8", "SC-9", "LV-4"]) {
        expect(controlled.line(id), controlled.output).toMatch(new RegExp(`^ok\\s+${id}\\s`));
      }
      // Without the module every property that needs a node operation is skipped (the test above);
      // with it, none of them is for want of one (some still need another number of nodes).
      const forOperations = (id: string) =>
        !/UNSUPPORTED by the provider: needs [\d/]+ nodes;/.test(controlled.line(id));
      expect(
        controlled.skipped.filter((id) => NODE_FAULT.includes(id) && forOperations(id)),
        controlled.output,
      ).toEqual([]);
    } finally {
      if (ids.length) await docker(["rm", "-f", "-v", ...ids]);
    }
  });
});

describe.concurrent("a fleet goes with its parent", () => {
  test("SIGTERM to the npm process of `npm run fleet` removes the fleet at once", { timeout: 120_000 }, async ({
    skip,
  }) => {
    if (provider === "external") skip("UNSUPPORTED on external: the harness starts no fleet there");
    const fleet = await startFleetCommand("npm");
    try {
      const ports = fleet.nodes.split(",").map((u) => Number(new URL(u).port));
      expect(ports).toHaveLength(5);
      process.kill(fleet.child.pid!, "SIGTERM"); // npm only, as a supervisor would
      await waitFor(
        async () => (await Promise.all(ports.map((p) => probeConnect("127.0.0.1", p)))).every((o) => o === "refused"),
        "every node of the fleet to be gone",
        20_000,
        100,
      );
    } finally {
      await endGroup(fleet.child);
    }
  });
});
