#!/usr/bin/env bash
# What TLS between the nodes costs a request that crosses them. Two clusters run side by side, one on plain TCP,
# one with a cluster certificate (ops/cluster.sh up 2 --vmm simulated [--tls], each with its own PostgreSQL); each
# has a domain running on node2, and N pause/resume requests go to node1's API, alternating between the two
# clusters so that both see the same load on the machine. A request is acknowledged once node2's domain actor has
# persisted its event: two remoting hops and a journal write.
# Ends with: tls: plain p50 A ms p99 B ms, tls p50 C ms p99 D ms, p50 ratio Rx
#
#   ops/bench/tls.sh [--requests N]    N per cluster, default 1000; state in /tmp/vmc-tls-bench, ports 245xx/246xx
set -euo pipefail
cd "$(dirname "$0")/../.."

requests=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests=${2:?--requests needs a number}; shift ;;
    -h | --help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "tls.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ "$requests" =~ ^[1-9][0-9]*$ ]] || { echo "tls.sh: --requests '$requests' is not a positive number" >&2; exit 2; }

root=/tmp/vmc-tls-bench
mkdir -p "$root"
log=$root/bench.log
: >"$log"

# cluster MODE ARGS...: ops/cluster.sh for the plain or the tls cluster (its own state dir and ports).
cluster() {
  local mode=$1 offset=0
  shift
  [ "$mode" = tls ] && offset=10
  VMC_CLUSTER_DIR=$root/$mode VMC_PG_PORT=$((24532 + offset)) VMC_CLUSTER_PORT_BASE=$((24553 + offset)) \
    VMC_API_PORT_BASE=$((24610 + offset)) ops/cluster.sh "$@"
}
api() { if [ "$1" = tls ]; then echo 127.0.0.1:24620; else echo 127.0.0.1:24610; fi; }
token() { cat "$root/$1/node1/data/admin.token"; }
trap 'cluster plain down --purge >/dev/null 2>>"$log" || true; cluster tls down --purge >/dev/null 2>>"$log" || true' EXIT

for mode in plain tls; do
  flags=()
  [ "$mode" = tls ] && flags=(--tls)
  cluster "$mode" up 2 --vmm simulated "${flags[@]}" >/dev/null 2>>"$log" || { echo "tls.sh: the $mode cluster did not start (see $log)" >&2; exit 1; }
  VMC_TOKEN=$(token "$mode") artifacts/vmc/vmc "$(api "$mode")" domain create bench1 --vcpus 1 --memory 64 >/dev/null
  VMC_TOKEN=$(token "$mode") artifacts/vmc/vmc "$(api "$mode")" domain start bench1 --server node2 --wait >/dev/null
done

plain_token=$(token plain) tls_token=$(token tls)
: >"$root/plain.ms"
: >"$root/tls.ms"
for ((i = 0; i < requests; i++)); do
  if ((i % 2 == 0)); then verb=pause; else verb=resume; fi
  curl -sf -o /dev/null -w '%{time_total}\n' -X POST -H "Authorization: Bearer $plain_token" "http://$(api plain)/domains/bench1/$verb" >>"$root/plain.ms"
  curl -sf -o /dev/null -w '%{time_total}\n' -X POST -H "Authorization: Bearer $tls_token" "http://$(api tls)/domains/bench1/$verb" >>"$root/tls.ms"
done

# percentiles FILE: "p50 p99" in ms
percentiles() { sort -n "$1" | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'; }
read -r plain50 plain99 <<<"$(percentiles "$root/plain.ms")"
read -r tls50 tls99 <<<"$(percentiles "$root/tls.ms")"
echo "plain TCP: $requests requests through node1 to a domain on node2: ack p50 $plain50 ms, p99 $plain99 ms"
echo "TLS:       $requests requests through node1 to a domain on node2: ack p50 $tls50 ms, p99 $tls99 ms"
echo "tls: plain p50 $plain50 ms p99 $plain99 ms, tls p50 $tls50 ms p99 $tls99 ms, p50 ratio $(awk -v a="$tls50" -v b="$plain50" 'BEGIN { printf "%.2f", a / b }')x"
