#!/usr/bin/env -S node --import tsx
// Chaos campaigns (fast-check): generated workloads and fault schedules on a real fleet, checked
// over the recorded history, a failure shrunk to a small replayable scenario; a run folder with
// results.json, history.jsonl, schedule.json and a self-contained report.html.
//   npm run chaos -- [--driver X | --mutant NAME] [--runs N | --duration 10m] [--envelope assumptions|beyond]
//                    [--seed S] [--path P] [--replay FILE] [--nodes 3,5,7] [--clients 2-4] [--ttl 200-1500] [--mix ioredis|node-redis|mixed]
//                    [--faults kind,kind] [--provider containers|processes|external] [--out DIR]
//                    [--shrink-runs N | --no-shrink] [--stop-on-violation | --keep-going] [--no-baseline]
// Exit: 0 no defect, 1 a defect (or a harness error), 2 bad input (nothing started), 130 Ctrl-C
// (the run folder is still written).
import { join } from "node:path";
import { monotonicMs } from "../fixtures/core/clock.ts";
import { loadConfig, readyFileSetting, seedSetting } from "../fixtures/core/config.ts";
import type { ClientKind } from "../fixtures/core/config.ts";
import { onEmergencyExit } from "../fixtures/core/cleanup.ts";
import type { RedisNode } from "../fixtures/core/nodes.ts";
import { ConfigError, errorMessage } from "../fixtures/core/errors.ts";
import {
  ENVELOPES,
  FAULT_KINDS,
  formatScenario,
  parseSchedule,
  type ChaosScenario,
  type Envelope,
  type FaultKind,
} from "../fixtures/core/scenario.ts";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { MUTATIONS, type Mutation } from "../fixtures/drivers/reference.ts";
import { mutantDriver, resolveDriver, type ResolvedDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { runCampaignLoop } from "../fixtures/chaos/campaign.ts";
import { activeFaults, countOps, progressLine } from "../fixtures/chaos/progress.ts";
import { recordRun, type CampaignRecord, type RecordedRun } from "../fixtures/chaos/record.ts";
import { defaultRunFolder, writeRunFolder } from "../fixtures/chaos/run-folder.ts";
import { foundNews } from "../fixtures/chaos/judge.ts";
import { formatRun, runScenario, type ChaosRunResult, type LiveRun } from "../fixtures/chaos/run.ts";
import { campaignVersions } from "../fixtures/chaos/versions.ts";
import { loadBaseline, takesSeveralResources } from "../fixtures/properties/baselines.ts";
import { runCli } from "./cli.ts";
import { chaosSuite, checkJUnitPath, writeJUnit } from "./junit.ts";

interface Args {
  driver?: string;
  mutant?: Mutation;
  runs?: number;
  durationMs?: number;
  envelope: Envelope;
  seed?: number;
  path?: string;
  replay?: string;
  nodes?: number[];
  users?: { min: number; max: number };
  ttl?: { min: number; max: number };
  mix?: ClientKind | "mixed";
  faults?: FaultKind[];
  provider?: string;
  out?: string;
  junit?: string;
  shrinkRuns?: number;
  stopOnViolation: boolean;
  /** Count the baseline's documented defects as news too (to hunt them, e.g. for a benchmark). */
  noBaseline: boolean;
}

const USAGE =
  "usage: npm run chaos -- [--driver X | --mutant NAME] [--runs N | --duration 10m] [--envelope assumptions|beyond] [--seed S] [--path P] [--replay FILE] " +
  "[--nodes 3,5,7] [--clients 2-4] [--ttl 200-1500] [--mix ioredis|node-redis|mixed] [--faults kind,kind] [--provider containers|processes|external] [--out DIR] [--junit FILE] " +
  "[--shrink-runs N | --no-shrink] [--stop-on-violation | --keep-going] [--no-baseline]";

/** The issue's short names for the nemesis's kinds (either may be given). */
const FAULT_ALIASES: Record<string, FaultKind[]> = {
  kill: ["node-down"],
  down: ["node-down"],
  restart: ["node-restart"],
  pause: ["node-pause"],
  clock: ["clock-jump"],
  drift: ["clock-drift"],
  stall: ["client-stall", "acquire-stall"],
  crash: ["client-crash"],
};
const MAX_USERS = 8;

function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) return undefined;
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  const ms = Number(m[1]) * scale;
  return ms >= 1000 ? ms : undefined;
}

