// A driver whose factory talks to the nodes while it is being built (it checks that every node
// answers a script), as some libraries do when they load their scripts up front. Validation over
// inert clients cannot judge it, so it is checked at its real creation instead.
import createWorkingDriver from "./plain-js-driver.mjs";

export default async function createDriver(ctx) {
  await Promise.all(ctx.clients.map((client) => client.eval("return 1", 0, [])));
  return { ...createWorkingDriver(ctx), name: "uses-clients-at-creation" };
}
