// Edge driver of the vacuity audit: my-redlock whose extend reports success without asking any node.
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) => createMyRedlock(ctx, { extendNoop: true, name: "extend-noop" });
