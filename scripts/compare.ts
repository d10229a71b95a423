// Prints only the properties on which two drivers differ: the way to regression-check an upgrade.
//   npm run compare -- redlock@5 ./candidate-driver.mjs
import { loadConfig } from "../fixtures/config.ts";
import { ConfigError } from "../fixtures/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { formatDiff, runDriver } from "../fixtures/matrix.ts";
import { defaultSeed } from "../fixtures/properties/runner.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  const [a, b, ...rest] = process.argv.slice(2);
  if (!a || !b || rest.length > 0) throw new ConfigError("usage: npm run compare -- <driverA> <driverB>   (built-in names or module paths)");
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = defaultSeed();
  const runA = await runDriver(a, { config, provider, seed });
  const runB = await runDriver(b, { config, provider, seed });
  const { text, regressions } = formatDiff(runA, runB);
  console.log(text);
  if (regressions > 0) process.exitCode = 1;
});
