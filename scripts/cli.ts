import { debugSetting } from "../fixtures/core/config.ts";
import { ConfigError, errorMessage, InfrastructureError } from "../fixtures/core/errors.ts";
import { UsageRequested } from "./args.ts";

/** The exit codes every command keeps (docs/conformance.md, "Exit codes"; README lists them in brief). */
export const EXIT = { asExpected: 0, unexpected: 1, badInput: 2, infrastructure: 3 } as const;

/**
 * Runs a CLI body, then exits: bad input prints one clear error (exit 2), infrastructure that
 * could not start (no redis-server or Docker, no image, no registry) exit 3, any other failure
 * prints an "Error:" line (exit 1); `--help` prints the usage (exit 0). Clean-up of started nodes
 * happens in the body's finally blocks and, on signals, in the fleet's emergency hooks.
 */
export async function runCli(main: () => Promise<void>): Promise<never> {
  try {
    await main();
  } catch (error) {
    if (error instanceof UsageRequested) {
      console.log(error.usage);
      process.exitCode = EXIT.asExpected;
    } else if (error instanceof ConfigError) {
      console.error(`Error: ${error.message}`);
      process.exitCode = EXIT.badInput;
    } else if (error instanceof InfrastructureError) {
      console.error(`Error: ${error.message}`);
      process.exitCode = EXIT.infrastructure;
    } else {
      console.error(
        `Error: ${error instanceof Error && error.stack && debugSetting() ? error.stack : errorMessage(error)}`,
      );
      process.exitCode = EXIT.unexpected;
    }
  }
  // Everything we started is closed by now; a hung driver call or a driver's stray timer must not
  // keep a finished command alive (a CI job would otherwise sit until its own time-out).
  process.exit();
}
