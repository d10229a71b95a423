// A TypeScript driver module: a user's fork that wraps the built-in one and renames it.
import type { DriverContext, LockDriver } from "../../fixtures/core/contract.ts";
import createRedlock5 from "../../fixtures/drivers/redlock5.ts";

export default async function createDriver(ctx: DriverContext): Promise<LockDriver> {
  const inner = await createRedlock5(ctx);
  return { ...inner, name: "typescript-fork" };
}
