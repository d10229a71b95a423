import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadConfig } from "../../fixtures/core/config.ts";
import { ConfigError } from "../../fixtures/core/errors.ts";
import { isOwnAddress, portPublishing } from "../../fixtures/fleet/containers.ts";
import { controlledOperations, loadNodeControl } from "../../fixtures/fleet/node-control.ts";
import { capabilityTable } from "../../fixtures/harness/capabilities.ts";
import { formatDiff } from "../../fixtures/properties/compare.ts";
import { formatMatrix, type DriverRun } from "../../fixtures/properties/matrix.ts";
import { chaosCell, chaosNews, type ChaosRow } from "../../fixtures/chaos/summary.ts";
// @ts-expect-error -- a plain-JS sample without types
import { kubernetesControl } from "../../examples/node-control/kubernetes.mjs";

const NODES = "redis://:pw@10.0.0.1:7000,redis://:pw@10.0.0.2:7000,redis://:pw@10.0.0.3:7000";

describe("matrix and compare on a provider that cannot run everything", () => {
  const run = (driver: string): DriverRun => ({
    driver,
    provider: "external",
    seed: 1,
    seconds: 1,
    results: [
      {
        id: "ME-1",
        title: "",
        class: "must-hold",
        status: "pass",
        ms: 1,
        judgement: { outcome: "pass", expected: "pass", differs: false },
      },
      {
        id: "QU-3",
        title: "",
        class: "must-fail",
        status: "unsupported",
        unsupportedBy: "provider",
        reason: "stop is unsupported on the external provider",
        ms: 0,
        judgement: { outcome: "skip", expected: null, differs: false },
      },
    ],
  });
  test("a skipped cell reads '— external', the skips are summed up, and they are no failure", () => {
    const text = formatMatrix([run("reference")]);
    expect(text).toMatch(/^\| QU-3 .* \| — external \|$/m);
    expect(text).toMatch(/- reference on external: 1 \(QU-3\)/);
    expect(text).not.toMatch(/\*\*reference\*\* QU-3/);
  });
  test("generated runs get a row per envelope; a defect the baseline does not document is news", () => {
    const row = (over: Partial<ChaosRow>): ChaosRow => ({
      envelope: "assumptions",
      runs: 3,
      unsupported: 0,
      news: [],
      known: 0,
      attributed: 0,
      seed: 1,
      ...over,
    });
    const cells = [
      chaosCell(row({})),
      chaosCell(row({ known: 2 })),
      chaosCell(row({ runs: 1, news: ["mutual-exclusion"] })),
      chaosCell(row({ envelope: "beyond", attributed: 1, unsupported: 1 })),
    ];
    expect(cells).toEqual([
      "3 runs, no defect",
      "3 runs, 2 known",
      "1 runs, ✗ mutual-exclusion (!)",
      "3 runs, 1 with violations explained by faults, no defect, 1 unsupported",
    ]);
    const text = formatMatrix(
      [run("a"), run("b")],
      [{ label: "generated runs, assumptions envelope", class: "chaos", cells: cells.slice(0, 2) }],
    );
    expect(text).toMatch(
      /^\| generated runs, assumptions envelope \| chaos \| 3 runs, no defect \| 3 runs, 2 known \|$/m,
    );
    expect(chaosNews([row({}), row({ known: 1 })])).toBe(false);
    expect(chaosNews([row({ news: ["validity"] })])).toBe(true);
  });
  test("compare says how many were skipped when two drivers agree", () => {
    expect(formatDiff(run("a"), run("b")).text).toBe(
      "a and b agree on all 2 properties (1 skipped: the external provider cannot run them).",
    );
  });
});

