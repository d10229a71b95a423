import { describe, expect, test } from "vitest";
import { monotonicMs, sleep } from "../fixtures/core/clock.ts";
import { ChildContender } from "../fixtures/harness/child-contender.ts";

/**
 * A child user's unanswered request, for real: the child stopped (SIGSTOP) with the request
 * pending, then killed. What the history records of it rests on these times (docs/chaos.md,
 * "Traced, 2026-12-07"): the call may have taken effect any time after it was sent.
 */
describe("ChildContender: a request the child dies on", () => {
  test("answers died, from when it was sent to when the death was noticed", { timeout: 60_000 }, async () => {
    const child = await ChildContender.prepare("reference");
    try {
      child.pause();
      const before = monotonicMs();
      const pending = child.request("teardown");
      const afterSend = monotonicMs();
      await sleep(300);
      const killedAt = monotonicMs();
      child.crash();
      const reply = await pending;
      expect(reply).toMatchObject({ ok: false, died: true });
      // Ordering, not timing: stamped between the two reads around the send, and ended after the kill.
      expect(reply.start).toBeGreaterThanOrEqual(before);
      expect(reply.start).toBeLessThanOrEqual(afterSend);
      expect(reply.end).toBeGreaterThanOrEqual(killedAt);
      // So it spans the sleep: far more than a timer firing a ms early could take from 300 ms.
      expect(
        reply.end - reply.start,
        `${(reply.end - reply.start).toFixed(1)} ms from send to noticed death`,
      ).toBeGreaterThanOrEqual(250);
      // A request after the death answers the same way, at once.
      const late = await child.request("teardown");
      expect(late).toMatchObject({ ok: false, died: true });
    } finally {
      await child.close();
    }
  });
});
