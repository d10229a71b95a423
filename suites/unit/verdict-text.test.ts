import { describe, expect, test } from "vitest";
import type { Finding } from "../../fixtures/history/verdict.ts";
import { findingText, verdictLines } from "../../fixtures/history/verdict-text.ts";

// The one wording of findings (CLI, report, JUnit): what a user reads must name the owners,
// nodes, values and times, relative to the run's origin, and say why a doubtful one may not be a defect.
const retry = { retryCount: 1, retryDelay: 100, retryJitter: 20 };

describe("findings in words", () => {
  test("an overlap names both owners, their holds and the overlap, relative to the origin", () => {
    const f: Finding = {
      kind: "overlap",
      at: 1070,
      resource: "rc:a",
      first: { owner: "c1", value: "c1-value-long", startAt: 1010, endAt: 1100 },
      second: { owner: "c2", value: "c2-value-long", startAt: 1070, endAt: 1200 },
      overlapMs: 30,
    };
    expect(findingText(f, 1000)).toBe(
      "rc:a: c1 (value c1-value…) held 10ms–100ms and c2 (value c2-value…) held 70ms–200ms overlap by 30 ms",
    );
  });
  test("a doubtful finding says why it may not be a defect; a sure one says what broke", () => {
    const left = (doubt?: "acquire-in-flight" | "node-faulted"): Finding => ({
      kind: "keys-left",
      at: 70,
      ...(doubt ? { doubt } : {}),
      process: "c2",
      resource: "rc:a",
      keys: [{ node: "n1", value: "v2", pttl: 150 }],
    });
    expect(findingText(left())).toBe(
      "c2's failed acquire on rc:a: sampled at 70ms, n1 holds v2… (pttl 150) — a value no lease was ever granted with; no fault touched that node within the last ttl and no other acquire was in flight: a failed acquisition left its keys",
    );
    expect(findingText(left("acquire-in-flight"))).toMatch(/another acquire was in flight, so it may not be a defect$/);
    expect(findingText(left("node-faulted"))).toMatch(
      /a fault touched those nodes within the last ttl, so it may not be a defect$/,
    );
  });
  test("owner value lists what every node held; stale calls name the holder whose key went", () => {
    expect(
      findingText({
        kind: "quorum-not-holding",
        at: 12,
        process: "c1",
        op: "acquire",
        resource: "rc:a",
        grantedAt: 10,
        validUntilAt: 1000,
        ttlMs: 995,
        holding: 1,
        quorum: 2,
        nodes: [{ node: "n0", value: "v1", pttl: 990 }, { node: "n1", value: "other-v", pttl: 500 }, null],
        value: "v1",
      }),
    ).toBe(
      "c1 on rc:a after its acquire at 10ms (valid until 1000ms, ttl 995 ms): at 12ms 1 of 3 nodes hold its value (quorum 2) — n0: owner pttl 990, n1: other other-v… pttl 500, n2: no answer",
    );
    expect(
      findingText({
        kind: "stale-call-removed-key",
        at: 400,
        process: "c1",
        op: "release",
        resource: "rc:a",
        node: "n0",
        holder: "c2",
        value: "v2",
        pttl: 900,
        beforeAt: 396,
        afterAt: 406,
        afterValue: null,
      }),
    ).toBe(
      "c1's stale release on rc:a at 400ms (of a lease it no longer held): n0 held c2's key (value v2…, pttl 900) at 396ms and no key at 406ms — a call by a non-owner removed another owner's key",
    );
  });
  test("a quorum that depends on nodes that did not answer is doubtful, and says so", () => {
    const text = findingText({
      kind: "quorum-not-holding",
      at: 12,
      doubt: "nodes-unanswered",
      process: "c1",
      op: "acquire",
      resource: "rc:a",
      grantedAt: 10,
      validUntilAt: 1000,
      ttlMs: 995,
      holding: 1,
      quorum: 2,
      nodes: [{ node: "n0", value: "v1", pttl: 990 }, null, null],
      value: "v1",
    });
    expect(text).toMatch(
      /1 of 3 nodes hold its value \(quorum 2\) — n0: owner pttl 990, n1: no answer, n2: no answer; 2 node\(s\) did not answer, so it may not be a defect$/,
    );
  });
  test("liveness findings state the bound and the retry strategy it comes from", () => {
    const call = { process: "c1", resource: "rc:a", invokedAt: 0, at: 2000, outcome: "fail" as const, retry };
    expect(findingText({ kind: "too-slow", ...call, tookMs: 2000, boundMs: 1270, ttlMs: 200, slackMs: 750 })).toBe(
      "c1 acquire on rc:a took 2000 ms (0ms–2000ms, fail), more than its bound of 1270 ms for retry 1×100±20 and ttl 200 (each attempt ≤ ttl, delays at their longest, 750 ms slack)",
    );
    expect(findingText({ kind: "too-many-rounds", ...call, rounds: 22, allowed: 10, perAttempt: 3, slack: 4 })).toMatch(
      /^c1 acquire on rc:a \(0ms–2000ms, fail\) sent 22 rounds of commands to one node, more than the 10 its retry 1×100±20 allows/,
    );
  });
  test("verdictLines gives one line per finding", () => {
    const writes = [
      { process: "c1", at: 10 },
      { process: "c2", at: 20 },
    ];
    expect(
      verdictLines({
        checker: "lost-updates",
        result: "invalid",
        findings: [{ kind: "lost-update", at: 20, counter: "rc:a", value: "1", writes }],
      }),
    ).toEqual(["counter of rc:a = 1 written by c1 at 10ms and c2 at 20ms: 1 increment(s) lost"]);
  });
});
