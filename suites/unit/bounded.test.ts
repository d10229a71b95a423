import { expect, test } from "vitest";
import { CommandLog } from "../../fixtures/clients/command-log.ts";
import { DriverCallTimeout } from "../../fixtures/core/errors.ts";
import { boundedCall } from "../../fixtures/drivers/bounded.ts";

const settlesAfter = (ms: number) => () => new Promise<string>((resolve) => setTimeout(() => resolve("done"), ms));
const bound = { ms: 40, how: "a test bound" };

test("a call past its bound is a time-out; time the harness stalled the process is added to the bound", async () => {
  await expect(boundedCall("d", "acquire", bound, settlesAfter(120), new CommandLog())).rejects.toBeInstanceOf(
    DriverCallTimeout,
  );
  const stalled = new CommandLog();
  const call = boundedCall("d", "acquire", bound, settlesAfter(120), stalled);
  setTimeout(() => stalled.noteStall(150), 10); // as an injected stall records itself
  await expect(call).resolves.toBe("done");
});
