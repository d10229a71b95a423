import { describe, expect } from "vitest";
import { monotonicMs } from "../fixtures/core/clock.ts";
import type { ClientMix } from "../fixtures/core/config.ts";
import { redisKey } from "../fixtures/core/contract.ts";
import { runExample3 } from "../fixtures/harness/example3.ts";
import { attemptGapMs, retryWindow } from "../fixtures/core/timing.ts";
import { measureRoundTrips } from "../fixtures/harness/round-trips.ts";
import { requireNodeCount, test } from "../fixtures/vitest/test.ts";

const RETRY = { retryCount: 4, retryDelay: 300, retryJitter: 50 };
const TTL_MS = 10_000;

const cases: Array<{ title: string; nodeCount: number; clientMix: ClientMix; kinds: string[] }> = [
  {
    title: "5 nodes, alternating ioredis / node-redis",
    nodeCount: 5,
    clientMix: { mode: "alternate" },
    kinds: ["ioredis", "node-redis", "ioredis", "node-redis", "ioredis"],
  },
  {
    title: "3 nodes, alternating",
    nodeCount: 3,
    clientMix: { mode: "alternate" },
    kinds: ["ioredis", "node-redis", "ioredis"],
  },
  {
    title: "7 nodes, alternating",
    nodeCount: 7,
    clientMix: { mode: "alternate" },
    kinds: ["ioredis", "node-redis", "ioredis", "node-redis", "ioredis", "node-redis", "ioredis"],
  },
  { title: "5 nodes, all ioredis", nodeCount: 5, clientMix: { mode: "ioredis" }, kinds: Array(5).fill("ioredis") },
  {
    title: "5 nodes, all node-redis",
    nodeCount: 5,
    clientMix: { mode: "node-redis" },
    kinds: Array(5).fill("node-redis"),
  },
];

describe("example3: acquire with a custom retry strategy → extend → check TTL and value on the nodes → release", () => {
  for (const c of cases) {
    test(c.title, async ({ lab, skip }) => {
      requireNodeCount(skip, lab, c.nodeCount);
      const h = await lab.open({ nodeCount: c.nodeCount, clientMix: c.clientMix });
      expect(h.clients.kinds).toEqual(c.kinds);
      // runExample3 itself fails on any step whose check does not hold (quorum values, PTTLs, the
      // moved expiration, the keys gone after release); this test adds what it does not ask:
      // every node answered, so every node (not only a quorum) must have taken the extension.
      const result = await runExample3(h.fleet, h.clients, h.driver, { ttlMs: TTL_MS, retry: RETRY });
      const renewed = result.states.extended.filter((s) => s.value === result.acquired.value && (s.pttl ?? 0) > TTL_MS);
      expect(renewed.map((s) => s.node)).toEqual(h.fleet.nodes.map((n) => n.name));
    });
  }
});

describe("the retry strategy is honoured", () => {
  for (const retry of [RETRY, { ...RETRY, retryCount: 0 }]) {
    test(`a contended acquire makes retryCount+1 = ${retry.retryCount + 1} attempts per node and gives up within the window (${JSON.stringify(retry)})`, async ({
      lab,
    }) => {
      const h = await lab.open();
      const rtt = await measureRoundTrips(h.clients, 20);
      const holder = await h.driver.acquire(["locks:example"], TTL_MS, { retryCount: 0 });
      await h.clients.settled();
      try {
        const start = monotonicMs();
        await expect(h.driver.acquire(["locks:example"], TTL_MS, retry)).rejects.toThrow();
        const elapsed = monotonicMs() - start;
        await h.clients.settled();
        const expected = retry.retryCount + 1;
        const attempts = Object.fromEntries(
          h.fleet.nodes.map((n) => [
            n.name,
            h.clients.log.rounds(n.name, redisKey(h.driver, "locks:example"), start, attemptGapMs(retry)),
          ]),
        );
        expect(attempts, "attempts per node (rounds of commands naming the key)").toEqual(
          Object.fromEntries(h.fleet.nodes.map((n) => [n.name, expected])),
        );
        const { min, max } = retryWindow(retry, rtt);
        const window = `elapsed ${elapsed.toFixed(1)} ms; window [${min}, ${max.toFixed(0)}]`;
        expect(elapsed, window).toBeGreaterThanOrEqual(min);
        expect(elapsed, window).toBeLessThanOrEqual(max);
      } finally {
        await h.driver.release(holder);
      }
    });
  }
});
