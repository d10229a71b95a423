import { type ParseArgsConfig, parseArgs } from "node:util";
import { ConfigError } from "../fixtures/core/errors.ts";
import { Problem } from "../fixtures/core/flags.ts";

// The validators live in the ground floor, so that a floor deciding what its command's values mean
// (chaos/options.ts) uses the same ones.
export {
  commaList,
  exclusive,
  type ListHow,
  oneOf,
  Problem,
  type Shard,
  shardFlag,
  type WholeRange,
  wholeNumber,
} from "../fixtures/core/flags.ts";

// ---------------------------------------------------------------------------------------------
// Arguments: every CLI parses its argv with parseFlags (node:util parseArgs, strict), and every
// bad flag, missing value, stray argument or refused value ends in one ArgumentsError:
//
//   invalid <command> arguments:
//     - <problem>
//     - <problem>
//   <usage>
//   Nothing was started.

/** One flag as node:util parseArgs describes it (its ParseArgsOptionConfig, which it does not export). */
type ParseArgsOptionConfig = NonNullable<ParseArgsConfig["options"]>[string];

/** The flags a command takes, as node:util parseArgs describes them (`--help`/`-h` is added). */
export type FlagOptions = Record<string, ParseArgsOptionConfig>;

type FlagValue<O extends ParseArgsOptionConfig> = O["type"] extends "string" ? string : boolean;

/** What parseArgs gives for each flag: absent (undefined) unless the flag has a default. */
export type FlagValues<O extends FlagOptions> = {
  -readonly [K in keyof O]:
    | (O[K]["multiple"] extends true ? FlagValue<O[K]>[] : FlagValue<O[K]>)
    | (O[K]["default"] extends string | boolean | readonly unknown[] ? never : undefined);
};

export interface FlagSpec<O extends FlagOptions> {
  /** The command's name in "invalid <command> arguments". */
  command: string;
  /** The usage line(s), printed by --help and under every error. */
  usage: string;
  options: O;
  /**
   * Positional arguments the command takes; absent: none (any is "unexpected"). `names` says
   * what they are in a count problem ("expects <specA> <specB>, got 1: redlock").
   */
  positionals?: { min: number; max: number; names: string };
}

export interface Flags<O extends FlagOptions> {
  values: FlagValues<O>;
  positionals: string[];
}

/** Bad arguments: every problem found, in the one shape all commands use. A ConfigError: exit 2. */
export class ArgumentsError extends ConfigError {
  constructor(
    readonly command: string,
    /** One line per problem, each naming the flag (or argument) and why it is refused. */
    readonly problems: readonly string[],
    readonly usage: string,
  ) {
    super(
      `invalid ${command} arguments:\n${problems.map((p) => `  - ${p.replace(/\n/g, "\n    ")}`).join("\n")}\n${usage}\nNothing was started.`,
    );
  }
}

/** `--help` or `-h` was given: runCli prints the usage on stdout and exits 0 (thrown, so it is testable). */
export class UsageRequested extends Error {
  override readonly name = "UsageRequested";
  constructor(readonly usage: string) {
    super(usage);
  }
}

/** The problems of one command line, collected so that one error can name them all. */
export class Problems {
  readonly list: string[] = [];

  /** Records a problem; undefined (an exclusive() that found none) records nothing. */
  add(problem: string | Problem | undefined): void {
    if (problem !== undefined) this.list.push(problem instanceof Problem ? problem.text : problem);
  }

  /**
   * A validator's value; undefined, with its problem recorded, when it refused the text. A build
   * step may put a placeholder after it (`?? 0`): parseFlags throws before that is ever used.
   */
  take<T>(result: T | Problem): T | undefined {
    if (!(result instanceof Problem)) return result;
    this.add(result);
    return undefined;
  }

  /**
   * Runs a check that throws a ConfigError of its own (an unknown property id, an unwritable report
   * path): its message becomes one problem among the others instead of a separate error.
   */
  attempt<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.add(error.message);
      return undefined;
    }
  }
}

const HELP = { help: { type: "boolean", short: "h" } } as const satisfies FlagOptions;

/**
 * Parses a command's argv with node:util parseArgs (strict: unknown flags, missing values, values
 * given to boolean flags and stray positionals are refused), then lets `build` validate the values
 * and turn them into the command's arguments, recording its own problems. Throws UsageRequested
 * for --help/-h, else one ArgumentsError listing every problem found (parseArgs stops at the first;
 * a lenient pass over the same argv finds the rest, and `build` still sees the flags that were
 * well-formed), else returns what `build` made. `build` must only validate: it runs even when the
 * command line has problems, so that all of them are reported at once.
 */
