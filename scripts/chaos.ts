#!/usr/bin/env -S node --import tsx
// Generated chaos runs (fast-check): workloads and fault schedules on a real fleet, checked over
// the recorded history, a failure shrunk to a small replayable scenario.
//   npm run chaos -- [--driver X | --mutant NAME] [--runs N] [--envelope assumptions|beyond]
//                    [--seed S] [--path P] [--replay FILE] [--nodes 3,5,7] [--faults kind,kind]
//                    [--shrink-runs N]
// Exit: 0 no defect, 1 a defect (or a harness error), 2 bad input (nothing started).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, readyFileSetting, seedSetting } from "../fixtures/core/config.ts";
import type { RedisNode } from "../fixtures/core/nodes.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { ENVELOPES, FAULT_KINDS, formatScenario, parseScenario, type ChaosScenario, type Envelope, type FaultKind } from "../fixtures/core/scenario.ts";
import { MUTATIONS, type Mutation } from "../fixtures/drivers/reference.ts";
import { mutantDriver, resolveDriver, type ResolvedDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { runCampaign } from "../fixtures/chaos/campaign.ts";
import { formatRun, foundNews, runScenario, type ChaosRunResult } from "../fixtures/chaos/run.ts";
import { loadBaseline, takesSeveralResources } from "../fixtures/properties/baselines.ts";
import { runCli } from "./cli.ts";

interface Args {
  driver?: string;
  mutant?: Mutation;
  runs: number;
  envelope: Envelope;
  seed?: number;
  path?: string;
  replay?: string;
  nodes?: number[];
  faults?: FaultKind[];
  shrinkRuns?: number;
  /** Count the baseline's documented defects as news too (to hunt them, e.g. for a benchmark). */
  noBaseline: boolean;
}

const USAGE = "usage: npm run chaos -- [--driver X | --mutant NAME] [--runs N] [--envelope assumptions|beyond] [--seed S] [--path P] [--replay FILE] [--nodes 3,5,7] [--faults kind,kind] [--shrink-runs N] [--no-baseline]";

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 30, envelope: "assumptions", noBaseline: false };
  const problems: string[] = [];
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min) problems.push(`${name} ${text} is not a whole number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) {
        problems.push(`${arg} needs a value`);
        return "";
      }
      return v;
    };
    if (arg === "--driver") args.driver = value();
    else if (arg === "--mutant") {
      const m = value();
      if (!(m in MUTATIONS)) problems.push(`--mutant ${m} is not one of ${Object.keys(MUTATIONS).join(", ")}`);
      else args.mutant = m as Mutation;
    } else if (arg === "--runs") args.runs = whole("--runs", value(), 1);
    else if (arg === "--shrink-runs") args.shrinkRuns = whole("--shrink-runs", value(), 0);
    else if (arg === "--seed") args.seed = whole("--seed", value(), 0);
    else if (arg === "--path") args.path = value();
    else if (arg === "--no-baseline") args.noBaseline = true;
    else if (arg === "--replay") args.replay = value();
    else if (arg === "--envelope") {
      const e = value();
      if (!ENVELOPES.includes(e as Envelope)) problems.push(`--envelope ${e} is not one of ${ENVELOPES.join(", ")}`);
      else args.envelope = e as Envelope;
    } else if (arg === "--nodes") {
      const nodes = value().split(",").map((n) => whole("--nodes", n.trim(), 1));
      if (nodes.some((n) => n > 15)) problems.push("--nodes takes counts from 1 to 15");
      args.nodes = nodes;
    } else if (arg === "--faults") {
      const kinds = value().split(",").map((k) => k.trim());
      const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
      if (unknown.length) problems.push(`--faults: unknown fault kind ${unknown.join(", ")} (known: ${FAULT_KINDS.join(", ")})`);
      args.faults = kinds as FaultKind[];
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else problems.push(`unknown argument ${arg} (${USAGE})`);
  }
  if (args.driver && args.mutant) problems.push("--driver and --mutant exclude each other (a mutant is of the reference)");
  if (problems.length) throw new ConfigError(`invalid chaos arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}\nNothing was started.`);
  return args;
}

function readReplay(file: string, external: boolean, nodeCount: number): ChaosScenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the replay file ${file}: ${(error as Error).message}\nNothing was started.`);
  }
  const scenario = parseScenario(text, file);
  if (external && scenario.nodes !== nodeCount) {
    throw new ConfigError(`the replay file ${file} is for ${scenario.nodes} nodes, but REDIS_NODES has ${nodeCount}\nNothing was started.`);
  }
  return scenario;
}

const line = (r: ChaosRunResult, n: number, phase: string) => {
  const s = r.scenario;
  const verdict = r.unsupported ?? (r.violations.length === 0 ? "ok" : r.violations.map((v) => `${v.known ? "known DEFECT" : v.defect ? "DEFECT" : "expected"} ${v.verdict.checker}`).join(", "));
  const ops = r.history.filter((e) => e.type !== "invoke" && e.op !== "sample");
  return `${phase} ${String(n).padStart(3)}: ${s.nodes} nodes, ${s.users.length} users, ${s.faults.length} fault steps, ${ops.length} ops — ${verdict} (${(r.ms / 1000).toFixed(1)} s)`;
};

