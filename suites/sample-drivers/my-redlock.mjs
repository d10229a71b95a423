// A careful hand-written Redlock, as a team writes one for its own service and brings to the
// harness: plain JavaScript over the driver contract's clients (evalsha / eval, ioredis-style
// results), written from the algorithm on redis.io. It has no `using`: the contract makes it
// optional, and the AE-* properties are skips for it.
//
//   LOCK_DRIVER=./suites/sample-drivers/my-redlock.mjs npm run conformance
//   npx redlock-conformance --driver ./my-redlock.mjs
//
// createMyRedlock(ctx, options) also builds the variants the catalog must catch (one bug each) and
// the edge drivers of the vacuity audit (suites/sample-drivers/AUDIT.md).
import { createHash, randomBytes } from "node:crypto";

const ACQUIRE = `
for i, key in ipairs(KEYS) do
  if redis.call("exists", key) == 1 then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call("set", key, ARGV[1], "PX", ARGV[2])
end
return #KEYS`;
const EXTEND = `
for i, key in ipairs(KEYS) do
  if redis.call("get", key) ~= ARGV[1] then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call("pexpire", key, ARGV[2])
end
return #KEYS`;
const RELEASE = `
local n = 0
for i, key in ipairs(KEYS) do
  if redis.call("get", key) == ARGV[1] then n = n + redis.call("del", key) end
end
return n`;

const DEFAULT_RETRY = { retryCount: 10, retryDelay: 200, retryJitter: 100 };

/** Other owners hold the resource: retrying later may help. */
export class LockContendedError extends Error {
  name = "LockContendedError";
}
/** Too few nodes answered: the infrastructure, not another owner. */
export class QuorumUnavailableError extends Error {
  name = "QuorumUnavailableError";
}
class NodeTimeout extends Error {
  name = "NodeTimeout";
}

const sha1 = (text) => createHash("sha1").update(text).digest("hex");

/**
 * Runs call(gaveUp) and rejects with NodeTimeout when the node has not answered within ms; gaveUp()
 * then says so, so the call sends nothing more (a NOSCRIPT fallback after the caller moved on would
 * extend or set a key nobody waits for). The decision waits one more turn of the event loop
 * (setImmediate) after the timer: a reply that arrived while this process was busy is read first,
 * so a loaded process does not time out nodes that did answer.
 */
function withNodeTimeout(call, ms) {
  let timedOut = false;
  const promise = call(() => timedOut);
  if (ms === null) return promise;
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settled) return;
          settled = true;
          timedOut = true;
          reject(new NodeTimeout(`no answer within ${ms} ms`));
        }),
      ms,
    );
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function runScript(client, script, keys, args, gaveUp) {
  try {
    return await client.evalsha(sha1(script), keys.length, [...keys, ...args]);
  } catch (error) {
    if (!String(error?.message).startsWith("NOSCRIPT") || gaveUp()) throw error;
    return client.eval(script, keys.length, [...keys, ...args]);
  }
}

/**
 * options (all optional):
 * - nodeTimeoutMs(ttl): the per-node timeout; null = wait for every node forever. Default
 *   clamp(ttl / 40, 25, 250) ms: far below the ttl, as the algorithm asks.
 * - bug: "validity-from-end" | "timeout-counts-as-yes" | "extend-without-elapsed-check"
 * - extendNoop: extend reports success without asking any node.
 */
export function createMyRedlock(ctx, options = {}) {
  const clients = ctx.clients;
  const n = clients.length;
  const quorum = Math.floor(n / 2) + 1;
  const bug = options.bug;
  const nodeTimeout = options.nodeTimeoutMs ?? ((ttl) => Math.min(250, Math.max(25, Math.round(ttl / 40))));
  const drift = (ttl) => Math.round(ttl * 0.01) + 2;

  /** One round on every node in parallel: yes votes, refusals and nodes that did not answer. */
  async function round(script, keys, args, ttl) {
    const results = await Promise.allSettled(
      clients.map((c) => withNodeTimeout((gaveUp) => runScript(c, script, keys, args, gaveUp), nodeTimeout(ttl))),
    );
    let yes = 0;
    let no = 0;
    let silent = 0;
    for (const r of results) {
      if (r.status === "fulfilled") {
        if (r.value === keys.length) yes++;
        else no++;
      } else if (r.reason instanceof NodeTimeout) {
        if (bug === "timeout-counts-as-yes") yes++;
        else silent++;
      } else silent++;
    }
    return { yes, no, silent };
  }

  const unlockAll = (keys, value, ttl) => round(RELEASE, keys, [value], ttl);

  return {
    name: options.name ?? "my-redlock",
    async acquire(resources, ttl, retry = {}) {
      const { retryCount, retryDelay, retryJitter } = { ...DEFAULT_RETRY, ...retry };
      const value = randomBytes(20).toString("hex");
      for (let attempt = 0; ; attempt++) {
        const startEpoch = Date.now();
        const start = performance.now();
        const votes = await round(ACQUIRE, resources, [value, ttl], ttl);
        const elapsed = performance.now() - start;
        const validity = ttl - elapsed - drift(ttl);
        if (votes.yes >= quorum && validity > 0) {
          const from = bug === "validity-from-end" ? Date.now() : startEpoch;
          return { resources: [...resources], value, expiration: from + ttl - drift(ttl) };
        }
        // Every node, also those that seemed to fail: the SET may have landed and only its reply was lost.
        await unlockAll(resources, value, ttl);
        if (attempt >= retryCount) {
          const detail = `${resources.join(",")} after ${attempt + 1} attempt(s): ${votes.yes} yes, ${votes.no} held elsewhere, ${votes.silent} no answer, ${elapsed.toFixed(0)} ms`;
          if (votes.no > n - quorum) throw new LockContendedError(`my-redlock: held by another owner: ${detail}`);
          if (votes.silent > n - quorum)
            throw new QuorumUnavailableError(`my-redlock: too few nodes answered: ${detail}`);
          throw new Error(`my-redlock: no quorum: ${detail}`);
        }
        await new Promise((r) =>
          setTimeout(r, Math.max(0, retryDelay + Math.round((Math.random() * 2 - 1) * retryJitter))),
        );
      }
    },
    async extend(lease, ttl) {
      if (lease.expiration <= Date.now()) throw new Error("my-redlock: the lease has expired");
      if (options.extendNoop) return { ...lease, expiration: Date.now() + ttl - drift(ttl) };
      const startEpoch = Date.now();
      const start = performance.now();
      const votes = await round(EXTEND, lease.resources, [lease.value, ttl], ttl);
      const elapsed = performance.now() - start;
      const inTime = bug === "extend-without-elapsed-check" || ttl - elapsed - drift(ttl) > 0;
      if (votes.yes < quorum || !inTime)
        throw new Error(`my-redlock: extend reached ${votes.yes} of ${n} nodes in ${elapsed.toFixed(0)} ms`);
      return { ...lease, expiration: startEpoch + ttl - drift(ttl) };
    },
    async release(lease) {
      // One round; an expired lease is no error (there is nothing left to release).
      await unlockAll(lease.resources, lease.value, 10_000);
    },
    async close() {},
  };
}

export default function createDriver(ctx) {
  return createMyRedlock(ctx);
}
