import { describe, expect, test } from "vitest";
import { judgeVerdicts, withRounds } from "../../fixtures/chaos/judge.ts";
import type { ChaosScenario } from "../../fixtures/core/scenario.ts";
import type { HistoryEvent } from "../../fixtures/history/history.ts";
import type { AppliedStep } from "../../fixtures/nemesis/nemesis.ts";
import { AFTER_FAILED_ACQUIRE, AFTER_STALE_CALL, BEFORE_STALE_CALL } from "../../fixtures/history/history.ts";
import { findingText } from "../../fixtures/history/verdict-text.ts";
import {
  acquireBoundMs,
  acquireRoundsBound,
  checkAll,
  checkCleanup as cleanupChecker,
  checkExtension as extensionChecker,
  checkLiveness as livenessChecker,
  checkLostUpdates as lostUpdatesChecker,
  checkMutualExclusion as mutualExclusionChecker,
  checkOwnerValue as ownerValueChecker,
  checkValidity as validityChecker,
  realMsFor,
} from "../../fixtures/history/lease-checkers.ts";
import {
  type CheckContext,
  type CheckerVerdict,
  checkContext,
  type Disturbance,
  type Finding,
  shiftTimes,
} from "../../fixtures/history/verdict.ts";

// Every checker takes (history, context); these tests assert the data they return, never wording.
const QUORUM = 2;
const ctx = (more: Partial<CheckContext> = {}) => checkContext(QUORUM, more);
const faults = (disturbances: Disturbance[]) => ctx({ disturbances });
const checkMutualExclusion = (events: HistoryEvent[]) => mutualExclusionChecker(events, ctx());
const checkExtension = (events: HistoryEvent[]) => extensionChecker(events, ctx());
const checkLostUpdates = (events: HistoryEvent[]) => lostUpdatesChecker(events, ctx());
const checkCleanup = (events: HistoryEvent[], disturbances: Disturbance[] = []) =>
  cleanupChecker(events, faults(disturbances));
const checkValidity = (events: HistoryEvent[], quorum = QUORUM, clocks: CheckContext["clocks"] = []) =>
  validityChecker(events, checkContext(quorum, { clocks }));
const checkOwnerValue = (events: HistoryEvent[], quorum = QUORUM, disturbances: Disturbance[] = []) =>
  ownerValueChecker(events, checkContext(quorum, { disturbances }));
const checkLiveness = (events: HistoryEvent[], heldMs: CheckContext["heldMs"] = () => 0) =>
  livenessChecker(events, ctx({ heldMs }));
/** The first finding, narrowed to the kind the test expects. */
function first<K extends Finding["kind"]>(verdict: CheckerVerdict, kind: K): Extract<Finding, { kind: K }> {
  const f = verdict.findings[0];
  expect(f?.kind).toBe(kind);
  return f as Extract<Finding, { kind: K }>;
}

// Hand-written histories: times in ms on one clock, as the workload records them.
const ev = (
  process: string,
  op: HistoryEvent["op"],
  type: HistoryEvent["type"],
  time: number,
  more: Partial<HistoryEvent> = {},
): HistoryEvent => ({ process, op, type, time, resource: "rc:a", ...more });
const acquired = (p: string, at: number, expires: number, value = `${p}-v`, resource = "rc:a"): HistoryEvent[] => [
  ev(p, "acquire", "invoke", at - 5, { ttl: expires - at + 5, resource }),
  ev(p, "acquire", "ok", at, { expires, value, resource }),
];
const sample = (p: string, time: number, value: string, nodes: HistoryEvent["nodes"]) =>
  ev(p, "sample", "ok", time, { value, nodes });
const node = (i: number, value: string | null, pttl: number) => ({ node: `n${i}`, value, pttl });

