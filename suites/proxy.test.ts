import { describe, expect } from "vitest";
import { monotonicMs, waitFor } from "../fixtures/core/clock.ts";
import { probeConnect } from "../fixtures/core/net.ts";
import { test } from "../fixtures/vitest/test.ts";

const stalls = async <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise.then(
      () => false,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(true), ms)),
  ]);

describe("fault proxy self-test: each fault has its real effect on open connections", () => {
  test("no fault: commands pass; latency delays the replies of an already open connection, one direction only", async ({
    lab,
  }) => {
    const h = await lab.open({ nodeCount: 1, proxied: true });
    const client = h.clients.clients[0]!;
    const link = h.links[0]![0]!;
    expect(await client.ping()).toBe("PONG");
    expect(link.connections).toBe(1);
    await link.add("slow", { type: "latency", ms: 150, direction: "downstream" });
    let start = monotonicMs();
    expect(await client.ping()).toBe("PONG");
    // A timer never fires more than 1 ms early: a lower bound is safe on a busy machine.
    expect(monotonicMs() - start).toBeGreaterThanOrEqual(149);
    await link.remove("slow");
    await link.add("slow-up", { type: "latency", ms: 150, direction: "upstream" });
    start = monotonicMs();
    await client.ping();
    expect(monotonicMs() - start).toBeGreaterThanOrEqual(149);
  });

  test("timeout (blackhole): a command that reaches the node gets no reply; removing it resets the link and the client reconnects", async ({
    lab,
  }) => {
    const h = await lab.open({ nodeCount: 1, proxied: true });
    const client = h.clients.clients[0]!;
    const link = h.links[0]![0]!;
    await link.add("hole", { type: "timeout", direction: "downstream" });
    const pending = client.set("rc:applied", "1");
    expect(await stalls(pending, 300)).toBe(true);
    // The SET was applied on the node; only its reply was lost.
    expect(await h.fleet.nodes[0]!.admin().get("rc:applied")).toBe("1");
    await link.remove("hole");
    await expect(pending).rejects.toThrow();
    await waitFor(
      async () => (await client.ping().catch(() => null)) === "PONG",
      "client reconnects through the proxy",
      5000,
    );
  });

  test("reset_peer: open connections are reset; down: new connections are refused until it is removed", async ({
    lab,
  }) => {
    const h = await lab.open({ nodeCount: 1, proxied: true });
    const client = h.clients.clients[0]!;
    const link = h.links[0]![0]!;
    await link.add("rst", { type: "reset_peer" });
    await expect(client.ping()).rejects.toThrow();
    await link.remove("rst");
    await waitFor(
      async () => (await client.ping().catch(() => null)) === "PONG",
      "client reconnects after reset",
      5000,
    );
    await link.add("gone", { type: "down" });
    expect(await probeConnect("127.0.0.1", link.port)).toBe("refused");
    await expect(client.ping()).rejects.toThrow();
    await link.remove("gone");
    expect(await probeConnect("127.0.0.1", link.port)).toBe("connected");
    await waitFor(async () => (await client.ping().catch(() => null)) === "PONG", "client reconnects after down", 5000);
  });

  test("links are per client and node: a one-sided partition cuts one client, not another", async ({ lab }) => {
    const h = await lab.open({ nodeCount: 3, proxied: true });
    const other = await h.addContender();
    void other;
    await h.links[0]![1]!.add("cut", { type: "down" });
    await expect(h.clients.clients[1]!.ping()).rejects.toThrow();
    expect(h.links[1]![1]!.connections).toBe(1);
    await h.cut([2], "both", { type: "down" });
    expect(h.links[0]![2]!.connections + h.links[1]![2]!.connections).toBe(0);
  });
});
