// Prints the provider capability table (markdown) from what the code declares; docs/fleets.md embeds it,
// and suites/unit/external.test.ts keeps the two equal.
import { capabilityTable } from "../fixtures/harness/capabilities.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "capabilities",
    usage: "usage: npm run capabilities   (no arguments)",
    options: {},
  });
  console.log(await capabilityTable());
});
