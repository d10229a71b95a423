// Prints the provider capability table (markdown) from what the code declares; docs/fleets.md embeds it,
// and suites/unit/external.test.ts keeps the two equal.
import { capabilityTable } from "../fixtures/harness/capabilities.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  console.log(await capabilityTable());
});
