import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject } from "vitest";
import { waitFor } from "../fixtures/core/clock.ts";
import { containerRuntime } from "../fixtures/fleet/containers.ts";
import { reapLeftovers } from "../fixtures/fleet/index.ts";
import { descendantsOf } from "../fixtures/core/identity.ts";
import { readProcessRecords } from "../fixtures/core/ledger.ts";
import { probeConnect } from "../fixtures/core/net.ts";
import { test } from "../fixtures/vitest/test.ts";

interface Ready {
  pid: number;
  nodes: Array<{ name: string; host: string; port: number; pid?: number; container?: string }>;
  /** The chaos command's child-process users. */
  childPids?: number[];
}

/**
 * A chaos scenario that is mid-fault for a long time: a node paused, a child user SIGSTOPped,
 * every user holding for seconds — Ctrl-C lands while all of it is in force.
 */
const LONG_CHAOS = {
  version: 1,
  envelope: "beyond",
  nodes: 3,
  mix: ["ioredis", "node-redis", "ioredis"],
  users: [
    {
      id: "c1",
      process: "in-process",
      resources: ["rc:a"],
      ttlMs: 3000,
      retry: { retryCount: 2, retryDelay: 100, retryJitter: 10 },
      fenced: false,
      cycles: [{ thinkMs: 0, holdMs: 20000, extend: false, late: "none" }],
    },
    {
      id: "c2",
      process: "child",
      resources: ["rc:b"],
      ttlMs: 3000,
      retry: { retryCount: 2, retryDelay: 100, retryJitter: 10 },
      fenced: true,
      cycles: [{ thinkMs: 0, holdMs: 20000, extend: false, late: "none" }],
    },
  ],
  faults: [
    { at: 300, kind: "node-pause", node: 0, forMs: 20000 },
    { at: 300, kind: "client-pause", user: "c2", forMs: 20000 },
  ],
};

const VITEST = join(process.cwd(), "node_modules", "vitest", "vitest.mjs");

/** A run of our own, on this pass's provider, with a state dir of its own and no runner above it (it is its own). */
const runEnv = (stateDir: string) => ({
  ...process.env,
  RC_STATE_DIR: stateDir,
  REDIS_PROVIDER: inject("provider"),
  TSX_TSCONFIG_PATH: "tsconfig.runtime.json",
  RC_RUNNER: "",
});

/**
 * Starts a run in its own process group (as a shell starts a foreground job) with its own state
 * dir, so its ledger and ours never mix. Resolves once it has reported its nodes.
 */
async function startRun(
  kind: "cli" | "vitest" | "chaos",
): Promise<{ child: ChildProcess; ready: Ready; stateDir: string; output: () => string }> {
  const stateDir = mkdtempSync(join(tmpdir(), "rc-leak-"));
  const readyFile = join(stateDir, "ready.json");
  const scenario = join(stateDir, "long-chaos.json");
  writeFileSync(scenario, JSON.stringify(LONG_CHAOS));
  const args =
    kind === "cli"
      ? ["--import", "tsx", "scripts/fleet.ts"]
      : kind === "chaos"
        ? [
            "--import",
            "tsx",
            "scripts/chaos.ts",
            "--driver",
            "reference",
            "--replay",
            scenario,
            "--out",
            join(stateDir, "run"),
          ]
        : [VITEST, "run", "--config", "suites/probes/vitest.probe.config.ts"];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...runEnv(stateDir), RC_READY_FILE: readyFile, REDIS_NODE_COUNT: "3" },
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  // The file is written by rename, but parse defensively: a half-read file just means "not yet".
  const readReady = (): Ready | null => {
    try {
      return JSON.parse(readFileSync(readyFile, "utf8")) as Ready;
    } catch {
      return null;
    }
  };
  try {
    await waitFor(() => readReady() !== null || child.exitCode !== null, "the run reports its nodes", 90_000, 50);
  } catch (error) {
    cleanUp(child, stateDir);
    throw error;
  }
  const ready = readReady();
  if (!ready) {
    cleanUp(child, stateDir);
    throw new Error(`the ${kind} run exited before it was ready:\n${output}`);
  }
  return { child, ready, stateDir, output: () => output };
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once("exit", () => r()));

