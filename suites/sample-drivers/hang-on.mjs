// Sample drivers that never settle one step, as a buggy implementation would (a retry loop that
// never gives up, a promise nobody resolves). The suites use them to prove that every step of
// the example is bounded and that a hung driver neither hangs the run nor leaks anything.
import createWorkingDriver from "./plain-js-driver.mjs";

/** A working redlock@5 driver whose `step` never settles (close: only once the driver was used, unless `evenUnused`). */
export function hangOn(step, { evenUnused = false } = {}) {
  return (ctx) => {
    const driver = createWorkingDriver(ctx);
    let used = false;
    const hang = () =>
      new Promise(() => {
        // Keeps the event loop busy, like a runaway retry timer: the process must still end.
        setInterval(() => undefined, 1000);
      });
    const wrap =
      (name) =>
      (...args) => {
        if (name !== "close") used = true;
        if (name === step && (name !== "close" || used || evenUnused)) return hang();
        return driver[name](...args);
      };
    return {
      name: `hangs-on-${step}`,
      acquire: wrap("acquire"),
      extend: wrap("extend"),
      release: wrap("release"),
      close: wrap("close"),
    };
  };
}