describe("lease-aware mutual exclusion", () => {
  test("holds one after the other are valid; an overlap is invalid, with both owners and the overlap", () => {
    const fine = [...acquired("c1", 10, 100), ev("c1", "release", "invoke", 60), ...acquired("c2", 70, 200)];
    expect(checkMutualExclusion(fine).result).toBe("valid");
    const overlap = [...acquired("c1", 10, 100), ...acquired("c2", 70, 200)];
    const verdict = checkMutualExclusion(overlap);
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "overlap")).toMatchObject({
      at: 70,
      resource: "rc:a",
      first: { owner: "c1", startAt: 10, endAt: 100 },
      second: { owner: "c2", startAt: 70, endAt: 200 },
      overlapMs: 30,
    });
  });

  test("a lock on several resources conflicts with a lock on one of them", () => {
    const events = [...acquired("c1", 10, 100, "v1", "rc:a,rc:b"), ...acquired("c2", 50, 150, "v2", "rc:b")];
    expect(
      checkMutualExclusion(events).findings.map((f) => f.kind === "overlap" && [f.resource, f.first.owner]),
    ).toEqual([["rc:b", "c1"]]);
    expect(
      checkMutualExclusion([...acquired("c1", 10, 100, "v1", "rc:a,rc:b"), ...acquired("c2", 50, 150, "v2", "rc:c")])
        .result,
    ).toBe("valid");
  });
});

describe("TTL extension", () => {
  const extended = (p: string, invoke: number, at: number, expires: number, value = `${p}-v`) => [
    ev(p, "extend", "invoke", invoke, { ttl: 100 }),
    ev(p, "extend", "ok", at, { expires, value }),
  ];
  test("an extend moves the expiration by about the time since the grant; one that keeps it is invalid", () => {
    expect(checkExtension([...acquired("c1", 10, 100), ...extended("c1", 55, 57, 150)]).result).toBe("valid");
    const kept = checkExtension([...acquired("c1", 10, 100), ...extended("c1", 55, 57, 100)]);
    expect(kept.result).toBe("invalid");
    expect(first(kept, "extend-did-not-move")).toMatchObject({
      process: "c1",
      resource: "rc:a",
      invokedAt: 55,
      sinceGrantMs: 45,
      expiresAt: 100,
      previousExpiresAt: 100,
    });
    // Too soon after the grant to tell on millisecond clocks.
    expect(checkExtension([...acquired("c1", 10, 100), ...extended("c1", 8, 9, 100)]).result).toBe("valid");
  });
  test("an ok extend of a lease its owner released is invalid; after a failed or unknown release it is not judged", () => {
    const released = (type: HistoryEvent["type"]) => [
      ...acquired("c1", 10, 300),
      ev("c1", "release", "invoke", 50),
      ev("c1", "release", type, 52),
      ...extended("c1", 100, 102, 400),
    ];
    const verdict = checkExtension(released("ok"));
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "extend-after-release")).toMatchObject({ process: "c1", at: 102, releasedAt: 50 });
    expect(checkExtension(released("info")).result).toBe("valid");
    // A new lease after the release is judged afresh.
    expect(
      checkExtension([
        ...released("ok").slice(0, 3),
        ...acquired("c1", 90, 300, "c1-w"),
        ...extended("c1", 150, 152, 400, "c1-w"),
      ]).result,
    ).toBe("valid");
  });
});