await runCli(async () => {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  // Every input is checked before a provider is chosen or anything is started.
  const scenario = args.replay ? readReplay(args.replay, config.provider === "external", config.nodeCount) : undefined;
  const driver: ResolvedDriver = args.mutant
    ? mutantDriver(args.mutant)
    : await resolveDriver(args.driver ?? config.driver, { nodeCount: config.nodeCount });
  const { provider } = await resolveProvider(config);
  const seed = args.seed ?? seedSetting();
  const spec = args.mutant ? `--mutant ${args.mutant}` : `--driver ${driver.spec}`;
  await reapLeftovers({ docker: provider === "containers" });
  const pool = new FleetPool({ provider, image: config.image, externalNodes: config.externalNodes, nodeControl: config.nodeControl });
  const known = args.noBaseline || args.mutant ? undefined : loadBaseline(driver.spec)?.chaos;
  const readyFile = readyFileSetting();
  // For tools and tests (the leak suite): the nodes and child users of the first run, once up.
  const onStart = readyFile
    ? ({ nodes, childPids }: { nodes: readonly RedisNode[]; childPids: number[] }) => {
        const ready = { event: "ready", provider, pid: process.pid, nodes: nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, ...n.handle })), childPids };
        writeFileSync(`${readyFile}.tmp`, JSON.stringify(ready));
        renameSync(`${readyFile}.tmp`, readyFile);
      }
    : undefined;
  const options = { config, provider, driver, pool, ...(known ? { known } : {}), ...(onStart ? { onStart } : {}) };
  try {
    if (scenario) {
      console.log(`replaying ${args.replay} on ${driver.spec}, provider ${provider}:\n${formatScenario(scenario)}`);
      const result = await runScenario(scenario, options);
      console.log(formatRun(result, `npm run chaos -- ${spec} --replay ${args.replay}`));
      if (result.unsupported) console.log(result.unsupported);
      if (foundNews(result)) process.exitCode = 1;
      return;
    }
    const shape = {
      envelope: args.envelope,
      multiResource: takesSeveralResources(driver.spec),
      ...(args.nodes ? { nodeCounts: args.nodes } : provider === "external" ? { nodeCounts: [config.nodeCount] } : {}),
      ...(args.faults ? { faults: args.faults } : {}),
      // An in-process factory (a mutant) cannot be loaded by a child process.
      ...(driver.module === null ? { processes: ["in-process" as const] } : {}),
    };
    console.log(`chaos: ${driver.spec}, envelope ${args.envelope}, ${args.runs} runs, seed ${seed}, provider ${provider}`);
    let n = 0;
    const started = Date.now();
    const campaign = await runCampaign({ ...options, shape, runs: args.runs, seed, ...(args.path ? { path: args.path } : {}), ...(args.shrinkRuns === undefined ? {} : { shrinkRuns: args.shrinkRuns }), onRun: (r, phase) => console.log(line(r, ++n, phase === "generated" ? "run" : "shrink")) });
    const minutes = (Date.now() - started) / 60_000;
    console.log(`\n${campaign.runs} generated runs (${campaign.unsupported} unsupported by ${provider}) in ${minutes.toFixed(1)} min`);
    if (campaign.known > 0 && known) {
      console.log(`${campaign.known} run(s) found defects the baseline of ${driver.spec} documents: ${Object.entries(known).map(([c, why]) => `${c} — ${why}`).join("; ")} (--no-baseline counts them as news)`);
    }
    const found = campaign.counterexample;
    if (campaign.error) {
      throw new Error(`a run could not be carried out: ${campaign.error.message}\nits scenario:\n${formatScenario(campaign.error.scenario)}`);
    }
    if (!found) {
      if (campaign.original) {
        console.log(`a run failed but its shrunk counterexample could not be told apart; the first failure:\n${formatRun(campaign.original, `npm run chaos -- ${spec} --envelope ${args.envelope} --seed ${campaign.seed}`)}`);
        process.exitCode = 1;
      } else console.log(`no new defect in ${args.envelope}`);
      return;
    }
    const dir = join("reports", "chaos");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `counterexample-${campaign.seed}.json`);
    writeFileSync(file, `${JSON.stringify(found.scenario, null, 2)}\n`);
    console.log(
      `\nDEFECT found; shrunk from ${campaign.original?.scenario.faults.length ?? "?"} fault steps / ${campaign.original?.scenario.users.length ?? "?"} users ` +
        `to ${found.scenario.faults.length} / ${found.scenario.users.length} in ${campaign.shrinks} shrinks${campaign.shrinkBudgetUsed ? " (stopped at the shrink budget)" : ""}:`,
    );
    console.log(formatRun(found, `npm run chaos -- ${spec} --replay ${file}`));
    console.log(`or the whole search again: npm run chaos -- ${spec} --envelope ${args.envelope} --runs ${args.runs} --seed ${campaign.seed}${campaign.path ? ` --path ${campaign.path}` : ""}`);
    process.exitCode = 1;
  } finally {
    await pool.close();
  }
});
