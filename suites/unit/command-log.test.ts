import { expect, test } from "vitest";
import { CommandLog } from "../../fixtures/clients/command-log.ts";

const noScript = () => new Error("NOSCRIPT No matching script. Please use EVAL.");
const nodes = ["n0", "n1", "n2", "n3", "n4"];

test("a yes-vote stall counts the EVALs that follow NOSCRIPT as the same attempt, however the answers interleave", () => {
  const log = new CommandLog();
  log.stallAtReply(3, 20, { yesVotesOnly: true });
  const shas = nodes.map((n) => log.begin(n, "ioredis", "evalsha", ["sha", 1, "k"]));
  // Each node's NOSCRIPT arrives, and its EVAL goes out, before the next node's: with the
  // earlier EVALs answered in between, naive burst counting would split the attempt in five.
  for (const [i, sha] of shas.entries()) {
    log.finish(sha, "error", noScript());
    const evalRecord = log.begin(nodes[i]!, "ioredis", "eval", ["script", 1, "k"]);
    log.finish(evalRecord, "ok", 1);
  }
  expect(log.stalledMs).toBeGreaterThanOrEqual(15);
  expect(log.disarmStall()).toBe(false);
});

test("yes votes spread over losing attempts never fire a yes-vote stall", () => {
  const log = new CommandLog();
  log.stallAtReply(3, 20, { yesVotesOnly: true });
  for (let attempt = 0; attempt < 4; attempt++) {
    const sent = nodes.map((n) => log.begin(n, "ioredis", "eval", ["script", 1, "k"]));
    for (const [i, r] of sent.entries()) log.finish(r, "ok", i < 2 ? 1 : 0);
  }
  expect(log.stalledMs).toBe(0);
  expect(log.disarmStall()).toBe(true);
});

test("rounds: the EVAL after a NOSCRIPT is the same attempt even when it comes later than the gap; a later command is a new round", async () => {
  const log = new CommandLog();
  const t0 = performance.now();
  const sha = log.begin("n0", "ioredis", "evalsha", ["sha", 1, "k"]);
  log.finish(sha, "error", noScript());
  await new Promise((resolve) => setTimeout(resolve, 30)); // a busy host delays the EVAL past the 20 ms gap
  log.finish(log.begin("n0", "ioredis", "eval", ["script", 1, "k"]), "ok", 0);
  await new Promise((resolve) => setTimeout(resolve, 30));
  log.finish(log.begin("n0", "ioredis", "evalsha", ["sha", 1, "k"]), "ok", 0);
  expect(log.rounds("n0", "k", t0 - 1, 20)).toBe(2);
});
