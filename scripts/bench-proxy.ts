// Benchmark, not a test: the fault proxy's overhead — PING round trip through a proxy with no
// fault vs straight to the node, per client kind, side by side in one run.
import { ClientSet } from "../fixtures/clients/index.ts";
import { monotonicMs, percentile } from "../fixtures/core/clock.ts";
import { benchSetting, loadConfig } from "../fixtures/core/config.ts";
import { LinkProxy } from "../fixtures/faults/proxy.ts";
import { reapLeftovers, resolveProvider, startFleet } from "../fixtures/fleet/index.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "bench:proxy",
    usage:
      "usage: npm run bench:proxy   (no arguments; BENCH_PINGS and the harness settings come from the environment)",
    options: {},
  });
  const config = loadConfig();
  const SAMPLES = benchSetting("BENCH_PINGS", 3000);
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const fleet = await startFleet({ provider, nodeCount: 2, allowEven: true, image: config.image });
  const proxies = await Promise.all(fleet.nodes.map((n) => new LinkProxy(`bench→${n.name}`, n).start()));
  try {
    const direct = await ClientSet.connect(fleet, { mode: "alternate" });
    const proxied = await ClientSet.connect(fleet, { mode: "alternate" }, undefined, (i) => ({
      host: "127.0.0.1",
      port: proxies[i]!.port,
    }));
    console.log(`provider ${provider}; ${SAMPLES} sequential PINGs per client kind and path, interleaved\n`);
    console.log("| client kind | direct p50 / p99 | through the proxy p50 / p99 | added p50 |");
    console.log("|---|---|---|---|");
    for (let k = 0; k < 2; k++) {
      const a = direct.clients[k]!;
      const b = proxied.clients[k]!;
      for (let i = 0; i < 300; i++) await Promise.all([a.ping(), b.ping()]);
      const da: number[] = [];
      const db: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        let t = monotonicMs();
        await a.ping();
        da.push(monotonicMs() - t);
        t = monotonicMs();
        await b.ping();
        db.push(monotonicMs() - t);
      }
      console.log(
        `| ${a.kind} | ${fmt(percentile(da, 50))} / ${fmt(percentile(da, 99))} | ${fmt(percentile(db, 50))} / ${fmt(percentile(db, 99))} | ${fmt(percentile(db, 50) - percentile(da, 50))} |`,
      );
    }
    await direct.close();
    await proxied.close();
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await fleet.close();
  }
});
