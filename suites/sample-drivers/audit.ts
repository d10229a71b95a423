import type { ResultStatus } from "../../fixtures/properties/runner.ts";

/**
 * The vacuity audit of the catalog (issue #23): drivers at the edges, and for each the status
 * every property must give it, with why that status is right. A pass of a driver that refuses
 * everything, or that grants without touching Redis, must be a pass that is right for it (a
 * must-fail property whose situation the harness sets up); anything else is not-exercised or a
 * failure. suites/audit.test.ts runs them (and the single-bug variants); suites/sample-drivers/
 * AUDIT.md is this table rendered (a unit test keeps the two the same).
 */
export interface AuditRow {
  /** Property ids, or "rest": every other property the driver runs. */
  ids: readonly string[] | "rest";
  status: ResultStatus;
  why: string;
}

export interface AuditedDriver {
  module: string;
  edge: string;
  /** The properties it runs; for a driver that changes one thing of my-redlock, those that thing can change (why the rest is the same, in `rest`). */
  runs: "all" | { only: readonly string[]; rest: string };
  rows: readonly AuditRow[];
}

const AE = ["AE-1", "AE-2", "AE-3", "AE-4", "AE-5", "AE-6", "AE-7"];
/** The properties with a node that is slow, paused, blackholed or silent: the only ones a per-node timeout changes. */
const SLOW_NODES = ["QU-3", "VA-4", "VA-3", "TE-4", "LV-4", "SC-3", "SC-4", "SC-5", "SC-6"];
const NO_USING: AuditRow = {
  ids: AE,
  status: "unsupported",
  why: "it has no `using` (optional in the contract): a visible skip, not a failure",
};
const OWN_REFUSALS =
  "a set-up acquisition on a healthy fleet was refused, so the situation never happened (QU-1 fails it for that)";
const NOT_A_LOCK =
  "its set-up lease is on no node: there is no lock to build the situation on (OV-1 and QU-1 fail it for that)";

