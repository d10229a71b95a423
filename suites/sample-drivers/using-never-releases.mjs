// Edge driver of the vacuity audit: my-redlock with a `using` that extends while the routine runs
// but never releases after it (the keys only expire by themselves).
import { createMyRedlock } from "./my-redlock.mjs";
import { withUsing } from "./with-using.mjs";

export default (ctx) => withUsing(createMyRedlock(ctx, { name: "using-never-releases" }), { release: false });
