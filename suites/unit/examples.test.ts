import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { Problem, shardFlag } from "../../fixtures/core/flags.ts";

/**
 * The sharded recipes (examples/github-actions, examples/kubernetes) parse as YAML, and every
 * command line in them is a shipped command with flags that command takes: the shard of every job
 * is valid for its index, the shards cover 1…n, and the merge names exactly the parts written.
 * No cluster and no runner here: the manifests and their command lines are what is checked.
 */
const SUBCOMMANDS = ["chaos", "bench", "compare", "matrix", "merge"];

/** Shell words of a command line (quotes kept out; enough for the recipes' plain lines). */
const words = (line: string) => [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

const usages = new Map<string, string>();
function usageOf(subcommand: string): string {
  let usage = usages.get(subcommand);
  if (!usage) {
    const args = subcommand === "conformance" ? ["--help"] : [subcommand, "--help"];
    const r = spawnSync(process.execPath, ["bin/redlock-conformance.mjs", ...args], { encoding: "utf8" });
    usage = r.stdout + r.stderr;
    usages.set(subcommand, usage);
  }
  return usage;
}

/** The redlock-conformance invocations of a text, with the job's index put in for `index`. */
function invocations(text: string, index: number): string[][] {
  const filled = text
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow's own expression, literally
    .replaceAll("${{ matrix.shard }}", String(index))
    .replaceAll("$((JOB_COMPLETION_INDEX + 1))", String(index));
  return filled
    .split(/\n|&&|\|\||;/)
    .map((part) => words(part))
    .filter((w) => w.includes("redlock-conformance"))
    .map((w) => w.slice(w.indexOf("redlock-conformance") + 1));
}

function checkInvocation(argv: string[], count: number, index: number): void {
  const subcommand = SUBCOMMANDS.includes(argv[0]!) ? argv[0]! : "conformance";
  const usage = usageOf(subcommand);
  expect(usage, `${subcommand} has a usage`).toMatch(/usage:/);
  for (const flag of argv.filter((a) => a.startsWith("--")))
    expect(usage, `${subcommand} takes ${flag}`).toContain(`[${flag}`);
  const shard = argv[argv.indexOf("--shard") + 1];
  if (argv.includes("--shard")) {
    const parsed = shardFlag("--shard", shard);
    expect(parsed).not.toBeInstanceOf(Problem);
    expect(parsed).toEqual({ index, count });
  }
}

/** What an invocation writes: its --json report or its --out run folder. */
const outputOf = (argv: string[]) =>
  argv[argv.includes("--json") ? argv.indexOf("--json") + 1 : argv.indexOf("--out") + 1]!;
/** The parts a merge takes: its arguments before the first flag. */
const partsOf = (argv: string[]) =>
  argv.slice(
    1,
    argv.findIndex((a, i) => i > 0 && a.startsWith("--")),
  );

describe("examples/github-actions/redlock-conformance-sharded.yml", () => {
  const workflow = parse(readFileSync("examples/github-actions/redlock-conformance-sharded.yml", "utf8"));
  const shards: number[] = workflow.jobs.shard.strategy.matrix.shard;
  const runs = (job: string) =>
    (workflow.jobs[job].steps as Array<{ run?: string }>).flatMap((s) => (s.run ? [s.run] : [])).join("\n");

  test("a matrix of shards 1…n, and a merge job after them that runs whatever they ended with", () => {
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, i) => i + 1));
    expect(workflow.jobs.merge.needs).toBe("shard");
    expect(workflow.jobs.merge.if).toBe("always()");
    expect(workflow.jobs.shard.strategy["fail-fast"]).toBe(false);
  });

  test("every command line is a shipped command with its own flags, the shard right for each job", () => {
    for (const index of shards)
      for (const argv of invocations(runs("shard"), index)) checkInvocation(argv, shards.length, index);
    for (const argv of invocations(runs("merge"), 1)) checkInvocation(argv, shards.length, 1);
  });

  test("the merges name exactly the parts the shards write (reports and chaos run folders)", () => {
    const written = shards.flatMap((index) => invocations(runs("shard"), index).map(outputOf));
    const merged = invocations(runs("merge"), 1).flatMap(partsOf);
    expect(merged.sort()).toEqual(written.sort());
  });
});

describe("examples/kubernetes/indexed-job.yaml", () => {
  const [job, merge] = readFileSync("examples/kubernetes/indexed-job.yaml", "utf8")
    .split(/^---$/m)
    .map((doc) => parse(doc));
  const commandOf = (manifest: typeof job) => manifest.spec.template.spec.containers[0].args.join("\n") as string;

  test("an Indexed Job of n completions, all at once, and a merge Job", () => {
    expect(job.kind).toBe("Job");
    expect(job.spec.completionMode).toBe("Indexed");
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(merge.kind).toBe("Job");
    expect(merge.spec.template.spec.restartPolicy).toBe("Never");
  });

  test("every pod's command is the conformance run with its shard; the merge takes every part", () => {
    const count: number = job.spec.completions;
    const written: string[] = [];
    for (let index = 1; index <= count; index++)
      for (const argv of invocations(commandOf(job), index)) {
        checkInvocation(argv, count, index);
        written.push(argv[argv.indexOf("--json") + 1]!);
      }
    const [mergeArgv] = invocations(commandOf(merge), 1);
    checkInvocation(mergeArgv!, count, 1);
    expect(mergeArgv!.slice(1, mergeArgv!.indexOf("--json")).sort()).toEqual(written.sort());
  });
});
