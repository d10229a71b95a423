import { describe, expect, test } from "vitest";
import { overlappingHolds, type Hold } from "../../fixtures/history/holds.ts";
import { contendedAcquisitions } from "../../fixtures/history/queries.ts";

const hold = (owner: string, start: number, end: number): Hold => ({ owner, value: `${owner}-v`, start, end });

describe("overlappingHolds (pure, hand-made histories)", () => {
  test("back-to-back holds of different owners do not overlap", () => {
    expect(overlappingHolds([hold("a", 0, 10), hold("b", 10, 20), hold("c", 20, 30)])).toEqual([]);
  });
  test("an overlap between different owners is reported once, in start order", () => {
    const [a, b] = [hold("a", 0, 10), hold("b", 9, 20)];
    expect(overlappingHolds([b, a])).toEqual([[a, b]]);
  });
  test("one owner's overlapping holds (re-entry, extension) are not a violation", () => {
    expect(overlappingHolds([hold("a", 0, 10), hold("a", 5, 15)])).toEqual([]);
  });
  test("a long hold overlapping several later ones reports each pair", () => {
    const long = hold("a", 0, 100);
    const later = [hold("b", 10, 20), hold("c", 30, 40), hold("a", 50, 60)];
    expect(overlappingHolds([long, ...later]).map(([x, y]) => `${x.owner}${y.owner}`)).toEqual(["ab", "ac"]);
  });
  test("a hold ended by expiration before the next acquire is not an overlap", () => {
    expect(overlappingHolds([hold("a", 0, 30), hold("b", 30.001, 50)])).toEqual([]);
  });
  test("a lease returned already expired (its hold ends before it starts) overlaps nothing", () => {
    // CI: redlock@5 returned at 460 a lease that expired at 206, reported as an overlap of −254 ms.
    expect(overlappingHolds([hold("c1", 242, 926), hold("c2", 460, 206)])).toEqual([]);
    expect(overlappingHolds([hold("c1", 242, 926), hold("c2", 460, 500)])).toHaveLength(1);
  });
});

describe("suites/PROPERTIES.md documents every property", () => {
  test("each property id of the catalog has a row, with what it exercises (from the code) and its class", async () => {
    const { readFileSync } = await import("node:fs");
    const { PROPERTIES } = await import("../../fixtures/properties/catalog.ts");
    const doc = readFileSync(new URL("../PROPERTIES.md", import.meta.url), "utf8");
    for (const p of PROPERTIES) {
      const row = doc.split("\n").find((line) => line.startsWith(`| ${p.id} |`));
      expect(row, `${p.id} has no row in PROPERTIES.md`).toBeDefined();
      expect(
        row!.trim().endsWith(`| ${p.exercises.replace(/\|/g, "\\|")} | ${p.class} |`),
        `${p.id}: "exercised when" and class in PROPERTIES.md must read "${p.exercises}" and ${p.class}`,
      ).toBe(true);
    }
  });
});

