import { describe, expect, test } from "vitest";
import { AFTER_USING, DURING_ROUTINE, ROUTINE_ERROR, type HistoryEvent } from "../../fixtures/history/history.ts";
import { checkAutoExtension, SIGNAL_GRACE_MS } from "../../fixtures/history/using-checker.ts";
import { checkContext, type Disturbance, type Finding } from "../../fixtures/history/verdict.ts";
import { findingText } from "../../fixtures/history/verdict-text.ts";

// A routine under using, by hand: c1's call at 0, its routine 10–1000 acting every 50 ms.
const QUORUM = 2;
const ev = (op: HistoryEvent["op"], type: HistoryEvent["type"], time: number, more: Partial<HistoryEvent> = {}) =>
  ({ process: "c1", op, type, time, resource: "rc:a", ...more }) as HistoryEvent;
const ACTS = Array.from({ length: 20 }, (_, i) => 10 + 50 * i);
const node = (name: string, value: string | null) => ({ node: name, value, pttl: value ? 300 : -2 });
const sample = (time: number, values: Array<string | null>, detail = DURING_ROUTINE): HistoryEvent =>
  ev("sample", "ok", time, { from: time - 1, detail, value: "v1", nodes: values.map((v, i) => node(`n${i}`, v)) });

function routine(more: Partial<HistoryEvent> = {}, call: Partial<HistoryEvent> = { type: "ok" }): HistoryEvent[] {
  return [
    ev("using", "invoke", 0),
    ev("routine", "invoke", 10, { value: "v1" }),
    ev("routine", more.type ?? "ok", 1000, { value: "v1", acts: ACTS, stalls: [], ...more }),
    ev("using", call.type ?? "ok", 1005, call),
  ];
}
const check = (events: HistoryEvent[], disturbances: Disturbance[] = []) =>
  checkAutoExtension(events, checkContext(QUORUM, { disturbances }));
const kinds = (events: HistoryEvent[], disturbances: Disturbance[] = []) =>
  check(events, disturbances).findings.map((f: Finding) => [f.kind, f.doubt ?? "sure"]);

