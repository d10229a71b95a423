// A driver whose close() never settles even when it was never used: refused before any node starts.
import { hangOn } from "./hang-on.mjs";

export default hangOn("close", { evenUnused: true });