describe("clean-up", () => {
  const failed = (p: string, invoke: number, end: number) => [
    ev(p, "acquire", "invoke", invoke, { ttl: 200 }),
    ev(p, "acquire", "fail", end),
  ];
  const sampledAfter = (p: string, time: number, nodes: HistoryEvent["nodes"]) =>
    ev(p, "sample", "ok", time, { detail: AFTER_FAILED_ACQUIRE, nodes });
  test("a key no lease was granted with, left after a failed acquire with no fault around, is invalid", () => {
    const events = [
      ...acquired("c1", 10, 300, "v1"),
      ...failed("c2", 20, 60),
      sampledAfter("c2", 70, [node(0, "v1", 200), node(1, "v2", 150), node(2, "v1", 200)]),
    ];
    const verdict = checkCleanup(events);
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "keys-left")).toEqual({
      kind: "keys-left",
      at: 70,
      process: "c2",
      resource: "rc:a",
      keys: [{ node: "n1", value: "v2", pttl: 150 }],
    });
    // The lease holder's keys are not orphans.
    expect(
      checkCleanup([
        ...acquired("c1", 10, 300, "v1"),
        ...failed("c2", 20, 60),
        sampledAfter("c2", 70, [node(0, "v1", 200), node(1, null, -2)]),
      ]).result,
    ).toBe("valid");
  });
  test("a fault within the last ttl, another acquire in flight, or one abandoned at its bound makes it unknown", () => {
    const orphan = sampledAfter("c2", 400, [node(0, "v9", 150)]);
    const on = (fromAt: number, toAt: number, nodes: number[] | "all" = [0]) => [{ fromAt, toAt, nodes }];
    expect(checkCleanup([...failed("c2", 20, 390), orphan], on(100, 250)).result).toBe("unknown");
    expect(checkCleanup([...failed("c2", 20, 390), orphan], on(150, 210)).result).toBe("unknown"); // healed less than a ttl before
    expect(checkCleanup([...failed("c2", 20, 390), orphan], on(100, 250, "all")).result).toBe("unknown"); // a client fault
    expect(checkCleanup([...failed("c2", 20, 390), orphan], on(-500, -300)).result).toBe("invalid");
    expect(
      checkCleanup([...failed("c2", 20, 390), ev("c3", "acquire", "invoke", 395, { ttl: 200 }), orphan]).result,
    ).toBe("unknown");
    // Another user's failed acquire that ended just before: its clean-up may still be landing.
    expect(
      checkCleanup([
        ...failed("c2", 20, 300),
        ev("c3", "acquire", "invoke", 100, { ttl: 200 }),
        ev("c3", "acquire", "fail", 380),
        orphan,
      ]).result,
    ).toBe("unknown");
    expect(
      checkCleanup([
        ...failed("c2", 20, 390),
        ev("c3", "acquire", "invoke", 100, { ttl: 200 }),
        ev("c3", "acquire", "info", 350, { cause: "timeout" }),
        orphan,
      ]).result,
    ).toBe("unknown");
  });
  test("judged node by node: a fault on one node excuses nothing left on another", () => {
    const orphans = sampledAfter("c2", 400, [node(0, "v9", 150), node(1, "v9", 150), node(2, null, -2)]);
    const verdict = checkCleanup([...failed("c2", 20, 340), orphans], [{ fromAt: 100, toAt: 250, nodes: [0] }]);
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "keys-left").keys).toEqual([{ node: "n1", value: "v9", pttl: 150 }]);
    const both = checkCleanup([...failed("c2", 20, 340), orphans], [{ fromAt: 100, toAt: 250, nodes: [0, 1] }]);
    expect(both.result).toBe("unknown");
    expect(both.findings.map((f) => f.doubt)).toEqual(["node-faulted"]);
  });
});

