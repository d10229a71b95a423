#!/usr/bin/env -S node --import tsx
// Where clock drift starts to break mutual exclusion, per driver (numbers for docs/chaos.md):
//   npm run bench:drift [-- --drivers reference,redlock@5 --rates 1.005,1.01,1.02 --tries 2]
// Every node's clock runs fast by the rate for the whole run (driftScenario); the first rate at
// which a contender wins the lock while the holder's lease is still valid is the threshold.
import { loadConfig } from "../fixtures/core/config.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { BUILTIN_DRIVERS, mutantDriver, resolveDriver } from "../fixtures/drivers/load.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { FleetPool } from "../fixtures/fleet/pool.ts";
import { driftPercent, driftScenario } from "../fixtures/chaos/drift.ts";
import { runScenario } from "../fixtures/chaos/run.ts";
import { DRIFT_ALLOWANCE } from "../fixtures/core/scenario.ts";
import { runCli } from "./cli.ts";
import { commaList, parseFlags, wholeNumber } from "./args.ts";

const MUTANT = "reference:no-drift";

await runCli(async () => {
  const { drivers, rates, tries } = parseFlags(
    process.argv.slice(2),
    {
      command: "bench:drift",
      usage: "usage: npm run bench:drift -- [--drivers a,b] [--rates 1.005,1.01,1.02] [--tries N]",
      options: {
        drivers: { type: "string", default: [...BUILTIN_DRIVERS, MUTANT].join(",") },
        rates: { type: "string", default: "1.005,1.01,1.02,1.05,1.1,1.25,1.5" },
        tries: { type: "string", default: "2" },
      },
    },
    ({ values }, problems) => {
      const rates = problems.take(commaList("--rates", values.rates)) ?? [];
      const bad = rates.filter((r) => !(Number(r) >= 1 && Number(r) <= 3));
      if (bad.length > 0)
        problems.add(
          `--rates: ${bad.join(", ")} ${bad.length === 1 ? "is not a number" : "are not numbers"} from 1 to 3`,
        );
      return {
        drivers: problems.take(commaList("--drivers", values.drivers, { known: [...BUILTIN_DRIVERS, MUTANT] })) ?? [],
        rates: rates.map(Number),
        tries: problems.take(wholeNumber("--tries", values.tries, { min: 1 })) ?? 0,
      };
    },
  );
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const pool = FleetPool.of(config, provider);
  console.log(
    `clock drift on every node (5 nodes, ttl 3000 ms, a contender retrying every 10 ms), ${tries} tries per rate, provider ${provider}; Redlock's allowance is ${DRIFT_ALLOWANCE * 100} %\n`,
  );
  console.log(
    "| driver | drift that breaks mutual exclusion | largest overlap there | rates tried (violations / tries) |",
  );
  console.log("|---|---|---|---|");
  try {
    for (const spec of drivers) {
      const driver = spec === MUTANT ? mutantDriver("no-drift") : await resolveDriver(spec, { nodeCount: 5 });
      const tried: string[] = [];
      let broken: { rate: number; overlap: string } | undefined;
      for (const rate of [...rates].sort((a, b) => a - b)) {
        let violations = 0;
        let overlap = "";
        for (let i = 0; i < tries; i++) {
          const result = await runScenario(driftScenario(rate), { config, provider, driver, pool });
          if (result.unsupported) throw new ConfigError(`${provider}: ${result.unsupported}`);
          const me = result.verdicts.find((v) => v.checker === "mutual-exclusion" && v.result === "invalid");
          if (me) {
            violations++;
            overlap = `${me.findings.map((f) => (f.kind === "overlap" ? f.overlapMs.toFixed(0) : "?")).join(", ")} ms`;
          }
        }
        tried.push(`×${rate} ${violations}/${tries}`);
        if (violations > 0) {
          broken = { rate, overlap };
          break;
        }
      }
      console.log(
        `| ${spec} | ${broken ? `${driftPercent(broken.rate)} % (×${broken.rate})` : `none up to ×${Math.max(...rates)}`} | ${broken?.overlap ?? "—"} | ${tried.join(", ")} |`,
      );
    }
  } finally {
    await pool.close();
  }
});
