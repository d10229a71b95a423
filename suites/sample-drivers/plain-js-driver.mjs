// A driver module as a user would write one in plain JavaScript: redlock@5 under the contract,
// with its own name. Used by the suites to prove that LOCK_DRIVER=./path.mjs works.
import Redlock, { Lock } from "redlock";

export default function createDriver({ clients }) {
  const redlock = new Redlock(clients);
  redlock.on("error", () => undefined);
  const lease = (lock) => ({ resources: lock.resources, value: lock.value, expiration: lock.expiration });
  const lock = (l) => new Lock(redlock, l.resources, l.value, [], l.expiration);
  return {
    name: "plain-js-redlock",
    acquire: async (resources, ttl, retry) => lease(await redlock.acquire(resources, ttl, retry ?? {})),
    extend: async (l, ttl) => lease(await lock(l).extend(ttl)),
    release: async (l) => {
      await lock(l).release();
    },
    close: async () => {},
  };
}
