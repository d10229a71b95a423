import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { describe, expect, inject } from "vitest";
import { waitFor } from "../fixtures/core/clock.ts";
import { parseNodeList } from "../fixtures/core/config.ts";
import { LABEL, LOCAL_IMAGE, OFFICIAL_IMAGE } from "../fixtures/fleet/containers.ts";
import { startFleet } from "../fixtures/fleet/index.ts";
import { isOrphaned, readProcessRecords } from "../fixtures/core/ledger.ts";
import { createFailFastIoredis } from "../fixtures/core/ioredis-options.ts";
import { test } from "../fixtures/vitest/test.ts";

const provider = inject("provider");

/**
 * What nobody is left to clean up right now: ledger entries (pid) and labelled containers (id)
 * whose owner or test runner is gone. Resources of runs still going (the tests beside this one)
 * have a living owner and do not count.
 */
function orphans(): { processes: string[]; containers: string[] } {
  let containers: string[] = [];
  if (provider === "containers") {
    const format = `{{.ID}} {{.Label "${LABEL}.owner"}} {{.Label "${LABEL}.runner"}}`;
    containers = execFileSync(
      "docker",
      ["ps", "-a", "--no-trunc", "--filter", `label=${LABEL}=true`, "--format", format],
      { encoding: "utf8" },
    )
      .split("\n")
      .map((line) => line.split(" "))
      .filter(([id, owner, runner]) => id && isOrphaned(owner, runner || null))
      .map(([id]) => id!);
  }
  const processes = readProcessRecords()
    .filter((r) => isOrphaned(r.owner, r.runner))
    .map((r) => String(r.pid));
  return { processes, containers };
}

/**
 * What `after` has that `before` had not: what a run left behind. Leftovers of earlier runs that
 * the run reaped on its start are gone from `after`, which is fine; anything new is a leak.
 */
function leftBehind(before: ReturnType<typeof orphans>, after: ReturnType<typeof orphans>) {
  return {
    processes: after.processes.filter((p) => !before.processes.includes(p)),
    containers: after.containers.filter((c) => !before.containers.includes(c)),
  };
}

