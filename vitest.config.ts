import { defineConfig } from "vitest/config";

/** Integration files that run alone (see the projects below and docs/speed.md). */
const INTEGRATION_ALONE = [
  // Its SIGKILL cases leave orphans on purpose and count what the reaper takes: on containers the
  // reaper of any CLI starting beside it (and hardening's orphan count) would see them too.
  "suites/leaks.test.ts",
  "suites/conformance.test.ts",
  "suites/audit.test.ts",
  "suites/mutants.test.ts",
  "suites/chaos.test.ts",
  // Its retry window is judged against round trips measured just before: a neighbour's burst would move it.
  "suites/example3.test.ts",
];

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
        // Real fleets, judged against timing bounds or heavy on the two cores (property workers,
        // campaigns), or leaving orphans on purpose: one file at a time keeps their margins and
        // counts honest. The global set-up validates input, resolves the provider and reaps leftovers.
        extends: true,
        test: {
          name: "integration",
          include: INTEGRATION_ALONE,
          globalSetup: ["suites/global-setup.ts"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Real fleets, but files that mostly wait (on signals, exits, containers, a browser, npm)
        // and judge no tight bound themselves: two at a time. Each looks only at what it started
        // (its own state dir, ports, pids and containers; hardening and the package suite count
        // orphans by owner). The packed package's runs of the bin are the heaviest here: at most
        // four at a time (its groups run one after another).
        extends: true,
        test: {
          name: "integration-waiting",
          include: ["suites/*.test.ts"],
          exclude: INTEGRATION_ALONE,
          globalSetup: ["suites/global-setup.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
