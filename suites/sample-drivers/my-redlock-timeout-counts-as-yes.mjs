// my-redlock with one bug: a node that does not answer within the per-node timeout counts as a yes vote.
// The catalog must catch it (QU-3's hung shape, VA-3's paused nodes).
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) =>
  createMyRedlock(ctx, { bug: "timeout-counts-as-yes", name: "my-redlock~timeout-counts-as-yes" });
