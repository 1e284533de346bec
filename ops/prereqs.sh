#!/usr/bin/env bash
# Installs what this project needs and is missing: QEMU (qemu-system-x86, qemu-utils) from Debian's
# packages, and the tiny real guest (ops/guest/build.sh). Idempotent; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null; then
  echo "prereqs: the .NET SDK 10 is required (dotnet not found on PATH)" >&2
  exit 1
fi

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v qemu-img >/dev/null; then
  echo "prereqs: installing QEMU (qemu-system-x86, qemu-utils)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends qemu-system-x86 qemu-utils >/dev/null
fi

ops/guest/build.sh >/dev/null
