import { defineConfig } from "vitest/config";

// A test run that the leak suite starts and then interrupts; never part of `npm test` itself.
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["suites/probes/*.probe.ts"],
    globalSetup: ["suites/global-setup.ts"],
    pool: "forks",
    testTimeout: 300_000,
  },
});
