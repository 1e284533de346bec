#!/usr/bin/env bash
# Real node processes (Cluster.Host, simulated VMM) with many domains, driven over the HTTP API as vmc drives them.
#
#   ops/bench/node.sh [--quick] [--defined N] [--running M] [--rate R] [--seconds S] [--nodes K] [--pg]
#
# Creates 100,000 domains and starts 10,000 (--quick: 10,000 and 1,000) through the first node's API; prints each
# node's RSS; sends pause/resume requests at a steady R a second (1,000) for S seconds (30; --quick 10) and times
# each answer; then restarts every node (SIGTERM, start again) and times until every running domain runs again
# (the simulated VMMs end with their node's process, so each is started again, as after a host reboot): first with
# the plugin's own recovery reads (the baseline), then as configured (DirectSqlJournal).
# One node keeps SQLite in its data dir (--pg: PostgreSQL); --nodes K above 1 runs K nodes on one private PostgreSQL on
# 127.0.0.1:$VMC_BENCH_PG_PORT (default 35432), stopped at the end. Ends with one line:
#   node: D defined, R running: RSS M MiB (S MiB settled, W MiB restarted), restart T s (ready X s; Fx faster than
#   the plugin's reads, B s), p50 A ms p99 B ms at N requests/s
# (M: the largest node right after the creates and starts; S: once the stopped domains were idle for
# vmc.domains.passivate-idle-after and the node trimmed its heap; W: the same after the restart's wake-up).
# ops/bench/scale.sh measures the domain actors and the journal in one process, without sharding or HTTP.
set -euo pipefail
cd "$(dirname "$0")/../.."
build() { dotnet build "$1" -c Release --nologo -v quiet >/dev/null || { dotnet build "$1" -c Release --nologo -v quiet; exit 1; }; }
build src/Cluster.Host
build ops/bench/NodeBench

db=()
nodes=1
args=("$@")
pg=
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = --nodes ] && nodes=${args[$((i + 1))]:-1}
  [ "${args[$i]}" = --pg ] && pg=1
done
if [ "$nodes" -gt 1 ] || [ -n "$pg" ]; then
  pgdir=$(mktemp -d /tmp/vmc-node-bench-pg.XXXXXX)
  chmod 0755 "$pgdir"
  trap 'ops/pg.sh stop "$pgdir/pg" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  db=(--db "$(ops/pg.sh start "$pgdir/pg" "${VMC_BENCH_PG_PORT:-35432}")")
fi
dotnet ops/bench/NodeBench/bin/Release/net10.0/NodeBench.dll --host-dll src/Cluster.Host/bin/Release/net10.0/Cluster.Host.dll "${db[@]}" "$@"