function runExample(
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn("npx", ["tsx", "--tsconfig", "tsconfig.runtime.json", "scripts/example.ts"], {
    env: { ...process.env, REDIS_PROVIDER: provider, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // Far above every bound below: if this fires, the example hung and the test fails on its status.
  const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
  return new Promise((resolve) =>
    child.on("close", (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

// Each example waits out its bounds with the CPU idle: they run side by side (leaks are judged by
// owner, so the examples beside one another are not each other's leftovers).
// Side by side on processes (each example waits on its bound with the CPU idle). On containers the
// four examples start 20 containers at once beside the other suites' containers: each took 52–60 s
// that way, against a 60 s bound (CI 2026-12-07), and one at a time each takes about 15 s.
const examplesSideBySide = provider === "processes" ? describe.concurrent : describe;

examplesSideBySide("a driver step that never settles ends the example by itself", () => {
  test.skipIf(provider === "external").each([
    [
      "acquire",
      /example3 step "acquire" failed on driver hangs-on-acquire: acquire\(\) did not settle within \d+ ms \(bound: retry window 10×\(200±100\) ms/,
    ],
    [
      "extend",
      /example3 step "extend" failed on driver hangs-on-extend: extend\(\) did not settle within \d+ ms \(bound: retry window/,
    ],
    [
      "release",
      /example3 step "release" failed on driver hangs-on-release: release\(\) did not settle within \d+ ms \(bound: retry window/,
    ],
    ["close", /driver hangs-on-close: close\(\) did not settle within 5000 ms/],
  ])("%s: exit 1, the step and its bound named, nothing left running", { timeout: 120_000 }, async (step, message) => {
    const before = orphans();
    const result = await runExample({ LOCK_DRIVER: `./suites/sample-drivers/hang-${step}.mjs`, LOCK_TTL_MS: "1000" });
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.match(/^Error:/gm), output).toHaveLength(1);
    // The sample never sends a command for the hung step, and the report says so.
    expect(result.stderr).toMatch(/in flight: nothing — no command to any node is pending/);
    if (step !== "close") expect(result.stderr).toMatch(/node state of locks:example \(quorum 3 of 5\):/);
    expect(leftBehind(before, orphans()), "nodes left running after the hung example").toEqual({
      processes: [],
      containers: [],
    });
  });

  test("a close() that hangs even unused is refused before any node starts (exit 2)", async () => {
    const result = await runExample({ LOCK_DRIVER: "./suites/sample-drivers/hang-close-unused.mjs" });
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(/close\(\) of a driver that was never used did not settle within 5000 ms/);
    expect(result.stdout).not.toMatch(/^provider:/m);
  });
});

describe("per-fleet credentials", () => {
  test("every node refuses a client without the fleet's password (ioredis and redis-cli get NOAUTH)", async ({
    lab,
    skip,
  }) => {
    if (provider === "external")
      skip("UNSUPPORTED on external: the nodes' credentials are the user's, not the harness's");
    const h = await lab.open({ nodeCount: 3 });
    for (const node of h.fleet.nodes) {
      expect(node.credentials.password, `${node.name} has no password`).toMatch(/^[\w-]{32}$/);
      const anonymous = new Redis({
        host: node.host,
        port: node.port,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      anonymous.on("error", () => undefined);
      try {
        await anonymous.connect();
        await expect(anonymous.set("locks:planted", "x"), node.name).rejects.toThrow(/NOAUTH/);
      } finally {
        anonymous.disconnect();
      }
      const cli = spawnSync("redis-cli", ["-h", node.host, "-p", String(node.port), "SET", "locks:planted", "x"], {
        encoding: "utf8",
      });
      expect(cli.stdout + cli.stderr, `redis-cli against ${node.name}`).toMatch(/NOAUTH/);
      // With the password it works, which is what every harness connection does.
      expect(await node.admin().exists("locks:planted")).toBe(0);
    }
    // A container also answers on its bridge address, which the published-port binding does not
    // cover: any container or local process can reach it, and must be refused there too.
    if (provider === "containers") {
      for (const node of h.fleet.nodes) {
        const id = node.handle.container!;
        const ip = execFileSync(
          "docker",
          ["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id],
          { encoding: "utf8" },
        ).trim();
        expect(ip, `bridge address of ${node.name}`).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const cli = spawnSync("redis-cli", ["-h", ip, "-p", "6379", "SET", "locks:planted", "x"], {
          encoding: "utf8",
          timeout: 10_000,
        });
        expect(cli.stdout + cli.stderr, `redis-cli against ${node.name}'s bridge address ${ip}`).toMatch(/NOAUTH/);
      }
    }
    // The password is in no command line that another user's `ps` would show.
    if (provider === "processes") {
      const cmdlines = h.fleet.nodes.map((n) => readFileSync(`/proc/${n.handle.pid}/cmdline`, "utf8"));
      for (const [i, cmdline] of cmdlines.entries())
        expect(cmdline).not.toContain(h.fleet.nodes[i]!.credentials.password!);
    }
  });

  test("a client of an earlier fleet cannot write into a new fleet that reuses its port", async ({ skip }) => {
    if (provider === "external") skip("UNSUPPORTED on external: the harness starts no fleet there");
    const image = process.env.REDIS_IMAGE || undefined;
    const first = await startFleet({ provider, nodeCount: 1, image });
    const node = first.nodes[0]!;
    const port = node.port;
    const stale = createFailFastIoredis(node.host, port, "rc-stale-client", { password: node.credentials.password! });
    const refusals: string[] = [];
    stale.on("error", (error: Error) => refusals.push(error.message));
    let second: Awaited<ReturnType<typeof startFleet>> | undefined;
    try {
      await stale.connect();
      expect(await stale.set("locks:probe", "first")).toBe("OK");
      await first.close();
      second = await startFleet({ provider, nodeCount: 1, image, ports: [port] });
      expect(second.nodes[0]!.port).toBe(port);
      expect(second.nodes[0]!.credentials.password).not.toBe(node.credentials.password);
      // The old client reconnects on its own, to the same address, with the old password: the
      // new node refuses it, so it never becomes ready and nothing it sends is executed.
      await waitFor(
        () => refusals.some((m) => /WRONGPASS|invalid username-password/i.test(m)),
        "the new node to refuse the stale client's AUTH",
        10_000,
        20,
      );
      await expect(stale.set("locks:stale-write", "from-the-earlier-run")).rejects.toThrow();
      expect(await second.nodes[0]!.admin().exists("locks:stale-write")).toBe(0);
    } finally {
      stale.disconnect();
      await first.close();
      await second?.close();
    }
  });

  test("npm run fleet prints REDIS_NODES with the password, and a person can connect with it", async ({ skip }) => {
    if (provider === "external") skip("UNSUPPORTED on external: the harness starts no fleet there");
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/fleet.ts"], {
      env: {
        ...process.env,
        REDIS_PROVIDER: provider,
        REDIS_NODE_COUNT: "3",
        TSX_TSCONFIG_PATH: "tsconfig.runtime.json",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => child.on("exit", resolve));
    try {
      await waitFor(
        () => /Fleet is up/.test(stdout) || child.exitCode !== null,
        "the fleet command to report its nodes",
        45_000,
        50,
      );
      expect(stdout, stderr).toMatch(/Fleet is up/);
      const line = /^REDIS_NODES=(.*)$/m.exec(stdout)?.[1] ?? "";
      const nodes = parseNodeList(line);
      expect(nodes, stdout).toHaveLength(3);
      for (const node of nodes) {
        expect(node.password, line).toMatch(/^[\w-]{32}$/);
        const byHand = new Redis({
          host: node.host,
          port: node.port,
          password: node.password!,
          lazyConnect: true,
          maxRetriesPerRequest: 0,
        });
        try {
          await byHand.connect();
          expect(await byHand.ping()).toBe("PONG");
        } finally {
          byHand.disconnect();
        }
      }
    } finally {
      child.kill("SIGINT");
      await exited;
    }
  });
});

describe("the image of our own set-up is the default", () => {
  test("auto without REDIS_IMAGE picks containers on the image the set-up built when redis:7 is absent, and says so", async ({
    skip,
  }) => {
    if (provider !== "containers") skip("runs in the containers pass: it needs the Docker engine and the built image");
    const has = (image: string) => spawnSync("docker", ["image", "inspect", image], { stdio: "ignore" }).status === 0;
    if (!has(LOCAL_IMAGE)) skip(`UNSUPPORTED here: ${LOCAL_IMAGE} was not built (scripts/build-redis-image.sh)`);
    const { REDIS_IMAGE: _unset, ...env } = process.env;
    const expected = has(OFFICIAL_IMAGE) ? OFFICIAL_IMAGE : LOCAL_IMAGE;
    const child = spawnSync("npx", ["tsx", "--tsconfig", "tsconfig.runtime.json", "scripts/example.ts"], {
      env: { ...env, REDIS_PROVIDER: "auto" },
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(child.status, child.stdout + child.stderr).toBe(0);
    expect(child.stdout).toMatch(
      new RegExp(`^provider: containers \\(Docker answers; image: ${expected.replace(/[.:/]/g, "\\$&")}`, "m"),
    );
  });
});

describe("quiet on a machine without a Docker engine", () => {
  test("a test run with an unreachable engine prints nothing about Docker", () => {
    const result = spawnSync(
      "npx",
      ["vitest", "run", "--config", "suites/probes/vitest.probe.config.ts", "suites/probes/quiet.probe.ts"],
      {
        env: { ...process.env, REDIS_PROVIDER: "processes", DOCKER_HOST: "unix:///nonexistent/docker.sock" },
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/1 passed/);
    expect(output).not.toMatch(/Cannot connect to the Docker daemon|docker\.sock/i);
  });
});

describe("CI touches only what it started", () => {
  test(".ci/run signals no process by name", () => {
    const script = readFileSync(".ci/run", "utf8")
      .split("\n")
      .filter((line) => !line.trim().startsWith("#"))
      .join("\n");
    expect(script).not.toMatch(/\b(pkill|killall)\b/);
    expect(script).not.toMatch(/kill[^\n]*\$\(\s*pgrep/);
  });
});