export const AUDIT: readonly AuditedDriver[] = [
  {
    module: "my-redlock.mjs",
    edge: "the careful hand-written Redlock (per-node timeouts, elapsed-time and drift checks, owner-checked scripts, clean-up of failed attempts), no `using`",
    runs: "all",
    rows: [
      NO_USING,
      {
        ids: "rest",
        status: "pass",
        why: "a correct Redlock: each pass states the situation it exercised, with figures (VA-4 through the client stall, since its 250 ms per-node timeout refuses paused nodes)",
      },
    ],
  },
  {
    module: "refuse-all.mjs",
    edge: "refuses every acquisition at once, without asking any node",
    runs: "all",
    rows: [
      {
        ids: ["QU-2", "QU-3", "VA-3", "SC-2", "SC-4"],
        status: "pass",
        why: "must-fail properties whose situation the harness sets up (nodes held by another owner, stopped, hung, paused past the ttl, links slower than the ttl): refusing is the right answer whoever refuses. VA-3's client-stall shape says it was not exercised; its paused-nodes shape carries the pass",
      },
      {
        ids: ["QU-1", "RT-1", "RT-2", "MR-1", "SC-1", "SC-3"],
        status: "fail",
        why: "their statement is that an acquisition succeeds, or makes the attempts its retry strategy asks for: it makes none",
      },
      {
        ids: ["LV-4", "SC-5", "ER-1"],
        status: "fail",
        why: "should properties (informational): an acquisition that must succeed is refused; ER-1: contention and a majority down reject alike",
      },
      { ids: ["ME-1"], status: "not-exercised", why: "no hold was ever granted: nothing to say about exclusion" },
      {
        ids: ["CL-1", "CL-2", "SC-6"],
        status: "not-exercised",
        why: "the failed attempt never set a key on a free node, made no retries, sent nothing to the node whose replies are lost: nothing to clean up",
      },
      { ids: ["LV-3"], status: "not-exercised", why: "the free nodes never voted: the 2/2 split never formed" },
      NO_USING,
      { ids: "rest", status: "not-exercised", why: OWN_REFUSALS },
    ],
  },
  {
    module: "grant-all.mjs",
    edge: "grants every acquisition and extension at once, without touching Redis",
    runs: "all",
    rows: [
      {
        ids: [
          "ME-1",
          "QU-1",
          "QU-2",
          "QU-3",
          "VA-3",
          "CL-1",
          "OV-1",
          "RT-1",
          "RT-2",
          "LV-3",
          "MR-1",
          "SC-1",
          "SC-2",
          "SC-3",
          "SC-4",
          "SC-6",
        ],
        status: "fail",
        why: "overlapping holds, grants without a quorum on the nodes, grants that must be refusals (held, stopped, hung or paused nodes, slow links, a 2/2 split, 3 of 5 held while a reply is lost), no attempts",
      },
      {
        ids: ["CL-2", "SC-5"],
        status: "fail",
        why: "should properties (informational): a grant against 3 held nodes; a grant that is on no node",
      },
      {
        ids: ["VA-1", "VA-2", "VA-4"],
        status: "not-exercised",
        why: "no command naming the key reached a node: there is no request start to bound its expiration by",
      },
      {
        ids: ["LV-4"],
        status: "not-exercised",
        why: "nothing was sent to the paused node: the hang never met the request",
      },
      {
        ids: ["ER-1"],
        status: "not-exercised",
        why: "it granted what must be refused: there are no two rejections to compare",
      },
      NO_USING,
      { ids: "rest", status: "not-exercised", why: NOT_A_LOCK },
    ],
  },
  {
    module: "extend-noop.mjs",
    edge: "my-redlock whose extend reports success without asking any node",
    runs: {
      only: ["OV-3", "TE-1", "TE-2", "TE-3", "TE-4", "SC-7", "SC-14"],
      rest: "the same as my-redlock's, whose acquire and release it shares",
    },
    rows: [
      {
        ids: ["TE-1", "TE-2", "TE-3", "TE-4", "SC-7", "SC-14"],
        status: "fail",
        why: 'no PTTL moved; extensions of an expired lease, on a minority, slower than the ttl and after a majority restarted empty all "succeed"; after two restarts a quorum no longer holds the "extended" value',
      },
      {
        ids: ["OV-3"],
        status: "pass",
        why: "A's lease has expired by its own clock, and the driver refuses to extend an expired lease before anything else: the stale extend fails and B's keys stay, which is all OV-3 asks (TE-2 hands it a lease still valid by its clock, and fails it)",
      },
    ],
  },
  {
    module: "node-timeout-10ms.mjs",
    edge: "my-redlock with a 10 ms per-node timeout at every ttl",
    runs: {
      only: SLOW_NODES,
      rest: "the same as my-redlock's: where every node answers within 10 ms no timeout fires (the harness warms each fleet's scripts first)",
    },
    rows: [
      {
        ids: "rest",
        status: "pass",
        why: "the slow, paused, blackholed or silent node times out after 10 ms and the others decide (SC-3, LV-4, SC-5; SC-6 cleans up the node whose reply was lost). Where every node is slow the timeout refuses, which is right where no lease can be valid (VA-3's paused nodes, SC-4, TE-4's late replies, QU-3's hung shape); VA-4 cannot get a slow grant from paused nodes and gets it from the client stall, and TE-4's client stall is refused by the elapsed-time check, not the timeout",
      },
    ],
  },
  {
    module: "no-node-timeout.mjs",
    edge: "my-redlock without a per-node timeout: every attempt waits for every node",
    runs: {
      only: SLOW_NODES,
      rest: "the same as my-redlock's: where every node answers, no per-node timeout would have fired",
    },
    rows: [
      {
        ids: ["SC-6"],
        status: "fail",
        why: "a node whose reply is lost holds the attempt forever: the SET it applied is never cleaned up",
      },
      {
        ids: ["LV-4", "SC-5"],
        status: "fail",
        why: "should properties (informational): a paused or blackholed node holds every acquisition up",
      },
      {
        ids: "rest",
        status: "pass",
        why: "it waits for the slow or paused nodes, whose late answers then decide rightly: VA-4 gets its slow grant from the paused nodes themselves, VA-3's paused nodes and SC-4's slow links are refused by the elapsed-time check, TE-4 likewise, SC-3 waits 400 ms for the slow minority. QU-3's hung shape says it was not exercised (it waits for the paused nodes) and its stopped shape carries the pass",
      },
    ],
  },
  {
    module: "using-never-extends.mjs",
    edge: "my-redlock with a `using` that never extends the lock while the routine runs",
    runs: { only: AE, rest: "the same as my-redlock's: `using` is the only member it adds" },
    rows: [
      {
        ids: ["AE-1", "AE-2", "AE-6", "AE-7"],
        status: "fail",
        why: "the keys expire under a long routine; a lost lock is never noticed, so the signal never fires",
      },
      {
        ids: ["AE-3"],
        status: "pass",
        why: 'after the routine the keys are released and nothing is left running: right. Its "extension in flight" shape is not exercised (it never extends), and the result says so',
      },
      {
        ids: ["AE-4"],
        status: "pass",
        why: "the routine's own error reaches the caller: extension has nothing to do with it",
      },
      {
        ids: ["AE-5"],
        status: "not-exercised",
        why: "the signal never aborts, so there is no abort to return from (AE-2 fails it)",
      },
    ],
  },
  {
    module: "using-never-releases.mjs",
    edge: "my-redlock with a `using` that extends while the routine runs but never releases after it",
    runs: { only: AE, rest: "the same as my-redlock's: `using` is the only member it adds" },
    rows: [
      {
        ids: ["AE-3"],
        status: "fail",
        why: "the routine's value is still on every node when using settles (read at once, before the keys could expire by themselves)",
      },
      {
        ids: ["AE-1", "AE-2", "AE-4", "AE-6", "AE-7"],
        status: "pass",
        why: "what happens while the routine runs (kept, lost and signalled, a stall, a slow acquisition) and the routine's own error: releasing is not part of them",
      },
      {
        ids: ["AE-5"],
        status: "pass",
        why: "after an abort the call settles at once — it releases nothing, which AE-3 fails",
      },
    ],
  },
];

