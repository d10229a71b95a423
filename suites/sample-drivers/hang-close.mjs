// A driver whose close() never settles (see hang-on.mjs).
import { hangOn } from "./hang-on.mjs";

export default hangOn("close");
