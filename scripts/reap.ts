// Removes what killed runs left behind: redis-server processes from the ledger and labelled
// containers whose owner or test runner is gone. Runs of other live processes are not touched.
import { reapLeftovers } from "../fixtures/fleet/index.ts";
import { stateDir } from "../fixtures/core/config.ts";
import { runCli } from "./cli.ts";
import { parseFlags } from "./args.ts";

await runCli(async () => {
  parseFlags(process.argv.slice(2), {
    command: "reap",
    usage: "usage: npm run reap   (no arguments)",
    options: {},
  });
  const { processes, containers } = await reapLeftovers();
  console.log(`reaped ${processes} redis-server process(es) and ${containers} container(s) (ledger: ${stateDir()})`);
});