async function nodesGone(ready: Ready, stateDir: string): Promise<string[]> {
  const alive: string[] = [];
  for (const node of ready.nodes) {
    const outcome = await probeConnect(node.host, node.port, 500);
    if (outcome !== "refused")
      alive.push(
        `${node.name} port ${node.port}: connect ${outcome}${node.pid ? ` (pid ${node.pid}: ${describePid(node.pid)})` : ""}`,
      );
    if (node.container) {
      const found = await (await containerRuntime()).container.dockerode.listContainers({
        all: true,
        filters: { id: [node.container] },
      });
      if (found.length > 0)
        alive.push(`${node.name}'s container ${node.container.slice(0, 12)} still exists (${found[0]?.State})`);
    }
  }
  for (const pid of ready.childPids ?? [])
    if (describePid(pid) !== "no such process")
      alive.push(`child user pid ${pid} is still alive (${describePid(pid)})`);
  const previous = process.env.RC_STATE_DIR;
  process.env.RC_STATE_DIR = stateDir;
  try {
    for (const record of readProcessRecords()) alive.push(`ledger still lists pid ${record.pid} (port ${record.port})`);
  } finally {
    if (previous === undefined) delete process.env.RC_STATE_DIR;
    else process.env.RC_STATE_DIR = previous;
  }
  return alive;
}

/** Descendants of pid that run this Node binary (vitest's workers), not the Redis servers they started. */
function nodeDescendants(root: number): number[] {
  const nodeBinary = realpathSync(process.execPath);
  return descendantsOf(root).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === nodeBinary;
    } catch {
      return false; // gone meanwhile
    }
  });
}

function describePid(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ").slice(0, 4).join(" ");
  } catch {
    return "no such process";
  }
}

/** Removes whatever the interrupted run left (workers of a SIGKILLed vitest linger) and its dir. */
function cleanUp(child: ChildProcess, stateDir: string): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // group already gone
  }
  rmSync(stateDir, { recursive: true, force: true });
}

