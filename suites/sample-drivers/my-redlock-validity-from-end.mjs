// my-redlock with one bug: validity counted from the end of the acquisition, not its start.
// The catalog must catch it (VA-4, on an acquisition it slows down on purpose).
import { createMyRedlock } from "./my-redlock.mjs";

export default (ctx) => createMyRedlock(ctx, { bug: "validity-from-end", name: "my-redlock~validity-from-end" });
