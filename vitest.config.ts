import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Child processes and signals (SIGSTOP, SIGKILL) are part of the harness: forks, not threads.
    pool: "forks",
    // conformanceSuite's tests are concurrent, each in a property worker of its own (see
    // docs/speed.md); the workers cap them at RC_CONCURRENCY or the machine's default.
    maxConcurrency: 8,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // No `reporters` here: vitest's defaults add the github-actions reporter on GitHub Actions
    // (annotations on the failing lines); .ci/run and users pick others on the command line.
    projects: [
      {
        // Pure code (checkers, baselines, settings, bounds): no Redis, no Docker, seconds.
        extends: true,
        // Nothing timed against a bound: files run side by side (most of the time is CLIs loading).
        // (vitest reads fileParallelism from the root config only: per project it is maxWorkers,
        // and projects with different maxWorkers need their own sequence.groupOrder.)
        test: { name: "unit", include: ["suites/unit/**/*.test.ts"], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        // Real fleets: the global set-up validates input, resolves the provider and reaps leftovers.
        extends: true,
        // Timing-sensitive suites on a 2-core machine: one file at a time keeps margins honest.
        test: {
          name: "integration",
          include: ["suites/*.test.ts"],
          globalSetup: ["suites/global-setup.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