describe("validity", () => {
  test("a lease returned after its own expiration is invalid", () => {
    const verdict = checkValidity(
      [ev("c1", "acquire", "invoke", 0, { ttl: 100 }), ev("c1", "acquire", "ok", 230, { expires: 98 })],
      2,
    );
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "returned-expired")).toMatchObject({ at: 230, expiredAt: 98, op: "acquire" });
    expect(findingText(first(verdict, "returned-expired"))).toMatch(
      /\(132 ms before it was returned, beyond the 50 ms/,
    );
  });
  test("a lease that ran out at most 50 ms before its call was seen to return is unknown, not invalid", () => {
    const verdict = checkValidity(
      [ev("c1", "acquire", "invoke", 0, { ttl: 100 }), ev("c1", "acquire", "ok", 105, { expires: 98 })],
      2,
    );
    expect(verdict.result).toBe("unknown");
    expect(first(verdict, "returned-expired")).toMatchObject({ doubt: "just-expired" });
    expect(findingText(first(verdict, "returned-expired"))).toMatch(
      /7 ms before it was returned, within the 50 ms tolerance\): it may have been valid/,
    );
  });
  test("a lease that outlives the keys protecting it is invalid (validity counted from the reply, or without drift)", () => {
    // 3 nodes, quorum 2, all hold the value: the second key to expire (at 40 + 55 = 95) ends the protection.
    const sampled = (expires: number) => [
      ev("c1", "acquire", "invoke", 0, { ttl: 100 }),
      ev("c1", "acquire", "ok", 38, { expires, value: "v" }),
      sample("c1", 40, "v", [node(0, "v", 50), node(1, "v", 55), node(2, "v", 60)]),
    ];
    expect(checkValidity(sampled(97), 2).result).toBe("valid");
    const verdict = checkValidity(sampled(130), 2);
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "outlives-keys")).toMatchObject({
      expiresAt: 130,
      protectedUntilAt: 95,
      expiredKeys: 2,
      keys: 3,
      sampledAt: 40,
    });
  });
  test("a node holding another value shortens the protection: one fewer key needs to expire", () => {
    const events = [
      ev("c1", "acquire", "ok", 38, { expires: 97, value: "v" }),
      sample("c1", 40, "v", [node(0, "v", 50), node(1, "v", 55), node(2, "w", 60)]),
    ];
    expect(first(checkValidity(events, 2), "outlives-keys")).toMatchObject({
      protectedUntilAt: 90,
      expiredKeys: 1,
      keys: 2,
    });
  });
  test("keys on nodes whose clocks run fast protect a lease for less real time than their PTTL says", () => {
    // 3000 ms keys read at 10 on three nodes running 1 % fast: they expire at 10 + 3000 / 1.01 ≈ 2980.
    // A lease to 3000 (no drift term) outlives them by ~20 ms; one to 2968 (ttl × 1 % + 2 taken off) does not.
    const drifted = (expires: number) => [
      ev("c1", "acquire", "ok", 8, { expires, value: "v" }),
      sample("c1", 10, "v", [node(0, "v", 3000), node(1, "v", 3000), node(2, "v", 3000)]),
    ];
    const fast = [0, 1, 2].map((i) => ({ node: `n${i}`, fromAt: 0, toAt: 5000, rate: 1.01 }));
    expect(checkValidity(drifted(3000), 2).result).toBe("valid");
    const outlived = first(checkValidity(drifted(3000), 2, fast), "outlives-keys");
    expect(Math.round(outlived.protectedUntilAt)).toBe(2980);
    expect(Math.round(outlived.expiresAt - outlived.protectedUntilAt)).toBe(20);
    expect(checkValidity(drifted(2968), 2, fast).result).toBe("valid");
    // Drift on one node of three moves only that key: the second to expire is still a true one.
    expect(checkValidity(drifted(3000), 2, fast.slice(0, 1)).result).toBe("valid");
  });
  test("realMsFor: node time inside and outside drift periods", () => {
    expect(realMsFor(100, 0, [])).toBe(100);
    expect(realMsFor(100, 0, [{ node: "n0", fromAt: 0, toAt: 1000, rate: 2 }])).toBe(50);
    // 20 node ms before the drift, then the other 80 at rate 2: 20 + 40.
    expect(realMsFor(100, 0, [{ node: "n0", fromAt: 20, toAt: 1000, rate: 2 }])).toBe(60);
    // A slow clock until 30 (15 node ms in 30 real), then the other 85 at rate 1: 30 + 85.
    expect(realMsFor(100, 0, [{ node: "n0", fromAt: 0, toAt: 30, rate: 0.5 }])).toBe(115);
  });
  test("retries do not count against a lease: its last attempt is what the keys show", () => {
    // Asked at 0 for 100 ms, granted at 300 after retries: the keys were set at ~295.
    const events = [
      ev("c1", "acquire", "invoke", 0, { ttl: 100 }),
      ev("c1", "acquire", "ok", 300, { expires: 393, value: "v" }),
      sample("c1", 301, "v", [node(0, "v", 98), node(1, "v", 98), node(2, "v", 97)]),
    ];
    expect(checkValidity(events, 2).result).toBe("valid");
  });
});

describe("stale calls never touch another owner's keys", () => {
  // c1's lease (v1) expired at 300; c2 holds (v2, granted at 320, until 1320); c1 releases late at 400.
  const around = (after: (string | null)[], more: HistoryEvent[] = []) => [
    ev("c1", "acquire", "ok", 10, { expires: 300, value: "v1" }),
    ev("c2", "acquire", "ok", 320, { expires: 1320, value: "v2" }),
    ev("c1", "sample", "ok", 398, {
      value: "v1",
      detail: BEFORE_STALE_CALL,
      from: 396,
      nodes: [node(0, "v2", 900), node(1, "v2", 900), node(2, "v2", 900)],
    }),
    ev("c1", "release", "invoke", 400),
    ev("c1", "release", "ok", 403),
    ev("c1", "sample", "ok", 406, {
      value: "v1",
      detail: AFTER_STALE_CALL,
      from: 404,
      nodes: after.map((v, i) => node(i, v, v ? 890 : -2)),
    }),
    ...more,
  ];
  test("a late release that removed the holder's keys is invalid, naming the nodes and values", () => {
    const verdict = checkOwnerValue(around([null, null, "v2"]), 2);
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "stale-call-removed-key")).toEqual({
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
    });
    expect(verdict.findings.map((f) => f.kind === "stale-call-removed-key" && f.node)).toEqual(["n0", "n1"]);
  });
  test("keys left alone are valid; the owner's own call or a fault on the node then makes it doubtful", () => {
    expect(checkOwnerValue(around(["v2", "v2", "v2"]), 2).result).toBe("valid");
    const ownRelease = [ev("c2", "release", "invoke", 401), ev("c2", "release", "ok", 404)];
    const own = checkOwnerValue(around([null, null, null], ownRelease), 2);
    expect(own.result).toBe("unknown");
    expect(new Set(own.findings.map((f) => f.doubt))).toEqual(new Set(["holder-calling"]));
    const faulted = checkOwnerValue(around([null, "v2", "v2"]), 2, [{ fromAt: 390, toAt: 500, nodes: [0] }]);
    expect(faulted.result).toBe("unknown");
    expect(faulted.findings.map((f) => f.doubt)).toEqual(["node-faulted"]);
  });
  test("a key about to expire by itself proves nothing", () => {
    const events = around([null, null, null]).map((e) =>
      e.detail === BEFORE_STALE_CALL ? { ...e, nodes: [node(0, "v2", 15), node(1, "v2", 15), node(2, "v2", 15)] } : e,
    );
    expect(checkOwnerValue(events, 2).result).toBe("valid");
  });
});

