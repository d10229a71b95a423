// A driver whose release() never settles (see hang-on.mjs).
import { hangOn } from "./hang-on.mjs";

export default hangOn("release");
