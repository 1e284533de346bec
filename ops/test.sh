#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test project one after another (the integration tests
# start real nodes and real QEMU processes; two cores are better used by one project at a time), then the short
# form of the fault-injection suite.
# Ends with one line: `N passed, N failed[, N skipped]`; exits non-zero if a test failed or none ran.
# --ci: the short form CI runs: without the load-balancing test (Category=Load), whose guests' CPU share swings with
# whatever else the machine runs; run it with the full form or by its filter (README, "Pools and scheduling").
set -uo pipefail
short=false
[ "${1:-}" = "--ci" ] && short=true
cd "$(dirname "$0")/.."
ops/prereqs.sh || exit 1
dotnet build Actors.sln -c Release --nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0 broken=0
log=$(mktemp)
# The names of what failed, repeated just above the summary line: CI shows only the end of a long output.
failures=$(mktemp)
for project in tests/*/*.csproj; do
  echo "== $(basename "$project" .csproj)"
  filter=()
  if $short && [ "$(basename "$project" .csproj)" = Cluster.Host.Tests ]; then
    filter=(--filter "Category!=Load")
    echo "(short form: without the load-balancing test, Category=Load)"
  fi
  dotnet test "$project" -c Release --no-build --nologo "${filter[@]}" 2>&1 | tee "$log" | grep -E '^\s*(Failed|Skipped) |Passed!|Failed!|error' || true
  grep -A4 'Error Message' "$log" | head -n 60 || true
  grep -E '^\s*Failed ' "$log" | sed "s/^ */$(basename "$project" .csproj): /" >> "$failures" || true
  summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ] && grep -q 'No test is available' "$log"; then
    echo "(no tests)"
    continue
  fi
  if [ -z "$summary" ]; then
    echo "test.sh: $project produced no test summary" >&2
    echo "$(basename "$project" .csproj): no test summary (crashed or did not build)" >> "$failures"
    broken=$((broken + 1))
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$summary")
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
rm -f "$log"

# The short form of the fault-injection suite (a real 3-node QEMU cluster, one round of each fault kind) counts
# as one test: it fails on a double run, a lost acknowledged request or a round that does not heal.
echo "== faults --quick"
if ops/faults/run.sh --quick; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "faults --quick (its evidence is above)" >> "$failures"; fi

if [ -s "$failures" ]; then echo "== failed"; cat "$failures"; fi
rm -f "$failures"

failed=$((failed + broken))
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
