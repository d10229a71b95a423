// my-redlock with one bug: extend counts a quorum of yes replies however long they took.
// The catalog must catch it (TE-4's client stall: a per-node timeout cannot refuse it).
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) =>
  createMyRedlock(ctx, { bug: "extend-without-elapsed-check", name: "my-redlock~extend-without-elapsed-check" });