describe("history checkers (pure, hand-written histories)", async () => {
  const { mutualExclusionViolations, extensionsAfterLoss, staleActions, holdsOf } = await import(
    "../../fixtures/history/queries.ts"
  );
  type E = import("../../fixtures/history/history.ts").HistoryEvent;
  const ev = (process: string, op: E["op"], type: E["type"], time: number, extra: Partial<E> = {}): E => ({
    process,
    op,
    type,
    time,
    resource: "r",
    ...extra,
  });

  test("a hold runs from the acquire's ok to the earlier of expiry and the release invoke", () => {
    const holds = holdsOf([
      ev("a", "acquire", "invoke", 0),
      ev("a", "acquire", "ok", 5, { expires: 100, value: "v" }),
      ev("a", "release", "invoke", 40),
      ev("a", "release", "ok", 42),
    ]);
    expect(holds.map((h) => [h.start, h.end])).toEqual([[5, 40]]);
  });

  test("mutual exclusion: B acquiring before A's lease ended is a violation; after A's release it is not", () => {
    const base = [ev("a", "acquire", "ok", 5, { expires: 100 }), ev("a", "release", "invoke", 40)];
    expect(mutualExclusionViolations([...base, ev("b", "acquire", "ok", 41, { expires: 200 })])).toEqual([]);
    expect(mutualExclusionViolations([...base, ev("b", "acquire", "ok", 30, { expires: 200 })])).toHaveLength(1);
    expect(
      mutualExclusionViolations([
        ev("a", "acquire", "ok", 5, { expires: 100 }),
        ev("b", "acquire", "ok", 99, { expires: 200 }),
      ]),
    ).toHaveLength(1);
    expect(
      mutualExclusionViolations([
        ev("a", "acquire", "ok", 5, { expires: 100 }),
        ev("b", "acquire", "ok", 101, { expires: 200 }),
      ]),
    ).toEqual([]);
  });

  test("an extend keeps the hold going; a failed acquire holds nothing", () => {
    const events = [
      ev("a", "acquire", "ok", 5, { expires: 100 }),
      ev("a", "extend", "ok", 90, { expires: 300 }),
      ev("b", "acquire", "fail", 150),
      ev("b", "acquire", "ok", 250, { expires: 400 }),
    ];
    expect(mutualExclusionViolations(events)).toHaveLength(1);
    expect(mutualExclusionViolations(events.slice(0, 3))).toEqual([]);
  });

  test("extension after loss: A's lease lapsed, B acquired, then A's extend succeeded", () => {
    const lost = [
      ev("a", "acquire", "ok", 0, { expires: 100 }),
      ev("b", "acquire", "ok", 150, { expires: 400 }),
      ev("a", "extend", "ok", 200, { expires: 500 }),
    ];
    expect(extensionsAfterLoss(lost).map((e) => e.process)).toEqual(["a"]);
    const inTime = [ev("a", "acquire", "ok", 0, { expires: 100 }), ev("a", "extend", "ok", 90, { expires: 300 })];
    expect(extensionsAfterLoss(inTime)).toEqual([]);
  });

  test("stale actions: a write after the writer's own lease expired, or after its release", () => {
    const events = [
      ev("a", "acquire", "ok", 0, { expires: 100 }),
      ev("a", "write", "invoke", 50),
      ev("a", "write", "invoke", 120),
    ];
    expect(staleActions(events).map((e) => e.time)).toEqual([120]);
    expect(
      staleActions([
        ev("a", "acquire", "ok", 0, { expires: 100 }),
        ev("a", "release", "invoke", 10),
        ev("a", "write", "invoke", 20),
      ]),
    ).toHaveLength(1);
  });
});

describe("contendedAcquisitions: the situation mutual exclusion is about", () => {
  const ev = (
    process: string,
    op: "acquire" | "release",
    type: "invoke" | "ok" | "fail",
    time: number,
    expires?: number,
  ) => ({ process, op, type, time, resource: "r", ...(expires !== undefined ? { expires } : {}) });
  test("an acquire in flight while another process holds the resource is contended; one that meets nobody is not", () => {
    const events = [
      ev("a", "acquire", "invoke", 0),
      ev("a", "acquire", "ok", 2, 100),
      ev("b", "acquire", "invoke", 1), // in flight from 1 to 60, across a's hold [2, 50)
      ev("a", "release", "invoke", 50),
      ev("b", "acquire", "ok", 60, 200),
      ev("b", "release", "invoke", 70),
      ev("a", "acquire", "invoke", 80), // nobody holds it from 70 on
      ev("a", "acquire", "ok", 81, 300),
    ];
    expect(contendedAcquisitions(events).map((e) => `${e.process}@${e.time}`)).toEqual(["b@1"]);
  });
  test("holds that never meet another process's calls: none", () => {
    expect(
      contendedAcquisitions([
        ev("a", "acquire", "invoke", 0),
        ev("a", "acquire", "ok", 1, 10),
        ev("b", "acquire", "invoke", 20),
        ev("b", "acquire", "fail", 21),
      ]),
    ).toEqual([]);
  });
});
