import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["suites/**/*.test.ts"],
    globalSetup: ["suites/global-setup.ts"],
    // Child processes and signals (SIGSTOP, SIGKILL) are part of the harness: forks, not threads.
    pool: "forks",
    // Timing-sensitive suites on a 2-core machine: one file at a time keeps margins honest.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: ["default"],
  },
});