describe("owner value on the nodes", () => {
  const lease = acquired("c1", 10, 1000, "v1");
  test("a quorum holding the value with PTTL ≤ ttl is valid", () => {
    expect(
      checkOwnerValue(
        [...lease, sample("c1", 12, "v1", [node(0, "v1", 990), node(1, "v1", 990), node(2, null, -2)])],
        2,
      ).result,
    ).toBe("valid");
  });
  test("a quorum lost (another value, nil) is invalid, naming what each node held", () => {
    const verdict = checkOwnerValue(
      [...lease, sample("c1", 12, "v1", [node(0, "v1", 990), node(1, "other-v", 500), node(2, null, -2)])],
      2,
    );
    expect(verdict.result).toBe("invalid");
    expect(first(verdict, "quorum-not-holding")).toMatchObject({
      at: 12,
      process: "c1",
      holding: 1,
      quorum: 2,
      ttlMs: 995,
      nodes: [node(0, "v1", 990), node(1, "other-v", 500), node(2, null, -2)],
    });
  });
  test("a PTTL larger than the ttl asked does not count (an extend that set the wrong ttl)", () => {
    expect(
      checkOwnerValue(
        [...lease, sample("c1", 12, "v1", [node(0, "v1", 5000), node(1, "v1", 5000), node(2, "v1", 990)])],
        2,
      ).result,
    ).toBe("invalid");
  });
  test("nodes that did not answer make it unknown, not invalid", () => {
    const unanswered = checkOwnerValue([...lease, sample("c1", 12, "v1", [node(0, "v1", 990), null, null])], 2);
    expect(unanswered.result).toBe("unknown");
    expect(unanswered.findings.map((f) => f.doubt)).toEqual(["nodes-unanswered"]);
  });
  test("a sample taken after the lease expired claims nothing", () => {
    expect(checkOwnerValue([...lease, sample("c1", 1001, "v1", [null, null, null])], 2).result).toBe("valid");
  });
});