describe("no leaks: everything a run started is gone after Ctrl-C, SIGTERM or SIGKILL", () => {
  for (const kind of ["cli", "vitest"] as const) {
    test(`${kind}: Ctrl-C (SIGINT to the process group) removes every node`, async () => {
      const run = await startRun(kind);
      try {
        expect(await probeConnect(run.ready.nodes[0]!.host, run.ready.nodes[0]!.port)).toBe("connected");
        process.kill(-run.child.pid!, "SIGINT");
        await exited(run.child);
        await waitFor(
          async () => (await nodesGone(run.ready, run.stateDir)).length === 0,
          "every node is gone",
          20_000,
          100,
        ).catch(() => undefined);
        expect(await nodesGone(run.ready, run.stateDir), run.output()).toEqual([]);
      } finally {
        cleanUp(run.child, run.stateDir);
      }
    });

    test(`${kind}: SIGTERM to the main process only removes every node`, async () => {
      const run = await startRun(kind);
      try {
        process.kill(run.child.pid!, "SIGTERM");
        await exited(run.child);
        await waitFor(
          async () => (await nodesGone(run.ready, run.stateDir)).length === 0,
          "every node is gone",
          20_000,
          100,
        ).catch(() => undefined);
        expect(await nodesGone(run.ready, run.stateDir), run.output()).toEqual([]);
      } finally {
        cleanUp(run.child, run.stateDir);
      }
    });

    test(`${kind}: after SIGKILL of the main process, the next start reaps the leftovers`, async () => {
      const run = await startRun(kind);
      try {
        // A vitest run's workers are killed with it: orphaned, a worker removes some of its nodes
        // on its way out (its exit hooks run when the IPC channel closes) — a race with the count
        // below, seen once in CI as 2 of 3 reaped. The nodes themselves (redis-server children)
        // are left for the reaper. A CLI run is one process; nothing else is touched.
        const workers = kind === "vitest" ? nodeDescendants(run.child.pid!) : [];
        for (const pid of [run.child.pid!, ...workers]) process.kill(pid, "SIGKILL");
        await exited(run.child);
        // SIGKILL runs no clean-up: the nodes are still there (the test would prove nothing otherwise).
        expect((await nodesGone(run.ready, run.stateDir)).length).toBeGreaterThan(0);
        const previous = process.env.RC_STATE_DIR;
        process.env.RC_STATE_DIR = run.stateDir;
        try {
          const reaped = await reapLeftovers({ docker: inject("provider") === "containers" }); // what the next start does first
          expect(reaped.processes + reaped.containers, "leftovers reaped").toBe(run.ready.nodes.length);
        } finally {
          if (previous === undefined) delete process.env.RC_STATE_DIR;
          else process.env.RC_STATE_DIR = previous;
        }
        expect(await nodesGone(run.ready, run.stateDir)).toEqual([]);
      } finally {
        cleanUp(run.child, run.stateDir);
      }
    });
  }

  test("chaos: Ctrl-C mid-run (a node paused, a child user SIGSTOPped) heals and removes every node and child process", async () => {
    const run = await startRun("chaos");
    try {
      expect(run.ready.childPids?.length, run.output()).toBe(1);
      // Let the nemesis pause the node and the child first, so the interrupt finds them faulted.
      await waitFor(
        () => readFileSync(`/proc/${run.ready.childPids![0]}/stat`, "utf8").split(" ")[2] === "T",
        "the child user to be stopped",
        10_000,
        50,
      );
      process.kill(-run.child.pid!, "SIGINT");
      await exited(run.child);
      await waitFor(
        async () => (await nodesGone(run.ready, run.stateDir)).length === 0,
        "every node and child is gone",
        20_000,
        100,
      ).catch(() => undefined);
      expect(await nodesGone(run.ready, run.stateDir), run.output()).toEqual([]);
      // Exit as by SIGINT (130 in a shell), the run folder written with the run cut short in it.
      expect(
        run.child.signalCode === "SIGINT" || run.child.exitCode === 130,
        `exit ${run.child.exitCode} ${run.child.signalCode}\n${run.output()}`,
      ).toBe(true);
      const results = JSON.parse(readFileSync(join(run.stateDir, "run", "results.json"), "utf8")) as {
        interrupted: boolean;
        perRun: Array<{ partial?: boolean }>;
      };
      expect(results.interrupted).toBe(true);
      expect(results.perRun.at(-1)?.partial).toBe(true);
      expect(readFileSync(join(run.stateDir, "run", "report.html"), "utf8")).toContain("INTERRUPTED");
    } finally {
      cleanUp(run.child, run.stateDir);
    }
  });
});

// Processes pass only: the ledger lists both the workers and their nodes there (containers carry
// labels instead, and their clean-up on Ctrl-C is checked above).
describe.skipIf(inject("provider") !== "processes")("no leaks with properties side by side (processes pass)", () => {
  /** The pids the ledger of a state dir lists (redis-servers, property workers, child users). */
  const recorded = (stateDir: string): number[] => {
    const previous = process.env.RC_STATE_DIR;
    process.env.RC_STATE_DIR = stateDir;
    try {
      return readProcessRecords().map((r) => r.pid);
    } finally {
      if (previous === undefined) delete process.env.RC_STATE_DIR;
      else process.env.RC_STATE_DIR = previous;
    }
  };

  test("conformance with 3 properties at once: Ctrl-C removes every worker process and every node they started", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "rc-leak-"));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/conformance.ts",
        "--driver",
        "reference",
        "--concurrency",
        "3",
        "--only",
        "AE-1,AE-7,SC-13,LV-2",
      ],
      {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: runEnv(stateDir),
      },
    );
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    try {
      // Three workers, each with a fleet of its own (3 nodes at least), before the interrupt.
      await waitFor(() => recorded(stateDir).length >= 3 + 3 * 3, "three workers and their fleets", 90_000, 100);
      const seen = recorded(stateDir);
      process.kill(-child.pid!, "SIGINT");
      await exited(child);
      await waitFor(
        () => seen.every((pid) => describePid(pid) === "no such process"),
        "every worker and node to exit",
        20_000,
        100,
      ).catch(() => undefined);
      expect(
        seen.filter((pid) => describePid(pid) !== "no such process").map((pid) => `${pid}: ${describePid(pid)}`),
        output,
      ).toEqual([]);
      expect(recorded(stateDir), "the ledger still lists processes").toEqual([]);
    } finally {
      cleanUp(child, stateDir);
    }
  }, 120_000);
});