describe("auto-extension checker", () => {
  test("a routine that kept its lock, released it and went quiet is valid", () => {
    const events = [
      ...routine(),
      sample(300, ["v1", "v1", "v1"]),
      sample(1050, [null, null, null], AFTER_USING),
      ev("quiet", "ok", 1600, { from: 1060, rounds: 0 }),
    ];
    expect(check(events).result).toBe("valid");
  });

  test("a loss the routine kept acting through is invalid; signalled within the grace it is not", () => {
    const lost = [...routine(), sample(300, ["v1", null, null])];
    const f = check(lost).findings[0] as Extract<Finding, { kind: "routine-lost-unsignalled" }>;
    expect(f.kind).toBe("routine-lost-unsignalled");
    expect(f.actedAt).toBeGreaterThanOrEqual(300 + SIGNAL_GRACE_MS);
    expect(findingText(f)).toMatch(/1 of 3 nodes held its value.*not told/);
    // Told 60 ms after the sample: every later act is past the signal.
    expect(kinds([...routine({ signalledAt: 360 }), sample(300, ["v1", null, null])])).toEqual([]);
    // Told, but 160 ms after the loss was seen (last unaware act at 460): within the 250 ms a loaded
    // host may add, doubtful; told 360 ms after it (last act at 660), sure.
    const late = check([...routine({ signalledAt: 500 }), sample(300, ["v1", null, null])]).findings[0]!;
    expect([late.kind, late.doubt]).toEqual(["routine-lost-unsignalled", "signal-late"]);
    expect(findingText(late)).toMatch(/160 ms later.*within the 250 ms.*may not be a defect/);
    expect(kinds([...routine({ signalledAt: 700 }), sample(300, ["v1", null, null])])).toEqual([
      ["routine-lost-unsignalled", "sure"],
    ]);
    // A node that did not answer may hold it: 1 + 1 unknown meets the quorum of 2.
    expect(
      kinds([...routine(), { ...sample(300, ["v1"]), nodes: [node("n0", "v1"), null, node("n2", null)] }]),
    ).toEqual([]);
  });

  test("acts while the routine's process was stalled, and within the grace after, are not the library's", () => {
    // Stalled 250–600: the loss seen at 300 is answered by the signal at 620; the acts up to 600 + grace do not count.
    const stalled = [
      ...routine({ signalledAt: 620, stalls: [{ fromAt: 250, toAt: 600 }] }),
      sample(300, [null, null, null]),
    ];
    expect(kinds(stalled)).toEqual([]);
    // The same, never signalled: the first act past the grace is a loss nobody was told of.
    const never = [...routine({ stalls: [{ fromAt: 250, toAt: 600 }] }), sample(300, [null, null, null])];
    const f = check(never).findings[0] as Extract<Finding, { kind: "routine-lost-unsignalled" }>;
    expect(f.actedAt).toBeGreaterThan(600 + SIGNAL_GRACE_MS);
    // A client pause of the user (the nemesis's record) excuses like a stall.
    const paused: Disturbance = { fromAt: 250, toAt: 600, nodes: "all", user: "c1" };
    expect(kinds([...routine({ signalledAt: 620 }), sample(300, [null, null, null])], [paused])).toEqual([]);
  });

  test("an act while another user's lease covers the moment, or the routine's keys over it, is invalid", () => {
    const rival = [
      { process: "c2", op: "acquire", type: "invoke", time: 380, resource: "rc:a" },
      { process: "c2", op: "acquire", type: "ok", time: 400, resource: "rc:a", value: "v2", expires: 800 },
    ] as HistoryEvent[];
    const found = kinds([...routine(), ...rival, sample(450, ["v1", "v1", "v2"])]);
    expect(found).toContainEqual(["routine-act-while-held", "sure"]);
    expect(found).toContainEqual(["routine-keys-over-lease", "sure"]);
    // Acts within the grace of the rival's grant are not judged; told 120 ms into its lease, doubtful.
    expect(kinds([...routine({ signalledAt: 470 }), ...rival])).toEqual([]);
    expect(kinds([...routine({ signalledAt: 520 }), ...rival])).toEqual([["routine-act-while-held", "signal-late"]]);
    // Signalled before the rival got it: nothing the library answers for.
    expect(kinds([...routine({ signalledAt: 390 }), ...rival, sample(450, ["v2", "v2", "v2"])])).toEqual([]);
  });

  test("commands after the call returned are invalid, doubtful when a fault healed meanwhile", () => {
    const quiet = [...routine(), ev("quiet", "ok", 1600, { from: 1060, rounds: 3 })];
    expect(kinds(quiet)).toEqual([["sent-after-using", "sure"]]);
    expect(kinds(quiet, [{ fromAt: 900, toAt: 1000, nodes: [1], silences: true }])).toEqual([
      ["sent-after-using", "node-faulted"],
    ]);
    // Healed long before the return, but during the call: a queued command may go out on the reconnect.
    expect(kinds(quiet, [{ fromAt: 100, toAt: 200, nodes: [1], silences: true }])).toEqual([
      ["sent-after-using", "node-faulted"],
    ]);
    // The user's own process paused during the call: its per-node timeouts fire as it wakes.
    expect(kinds(quiet, [{ fromAt: 500, toAt: 900, nodes: "all", user: "c1" }])).toEqual([
      ["sent-after-using", "node-faulted"],
    ]);
    // A clock moved on a node keeps nothing from answering: it excuses nothing.
    expect(kinds(quiet, [{ fromAt: 900, toAt: 1000, nodes: [1] }])).toEqual([["sent-after-using", "sure"]]);
  });

  test("keys left on a quorum after a clean return, and a routine's error replaced, are invalid", () => {
    expect(kinds([...routine(), sample(1050, ["v1", "v1", null], AFTER_USING)])).toEqual([
      ["held-after-using", "sure"],
    ]);
    const threw = routine({ type: "fail" }, { type: "fail", detail: "release failed: NOSCRIPT" });
    expect(kinds(threw)).toEqual([["routine-error-replaced", "sure"]]);
    expect(kinds(routine({ type: "fail" }, { type: "fail", detail: `Error: ${ROUTINE_ERROR}` }))).toEqual([]);
  });
});
