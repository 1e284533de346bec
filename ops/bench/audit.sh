#!/usr/bin/env bash
# Audit benchmark: N synthetic domain events (1,000,000; --quick: 100,000) in SQLite and in a private
# PostgreSQL, projected into the audit table; then "one domain, one day" asked of the table (p50/p99) and of
# CurrentEventsByTag (the baseline, same run: median of --scans scans, default 3; --quick: 1), `audit stats` over a
# day, and the projection's catch-up rate.
# Time on 2 cores: --quick ~1.5 min; the full form ~20 min, most of it writing 1,000,000 events through the journal
# plugin (its tag table) into PostgreSQL. Each baseline scan at 1,000,000 events takes ~40 s (this plugin version
# reads each event's tags with a sub-select over the tag table): --scans 1 saves ~3 min.
# Ends with: audit: p50 X ms, p99 Y ms, scan baseline Z ms, speed-up Nx   (the slower database of the two)
#
#   ops/bench/audit.sh [--quick] [--events N] [--scans N] [--port PORT]   PostgreSQL port default 25432 (127.0.0.1 only)
set -euo pipefail
cd "$(dirname "$0")/../.."

events=1000000 scans=3 port=25432
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) events=100000 scans=1 ;;
    --events) events=${2:?--events needs a number}; shift ;;
    --scans) scans=${2:?--scans needs a number}; shift ;;
    --port) port=${2:?--port needs a number}; shift ;;
    -h | --help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "audit.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
for n in "$events" "$scans"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "audit.sh: '$n' is not a positive whole number (--events, --scans)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/vmc-audit-bench.XXXXXX)
chmod 0755 "$work"
cleanup() {
  ops/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "audit.sh: building the bench" >&2
dotnet build ops/bench/AuditBench -c Release --nologo -v quiet >&2
bench=ops/bench/AuditBench/bin/Release/net10.0/AuditBench.dll

results=$work/results
dotnet "$bench" sqlite "$events" "$scans" "$work/sqlite" | tee -a "$results"
pg=$(ops/pg.sh start "$work/pg" "$port")
dotnet "$bench" postgresql "$events" "$scans" "$work/pgdata" "$pg" | tee -a "$results"

# The final line reports the worse database: the higher p50 and p99, and the smaller speed-up with its baseline.
awk '/^RESULT/ {
       if ($3 > p50) p50 = $3; if ($4 > p99) p99 = $4
       up = $5 / $3; if (best == "" || up < best) { best = up; base = $5 }
       if (cu == "" || $7 < cu) cu = $7; if ($6 > st) st = $6
     }
     END {
       printf "audit: stats over a day %.0f ms, catch-up %.0f events/s (slower database)\n", st, cu
       printf "audit: p50 %.1f ms, p99 %.1f ms, scan baseline %.0f ms, speed-up %.0fx\n", p50, p99, base, best
     }' "$results" | grep -v '^$'
