// Edge driver of the vacuity audit: my-redlock without a per-node timeout — every attempt waits
// for every node, however long a hung or blackholed one takes.
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) => createMyRedlock(ctx, { nodeTimeoutMs: () => null, name: "no-node-timeout" });
