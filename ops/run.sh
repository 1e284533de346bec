#!/usr/bin/env bash
# Installs what is missing, builds, and runs one node on the embedded default: a single-node cluster on
# 127.0.0.1, a SQLite journal in ./data, the HTTP API on 127.0.0.1:9110. Options pass through to the node
# (see `ops/run.sh --help`); Ctrl-C or SIGTERM stops it cleanly and leaves the VMs running for the next start.
set -euo pipefail
cd "$(dirname "$0")/.."
ops/prereqs.sh
ops/build.sh
echo "run: starting the node; once it logs 'node ready', in another shell: export PATH=\"$PWD/artifacts/vmc:\$PATH\" VMC_TOKEN=\$(cat data/admin.token); vmc cluster show"
exec artifacts/host/Cluster.Host "$@"
