#!/usr/bin/env bash
# Many domains on one node: SQLite with the node's configuration, real domain actors, the simulated VMM.
#
#   ops/bench/scale.sh [--quick] [--config FILE]    FILE: HOCON over the node's configuration
#
# Creates 100,000 domains and starts 10,000 (--quick: 10,000 and 1,000); prints the heap per domain actor and the
# process RSS; runs pause/resume commands at a steady 1,000/s over the running domains (ack latency p50/p99);
# then restarts the actor system (the simulated VMMs survive, as QEMU outlives the node), wakes the domains as a node
# start does (CatalogWakeup: in name order, a window at a time) and times until every
# running domain has been adopted again. Ends with one line:
#   scale: D defined, R running: K KB heap per domain, RSS M MiB, restart T s, p50 A ms p99 B ms at N cmd/s
set -euo pipefail
cd "$(dirname "$0")/../.."
PROJECT=ops/bench/ScaleBench/ScaleBench.csproj
dotnet build "$PROJECT" -c Release --nologo -v quiet >/dev/null \
  || { dotnet build "$PROJECT" -c Release --nologo -v quiet; exit 1; }
ops/bench/ScaleBench/bin/Release/net10.0/ScaleBench "$@"
