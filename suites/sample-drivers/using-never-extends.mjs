// Edge driver of the vacuity audit: my-redlock with a `using` that never extends the lock while
// the routine runs (its keys expire under a long routine).
import { createMyRedlock } from "./my-redlock.mjs";
import { withUsing } from "./with-using.mjs";

export default (ctx) => withUsing(createMyRedlock(ctx, { name: "using-never-extends" }), { extend: false });
