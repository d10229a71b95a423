import { expect } from "vitest";
import { test } from "../../fixtures/vitest/test.ts";

// A small real run (one node, one lock) that the hardening suite starts with an unreachable
// Docker engine, to check that nothing about Docker reaches the user's output.
test("one lock on one node", async ({ lab }) => {
  const h = await lab.open({ nodeCount: 1 });
  const lease = await h.driver.acquire(["locks:quiet"], 1000, { retryCount: 0 });
  expect(lease.value).not.toBe("");
  await h.driver.release(lease);
});