export function parseFlags<const O extends FlagOptions>(argv: readonly string[], spec: FlagSpec<O>): Flags<O>;
export function parseFlags<const O extends FlagOptions, R>(
  argv: readonly string[],
  spec: FlagSpec<O>,
  build: (flags: Flags<O>, problems: Problems) => R,
): R;
export function parseFlags<const O extends FlagOptions, R>(
  argv: readonly string[],
  spec: FlagSpec<O>,
  build?: (flags: Flags<O>, problems: Problems) => R,
): R | Flags<O> {
  const options: FlagOptions = { ...spec.options, ...HELP };
  const allowPositionals = (spec.positionals?.max ?? 0) > 0;
  const strict = (args: readonly string[]) => parseArgs({ args, options, strict: true, allowPositionals });
  const problems = new Problems();
  let parsed: ReturnType<typeof strict>;
  try {
    parsed = strict(argv);
  } catch (error) {
    if (!isParseArgsError(error)) throw error;
    const lexed = lexicalProblems(argv, options, allowPositionals);
    for (const p of lexed.problems) problems.add(p);
    try {
      parsed = strict(lexed.kept);
    } catch (again) {
      // Not expected (the lenient pass removes what strict parsing refuses), but never lose the reason.
      if (!isParseArgsError(again)) throw again;
      problems.add(problemOf(again));
      throw new ArgumentsError(spec.command, problems.list, spec.usage);
    }
  }
  if (parsed.values.help === true) throw new UsageRequested(spec.usage);
  const { help: _, ...values } = parsed.values;
  const positionals = parsed.positionals;
  if (spec.positionals) {
    const { min, max, names } = spec.positionals;
    if (positionals.length < min || positionals.length > max)
      problems.add(
        `expects ${names}, got ${positionals.length}${positionals.length ? `: ${positionals.join(" ")}` : ""}`,
      );
  }
  const flags = { values: values as FlagValues<O>, positionals };
  const result = build ? build(flags, problems) : flags;
  if (problems.list.length > 0) throw new ArgumentsError(spec.command, problems.list, spec.usage);
  return result;
}

function isParseArgsError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}

/**
 * One of parseArgs' own errors as a problem in our words, read from its message (the flag or
 * argument it names is its first quoted word). Used when strict parsing refuses what the lenient
 * pass found nothing wrong with — which should not happen, but must still say what was refused.
 */
export function problemOf(error: Error & { code: string }): string {
  const named = /'([^']*)'/.exec(error.message)?.[1]?.replace(/ <value>$/, "");
  if (named !== undefined) {
    if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown argument ${named}`;
    if (error.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${named}`;
    if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (/argument missing/.test(error.message)) return `${named} needs a value`;
      if (/does not take an argument/.test(error.message)) return `${named} takes no value`;
      if (/ambiguous/.test(error.message))
        return `${named} needs a value: the next argument looks like a flag (write ${named}=<value> if it is the value)`;
    }
  }
  return error.message.split("\n")[0]!;
}

/**
 * Every problem strict parsing would refuse, from a lenient parse's tokens, and the arguments
 * without the refused ones (which strict parsing then accepts). Problems say which argument and
 * why, in the words problemOf uses for the same error.
 */
function lexicalProblems(
  argv: readonly string[],
  options: FlagOptions,
  allowPositionals: boolean,
): { problems: string[]; kept: string[] } {
  const problems: string[] = [];
  let args = [...argv];
  for (;;) {
    const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
    const drop = new Set<number>();
    let restart = false;
    for (const t of tokens) {
      if (t.kind === "option-terminator" || drop.has(t.index)) continue;
      if (t.kind === "positional") {
        if (!allowPositionals) {
          problems.push(`unexpected argument ${t.value}`);
          drop.add(t.index);
        }
        continue;
      }
      const option = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
      if (option === undefined) {
        // The whole argument: `-hx` is one, `--fast=3` says what was given.
        problems.push(`unknown argument ${args[t.index]}`);
        drop.add(t.index);
      } else if (option.type === "boolean" && t.value !== undefined) {
        problems.push(`${t.rawName} takes no value`);
        drop.add(t.index);
      } else if (option.type === "string" && t.value === undefined) {
        problems.push(`${t.rawName} needs a value`);
        drop.add(t.index);
      } else if (option.type === "string" && !t.inlineValue && t.value!.length > 1 && t.value!.startsWith("-")) {
        problems.push(
          `${t.rawName} needs a value: ${t.value} looks like a flag (write ${t.rawName}=${t.value} if it is the value)`,
        );
        drop.add(t.index);
        if (isKnownFlag(t.value!, options)) {
          // `--driver --json x`: the lenient parse took the next flag as the value. Read the rest
          // again without the first, so that the next flag is checked as the flag it is.
          restart = true;
          break;
        }
        drop.add(t.index + 1); // `--runs -3`: a value, said above; not also "unknown argument -3"
      }
    }
    args = args.filter((_, i) => !drop.has(i));
    if (!restart) return { problems, kept: args };
  }
}

/** `--name`, `--name=value` or `-x` of a flag the command takes. */
function isKnownFlag(arg: string, options: FlagOptions): boolean {
  if (arg.startsWith("--")) return Object.hasOwn(options, arg.slice(2).split("=")[0]!);
  return Object.values(options).some((o) => o.short !== undefined && arg === `-${o.short}`);
}
