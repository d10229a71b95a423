// Builds the clockshift preload library (fixtures/fleet/native/clockshift.c) with gcc, ahead of
// the first clock fault. Prints its path; exits 1 if it cannot be built (clock faults then fall
// back to rewriting TTLs, and reports say so).
import { clockshiftLibrary } from "../fixtures/fleet/clockshift.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "build:clockshift",
    usage: "usage: npm run build:clockshift   (no arguments)",
    options: {},
  });
  const path = clockshiftLibrary();
  if (!path)
    throw new Error(
      "clockshift could not be built (needs gcc and Linux); clock faults will use the ttl-rewrite fallback",
    );
  console.log(path);
});