describe("lost updates and liveness", () => {
  test("two ok writes of the same counter value are a lost update; a refused fenced write is not", () => {
    const w = (p: string, t: number, type: HistoryEvent["type"], value: string) => ev(p, "write", type, t, { value });
    expect(checkLostUpdates([w("c1", 10, "ok", "1"), w("c2", 20, "ok", "2")]).result).toBe("valid");
    expect(first(checkLostUpdates([w("c1", 10, "ok", "1"), w("c2", 20, "ok", "1")]), "lost-update")).toEqual({
      kind: "lost-update",
      at: 20,
      counter: "rc:a",
      value: "1",
      writes: [
        { process: "c1", at: 10 },
        { process: "c2", at: 20 },
      ],
    });
    expect(checkLostUpdates([w("c1", 10, "ok", "1"), w("c2", 20, "fail", "1")]).result).toBe("valid");
    // Disjoint resources have counters of their own: the same value on both is no lost update.
    const on = (resource: string, p: string, t: number) => ({ ...w(p, t, "ok", "1"), resource });
    expect(checkLostUpdates([on("rc:a", "c1", 10), on("rc:b,rc:c", "c2", 20)]).result).toBe("valid");
    expect(checkLostUpdates([on("rc:b", "c1", 10), on("rc:b,rc:c", "c2", 20)]).result).toBe("invalid");
  });
  test("a call still running at its bound is a hang; a crashed process's last call is not", () => {
    const hang = checkLiveness([ev("c1", "acquire", "info", 10, { cause: "timeout", detail: "did not settle" })]);
    expect(first(hang, "hang")).toMatchObject({ at: 10, process: "c1", op: "acquire", detail: "did not settle" });
    expect(checkLiveness([ev("c1", "acquire", "info", 10, { cause: "crash" })]).result).toBe("valid");
  });
  test("checkAll answers every checker", () => {
    expect(checkAll([], checkContext(3)).map((v) => `${v.checker}:${v.result}`)).toEqual([
      "mutual-exclusion:valid",
      "validity:valid",
      "owner-value:valid",
      "extension:valid",
      "clean-up:valid",
      "lost-updates:valid",
      "liveness:valid",
      "auto-extension:valid",
    ]);
  });
});

describe("liveness bounds from the retry strategy", () => {
  const retry = { retryCount: 1, retryDelay: 100, retryJitter: 20 };
  const acquire = (took: number, process = "c1"): HistoryEvent[] => [
    ev(process, "acquire", "invoke", 0, { ttl: 200, retry }),
    ev(process, "acquire", "fail", took, { detail: "no quorum" }),
  ];
  test("an acquire within (1 + retryCount) attempts of a ttl plus its delays is live; one far beyond is a hang", () => {
    // bound: 2 × 200 + 1 × 120 + 750 slack = 1270 ms
    expect(acquireBoundMs(200, retry)).toBe(1270);
    expect(checkLiveness(acquire(1200)).result).toBe("valid");
    expect(first(checkLiveness(acquire(2000)), "too-slow")).toMatchObject({
      process: "c1",
      invokedAt: 0,
      at: 2000,
      tookMs: 2000,
      boundMs: 1270,
      ttlMs: 200,
      retry,
      outcome: "fail",
    });
  });
  test("time the process spent paused by the nemesis is allowed for", () => {
    expect(checkLiveness(acquire(2000), (p) => (p === "c1" ? 800 : 0)).result).toBe("valid");
  });
  test("an acquire that sent a node more rounds of commands than its attempts can cost retried unasked, however quick", () => {
    // retry 1×100: 2 attempts × 3 rounds + 4 = 10
    expect(acquireRoundsBound(retry)).toBe(10);
    const rounds = (n: number) => acquire(300).map((e) => (e.type === "fail" ? { ...e, rounds: n } : e));
    expect(checkLiveness(rounds(10)).result).toBe("valid");
    expect(first(checkLiveness(rounds(22)), "too-many-rounds")).toMatchObject({
      invokedAt: 0,
      at: 300,
      outcome: "fail",
      rounds: 22,
      allowed: 10,
      retry,
    });
  });
  test("rounds are annotated on each acquire's end from its own call's window", () => {
    const events = [
      ...acquire(300),
      ev("c1", "acquire", "invoke", 400, { ttl: 200, retry }),
      ev("c1", "acquire", "fail", 450),
    ];
    const seen: Array<[number, number]> = [];
    const annotated = withRounds(events, (_p, from, to) => {
      seen.push([from, to]);
      return from === 400 ? undefined : 7;
    });
    expect(seen).toEqual([
      [0, 300],
      [400, 450],
    ]);
    expect(annotated.filter((e) => e.type !== "invoke").map((e) => e.rounds)).toEqual([7, undefined]);
  });
});

