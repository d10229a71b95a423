import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { clientKinds } from "../../fixtures/clients/index.ts";
import { loadConfig, matrixChaosRunsSetting, parseClientMix } from "../../fixtures/core/config.ts";
import { ConfigError } from "../../fixtures/core/errors.ts";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("configuration from the environment", () => {
  test("defaults: auto provider, 5 nodes, alternate mix, redlock@5, no image named (the fleet picks its default)", () => {
    expect(loadConfig({})).toEqual({
      provider: "auto",
      nodeControl: null,
      storage: null,
      nodeCount: 5,
      image: undefined,
      externalNodes: [],
      clientMix: { mode: "alternate" },
      driver: "redlock@5",
      ttlMs: 10_000,
    });
  });

  test("REDIS_NODES selects the external provider and sets N", () => {
    const config = loadConfig({ REDIS_NODES: "redis://10.0.0.1:7000, redis://:secret@db.example:7001,redis://[::1]" });
    expect(config.provider).toBe("external");
    expect(config.nodeCount).toBe(3);
    expect(config.externalNodes).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "db.example", port: 7001, password: "secret" },
      { host: "::1", port: 6379 },
    ]);
  });

  test.each([
    [{ REDIS_NODES: "localhost:6379" }, /entry 1 \("localhost:6379"\) must use redis:\/\//],
    [{ REDIS_NODES: "redis://a:1,redis://a:1" }, /lists a:1 twice/],
    [{ REDIS_NODES: "redis://a:99999" }, /is not a URL|invalid port/],
    [{ REDIS_NODES: "redis://a:1/3" }, /database 0/],
    [{ REDIS_PROVIDER: "kubernetes" }, /REDIS_PROVIDER=kubernetes is not one of/],
    [{ REDIS_PROVIDER: "external" }, /needs REDIS_NODES/],
    [{ REDIS_PROVIDER: "processes", REDIS_NODES: "redis://a:1" }, /unset one of them/],
    [{ REDIS_NODE_COUNT: "0" }, /out of range/],
    [{ REDIS_NODE_COUNT: "10" }, /out of range/],
    [{ REDIS_NODE_COUNT: "three" }, /out of range/],
    [{ CLIENT_MIX: "both" }, /CLIENT_MIX=both is not one of/],
    [{ CLIENT_MIX: "random:x" }, /CLIENT_MIX=random:x/],
    [{ LOCK_TTL_MS: "1.5" }, /LOCK_TTL_MS=1.5 is not a positive integer/],
    [{ LOCK_TTL_MS: "0" }, /not a positive integer/],
    [{ LOCK_TTL_MS: "-5" }, /not a positive integer/],
    [{ LOCK_TTL_MS: "10s" }, /not a positive integer/],
  ])("%o is refused: %s", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test("every problem is reported in one error", () => {
    const error = (() => {
      try {
        loadConfig({ REDIS_PROVIDER: "nope", CLIENT_MIX: "x", LOCK_TTL_MS: "y", REDIS_NODE_COUNT: "12" });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error?.message.match(/^ {2}- /gm)).toHaveLength(4);
    expect(error?.message).toMatch(/Nothing was started/);
  });

  test("random:<seed> is a replayable mix; alternate starts with ioredis", () => {
    const mix = parseClientMix("random:1234");
    expect(clientKinds(mix, 9)).toEqual(clientKinds(mix, 9));
    expect(new Set(clientKinds(mix, 9)).size).toBe(2);
    expect(clientKinds({ mode: "alternate" }, 3)).toEqual(["ioredis", "node-redis", "ioredis"]);
  });
});

/**
 * Runs a script as `npm run` would (tsx with the runtime tsconfig; node --import tsx directly,
 * without npx's start-up), with a state dir of its own, so what it leaves (or not) is not mixed
 * with other runs; `args` may write input files into that dir first. Asynchronous, so the cases
 * of a table run side by side (each spends its time loading modules).
 */
async function runScript(script: string, args: (dir: string) => string[], env: Record<string, string>) {
  const stateDir = mkdtempSync(join(tmpdir(), "rc-config-"));
  const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args(stateDir)], {
      env: { ...process.env, ...env, RC_STATE_DIR: stateDir, TSX_TSCONFIG_PATH: "tsconfig.runtime.json" },
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  const ledger = join(stateDir, "processes");
  const left = existsSync(ledger) ? readdirSync(ledger) : [];
  rmSync(stateDir, { recursive: true, force: true });
  return { ...result, left };
}

test("MATRIX_CHAOS_RUNS: 3 by default, 0 turns the rows off, anything else is one clear error", () => {
  expect(matrixChaosRunsSetting({})).toBe(3);
  expect(matrixChaosRunsSetting({ MATRIX_CHAOS_RUNS: "0" })).toBe(0);
  expect(() => matrixChaosRunsSetting({ MATRIX_CHAOS_RUNS: "-1" })).toThrow(
    /MATRIX_CHAOS_RUNS=-1 is not a whole number ≥ 0/,
  );
});

describe("bad input starts nothing", { concurrent: true }, () => {
  const run = (env: Record<string, string>) => runScript("scripts/example.ts", () => [], env);

  test.each([
    [{ REDIS_NODE_COUNT: "12" }, /out of range/],
    [{ LOCK_DRIVER: "./suites/sample-drivers/missing-methods.mjs" }, /lacks extend\(\)/],
    [{ LOCK_DRIVER: "./suites/sample-drivers/no-default.mjs" }, /no default export/],
    [{ LOCK_DRIVER: "./suites/sample-drivers/throws.mjs" }, /createDriver threw: needs at least 3 clients/],
  ])("npm run example with %o: one error, exit 2, no node left running", async (env, message) => {
    const result = await run(env);
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.match(/^Error:/gm)).toHaveLength(1);
    expect(result.stdout).not.toMatch(/Lock acquired/);
    // "provider:" is printed just before the fleet starts.
    expect(result.stdout, "the fleet was started before the error").not.toMatch(/^provider:/m);
    expect(result.left, "processes recorded by the failed run").toEqual([]);
  });
});

describe("npm run chaos: bad input starts nothing", { concurrent: true }, () => {
  const sevenNodes = {
    version: 1,
    envelope: "assumptions",
    nodes: 7,
    mix: Array(7).fill("ioredis"),
    users: [
      {
        id: "c1",
        process: "in-process",
        resources: ["rc:a"],
        ttlMs: 500,
        retry: { retryCount: 0, retryDelay: 10, retryJitter: 0 },
        fenced: false,
        cycles: [],
      },
    ],
    faults: [],
  };
  const chaos = (args: string[], env: Record<string, string> = {}) =>
    runScript(
      "scripts/chaos.ts",
      (dir) => {
        const replay = join(dir, "seven-nodes.json");
        writeFileSync(replay, JSON.stringify(sevenNodes));
        return args.map((a) => a.replace("$REPLAY", replay));
      },
      env,
    );
  test.each<[string[], Record<string, string>, RegExp]>([
    [["--envelope", "sideways"], {}, /--envelope sideways is not one of assumptions, beyond/],
    [["--runs=-3"], {}, /--runs -3 is not a whole number ≥ 1/],
    [["--runs", "-3"], {}, /--runs needs a value: -3 looks like a flag \(write --runs=-3 if it is the value\)/],
    [["--faults", "kill,meteor"], {}, /unknown fault kind meteor \(known: node-down/],
    [["--duration", "10"], {}, /--duration 10 is not a duration of at least 1s \(like 90s, 10m, 1h\)/],
    [["--users", "2-9"], {}, /--users 2-9 is not a count or range of lock users from 1 to 8/],
    // The old spelling still works, and says what it now means.
    [
      ["--clients", "2-9"],
      {},
      /note: --clients is now --users [^\n]*\n[\s\S]*--users 2-9 is not a count or range of lock users/,
    ],
    [["--users", "2", "--clients", "3"], {}, /--users and --clients \(its old spelling\) exclude each other/],
    [["--mix", "jedis"], {}, /--mix jedis is not one of ioredis, node-redis, mixed/],
    [["--ttl", "10-20"], {}, /--ttl 10-20 is not a lock ttl or range in ms from 50 to 600000/],
    [["--provider", "cloud"], {}, /--provider cloud is not one of containers, processes, external, auto/],
    [["--keep-going", "--stop-on-violation"], {}, /--stop-on-violation and --keep-going exclude each other/],
    [
      ["--path", "3", "--duration", "1m"],
      {},
      /--path replays one counterexample of one search: it takes neither --duration nor --keep-going/,
    ],
    // fast-check's shrink paths are gone with its shrinking: the message says what replays now.
    [
      ["--path", "3:0:1"],
      {},
      /--path 3:0:1 is a shrink path of an older version: --path 3 plays the generated run again and shrinks it; the shrunk scenario replays from its file with --replay/,
    ],
    [["--path", "5", "--runs", "3"], {}, /--path 5 names run 6 of a search, but --runs 3 draws only 3/],
    [["--parallel", "0"], {}, /--parallel 0 is not a whole number from 1 to 16/],
    [
      ["--replay", "$REPLAY", "--runs", "3"],
      {},
      /--replay plays the file's scenarios: it takes neither --runs nor --duration/,
    ],
    [["--replay", "/nonexistent/bug.json"], {}, /cannot read the replay file \/nonexistent\/bug.json/],
    [
      ["--replay", "$REPLAY"],
      { REDIS_PROVIDER: "external", REDIS_NODES: "redis://127.0.0.1:1,redis://127.0.0.1:2,redis://127.0.0.1:3" },
      /is for 7 nodes, but REDIS_NODES has 3/,
    ],
    [["--mutant", "no-such-bug"], {}, /--mutant no-such-bug is not one of/],
  ])("chaos %o: one error, exit 2, nothing started", async (args, env, message) => {
    const result = await chaos(args, env);
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.match(/^Error:/gm)).toHaveLength(1);
    expect(result.stdout, "a run began before the error").not.toMatch(/^chaos:|^replaying/m);
    expect(result.left).toEqual([]);
  });
});

describe("npm run bench and compare --bench: bad input starts nothing", { concurrent: true }, () => {
  test.each<[string, string[], RegExp]>([
    ["scripts/bench.ts", ["--cycles", "3"], /--cycles 3 is not a whole number ≥ 10/],
    [
      "scripts/bench.ts",
      ["--drivers", "reference,no-such-driver"],
      /LOCK_DRIVER=no-such-driver is neither a built-in driver/,
    ],
    ["scripts/bench.ts", ["--fast"], /unknown argument --fast/],
    ["scripts/compare.ts", ["reference", "./missing-driver.mjs", "--bench"], /no file at/],
    ["scripts/compare.ts", ["reference", "redlock@5", "--speed"], /unknown argument --speed/],
  ])("%s %o: one error, exit 2, nothing started", async (script, args, message) => {
    const result = await runScript(script, () => args, {});
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.match(/^Error:/gm)).toHaveLength(1);
    expect(result.stdout).not.toMatch(/^bench:/m);
    expect(result.left).toEqual([]);
  });
});
