#!/usr/bin/env bash
# Fault-injection suite for invariant 1 (at most one running VMM per domain), invariant 2 (no acknowledged
# request is lost) and failover times (DESIGN.md), on a real 3-node QEMU cluster on loopback.
#
#   ops/faults/run.sh [--rounds N] [--domains M] [--quick] [--seed S] [--kinds kill9,stop,partition,pg-restart,restart-all]
#                     [--fault-seconds S] [--heal-seconds S]
#
# Starts its own cluster (ops/cluster.sh up 3 --vmm qemu) in its own state dir and ports, creates M HA domains
# (default 30) spread over the servers, watches /proc from outside the cluster every ~100 ms for a domain with two
# live QEMU processes, and runs N rounds (default 6) of faults: kill9 (kill -9 a node's host), stop (SIGSTOP it for
# 15 s, then SIGCONT), partition (drop its cluster traffic on lo for 15 s with iptables), pg-restart (restart
# PostgreSQL), restart-all (SIGTERM to every node at once, then all started again: every running HA domain must run
# again, once). --quick: 12 domains, one round of each kind but restart-all (kill9, partition, stop, pg-restart): the short form
# ops/test.sh runs. Each round starts with the cluster whole: a node that went down after the previous round healed
# is that round's collateral damage and is restarted first.
# Ends with one line:
#   faults: R rounds, K faults, double-runs D, lost-acks L, failover p50 X s p99 Y s
# and exits non-zero if D > 0, L > 0, a round did not heal, or the suite could not run. The cluster is always torn
# down (ops/cluster.sh down, then any leftover process of the state dir is killed); its logs stay in the state dir
# (purged by the next run), the suite's log in STATE-suite.log, and logs of any violation in STATE-evidence/.
#
# Environment (defaults chosen not to collide with ops/cluster.sh's defaults or other clusters here):
#   VMC_FAULTS_DIR (/tmp/vmc-faults), VMC_FAULTS_PG_PORT (35432), VMC_FAULTS_CLUSTER_PORT_BASE (6053),
#   VMC_FAULTS_API_PORT_BASE (9310). VMC_FAULTS_PRODUCT=DIR tests the checkout in DIR (its ops/cluster.sh, ops/pg.sh
#   and artifacts/, built there when missing or stale) instead of this one, e.g. a `git archive HEAD` export while
#   others edit this working tree.
# Needs root (QEMU, PostgreSQL, iptables), Debian 12, the .NET 10 SDK. Installs iptables with apt-get if missing.
set -uo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD

PRODUCT=${VMC_FAULTS_PRODUCT:-$REPO}
export VMC_FAULTS_REPO=$PRODUCT
export VMC_FAULTS_DIR=${VMC_FAULTS_DIR:-/tmp/vmc-faults}
export VMC_FAULTS_PG_PORT=${VMC_FAULTS_PG_PORT:-35432}
export VMC_FAULTS_CLUSTER_PORT_BASE=${VMC_FAULTS_CLUSTER_PORT_BASE:-6053}
export VMC_FAULTS_API_PORT_BASE=${VMC_FAULTS_API_PORT_BASE:-9310}
STATE=$VMC_FAULTS_DIR

for arg in "$@"; do
  case "$arg" in -h | --help) exec dotnet run --project ops/faults/FaultSuite -c Release -- --help ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "faults: run as root (QEMU, PostgreSQL and iptables need it)" >&2; exit 1; }

# The last line of defence, whatever happens to the suite (it tears down itself, this is for the case it could
# not): stop the cluster of our state dir and kill anything of it that is left, by pid.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  if [ -n "${suite_pid:-}" ] && kill -0 "$suite_pid" 2>/dev/null; then
    kill -TERM "$suite_pid" 2>/dev/null
    wait "$suite_pid" 2>/dev/null
  fi
  if [ -f "$STATE/.vmc-faults" ]; then
    local left
    left=$(leftovers)
    if [ -n "$left" ]; then
      echo "faults: cleanup: processes of $STATE still running: $left; ops/cluster.sh down" >&2
      VMC_CLUSTER_DIR=$STATE VMC_PG_PORT=$VMC_FAULTS_PG_PORT VMC_CLUSTER_PORT_BASE=$VMC_FAULTS_CLUSTER_PORT_BASE \
        VMC_API_PORT_BASE=$VMC_FAULTS_API_PORT_BASE ops/cluster.sh down >&2 || true
      left=$(leftovers)
      # shellcheck disable=SC2086
      [ -z "$left" ] || { echo "faults: cleanup: SIGKILL $left" >&2; kill -CONT $left 2>/dev/null; kill -KILL $left 2>/dev/null; }
    fi
    if command -v iptables >/dev/null; then
      local chain=VMCFAULTS$VMC_FAULTS_CLUSTER_PORT_BASE
      while iptables -w -D OUTPUT -o lo -j "$chain" 2>/dev/null; do :; done
      iptables -w -F "$chain" 2>/dev/null
      iptables -w -X "$chain" 2>/dev/null
    fi
  fi
  exit "$rc"
}

# Pids of Cluster.Host, watchdog.sh and qemu-system processes with an argument under the state dir.
leftovers() {
  local dir pid args
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    args=$(tr '\0' '\n' 2>/dev/null <"$dir/cmdline") || continue
    grep -qF "$STATE/" <<<"$args" || continue
    grep -qE '(^|/)(Cluster\.Host|watchdog\.sh|qemu-system[^/]*)$' <<<"$args" || continue
    [[ "$(cat "$dir/stat" 2>/dev/null)" =~ \)\ Z\  ]] && continue
    printf '%s ' "$pid"
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

if ! command -v iptables >/dev/null; then
  echo "faults: installing iptables (for partition rounds)" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq --no-install-recommends iptables || { apt-get update -qq && apt-get install -y -qq --no-install-recommends iptables; }; } >&2 \
    || echo "faults: could not install iptables; partition rounds will be replaced by kill9" >&2
fi

# The node and vmc: built when missing or older than the sources (ops/cluster.sh only builds when missing).
if [ ! -x "$PRODUCT/artifacts/host/Cluster.Host" ] || [ ! -x "$PRODUCT/artifacts/vmc/vmc" ] \
  || [ -n "$(cd "$PRODUCT" && find src akka.hocon \( -path '*/bin' -o -path '*/obj' \) -prune -o -type f -newer artifacts/host/Cluster.Host.dll \( -name '*.cs' -o -name '*.csproj' -o -name '*.hocon' \) -print -quit 2>/dev/null)" ]; then
  echo "faults: building the node and vmc ($PRODUCT/ops/build.sh)" >&2
  "$PRODUCT/ops/build.sh" >&2 || { echo "faults: ops/build.sh failed" >&2; exit 1; }
fi
[ "$PRODUCT" = "$REPO" ] || echo "faults: testing the product in $PRODUCT" >&2
echo "faults: building the suite (dotnet build ops/faults/FaultSuite -c Release)" >&2
dotnet build ops/faults/FaultSuite -c Release --nologo -v quiet >&2 || { echo "faults: the suite does not build" >&2; exit 1; }

dotnet ops/faults/FaultSuite/bin/Release/net10.0/FaultSuite.dll "$@" &
suite_pid=$!
wait "$suite_pid"
rc=$?
# A signal interrupts `wait`; wait for the suite's own teardown to finish.
while kill -0 "$suite_pid" 2>/dev/null; do wait "$suite_pid"; rc=$?; done
suite_pid=
exit "$rc"