/** The single-bug variants of my-redlock the catalog must catch, 5 of 5 runs, with a margin ≥ 50 ms. */
export const VARIANTS: ReadonlyArray<{ module: string; bug: string; caughtBy: string }> = [
  {
    module: "my-redlock-validity-from-end.mjs",
    bug: "validity counted from the end of the acquisition",
    caughtBy: "VA-4",
  },
  { module: "my-redlock-timeout-counts-as-yes.mjs", bug: "a per-node timeout counted as a yes vote", caughtBy: "QU-3" },
  {
    module: "my-redlock-extend-without-elapsed-check.mjs",
    bug: "extend without the elapsed-time check",
    caughtBy: "TE-4",
  },
];

/** The status the audit expects of one property for one driver, with why; undefined when the driver does not run it. */
export function expectedOf(driver: AuditedDriver, id: string): AuditRow | undefined {
  if (driver.runs !== "all" && !driver.runs.only.includes(id)) return undefined;
  return driver.rows.find((r) => r.ids !== "rest" && r.ids.includes(id)) ?? driver.rows.find((r) => r.ids === "rest");
}

/** AUDIT.md's tables, from the data above. */
export function renderAudit(): string {
  const lines: string[] = [];
  for (const d of AUDIT) {
    lines.push(`### \`${d.module}\` — ${d.edge}`, "");
    if (d.runs !== "all") lines.push(`Runs ${d.runs.only.join(", ")}. Every other property: ${d.runs.rest}.`, "");
    lines.push("| properties | result | why that is right |", "|---|---|---|");
    for (const r of d.rows)
      lines.push(
        `| ${r.ids === "rest" ? "all others" : r.ids.join(", ")} | ${r.status} | ${r.why.replace(/\|/g, "\\|")} |`,
      );
    lines.push("");
  }
  lines.push(
    "### Single-bug variants of `my-redlock.mjs` (each must fail in 5 of 5 runs, with a margin ≥ 50 ms)",
    "",
    "| module | bug | caught by |",
    "|---|---|---|",
  );
  for (const v of VARIANTS) lines.push(`| \`${v.module}\` | ${v.bug} | ${v.caughtBy} |`);
  return lines.join("\n");
}
