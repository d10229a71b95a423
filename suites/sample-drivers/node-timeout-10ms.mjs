// Edge driver of the vacuity audit: my-redlock with a 10 ms per-node timeout at every ttl — it
// refuses whatever a slow node would have answered, so faults that only slow nodes never meet a grant.
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) => createMyRedlock(ctx, { nodeTimeoutMs: () => 10, name: "node-timeout-10ms" });