/** `3` or `2-4` within [lo, hi]; the text itself when it is not one. */
function parseRange(text: string, lo: number, hi: number): { min: number; max: number } | string {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const min = Number(m?.[1]);
  const max = Number(m?.[2] ?? m?.[1]);
  return m && min >= lo && max <= hi && min <= max ? { min, max } : text;
}

/**
 * The flags that shape what is generated (and how findings are judged): every replay line carries
 * them, or it would search another space than the one that found the defect.
 */
function shapeFlags(args: Args): string {
  return [
    args.nodes ? `--nodes ${args.nodes.join(",")}` : "",
    args.users ? `--clients ${args.users.min}-${args.users.max}` : "",
    args.ttl ? `--ttl ${args.ttl.min}-${args.ttl.max}` : "",
    args.mix ? `--mix ${args.mix}` : "",
    args.faults ? `--faults ${args.faults.join(",")}` : "",
    args.provider ? `--provider ${args.provider}` : "",
    args.noBaseline ? "--no-baseline" : "",
  ]
    .filter(Boolean)
    .map((f) => ` ${f}`)
    .join("");
}

function parseArgs(argv: string[]): Args {
  const args: Args = { envelope: "assumptions", noBaseline: false, stopOnViolation: true };
  const problems: string[] = [];
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min) problems.push(`${name} ${text} is not a whole number ≥ ${min}`);
    return n;
  };
  const stopFlags = new Set<string>();
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
    else if (arg === "--duration") {
      const text = value();
      const ms = parseDuration(text);
      if (ms === undefined) problems.push(`--duration ${text} is not a duration of at least 1s (like 90s, 10m, 1h)`);
      else args.durationMs = ms;
    } else if (arg === "--shrink-runs") args.shrinkRuns = whole("--shrink-runs", value(), 0);
    else if (arg === "--no-shrink") args.shrinkRuns = 0;
    else if (arg === "--stop-on-violation") {
      args.stopOnViolation = true;
      stopFlags.add(arg);
    } else if (arg === "--keep-going") {
      args.stopOnViolation = false;
      stopFlags.add(arg);
    } else if (arg === "--seed") args.seed = whole("--seed", value(), 0);
    else if (arg === "--path") args.path = value();
    else if (arg === "--no-baseline") args.noBaseline = true;
    else if (arg === "--replay") args.replay = value();
    else if (arg === "--out") args.out = value();
    else if (arg === "--junit") args.junit = value();
    else if (arg === "--provider") {
      const p = value();
      if (!["containers", "processes", "external", "auto"].includes(p))
        problems.push(`--provider ${p} is not one of containers, processes, external, auto`);
      else args.provider = p;
    } else if (arg === "--envelope") {
      const e = value();
      if (!ENVELOPES.includes(e as Envelope)) problems.push(`--envelope ${e} is not one of ${ENVELOPES.join(", ")}`);
      else args.envelope = e as Envelope;
    } else if (arg === "--nodes") {
      const nodes = value()
        .split(",")
        .map((n) => whole("--nodes", n.trim(), 1));
      if (nodes.some((n) => n > 15)) problems.push("--nodes takes counts from 1 to 15");
      args.nodes = nodes;
    } else if (arg === "--clients") {
      const range = parseRange(value(), 1, MAX_USERS);
      if (typeof range === "string")
        problems.push(
          `--clients ${range} is not a count or range of lock users from 1 to ${MAX_USERS} (like 3 or 2-4)`,
        );
      else args.users = range;
    } else if (arg === "--ttl") {
      const range = parseRange(value(), 50, 600_000);
      if (typeof range === "string")
        problems.push(`--ttl ${range} is not a lock ttl or range in ms from 50 to 600000 (like 500 or 200-3000)`);
      else args.ttl = range;
    } else if (arg === "--mix") {
      const mix = value();
      if (mix !== "ioredis" && mix !== "node-redis" && mix !== "mixed")
        problems.push(`--mix ${mix} is not one of ioredis, node-redis, mixed`);
      else args.mix = mix;
    } else if (arg === "--faults") {
      const names = value()
        .split(",")
        .map((k) => k.trim());
      const unknown = names.filter((k) => !FAULT_KINDS.includes(k as FaultKind) && !(k in FAULT_ALIASES));
      if (unknown.length)
        problems.push(
          `--faults: unknown fault kind ${unknown.join(", ")} (known: ${[...FAULT_KINDS, ...Object.keys(FAULT_ALIASES)].join(", ")})`,
        );
      args.faults = [...new Set(names.flatMap((k) => FAULT_ALIASES[k] ?? [k as FaultKind]))];
    } else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else problems.push(`unknown argument ${arg} (${USAGE})`);
  }
  if (args.driver && args.mutant)
    problems.push("--driver and --mutant exclude each other (a mutant is of the reference)");
  if (stopFlags.size > 1) problems.push("--stop-on-violation and --keep-going exclude each other");
  if (args.path && (args.durationMs !== undefined || !args.stopOnViolation))
    problems.push("--path replays one counterexample of one search: it takes neither --duration nor --keep-going");
  if (args.replay && (args.durationMs !== undefined || args.runs !== undefined))
    problems.push("--replay plays the file's scenarios: it takes neither --runs nor --duration");
  if (problems.length)
    throw new ConfigError(
      `invalid chaos arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}\nNothing was started.`,
    );
  return args;
}

