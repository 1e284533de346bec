#!/usr/bin/env bash
# A real node process (Cluster.Host, simulated VMM, SQLite) with many domains, driven over its HTTP API.
#
#   ops/bench/node.sh [--quick] [--defined N] [--running M] [--rate R] [--seconds S]
#
# Creates 100,000 domains and starts 10,000 (--quick: 10,000 and 1,000) through the API; prints the node's RSS;
# sends pause/resume requests at a steady R a second (1,000) for S seconds (30; --quick 10) and times each answer;
# then restarts the node (SIGTERM, start again) and times until every running domain runs again (the simulated
# VMMs end with the node's process, so each is started again, as after a host reboot). Ends with one line:
#   node: D defined, R running: RSS M MiB, restart T s (ready X s), p50 A ms p99 B ms at N requests/s
# ops/bench/scale.sh measures the domain actors and the journal in one process, without sharding or HTTP.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build src/Cluster.Host -c Release --nologo -v quiet >/dev/null || { dotnet build src/Cluster.Host -c Release --nologo -v quiet; exit 1; }
dotnet build ops/bench/NodeBench -c Release --nologo -v quiet >/dev/null || { dotnet build ops/bench/NodeBench -c Release --nologo -v quiet; exit 1; }
exec dotnet ops/bench/NodeBench/bin/Release/net10.0/NodeBench.dll --host-dll src/Cluster.Host/bin/Release/net10.0/Cluster.Host.dll "$@"
