#!/usr/bin/env bash
# Publishes the node and vmc to artifacts/ (artifacts/host/Cluster.Host, artifacts/vmc/vmc).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/Cluster.Host -c Release -o artifacts/host --nologo -v quiet
dotnet publish src/Cluster.Cli -c Release -o artifacts/vmc --nologo -v quiet
