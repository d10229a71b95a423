#!/usr/bin/env bash
# What the workflow next to this file runs, as one script so that it can be tested as it is
# (redlock-conformance's suites/ci-recipe.test.ts runs it in a scratch project):
#   1. the conformance run of the lock library this project has installed, with a JUnit report;
#   2. when the library's version differs from the one in the base branch's lock file (a
#      dependency bump), `compare old new`, which fails the job on a stable regression.
# usage: redlock-upgrade-check.sh <package> <base package-lock.json or ""> <report dir> [-- extra arguments for both commands]
# Exit: 0 as expected; 1 an unexpected result or a regression; 2 bad input; 3 infrastructure.
set -euo pipefail
package=${1:?usage: redlock-upgrade-check.sh <package> <base-lockfile> <report-dir> [-- args]}
base_lock=${2-}
reports=${3:-reports}
shift $(( $# < 3 ? $# : 3 ))
[ "${1-}" = "--" ] && shift
mkdir -p "$reports"

# The version a package-lock.json (v2/v3) records for the top-level install of the package.
locked_version() {
  node -e '
    const lock = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const entry = (lock.packages ?? {})["node_modules/" + process.argv[2]];
    process.stdout.write(entry?.version ?? "");
  ' "$1" "$package"
}

current=$(locked_version package-lock.json)
[ -n "$current" ] || { echo "Error: package-lock.json has no $package: install it first (npm install $package)" >&2; exit 2; }

status=0
npx --no-install redlock-conformance --driver "$package" --junit "$reports/conformance.xml" "$@" || status=$?
# 1 (unexpected results) still lets the upgrade comparison run; bad input or infrastructure stops here.
[ "$status" -le 1 ] || exit "$status"

previous=""
[ -n "$base_lock" ] && [ -f "$base_lock" ] && previous=$(locked_version "$base_lock")
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  echo "$package changed: $previous -> $current"
  npx --no-install redlock-conformance compare "$package@$previous" "$package@$current" --junit "$reports/compare.xml" "$@" || status=$?
else
  echo "$package unchanged (${current}): no comparison"
fi
exit "$status"
