import { describe, expect } from "vitest";
import { sha1 } from "../fixtures/core/hash.ts";
import type { ScriptClient } from "../fixtures/clients/index.ts";
import { requireOperations, test } from "../fixtures/vitest/test.ts";

/** Runs a call and captures its outcome, so results and errors of both kinds can be compared. */
async function outcome(call: () => Promise<unknown>): Promise<{ ok: unknown } | { error: string; name: string }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error: (error as Error).message, name: (error as Error).name };
  }
}

const SCRIPTS: Array<{ title: string; script: string; keys: string[]; args: (string | number)[] }> = [
  { title: "integer", script: "return 42", keys: [], args: [] },
  { title: "float truncated to integer", script: "return 3.9", keys: [], args: [] },
  { title: "bulk string", script: "return 'hello'", keys: [], args: [] },
  { title: "nil", script: "return nil", keys: [], args: [] },
  { title: "nested array with false → nil", script: "return {1, 'two', {3, false}}", keys: [], args: [] },
  { title: "status reply", script: "return redis.status_reply('FINE')", keys: [], args: [] },
  { title: "numbers arrive as strings", script: "return {ARGV[1], ARGV[2], type(ARGV[1])}", keys: [], args: [7, "x"] },
  {
    title: "keys and args split by numKeys",
    script: "return {KEYS[1], KEYS[2], ARGV[1]}",
    keys: ["rc:a", "rc:b"],
    args: ["v"],
  },
  { title: "error reply", script: "return redis.error_reply('ERR custom failure')", keys: [], args: [] },
  {
    title: "runtime error",
    script: "redis.call('set', KEYS[1], 'abc'); return redis.call('incr', KEYS[1])",
    keys: ["rc:str"],
    args: [],
  },
  {
    title: "set NX PX as Redlock does it",
    script: "return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0",
    keys: ["locks:same"],
    args: ["owner", 5000],
  },
];

describe("both client kinds give the same results for the same scripts", () => {
  test("eval and evalsha: values, nils, arrays, status and error replies, NOSCRIPT", async ({ lab }) => {
    // Two nodes, one client kind each; every script runs on a fresh node of each kind.
    const h = await lab.open({ nodeCount: 2, allowEven: true, clientMix: { mode: "alternate" } });
    const [io, nr] = h.clients.clients as [ScriptClient, ScriptClient];
    expect([io.kind, nr.kind]).toEqual(["ioredis", "node-redis"]);
    for (const c of SCRIPTS) {
      await h.fleet.flushAll();
      const run = (client: ScriptClient) => outcome(() => client.eval(c.script, c.keys.length, [...c.keys, ...c.args]));
      const [a, b] = [await run(io), await run(nr)];
      expect(b, `${c.title}: node-redis vs ioredis`).toEqual(a);
    }
    const errors = await Promise.all(
      [io, nr].map((cl) => outcome(() => cl.eval("return redis.error_reply('ERR custom failure')", 0, []))),
    );
    expect(errors).toEqual([
      { error: "ERR custom failure", name: "ReplyError" },
      { error: "ERR custom failure", name: "ReplyError" },
    ]);
    const unknownSha = sha1("return 'never loaded'");
    const noscript = await Promise.all([io, nr].map((cl) => outcome(() => cl.evalsha(unknownSha, 0, []))));
    for (const r of noscript)
      expect(r).toMatchObject({ error: expect.stringMatching(/^NOSCRIPT/), name: "ReplyError" });
    expect(noscript[1]).toEqual(noscript[0]);
  });

  test("every calling convention the Redlock libraries use works on both kinds", async ({ lab }) => {
    const h = await lab.open({ nodeCount: 2, allowEven: true, clientMix: { mode: "alternate" } });
    const script = "return {KEYS[1], ARGV[1], ARGV[2]}";
    const expected = ["rc:k", "a", "2"];
    for (const client of h.clients.clients) {
      const sha = await client.scriptLoad(script);
      expect(sha).toBe(sha1(script));
      expect(await client.evalsha(sha, 1, ["rc:k", "a", 2]), `${client.kind} (sha, n, [args])`).toEqual(expected);
      expect(await client.evalsha(sha, 1, "rc:k", "a", 2), `${client.kind} positional`).toEqual(expected);
      const viaCallback = await new Promise((resolve, reject) =>
        client.evalsha([sha, 1, "rc:k", "a", 2], (error: Error | null, result?: unknown) =>
          error ? reject(error) : resolve(result),
        ),
      );
      expect(viaCallback, `${client.kind} ([sha, n, ...args], cb)`).toEqual(expected);
      const callbackError = await new Promise<Error | null>((resolve) =>
        client.evalsha([sha1("missing"), 0], (error: Error | null) => resolve(error)),
      );
      expect(callbackError?.message, `${client.kind} error through a callback`).toMatch(/^NOSCRIPT/);
      expect(await client.set("rc:s", "v", "PX", 5000, "NX")).toBe("OK");
      expect(await client.set("rc:s", "w", "PX", 5000, "NX")).toBeNull();
      expect(await client.get("rc:s")).toBe("v");
    }
  });

  test("NOSCRIPT → EVAL fallback works through both kinds inside a real lock acquisition", async ({ lab }) => {
    const h = await lab.open({ nodeCount: 3, clientMix: { mode: "alternate" } });
    await Promise.all(h.fleet.nodes.map((n) => n.admin().script("FLUSH")));
    const lease = await h.driver.acquire(["locks:noscript"], 5000, { retryCount: 0 });
    await h.clients.settled();
    for (const client of h.clients.clients) {
      const commands = h.clients.log
        .all()
        .filter((r) => r.node === client.node)
        .map((r) => `${r.command} → ${r.outcome}`);
      expect(commands, `${client.node} (${client.kind})`).toEqual(["EVALSHA → error", "EVAL → ok"]);
    }
    const states = await h.fleet.inspect("locks:noscript");
    expect(states.map((s) => s.value)).toEqual([lease.value, lease.value, lease.value]);
    await h.driver.release(lease);
  });
});

describe("client behaviour under node faults", () => {
  test("a down node fails commands at once (no offline queue), for both kinds", async ({ lab, skip }) => {
    const h = await lab.open({ nodeCount: 2, allowEven: true, clientMix: { mode: "alternate" } });
    requireOperations(skip, h, ["stop"]);
    await Promise.all(h.fleet.nodes.map((n) => n.stop()));
    for (const client of h.clients.clients) {
      const started = Date.now();
      await expect(client.ping(), `${client.kind} against a stopped node`).rejects.toThrow();
      // Generous bound: the point is "not queued until reconnect", not a speed claim.
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect(await h.clients.settled(100)).toEqual([]);
  });
});