describe("judging violations against the envelope", () => {
  const user = {
    id: "c1",
    process: "in-process" as const,
    resources: ["rc:a"],
    ttlMs: 500,
    retry: { retryCount: 0, retryDelay: 10, retryJitter: 0 },
    fenced: false,
    cycles: [],
  };
  const scenario = (envelope: "assumptions" | "beyond"): ChaosScenario => ({
    version: 1,
    envelope,
    nodes: 3,
    mix: ["ioredis", "ioredis", "ioredis"],
    users: [user],
    faults: [],
  });
  const held = (owner: string, startAt: number, endAt: number) => ({ owner, value: `${owner}-v`, startAt, endAt });
  const invalid: CheckerVerdict = {
    checker: "mutual-exclusion",
    result: "invalid",
    findings: [
      {
        kind: "overlap",
        at: 5000,
        resource: "rc:a",
        first: held("c1", 4900, 5100),
        second: held("c2", 5000, 5200),
        overlapMs: 100,
      },
    ],
  };
  const restart = (began: number, ended: number, error?: string): AppliedStep => ({
    step: { at: 0, kind: "node-restart", node: 0, keepData: false },
    line: "t=0ms restart n0 dropping its data",
    began,
    ended,
    ...(error ? { error } : {}),
  });
  test("in assumptions every violation is a defect", () => {
    expect(judgeVerdicts(scenario("assumptions"), [invalid], [])[0]!.defect).toBe(true);
  });
  test("beyond: expected when a step outside the assumptions was in force around it, a defect when none was", () => {
    const explained = judgeVerdicts(scenario("beyond"), [invalid], [restart(4900, 4950)])[0]!;
    expect(explained).toMatchObject({ defect: false, causes: ["t=0ms restart n0 dropping its data"] });
    // Healed more than two ttls before the violation: it explains nothing.
    expect(judgeVerdicts(scenario("beyond"), [invalid], [restart(100, 200)])[0]!.defect).toBe(true);
    // A step that could not be applied made nothing possible.
    expect(
      judgeVerdicts(scenario("beyond"), [invalid], [restart(4900, 4950, "not applied: n0 is paused")])[0]!.defect,
    ).toBe(true);
  });
  test("a liveness violation is a defect in either envelope; a baseline's known one is marked known", () => {
    const hang: CheckerVerdict = { ...invalid, checker: "liveness" };
    expect(judgeVerdicts(scenario("beyond"), [hang], [restart(4900, 4950)])[0]).toMatchObject({ defect: true });
    expect(judgeVerdicts(scenario("assumptions"), [hang], [], { liveness: "documented" })[0]).toMatchObject({
      defect: true,
      known: "documented",
    });
  });
  test("a baseline may document one kind of a checker's findings: a verdict is known only when every kind in it is", () => {
    const sent: Finding = {
      kind: "sent-after-using",
      at: 10,
      process: "c1",
      resource: "rc:a",
      fromAt: 10,
      toAt: 20,
      rounds: 1,
    };
    const replaced: Finding = { kind: "routine-error-replaced", at: 30, process: "c1", resource: "rc:a", got: "x" };
    const verdict = (...findings: Finding[]): CheckerVerdict => ({
      checker: "auto-extension",
      result: "invalid",
      findings,
    });
    const known = { "auto-extension/sent-after-using": "AE-3" };
    expect(judgeVerdicts(scenario("assumptions"), [verdict(sent)], [], known)[0]?.known).toBe("AE-3");
    expect(judgeVerdicts(scenario("assumptions"), [verdict(sent, replaced)], [], known)[0]?.known).toBeUndefined();
    expect(
      judgeVerdicts(scenario("assumptions"), [verdict(sent, replaced)], [], {
        ...known,
        "auto-extension/routine-error-replaced": "AE-4",
      })[0]?.known,
    ).toBe("AE-3; AE-4");
    expect(judgeVerdicts(scenario("assumptions"), [verdict(replaced)], [], { "auto-extension": "all" })[0]?.known).toBe(
      "all",
    );
  });
});

describe("verdicts as data", () => {
  test("shiftTimes moves every absolute time (at, …At) at any depth, and nothing else", () => {
    const f: Finding = {
      kind: "overlap",
      at: 170,
      resource: "rc:a",
      first: { owner: "c1", value: "v", startAt: 110, endAt: 200 },
      second: { owner: "c2", value: "w", startAt: 170, endAt: 300 },
      overlapMs: 30,
    };
    expect(shiftTimes(f, -100)).toEqual({
      ...f,
      at: 70,
      first: { ...f.first, startAt: 10, endAt: 100 },
      second: { ...f.second, startAt: 70, endAt: 200 },
    });
    const lost: Finding = {
      kind: "lost-update",
      at: 20,
      counter: "rc:a",
      value: "1",
      writes: [{ process: "c1", at: 10 }],
    };
    expect(shiftTimes(lost, 5)).toEqual({ ...lost, at: 25, writes: [{ process: "c1", at: 15 }] });
  });
});
