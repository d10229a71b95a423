// A driver whose acquire() never settles (see hang-on.mjs).
import { hangOn } from "./hang-on.mjs";

export default hangOn("acquire");