function readReplay(file: string, external: boolean, nodeCount: number): ChaosScenario[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read the replay file ${file}: ${(error as Error).message}\nNothing was started.`);
  }
  const scenarios = parseSchedule(text, file);
  const other = scenarios.find((s) => s.nodes !== nodeCount);
  if (external && other) {
    throw new ConfigError(
      `the replay file ${file} is for ${other.nodes} nodes, but REDIS_NODES has ${nodeCount}\nNothing was started.`,
    );
  }
  return scenarios;
}

/** How often a running campaign rewrites its run folder (and at the end, and on Ctrl-C). */
const FLUSH_EVERY_MS = 10_000;

const writeJson = (file: string, data: unknown) => writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);

const line = (r: ChaosRunResult, n: number, phase: string) => {
  const s = r.scenario;
  const verdict =
    r.unsupported ??
    (r.violations.length === 0
      ? "ok"
      : r.violations
          .map((v) => `${v.known ? "known DEFECT" : v.defect ? "DEFECT" : "expected"} ${v.verdict.checker}`)
          .join(", "));
  // Lock calls only, as the progress line and the report count them.
  const ops = countOps(r.history);
  return `${phase} ${String(n).padStart(3)}: ${s.nodes} nodes, ${s.users.length} users, ${s.faults.length} fault steps, ${ops.ok + ops.fail + ops.unknown} lock calls — ${verdict} (${(r.ms / 1000).toFixed(1)} s)`;
};

/** One line per run outside a terminal; one line kept up to date on it. */
class Progress {
  private readonly tty = process.stdout.isTTY === true;
  private timer: NodeJS.Timeout | undefined;
  private live: LiveRun | undefined;
  private readonly doneOps = { ok: 0, fail: 0, unknown: 0 };
  private runs = 0;
  private shrinking = 0;
  private violations = 0;
  private readonly started = monotonicMs();
  private ended = false;

  constructor(private readonly limit: { runs?: number; durationMs?: number }) {
    if (this.tty) this.timer = setInterval(() => this.draw(), 500).unref();
  }

  watch(run: LiveRun): void {
    this.live = run;
  }

  ran(result: ChaosRunResult, phase: "generated" | "shrinking" | "replay"): void {
    this.live = undefined;
    const ops = countOps(result.history);
    this.doneOps.ok += ops.ok;
    this.doneOps.fail += ops.fail;
    this.doneOps.unknown += ops.unknown;
    if (phase === "shrinking") this.shrinking++;
    else this.runs++;
    if (foundNews(result)) this.violations++;
    if (this.tty && !foundNews(result)) {
      this.draw();
      return;
    }
    this.print(
      line(result, phase === "shrinking" ? this.shrinking : this.runs, phase === "shrinking" ? "shrink" : "run"),
    );
  }

  /** A line of its own (above the progress line on a terminal). */
  print(text: string): void {
    if (this.tty) process.stdout.write("\r\x1b[2K");
    console.log(text);
    if (this.tty) this.draw();
  }

  private draw(): void {
    const live = this.live ? countOps(this.live.history) : { ok: 0, fail: 0, unknown: 0 };
    const elapsedMs = monotonicMs() - this.started;
    const left =
      this.limit.durationMs !== undefined
        ? { ms: this.limit.durationMs - elapsedMs }
        : { runs: Math.max(0, (this.limit.runs ?? 0) - this.runs) };
    const text = progressLine({
      elapsedMs,
      left,
      runs: this.runs,
      shrinking: this.shrinking,
      ops: {
        ok: this.doneOps.ok + live.ok,
        fail: this.doneOps.fail + live.fail,
        unknown: this.doneOps.unknown + live.unknown,
      },
      faultsActive: this.live ? activeFaults(this.live.faults) : 0,
      violations: this.violations,
    });
    // Kept to one line where the terminal says how wide it is (a wrapped line cannot be redrawn).
    const columns = process.stdout.columns;
    process.stdout.write(`\r\x1b[2K${columns && columns >= 40 ? text.slice(0, columns - 1) : text}`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stdout.write("\n");
  }
}

/** The Redis version of the fleet's nodes, from one pooled node. */
async function redisVersion(pool: FleetPool): Promise<string> {
  const fleet = await pool.take(1);
  try {
    const info = await fleet.nodes[0]!.admin().info("server");
    return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
  } catch (error) {
    return `unknown (${errorMessage(error)})`;
  } finally {
    await pool.give(fleet);
  }
}

await runCli(async () => {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig(args.provider ? { ...process.env, REDIS_PROVIDER: args.provider } : process.env);
  // Every input is checked before a provider is chosen or anything is started.
  const replays = args.replay ? readReplay(args.replay, config.provider === "external", config.nodeCount) : undefined;
  checkJUnitPath(args.junit);
  const driver: ResolvedDriver = args.mutant
    ? mutantDriver(args.mutant)
    : await resolveDriver(args.driver ?? config.driver, { nodeCount: config.nodeCount });
  const { provider } = await resolveProvider(config);
  const seed = args.seed ?? seedSetting();
  const spec = args.mutant ? `--mutant ${args.mutant}` : `--driver ${driver.spec}`;
  const name = args.mutant ? `mutant-${args.mutant}` : driver.spec;
  const startedAt = Date.now();
  const out = args.out ?? defaultRunFolder(join("reports", "chaos"), name, startedAt);
  await reapLeftovers({ docker: provider === "containers" });
  const pool = new FleetPool({
    provider,
    image: config.image,
    externalNodes: config.externalNodes,
    nodeControl: config.nodeControl,
  });
  const known = args.noBaseline || args.mutant ? undefined : loadBaseline(driver)?.chaos;
  const readyFile = readyFileSetting();
  // The default budget is 30 runs; a timed campaign has none unless --runs is given too.
  const runs = args.runs ?? (args.durationMs === undefined ? 30 : undefined);
  const progress = new Progress({
    ...(runs === undefined ? {} : { runs }),
    ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
    ...(replays ? { runs: replays.length } : {}),
  });
  // For tools and tests (the leak suite): the nodes and child users of the first run, once up.
  const onStart = readyFile
    ? ({ nodes, childPids }: { nodes: readonly RedisNode[]; childPids: number[] }) => {
        const ready = {
          event: "ready",
          provider,
          pid: process.pid,
          out,
          nodes: nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, ...n.handle })),
          childPids,
        };
        writeFileSync(`${readyFile}.tmp`, JSON.stringify(ready));
        renameSync(`${readyFile}.tmp`, readyFile);
      }
    : undefined;
  const campaignOrigin = monotonicMs();
  const record: CampaignRecord = {
    driver: name,
    envelope: replays?.[0]?.envelope ?? args.envelope,
    provider,
    seed,
    startedAt,
    ms: 0,
    versions: {},
    runs: [],
    replay: [],
  };
  const recorded = new WeakMap<ChaosRunResult, RecordedRun>();
  let live: LiveRun | undefined;
  const flush = () => {
    record.ms = Date.now() - startedAt;
    lastFlush = monotonicMs();
    return writeRunFolder(out, record, { latest: args.out === undefined });
  };
  let lastFlush = monotonicMs();
  // Ctrl-C: the fleet's own hooks stop every node and child process (healing every fault with
  // them); this one writes the run folder with what was done, the run in flight as a partial one.
  // Returned as a second phase: the nodes and child users are signalled first, then it writes.
  const unhook = onEmergencyExit(() => () => {
    record.interrupted = true;
    if (live)
      record.runs.push(
        recordRun(
          {
            scenario: live.scenario,
            verdicts: [],
            violations: [],
            history: [...live.history],
            faults: [...live.faults],
            origin: live.origin,
            ms: monotonicMs() - live.origin,
            details: "",
          },
          record.runs.length + 1,
          "generated",
          campaignOrigin,
        ),
      );
    const last = record.runs.at(-1);
    if (last && live) last.partial = true;
    try {
      const files = flush();
      process.stderr.write(`\ninterrupted: the run folder is ${files.dir} (report ${files.report})\n`);
    } catch (error) {
      process.stderr.write(`\ninterrupted: could not write the run folder ${out}: ${errorMessage(error)}\n`);
    }
  });
  const onRun = (r: ChaosRunResult, phase: "generated" | "shrinking" | "replay") => {
    live = undefined;
    const run = recordRun(r, record.runs.length + 1, phase, campaignOrigin);
    recorded.set(r, run);
    record.runs.push(run);
    progress.ran(r, phase);
    // A campaign cut short by SIGKILL still leaves what it did up to a few seconds ago; rewriting
    // the whole folder after every run would grow with the campaign (a report of every run so far).
    if (monotonicMs() - lastFlush >= FLUSH_EVERY_MS) flush();
  };
  const options = {
    config,
    provider,
    driver,
    pool,
    ...(known ? { known } : {}),
    ...(onStart ? { onStart } : {}),
    live: (run: LiveRun) => {
      live = run;
      progress.watch(run);
    },
  };
  try {
    record.versions = campaignVersions(
      args.mutant ? "reference" : driver.spec,
      await redisVersion(pool),
      args.mutant ? undefined : driver.package,
    );
    if (replays) {
      record.replay = [`npm run chaos -- ${spec} --replay ${args.replay}${args.noBaseline ? " --no-baseline" : ""}`];
      progress.print(
        `replaying ${replays.length} scenario(s) from ${args.replay} on ${driver.spec}, provider ${provider}`,
      );
      for (const scenario of replays) {
        progress.print(formatScenario(scenario));
        const result = await runScenario(scenario, options);
        onRun(result, "replay");
        if (result.unsupported) progress.print(result.unsupported);
        if (foundNews(result)) {
          progress.print(formatRun(result, record.replay[0]!));
          process.exitCode = 1;
        }
      }
      return;
    }
    const shape = {
      envelope: args.envelope,
      multiResource: takesSeveralResources(driver),
      ...(args.nodes ? { nodeCounts: args.nodes } : provider === "external" ? { nodeCounts: [config.nodeCount] } : {}),
      ...(args.faults ? { faults: args.faults } : {}),
      ...(args.users ? { users: args.users } : {}),
      ...(args.ttl ? { ttl: args.ttl } : {}),
      ...(args.mix ? { mix: args.mix } : {}),
      // An in-process test double cannot be loaded by a child process.
      ...(driver.module === null ? { processes: ["in-process" as const] } : {}),
    };
    const budget =
      args.durationMs !== undefined
        ? `${(args.durationMs / 60_000).toFixed(1)} min${runs ? ` or ${runs} runs` : ""}`
        : `${runs} runs`;
    progress.print(
      `chaos: ${driver.spec}, envelope ${args.envelope}, ${budget}, seed ${seed}, provider ${provider}, run folder ${out}`,
    );
    const started = Date.now();
    const campaign = await runCampaignLoop({
      ...options,
      shape,
      seed,
      ...(runs === undefined ? {} : { runs }),
      ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
      ...(args.path ? { path: args.path } : {}),
      ...(args.shrinkRuns === undefined ? {} : { shrinkRuns: args.shrinkRuns }),
      stopOnViolation: args.stopOnViolation,
      onRun: (r, phase) => onRun(r, phase),
    });
    progress.end();
    const minutes = (Date.now() - started) / 60_000;
    // maxRSS is in KiB: the command's own peak (child users and nodes are processes of their own).
    console.log(
      `\n${campaign.runs} generated runs (${campaign.unsupported} unsupported by ${provider}) in ${minutes.toFixed(1)} min; peak memory of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
    if (campaign.known > 0 && known) {
      console.log(
        `${campaign.known} run(s) found defects the baseline of ${driver.spec} documents: ${Object.entries(known)
          .map(([c, why]) => `${c} — ${why}`)
          .join("; ")} (--no-baseline counts them as news)`,
      );
    }
    const flags = shapeFlags(args);
    const search = (f: { seed: number; batchRuns: number; path?: string }) =>
      `npm run chaos -- ${spec} --envelope ${args.envelope} --runs ${f.batchRuns} --seed ${f.seed}${flags}${f.path ? ` --path ${f.path}` : ""}`;
    const replayOf = (file: string) =>
      `npm run chaos -- ${spec} --replay ${file}${args.noBaseline ? " --no-baseline" : ""}`;
    // Without a finding: replay every run's scenario, or the whole search; with one, each finding's own lines.
    record.replay = campaign.findings.length
      ? []
      : [
          replayOf(join(out, "schedule.json")),
          // A timed campaign's run count depends on the machine's speed: its replay is bounded by runs.
          args.durationMs === undefined
            ? `npm run chaos -- ${spec} --envelope ${args.envelope} --runs ${runs} --seed ${seed}${flags}`
            : // The same searches (seeds S, S+1, …), ended by the same count of runs rather than by the clock.
              `npm run chaos -- ${spec} --envelope ${args.envelope} --duration ${Math.ceil((2 * args.durationMs) / 1000)}s --runs ${campaign.runs} --seed ${seed}${flags}`,
        ];
    for (const [k, f] of campaign.findings.entries()) {
      if (f.error) {
        flush();
        throw new Error(
          `a run could not be carried out: ${f.error.message}\nits scenario:\n${formatScenario(f.error.scenario)}\nrun folder: ${out}`,
        );
      }
      process.exitCode = 1;
      const found = f.counterexample;
      if (!found) {
        console.log(
          `a run failed but its shrunk counterexample could not be told apart; the first failure:\n${formatRun(f.original!, search(f))}`,
        );
        record.replay.push(search(f));
        continue;
      }
      const run = recorded.get(found);
      if (run) run.counterexample = true;
      const file = k === 0 ? join(out, "schedule.json") : join(out, `counterexample-${k + 1}.json`);
      if (k > 0) writeJson(file, found.scenario);
      console.log(
        `\nDEFECT found; shrunk from ${f.original?.scenario.faults.length ?? "?"} fault steps / ${f.original?.scenario.users.length ?? "?"} users ` +
          `to ${found.scenario.faults.length} / ${found.scenario.users.length} in ${f.shrinks} shrinks${f.shrinkBudgetUsed ? " (stopped at the shrink budget)" : ""}:`,
      );
      console.log(formatRun(found, replayOf(file)));
      console.log(`or the whole search again: ${search(f)}`);
      record.replay.push(replayOf(file), search(f));
    }
    if (campaign.findings.length === 0) console.log(`no new defect in ${args.envelope}`);
  } finally {
    unhook();
    progress.end();
    await pool
      .close()
      .catch((error: unknown) => console.error(`closing the fleet pool failed: ${errorMessage(error)}`));
    if (!record.interrupted) {
      const files = flush();
      console.log(`run folder: ${files.dir} — report ${files.report}`);
      writeJUnit(args.junit, [chaosSuite(record, files.report)]);
    }
  }
});
