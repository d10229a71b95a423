// Chaos campaigns (fast-check): generated workloads and fault schedules on a real fleet, checked
// over the recorded history, a failure shrunk to a small replayable scenario; a run folder with
// results.json, history.jsonl, schedule.json and a self-contained report.html. This front end
// parses the flags, calls the chaos floor's command (fixtures/chaos/command.ts) and writes JUnit.
// Exit: 0 no defect, 1 a defect (or a harness error), 2 bad input (nothing started), 130 Ctrl-C
// (the run folder is still written).
import { type ChaosFlags, chaosArgs } from "../fixtures/chaos/options.ts";
import type { ResolvedDriver } from "../fixtures/drivers/load.ts";
import { loadBaseline, offersUsing, takesSeveralResources } from "../fixtures/properties/baselines.ts";
import { parseFlags } from "./args.ts";
import { runCli } from "./cli.ts";
import { chaosSuite, checkJUnitPath, writeJUnit } from "./junit.ts";

const USAGE =
  "usage: npm run chaos -- [--driver X | --mutant NAME] [--runs N | --duration 10m] [--envelope assumptions|beyond] [--seed S] [--path P] [--replay FILE]\n" +
  "         [--nodes 3,5,7] [--users 2-4] [--ttl 200-1500] [--mix ioredis|node-redis|mixed] [--faults kind,kind] [--provider containers|processes|external]\n" +
  "         [--out DIR] [--junit FILE] [--parallel K] [--shard i/n] [--shrink-runs N | --no-shrink] [--stop-on-violation | --keep-going] [--no-baseline]\n" +
  "         [--aim kind@phase/contention | --steer | --until-coverage P]";

const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;
const FLAGS = {
  driver: text,
  mutant: text,
  runs: text,
  duration: text,
  envelope: text,
  seed: text,
  path: text,
  replay: text,
  nodes: text,
  users: text,
  // The old spelling of --users: "clients" are Redis clients everywhere else.
  clients: text,
  ttl: text,
  mix: text,
  faults: text,
  provider: text,
  out: text,
  junit: text,
  "shrink-runs": text,
  "no-shrink": flag,
  parallel: text,
  shard: text,
  "stop-on-violation": flag,
  "keep-going": flag,
  "no-baseline": flag,
  aim: text,
  steer: flag,
  "until-coverage": text,
} as const;

await runCli(async () => {
  const args = parseFlags(
    process.argv.slice(2),
    { command: "chaos", usage: USAGE, options: FLAGS },
    ({ values: v }, problems) => {
      if (v.clients !== undefined && v.users !== undefined)
        problems.add("--users and --clients (its old spelling) exclude each other");
      else if (v.clients !== undefined)
        console.error(
          `note: --clients is now --users (lock users per run; "clients" are Redis clients): read as --users ${v.clients}`,
        );
      const flags: ChaosFlags = {
        ...pick(v, [
          "driver",
          "mutant",
          "runs",
          "duration",
          "envelope",
          "seed",
          "path",
          "replay",
          "nodes",
          "ttl",
          "mix",
          "faults",
          "provider",
          "out",
          "junit",
          "parallel",
          "shard",
          "aim",
        ]),
        ...(v["until-coverage"] === undefined ? {} : { untilCoverage: v["until-coverage"] }),
        steer: v.steer === true,
        ...((v.users ?? v.clients) === undefined ? {} : { users: (v.users ?? v.clients)! }),
        ...(v["shrink-runs"] === undefined ? {} : { shrinkRuns: v["shrink-runs"] }),
        noShrink: v["no-shrink"] === true,
        stopOnViolation: v["stop-on-violation"] === true,
        keepGoing: v["keep-going"] === true,
        noBaseline: v["no-baseline"] === true,
      };
      const parsed = chaosArgs(flags);
      for (const problem of parsed.problems) problems.add(problem);
      problems.attempt(() => checkJUnitPath(parsed.args.junit));
      return parsed.args;
    },
  );
  // Loaded once the flags are known good: bad input is answered without loading the harness.
  const { runChaosCommand } = await import("../fixtures/chaos/command.ts");
  const baseline = { knownDefects: (d: ResolvedDriver) => loadBaseline(d)?.chaos, takesSeveralResources, offersUsing };
  const defect = await runChaosCommand(args, baseline, (record, report) =>
    writeJUnit(args.junit, [chaosSuite(record, report)]),
  );
  if (defect) process.exitCode = 1;
});

/** The given keys of `values` that are set (exactOptionalPropertyTypes: absent, never undefined). */
function pick<K extends string>(
  values: Partial<Record<K, string | boolean | undefined>>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  return Object.fromEntries(keys.flatMap((k) => (typeof values[k] === "string" ? [[k, values[k]]] : []))) as Partial<
    Record<K, string>
  >;
}
