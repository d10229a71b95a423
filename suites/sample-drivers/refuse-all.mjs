// Edge driver of the vacuity audit: refuses every acquisition at once, without asking any node.
// A property it passes must be one where refusing is the right answer (a must-fail whose situation
// the harness sets up); anything else is "not exercised" or a failure.
export default function createDriver() {
  return {
    name: "refuse-all",
    async acquire(resources) {
      throw new Error(`refuse-all: never grants ${resources.join(",")}`);
    },
    async extend() {
      throw new Error("refuse-all: never extends");
    },
    async release() {},
    async close() {},
  };
}
