// Edge driver of the vacuity audit: grants every acquisition and extension at once, without
// touching Redis. Nothing it "holds" is on any node, so no property may pass on its word alone.
import { randomBytes } from "node:crypto";

export default function createDriver() {
  return {
    name: "grant-all",
    async acquire(resources, ttl) {
      return { resources: [...resources], value: randomBytes(16).toString("hex"), expiration: Date.now() + ttl };
    },
    async extend(lease, ttl) {
      return { ...lease, expiration: Date.now() + ttl };
    },
    async release() {},
    async close() {},
  };
}
