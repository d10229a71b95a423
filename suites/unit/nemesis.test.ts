import { expect, test } from "vitest";
import { monotonicMs } from "../../fixtures/core/clock.ts";
import type { RedisNode } from "../../fixtures/core/nodes.ts";
import { Nemesis } from "../../fixtures/nemesis/nemesis.ts";

/** A node that only records what the nemesis did to it. */
function fakeNode(log: string[], name: string): RedisNode {
  return {
    name,
    pause: async () => void log.push(`pause ${name}`),
    resume: async () => void log.push(`resume ${name}`),
  } as unknown as RedisNode;
}

test("stop(): steps in force heal at once, steps not begun are skipped and say so", async () => {
  const log: string[] = [];
  const nemesis = new Nemesis({
    nodes: [fakeNode(log, "n0"), fakeNode(log, "n1")],
    links: () => [],
    child: () => undefined,
  });
  const origin = monotonicMs();
  const running = nemesis.run(
    [
      { at: 0, kind: "node-pause", node: 0, forMs: 60_000 },
      { at: 60_000, kind: "node-pause", node: 1, forMs: 1000 },
    ],
    origin,
  );
  await new Promise((r) => setTimeout(r, 30));
  nemesis.stop();
  await running;
  expect(monotonicMs() - origin).toBeLessThan(10_000);
  expect(log).toEqual(["pause n0", "resume n0"]);
  const [first, second] = nemesis.record;
  expect(first!.ended).toBeDefined();
  expect(second!.began).toBeUndefined();
  expect(second!.error).toBe("not reached: every user had finished");
});
