import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../fixtures/core/errors.ts";
import {
  ArgumentsError,
  commaList,
  exclusive,
  type FlagOptions,
  type FlagSpec,
  parseFlags,
  Problem,
  Problems,
  problemOf,
  UsageRequested,
  oneOf,
  wholeNumber,
} from "../../scripts/args.ts";

const USAGE = "usage: demo [--driver X] [--cycles N] [--bench]";
const SPEC = {
  command: "demo",
  usage: USAGE,
  options: {
    driver: { type: "string" },
    cycles: { type: "string", default: "300" },
    bench: { type: "boolean" },
    json: { type: "string" },
  },
} satisfies FlagSpec<FlagOptions>;

/** The demo command: --cycles a whole number ≥ 10. */
const demo = (argv: string[]) =>
  parseFlags(argv, SPEC, ({ values }, problems) => ({
    driver: values.driver,
    cycles: problems.take(wholeNumber("--cycles", values.cycles, { min: 10 })),
    bench: values.bench === true,
    json: values.json,
  }));

/** What parseFlags threw for `argv`. */
function refusal(run: () => unknown): ArgumentsError {
  try {
    run();
  } catch (error) {
    if (error instanceof ArgumentsError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("parseFlags: node:util parseArgs, one error of one shape", () => {
  test("well-formed flags: their values, defaults applied, nothing refused", () => {
    expect(demo(["--driver", "redlock@5", "--cycles=40", "--bench"])).toEqual({
      driver: "redlock@5",
      cycles: 40,
      bench: true,
      json: undefined,
    });
    expect(demo([])).toEqual({ driver: undefined, cycles: 300, bench: false, json: undefined });
  });

  test.each<[string, string[], string[]]>([
    ["an unknown flag", ["--bogus"], ["unknown argument --bogus"]],
    ["an unknown short flag", ["-x"], ["unknown argument -x"]],
    ["an unknown flag with a value", ["--fast=3"], ["unknown argument --fast=3"]],
    ["a flag without its value", ["--driver"], ["--driver needs a value"]],
    ["a value given to a boolean flag", ["--bench=yes"], ["--bench takes no value"]],
    ["an unexpected positional", ["redlock"], ["unexpected argument redlock"]],
    ["a positional after --", ["--", "--driver"], ["unexpected argument --driver"]],
    ["a bad whole number", ["--cycles", "3"], ["--cycles 3 is not a whole number ≥ 10"]],
    ["a signed whole number", ["--cycles=+30"], ["--cycles +30 is not a whole number ≥ 10"]],
    [
      "a value that looks like a flag",
      ["--cycles", "-3"],
      ["--cycles needs a value: -3 looks like a flag (write --cycles=-3 if it is the value)"],
    ],
  ])("%s: one ArgumentsError (a ConfigError: exit 2) naming the flag and why", (_, argv, problems) => {
    const error = refusal(() => demo(argv));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.command).toBe("demo");
    expect(error.problems).toEqual(problems);
    expect(error.usage).toBe(USAGE);
  });

  test("every problem at once, in one message of the shape every command uses", () => {
    const error = refusal(() => demo(["--bogus", "extra", "--cycles", "3", "--bench=1", "--driver"]));
    expect(error.problems).toEqual([
      "unknown argument --bogus",
      "unexpected argument extra",
      "--bench takes no value",
      "--driver needs a value",
      "--cycles 3 is not a whole number ≥ 10",
    ]);
    expect(error.message).toBe(
      [
        "invalid demo arguments:",
        "  - unknown argument --bogus",
        "  - unexpected argument extra",
        "  - --bench takes no value",
        "  - --driver needs a value",
        "  - --cycles 3 is not a whole number ≥ 10",
        USAGE,
        "Nothing was started.",
      ].join("\n"),
    );
  });

  test("a flag taken as another's value is still read as a flag", () => {
    // `--driver --json out.json`: --driver lacks its value; --json keeps its own.
    let json: string | undefined;
    const error = refusal(() =>
      parseFlags(["--driver", "--json", "out.json"], SPEC, ({ values }) => {
        json = values.json;
      }),
    );
    expect(error.problems).toEqual([
      "--driver needs a value: --json looks like a flag (write --driver=--json if it is the value)",
    ]);
    expect(json).toBe("out.json");
  });

  test("the build step sees the well-formed flags even when others are refused, so all problems come back", () => {
    const error = refusal(() => demo(["--cycles", "abc", "--nope"]));
    expect(error.problems).toEqual(["unknown argument --nope", "--cycles abc is not a whole number ≥ 10"]);
  });

  test("positionals: the count the command takes, else one problem saying what it expects", () => {
    const spec = { ...SPEC, positionals: { min: 2, max: 2, names: "<specA> <specB>" } };
    expect(parseFlags(["a", "--bench", "b"], spec).positionals).toEqual(["a", "b"]);
    expect(refusal(() => parseFlags(["a"], spec)).problems).toEqual(["expects <specA> <specB>, got 1: a"]);
    expect(refusal(() => parseFlags(["a", "b", "c"], spec)).problems).toEqual([
      "expects <specA> <specB>, got 3: a b c",
    ]);
    expect(refusal(() => parseFlags([], spec)).problems).toEqual(["expects <specA> <specB>, got 0"]);
  });

  test("a command without flags refuses every argument in the same shape", () => {
    const error = refusal(() =>
      parseFlags(["--verbose", "now"], { command: "reap", usage: "usage: npm run reap", options: {} }),
    );
    expect(error.problems).toEqual(["unknown argument --verbose", "unexpected argument now"]);
    expect(error.message).toMatch(/^invalid reap arguments:\n/);
  });

  test.each([["--help"], ["-h"], ["--bogus", "--help"]])(
    "%s: UsageRequested with the usage (runCli prints it, exit 0)",
    (...argv) => {
      expect(() => demo(argv)).toThrow(UsageRequested);
      try {
        demo(argv);
      } catch (error) {
        expect((error as UsageRequested).usage).toBe(USAGE);
        expect(error).not.toBeInstanceOf(ConfigError);
      }
    },
  );

  test("parseArgs' own errors, read from their messages, say the same as the lenient pass", () => {
    const options = { driver: { type: "string" }, bench: { type: "boolean" } } as const;
    const strictError = (args: string[]) => {
      try {
        parseArgs({ args, options, strict: true, allowPositionals: false });
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error("accepted");
    };
    const ours = (args: string[]) =>
      refusal(() => parseFlags(args, { command: "demo", usage: USAGE, options })).problems[0];
    for (const args of [["--bogus"], ["--driver"], ["--bench=1"], ["redlock"]]) {
      expect(strictError(args).code).toMatch(/^ERR_PARSE_ARGS_/);
      expect(problemOf(strictError(args)), args.join(" ")).toBe(ours(args));
    }
    expect(problemOf(strictError(["--driver", "-x"]))).toMatch(/^--driver needs a value: /);
    expect(ours(["--driver", "-x"])).toMatch(/^--driver needs a value: /);
  });
});

describe("validators: the value, or a Problem naming the flag", () => {
  test("wholeNumber: digits only, within the range; absent stays absent", () => {
    expect(wholeNumber("--runs", "12", { min: 1 })).toBe(12);
    expect(wholeNumber("--runs", undefined, { min: 1 })).toBeUndefined();
    expect(wholeNumber("--runs", "0", { min: 1 })).toEqual(new Problem("--runs 0 is not a whole number ≥ 1"));
    for (const text of ["1.5", "1e3", " 3", "", "-1", "0x10"])
      expect(wholeNumber("--runs", text, { min: 0 }), text).toBeInstanceOf(Problem);
    expect(wholeNumber("--confirm", "21", { min: 0, max: 20, of: "re-runs" })).toEqual(
      new Problem("--confirm 21 is not a whole number of re-runs from 0 to 20"),
    );
  });

  test("commaList: trimmed items, upper-cased on request, only known ones, none empty", () => {
    expect(commaList("--only", " me-1, qu-2", { upper: true })).toEqual(["ME-1", "QU-2"]);
    expect(commaList("--only", undefined)).toBeUndefined();
    expect(commaList("--only", "a,,b")).toBeInstanceOf(Problem);
    expect(commaList("--drivers", "a,x,y", { known: ["a", "b"] })).toEqual(
      new Problem("--drivers: x, y are not one of a, b"),
    );
  });

  test("oneOf and exclusive", () => {
    expect(oneOf("--mix", "ioredis", ["ioredis", "node-redis"])).toBe("ioredis");
    expect(oneOf("--mix", "jedis", ["ioredis", "node-redis"])).toEqual(
      new Problem("--mix jedis is not one of ioredis, node-redis"),
    );
    expect(exclusive({ "--stop-on-violation": true, "--keep-going": undefined })).toBeUndefined();
    expect(exclusive({ "--stop-on-violation": true, "--keep-going": true })).toEqual(
      new Problem("--stop-on-violation and --keep-going exclude each other"),
    );
    expect(exclusive({ "--driver": "x", "--mutant": "y" }, "a mutant is of the reference")?.text).toBe(
      "--driver and --mutant exclude each other (a mutant is of the reference)",
    );
  });

  test("Problems: take records a Problem, attempt turns a ConfigError into one and lets others through", () => {
    const problems = new Problems();
    expect(problems.take(new Problem("p1"))).toBeUndefined();
    expect(problems.take(7)).toBe(7);
    expect(
      problems.attempt(() => {
        throw new ConfigError("p2");
      }),
    ).toBeUndefined();
    problems.add(undefined);
    expect(problems.list).toEqual(["p1", "p2"]);
    expect(() =>
      problems.attempt(() => {
        throw new TypeError("a bug, not bad input");
      }),
    ).toThrow(TypeError);
  });
});

// Each CLI refuses a bad flag through parseFlags:
// one error of the shape above, exit 2, before anything starts. Plain node with tsx's loader, as
// the bin runs them (npx would add a second per script).
describe("the CLIs", () => {
  const run = (script: string, args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args], {
      env: { ...process.env, TSX_TSCONFIG_PATH: "tsconfig.runtime.json" },
      encoding: "utf8",
      timeout: 60_000,
    });
  test.each<[string, string, string[]]>([
    ["conformance", "conformance", []],
    ["chaos", "chaos", []],
    ["compare", "compare", ["reference", "redlock@5"]],
    ["bench", "bench", []],
    ["bench-chaos", "bench:chaos", []],
    ["bench-drift", "bench:drift", []],
    ["bench-fleet", "bench:fleet", []],
    ["bench-proxy", "bench:proxy", []],
    ["matrix", "matrix", []],
    ["fleet", "fleet", []],
    ["flake", "flake", []],
    ["example", "example", []],
    ["reap", "reap", []],
    ["capabilities", "capabilities", []],
    ["build-clockshift", "build:clockshift", []],
  ])("scripts/%s.ts --bogus: invalid %s arguments, exit 2", (script, command, args) => {
    const r = run(script, [...args, "--bogus"]);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^Error: invalid ${command} arguments:\\n {2}- unknown argument --bogus\\nusage: [^]*\\nNothing was started\\.\\n$`,
      ),
    );
    expect(r.stdout).toBe("");
  });

  test("--help prints the usage on stdout, exit 0", () => {
    const r = run("reap", ["--help"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run reap/);
  });
});
