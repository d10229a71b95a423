// Prints only the properties on which two drivers differ: the way to regression-check an upgrade.
//   npm run compare -- redlock@5 ./candidate-driver.mjs
import { seedSetting, loadConfig } from "../fixtures/core/config.ts";
import { ConfigError } from "../fixtures/core/errors.ts";
import { reapLeftovers, resolveProvider } from "../fixtures/fleet/index.ts";
import { formatDiff, runDriver } from "../fixtures/properties/matrix.ts";
import { runCli } from "./cli.ts";

await runCli(async () => {
  const [a, b, ...rest] = process.argv.slice(2);
  if (!a || !b || rest.length > 0) throw new ConfigError("usage: npm run compare -- <driverA> <driverB>   (built-in names or module paths)");
  const config = loadConfig();
  const { provider } = await resolveProvider(config);
  await reapLeftovers({ docker: provider === "containers" });
  const seed = seedSetting();
  const runA = await runDriver(a, { config, provider, seed });
  const runB = await runDriver(b, { config, provider, seed });
  const { text, regressions } = formatDiff(runA, runB);
  console.log(text);
  if (regressions > 0) process.exitCode = 1;
});
