// Benchmark, not a test: time-to-ready of a 5-node fleet per provider, and the PING round trip
// per client kind, side by side in one run. Also the example3 sequence latency per step. Beside
// the harness's start, two figures that say what it can be compared with: the floor (five bare
// redis-servers from one shell, no config, no password, nothing checked, until each accepts a
// connection) and a fleet handed back to its pool and taken again (what a property pays after its
// worker's first fleet).
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { resolveDriver } from "../fixtures/drivers/load.ts";
import { ClientSet } from "../fixtures/clients/index.ts";
import { monotonicMs, percentile } from "../fixtures/core/clock.ts";
import { benchSetting, loadConfig, type ProviderName } from "../fixtures/core/config.ts";
import { runExample3 } from "../fixtures/harness/example3.ts";
import {
  dockerAvailable,
  ensureImage,
  freePort,
  imageToUse,
  reapLeftovers,
  redisServerAvailable,
  startFleet,
} from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { harnessOptions, openHarness } from "../fixtures/harness/harness.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

const NODES = 5;

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Five bare redis-servers from one shell until each accepts a connection: what the machine allows. */
async function floorMs(): Promise<number> {
  const ports = await Promise.all(Array.from({ length: NODES }, () => freePort()));
  const started = monotonicMs();
  const script = ports.map((p) => `redis-server --port ${p} --save '' --appendonly no >/dev/null 2>&1 &`);
  const shell = spawn("/bin/sh", ["-c", `${script.join("\n")}\nwait`], { stdio: "ignore", detached: true });
  try {
    const pending = new Set(ports);
    while (pending.size > 0) {
      for (const port of [...pending]) if (await accepts(port)) pending.delete(port);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 1));
    }
    return monotonicMs() - started;
  } finally {
    // The shell's process group: the shell and its five servers, nothing else.
    if (shell.pid) process.kill(-shell.pid, "SIGKILL");
  }
}

async function providers(requested: string | undefined): Promise<Array<{ provider: ProviderName; note?: string }>> {
  const list: Array<{ provider: ProviderName; note?: string }> = [];
  if (redisServerAvailable()) list.push({ provider: "processes" });
  else console.log("processes: skipped (redis-server not on PATH)");
  if (await dockerAvailable()) {
    try {
      const image = await imageToUse(requested);
      await ensureImage(image);
      list.push({ provider: "containers", note: image });
    } catch (error) {
      console.log(`containers: skipped (${(error as Error).message.split("\n")[0]})`);
    }
  } else console.log("containers: skipped (no Docker engine)");
  return list;
}

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "bench:fleet",
    usage:
      "usage: npm run bench:fleet   (no arguments; BENCH_STARTS, BENCH_PINGS, BENCH_SEQUENCES and REDIS_IMAGE come from the environment)",
    options: {},
  });
  const config = loadConfig();
  const STARTS = benchSetting("BENCH_STARTS", 3);
  const PINGS = benchSetting("BENCH_PINGS", 2000);
  const SEQUENCES = benchSetting("BENCH_SEQUENCES", 50);
  await reapLeftovers();
  const rows: string[] = [];
  const lockRows: string[] = [];
  const cpu = (await import("node:os")).cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, node ${process.version}`);
  console.log(
    `each figure: ${STARTS} fleet starts, ${PINGS} sequential PINGs per client kind, ${SEQUENCES} example3 sequences\n`,
  );
  for (const { provider, note } of await providers(config.image)) {
    const readyTimes: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const start = monotonicMs();
      const fleet = await startFleet({ provider, nodeCount: NODES, image: config.image });
      readyTimes.push(monotonicMs() - start);
      await fleet.close();
    }
    const floor: number[] = [];
    if (provider === "processes") for (let i = 0; i < STARTS; i++) floor.push(await floorMs());
    const pool = new FleetPool({ provider, image: config.image });
    const fromPool: number[] = [];
    try {
      let pooled = await pool.take(NODES);
      for (let i = 0; i < STARTS; i++) {
        await pooled.nodes[0]!.admin().set("rc:bench", "dirty");
        const start = monotonicMs();
        await pool.give(pooled);
        pooled = await pool.take(NODES);
        fromPool.push(monotonicMs() - start);
      }
    } finally {
      await pool.close();
    }
    const fleet = await startFleet({ provider, nodeCount: NODES, image: config.image });
    try {
      const clients = await ClientSet.connect(fleet, { mode: "alternate" });
      const byKind = new Map<string, number[]>();
      for (const client of clients.clients) byKind.set(client.kind, byKind.get(client.kind) ?? []);
      for (let i = 0; i < 200; i++) await Promise.all(clients.clients.map((c) => c.ping())); // warm-up
      for (const client of clients.clients.slice(0, 2)) {
        const samples = byKind.get(client.kind)!;
        for (let i = 0; i < PINGS; i++) {
          const t = monotonicMs();
          await client.ping();
          samples.push(monotonicMs() - t);
        }
      }
      await clients.close();
      const ping = [...byKind]
        .map(([kind, s]) => `${kind} p50 ${fmt(percentile(s, 50))} / p99 ${fmt(percentile(s, 99))}`)
        .join("; ");
      rows.push(
        `| ${provider}${note ? ` (${note})` : ""} | ${fmt(percentile(readyTimes, 50))} (min ${fmt(Math.min(...readyTimes))}, max ${fmt(Math.max(...readyTimes))}) | ${floor.length ? fmt(percentile(floor, 50)) : "—"} | ${fmt(percentile(fromPool, 50))} | ${ping} |`,
      );
    } finally {
      await fleet.close();
    }
    const harness = await openHarness(
      harnessOptions(config, provider, await resolveDriver("redlock@5"), {
        nodeCount: NODES,
        clientMix: { mode: "alternate" },
      }),
    );
    try {
      const acquire: number[] = [];
      const extend: number[] = [];
      const release: number[] = [];
      for (let i = 0; i < SEQUENCES; i++) {
        const r = await runExample3(harness.fleet, harness.clients, harness.driver, {
          ttlMs: 10_000,
          retry: { retryCount: 3, retryDelay: 100, retryJitter: 50 },
        });
        acquire.push(r.timings.acquireMs);
        extend.push(r.timings.extendMs);
        release.push(r.timings.releaseMs);
      }
      const p = (s: number[]) => `p50 ${fmt(percentile(s, 50))} / p99 ${fmt(percentile(s, 99))}`;
      lockRows.push(`| ${provider} | ${p(acquire)} | ${p(extend)} | ${p(release)} |`);
    } finally {
      await harness.close();
    }
  }
  console.log(
    "| provider | time to ready, 5 nodes | floor: 5 bare redis-servers | handed back to the pool and taken again | PING round trip per client kind |",
  );
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log(`\n| provider | redlock@5 acquire (5 nodes, alternate mix) | extend | release |`);
  console.log("|---|---|---|---|");
  for (const row of lockRows) console.log(row);
});
