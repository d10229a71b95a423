// The floors of the code base (docs/ARCHITECTURE.md): a module may import its own room and any
// room on a floor below; never a room above, never a sibling on its own floor (siblings talk
// through the floor below). `npm run check:layers` fails on any other import, and on cycles.
const FLOORS = [
  ["core"], //                         ground: contract, time, errors, settings, state dir, ledger
  ["fleet", "clients"], //            mechanisms that touch Redis nodes and connections
  ["faults", "drivers", "history"], // roles: the nemesis's tools, lock adapters, histories + checkers
  ["harness"], //                      fleet + clients + driver opened as one; the example3 program
  ["workload", "nemesis"], //          lock users over a harness; timed fault steps over its nodes and links
  ["properties", "chaos"], //          the catalog, runner, baselines, matrix; generated runs (fast-check)
  ["vitest"], //                       glue for the suites
];
const FRONT_ENDS = "^(scripts|suites|bin)/|^fixtures/index\\.ts$";
const room = (name) => `^fixtures/${name}/`;

const rules = [];
FLOORS.forEach((rooms, floor) => {
  const above = FLOORS.slice(floor + 1).flat();
  for (const name of rooms) {
    const siblings = rooms.filter((other) => other !== name);
    const forbidden = [...above, ...siblings];
    rules.push({
      name: `${name}-imports-only-downward`,
      comment: `fixtures/${name} (floor ${floor}) may import fixtures/${FLOORS.slice(0, floor).flat().join(", fixtures/") || "(nothing of ours)"} and itself; not ${forbidden.join(", ")}`,
      severity: "error",
      from: { path: room(name) },
      to: { path: forbidden.length ? `^fixtures/(${forbidden.join("|")})/` : "^$" },
    });
  }
});
rules.push({
  name: "fixtures-never-import-front-ends",
  comment: "the library never imports a CLI, a suite or the public entry point",
  severity: "error",
  from: { path: "^fixtures/" },
  to: { path: FRONT_ENDS },
});
// The modules each floor offers its front ends (the CLIs in scripts/ and the package's bin): a CLI
// parses, calls one of these and prints; anything else a floor holds is its own business. Suites
// are front ends too, but they test the floors from inside and may import any module.
const ENTRY_POINTS = [
  "core/(config|errors|clock|identity|junit|scenario|flags)", // settings, errors, time, identities, JUnit, scenarios, flag validators
  "fleet/(index|pool|clockshift|credentials)", //          providers, pools, the preload build, node URLs
  "clients/index", //                                      one client set per fleet
  "faults/proxy", //                                       the link proxy (its own bench measures it)
  "drivers/(load|reference)", //                          driver specs, the reference and its mutations
  "history/(verdict|verdict-text)", //                     verdicts as data, and their wording
  "harness/(harness|example3|capabilities)", //            the harness, the main job, the capability table
  "workload/bench", //                                     the driver bench
  "properties/(runner|run-properties|concurrency|workers|shard|merge|catalog|baselines|judgement|matrix|compare)", // conformance (side by side), its judgement and comparisons
  "chaos/(command|options|record|summary|run|campaign|judge|drift|merge-campaigns|compare-campaigns|run-folder)", // the chaos command, the runs the benches time, campaigns side by side
];
rules.push({
  name: "front-ends-import-only-entry-points",
  comment: `scripts/ and bin/ may import from fixtures/ only its entry points: ${ENTRY_POINTS.join("; ")} (and fixtures/index.ts)`,
  severity: "error",
  from: { path: "^(scripts|bin)/" },
  to: { path: "^fixtures/", pathNot: [`^fixtures/(${ENTRY_POINTS.join("|")})\\.ts$`, "^fixtures/index\\.ts$"] },
});
rules.push({
  name: "every-fixture-module-has-a-floor",
  comment: "a module directly under fixtures/ (other than index.ts) has no floor: put it in a room",
  severity: "error",
  from: { path: "^fixtures/[^/]+\\.ts$", pathNot: "^fixtures/index\\.ts$" },
  to: {},
});
rules.push({
  name: "no-circular",
  comment: "no import cycles, not even inside a room",
  severity: "error",
  from: {},
  to: { circular: true },
});

module.exports = {
  forbidden: rules,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6"],
  },
};
