// Prints the provider capability table (markdown) from what the code declares; README embeds it.
import { capabilityTable } from "../fixtures/harness/capabilities.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  console.log(await capabilityTable());
});