describe("REDIS_NODE_CONTROL and REDIS_STORAGE", () => {
  test("a control module is checked before anything starts", async () => {
    const config = loadConfig({ REDIS_NODES: NODES, REDIS_NODE_CONTROL: "examples/node-control/docker.mjs" });
    expect(config.nodeControl).toMatch(/\/examples\/node-control\/docker\.mjs$/);
    expect(controlledOperations(await loadNodeControl(config.nodeControl!))).toEqual([
      "stop",
      "start",
      "kill",
      "pause",
      "resume",
      "restart",
    ]);
    for (const [file, message] of [
      ["unknown-member.mjs", /unknown member\(s\) reboot/],
      ["not-a-function.mjs", /stop must be function/],
      ["empty.mjs", /provides none of stop, start/],
      ["stop-without-start.mjs", /provides stop but not start, so the harness could not put a node back/],
    ] as const) {
      const error = await loadNodeControl(`suites/sample-node-control/${file}`).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(ConfigError);
      expect((error as Error).message, file).toMatch(message);
    }
  });

  test.each([
    [
      { REDIS_NODE_CONTROL: "examples/node-control/docker.mjs" },
      /REDIS_NODE_CONTROL is for nodes the harness did not start/,
    ],
    [{ REDIS_NODES: NODES, REDIS_NODE_CONTROL: "./nope.mjs" }, /REDIS_NODE_CONTROL=.\/nope.mjs: no file at/],
    [{ REDIS_STORAGE: "redis://127.0.0.1:7" }, /REDIS_STORAGE is for external fleets/],
    [{ REDIS_NODES: NODES, REDIS_STORAGE: "redis://a:1,redis://b:2" }, /REDIS_STORAGE=.*expected one/],
    [{ REDIS_NODES: NODES, REDIS_STORAGE: "redis://10.0.0.2:7000" }, /is one of the REDIS_NODES/],
  ])("%o is refused: %s", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  test("REDIS_STORAGE names one node, with its password", () => {
    expect(loadConfig({ REDIS_NODES: NODES, REDIS_STORAGE: "redis://:s3@10.0.0.9:7001" }).storage).toEqual({
      host: "10.0.0.9",
      port: 7001,
      password: "s3",
    });
  });
});

describe("the Kubernetes sample (no cluster here: the commands it would run)", () => {
  test("each operation runs the kubectl command for its node's pod", async () => {
    const commands: string[][] = [];
    const control = kubernetesControl({
      pods: ["redis/r-0", "redis/r-1"],
      run: async (args: string[]) => void commands.push(args),
    });
    const node = { index: 1, name: "n1", host: "10.0.0.2", port: 6379 };
    for (const op of ["stop", "start", "kill"]) await control[op](node);
    expect(commands).toEqual([
      ["delete", "pod", "-n", "redis", "r-1", "--grace-period=5", "--wait=true"],
      ["wait", "-n", "redis", "--for=condition=Ready", "pod/r-1", "--timeout=120s"],
      ["delete", "pod", "-n", "redis", "r-1", "--grace-period=0", "--force", "--wait=true"],
    ]);
    // No pause: SIGSTOP to PID 1 from inside its namespace is ignored, so it would be a fake fault.
    expect(controlledOperations(control)).toEqual(["stop", "start", "kill"]);
    await expect(control.stop({ ...node, index: 5, name: "n5" })).rejects.toThrow(
      /RC_K8S_PODS has no namespace\/pod for n5/,
    );
  });
});

describe("containers on a remote Docker engine", () => {
  test.each([
    ["localhost", { hostIp: "127.0.0.1", dial: "127.0.0.1" }],
    ["127.0.0.1", { hostIp: "127.0.0.1", dial: "127.0.0.1" }],
    ["::1", { hostIp: "127.0.0.1", dial: "127.0.0.1" }],
    ["[::1]", { hostIp: "127.0.0.1", dial: "127.0.0.1" }],
    ["docker-host.internal", { hostIp: null, dial: "docker-host.internal" }],
    ["10.1.2.3", { hostIp: "10.1.2.3", dial: "10.1.2.3" }],
    // The host's gateway seen from inside a container: not one of our own interfaces.
    ["172.17.0.1", { hostIp: "172.17.0.1", dial: "172.17.0.1" }],
  ])("engine at %s: ports bound to %o", (host, expected) => {
    expect(portPublishing(host, false)).toEqual(expected);
  });

  test("an engine at one of our own addresses (dockerd in our namespace, its bridge gateway reported because /.dockerenv exists) is local", () => {
    expect(portPublishing("172.17.0.1", true)).toEqual({ hostIp: "127.0.0.1", dial: "127.0.0.1" });
    expect(portPublishing("192.0.2.2", true)).toEqual({ hostIp: "127.0.0.1", dial: "127.0.0.1" });
  });

  test("own addresses are told by binding: loopback is ours, a documentation-range address is not, a name is not asked", async () => {
    expect(await isOwnAddress("127.0.0.1")).toBe(true);
    expect(await isOwnAddress("[::1]")).toBe(true);
    expect(await isOwnAddress("198.51.100.7")).toBe(false);
    expect(await isOwnAddress("docker-host.internal")).toBe(false);
  });
});

describe("docs/fleets.md's provider capability table is generated from the code", () => {
  test("the table in docs/fleets.md is exactly what npm run capabilities prints", async () => {
    expect(readFileSync(new URL("../../docs/fleets.md", import.meta.url), "utf8")).toContain(await capabilityTable());
  });
});
