#!/usr/bin/env bash
# A multi-node vmc cluster on this machine, on loopback, sharing one private PostgreSQL.
#
#   ops/cluster.sh up N [--vmm qemu|simulated] [--tls]
#                                                build if needed, install prerequisites, start PostgreSQL and
#                                                nodes node1..nodeN; returns once each logged `node ready`.
#                                                --tls: TLS between the nodes with a cluster certificate made
#                                                once into STATE/tls (ops/cluster-cert.sh); nodes also use TLS
#                                                when VMC_CLUSTER_CERT is set (they read it themselves)
#   ops/cluster.sh status                        one line per node and one for PostgreSQL; exit 0 if all run
#   ops/cluster.sh down [--purge]                stop the nodes (SIGTERM, SIGKILL after a deadline), their
#                                                fencing watchdogs, any QEMU left under the state dir, and
#                                                PostgreSQL; --purge also removes what `up` made in the state
#                                                dir (journal, disks, logs)
#
# Node i (1-based): cluster port 4053+i-1, API 127.0.0.1:9110+i-1 (node1 is vmc's default address), data dir
# STATE/nodeI/data, log STATE/nodeI.log; every node is seeded with all nodes. PostgreSQL: STATE/pg, port 15432.
# Environment: VMC_CLUSTER_DIR (state dir, default /tmp/vmc-cluster), VMC_PG_PORT (15432),
# VMC_CLUSTER_PORT_BASE (4053), VMC_API_PORT_BASE (9110), VMC_UP_TIMEOUT (seconds per node, 120),
# VMC_DOWN_TIMEOUT (seconds before SIGKILL, 30). Nodes run in their own sessions (setsid): closing this
# shell does not stop them; `down` does.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

STATE=${VMC_CLUSTER_DIR:-/tmp/vmc-cluster}
case "$STATE" in /*) ;; *) STATE=$REPO/$STATE ;; esac
PG_PORT=${VMC_PG_PORT:-15432}
CLUSTER_PORT_BASE=${VMC_CLUSTER_PORT_BASE:-4053}
API_PORT_BASE=${VMC_API_PORT_BASE:-9110}
UP_TIMEOUT=${VMC_UP_TIMEOUT:-120}
DOWN_TIMEOUT=${VMC_DOWN_TIMEOUT:-30}
HOST_BIN=$REPO/artifacts/host/Cluster.Host

die() { echo "cluster.sh: $*" >&2; exit 1; }
usage() {
  echo "usage: ops/cluster.sh up N [--vmm qemu|simulated] [--tls] | status | down [--purge]" >&2
  exit 2
}

# Is something accepting connections on 127.0.0.1:PORT?
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Node i's facts, written at `up` into STATE/nodeI.env and read back by status and down.
node_names() {
  local f
  for f in "$STATE"/node*.env; do
    [ -e "$f" ] || continue
    basename "$f" .env
  done | sort -V
}

# Prints the node's pid if that process is alive and is a Cluster.Host of this state dir, else nothing.
node_pid() {
  local name=$1 pid
  pid=$(cat "$STATE/$name.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$STATE/$name/data"; then
    echo "$pid"
  fi
}

node_line() {
  local name=$1 api cluster pid
  api=$(sed -n 's/^API=//p' "$STATE/$name.env")
  cluster=$(sed -n 's/^CLUSTER=//p' "$STATE/$name.env")
  pid=$(node_pid "$name")
  if [ -n "$pid" ]; then
    printf '%s  api %s  cluster %s  pid %s (running)\n' "$name" "$api" "$cluster" "$pid"
  else
    printf '%s  api %s  cluster %s  pid %s (dead)\n' "$name" "$api" "$cluster" "$(cat "$STATE/$name.pid" 2>/dev/null || echo -)"
  fi
}

# The node's fencing watchdog (ops/watchdog.sh, started by the host when the database is shared; it runs in
# its own session and ignores SIGTERM): its pid if DATA/fencing/watchdog.pid names a live watchdog.sh of this
# node's data dir, else nothing.
watchdog_pid() {
  local data=$STATE/$1/data pid
  pid=$(cat "$data/fencing/watchdog.pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  [ -r "/proc/$pid/cmdline" ] || return 0
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -A1 'watchdog\.sh$' | grep -qxF "$data"; then
    echo "$pid"
  fi
}

# Pids of live qemu-system processes with an argument under the state dir.
qemu_pids() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ -r "$dir/cmdline" ] || continue
    case "$(cat "$dir/comm" 2>/dev/null)" in qemu-system*) ;; *) continue ;; esac
    # A zombie (killed, not yet reaped) runs nothing.
    [[ "$(cat "$dir/stat" 2>/dev/null)" =~ \)\ Z\  ]] && continue
    if tr '\0' '\n' <"$dir/cmdline" 2>/dev/null | grep -qF "$STATE/"; then echo "$pid"; fi
  done
}

cmd_up() {
  [ $# -ge 1 ] || usage
  local n=$1 vmm=qemu tls=no
  shift
  if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 50 ]; then
    die "N '$n' must be a number of nodes from 1 to 50"
  fi
  while [ $# -gt 0 ]; do
    case "$1" in
      --vmm) [ $# -ge 2 ] || die "--vmm needs a value (qemu or simulated)"; vmm=$2; shift 2 ;;
      --vmm=*) vmm=${1#--vmm=}; shift ;;
      --tls) tls=yes; shift ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  case "$vmm" in qemu | simulated) ;; *) die "--vmm '$vmm' is not one of qemu, simulated" ;; esac
  [ "$(id -u)" -eq 0 ] || die "run as root (QEMU and PostgreSQL are installed with apt-get; PostgreSQL runs as user postgres)"

  local name running=()
  for name in $(node_names); do
    if [ -n "$(node_pid "$name")" ]; then running+=("$name"); fi
  done
  [ ${#running[@]} -eq 0 ] || die "nodes already running in $STATE: ${running[*]} (ops/cluster.sh down first)"

  local i cport aport
  for ((i = 1; i <= n; i++)); do
    cport=$((CLUSTER_PORT_BASE + i - 1))
    aport=$((API_PORT_BASE + i - 1))
    if port_busy "$cport"; then die "cluster port 127.0.0.1:$cport (node$i) is in use by another process"; fi
    if port_busy "$aport"; then die "API port 127.0.0.1:$aport (node$i) is in use by another process"; fi
  done

  # PostgreSQL runs as user postgres: it must be able to reach STATE/pg (a new dir is made world-searchable;
  # an existing one is left as it is, and pg.sh says so if postgres cannot reach it).
  if [ ! -d "$STATE" ]; then mkdir -p "$(dirname "$STATE")" && mkdir -m 0755 "$STATE"; fi

  local started=$SECONDS
  if [ ! -x "$HOST_BIN" ] || [ ! -x "$REPO/artifacts/vmc/vmc" ]; then
    echo "cluster.sh: building (ops/build.sh)" >&2
    ops/build.sh
  fi
  echo "cluster.sh: prerequisites (ops/prereqs.sh)" >&2
  ops/prereqs.sh >&2
  local db
  db=$(ops/pg.sh start "$STATE/pg" "$PG_PORT") || die "PostgreSQL did not start (see $STATE/pg/postgres.log)"

  # TLS: every node holds the one cluster certificate (a node without it cannot join); made once, kept by `down`.
  local tls_args=() scheme=akka.tcp
  if [ "$tls" = yes ]; then
    [ -f "$STATE/tls/cluster.pfx" ] || ops/cluster-cert.sh "$STATE/tls" >/dev/null
    tls_args=(--cluster-cert "$STATE/tls/cluster.pfx" --cluster-cert-password-file "$STATE/tls/cluster.password")
    scheme=akka.ssl.tcp
  elif [ -n "${VMC_CLUSTER_CERT:-}" ]; then
    scheme=akka.ssl.tcp
  fi

  # Forget nodes of an earlier, larger cluster: status and down show what this `up` started.
  rm -f "$STATE"/node*.env "$STATE"/node*.pid

  # Every node gets every node as a seed (node1 first): node1 forms the cluster at the first start (after the
  # seed-node timeout), and a node restarted alone later rejoins the running ones instead of forming a second
  # cluster on the same database.
  local seeds=() i
  for ((i = 1; i <= n; i++)); do seeds+=(--seed "127.0.0.1:$((CLUSTER_PORT_BASE + i - 1))"); done
  start_node() {
    local name=node$1 cport=$((CLUSTER_PORT_BASE + $1 - 1)) aport=$((API_PORT_BASE + $1 - 1))
    mkdir -p "$STATE/$name/data"
    if [ -f "$STATE/$name.log" ]; then mv -f "$STATE/$name.log" "$STATE/$name.log.prev"; fi
    printf 'API=127.0.0.1:%s\nCLUSTER=%s://vmc@127.0.0.1:%s\n' "$aport" "$scheme" "$cport" >"$STATE/$name.env"
    # setsid: the node leads its own session, so it outlives this shell and its terminal. The background
    # subshell execs setsid, which execs a shell that writes its own pid and then execs the node: no shell
    # stays behind holding our stdout, and the pid file holds the node's pid. All output goes to the log.
    # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
    (cd "$STATE/$name" && exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$STATE/$name.pid" \
      "$HOST_BIN" --name "$name" --data-dir "$STATE/$name/data" --host 127.0.0.1 --port "$cport" \
      --api "127.0.0.1:$aport" "${seeds[@]}" --db "$db" --vmm "$vmm" "${tls_args[@]}") </dev/null >"$STATE/$name.log" 2>&1 &
    local until=$((SECONDS + 10))
    while [ ! -s "$STATE/$name.pid" ]; do
      [ $SECONDS -lt $until ] || die "$name did not start (no pid file $STATE/$name.pid)"
      sleep 0.05
    done
  }

  wait_ready() {
    local name=$1 until=$((SECONDS + UP_TIMEOUT))
    while ! grep -q "node ready" "$STATE/$name.log" 2>/dev/null; do
      if [ -z "$(node_pid "$name")" ]; then
        tail -n 30 "$STATE/$name.log" >&2 || true
        die "$name exited before it was ready (log above, also in $STATE/$name.log); ops/cluster.sh down cleans up"
      fi
      if [ $SECONDS -ge "$until" ]; then
        tail -n 30 "$STATE/$name.log" >&2 || true
        die "$name not ready within ${UP_TIMEOUT}s (log above, also in $STATE/$name.log); ops/cluster.sh down cleans up"
      fi
      sleep 0.2
    done
  }

  # node1 forms the cluster; the others join it, so they start once it is up.
  local nodes_started=$SECONDS
  start_node 1
  wait_ready node1
  for ((i = 2; i <= n; i++)); do start_node "$i"; done
  for ((i = 2; i <= n; i++)); do wait_ready "node$i"; done
  echo "cluster.sh: $n node(s) ready in $((SECONDS - nodes_started)) s ($((SECONDS - started)) s in all, with build, prerequisites and PostgreSQL); state in $STATE" >&2
  for ((i = 1; i <= n; i++)); do node_line "node$i"; done
  # The cluster's first start (node1's, it starts alone) wrote the admin token; a restart on the same state keeps it.
  [ -f "$STATE/node1/data/admin.token" ] && echo "cluster.sh: admin token in $STATE/node1/data/admin.token: export VMC_TOKEN=\$(cat $STATE/node1/data/admin.token)" >&2
  return 0
}

cmd_status() {
  [ $# -eq 0 ] || usage
  [ -d "$STATE" ] || die "no cluster state in $STATE (ops/cluster.sh up N starts one)"
  local name ok=0
  for name in $(node_names); do
    node_line "$name"
    [ -n "$(node_pid "$name")" ] || ok=1
  done
  ops/pg.sh status "$STATE/pg" || ok=1
  return $ok
}

cmd_down() {
  local purge=no
  while [ $# -gt 0 ]; do
    case "$1" in
      --purge) purge=yes; shift ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  [ -d "$STATE" ] || { echo "cluster.sh: no cluster state in $STATE; nothing to stop" >&2; return 0; }

  local name pid pids=() names=()
  for name in $(node_names); do
    pid=$(node_pid "$name")
    [ -n "$pid" ] || continue
    pids+=("$pid")
    names+=("$name")
    kill -TERM "$pid" 2>/dev/null || true
  done
  if [ ${#pids[@]} -gt 0 ]; then
    echo "cluster.sh: SIGTERM to ${names[*]}; waiting up to ${DOWN_TIMEOUT}s" >&2
    local until=$((SECONDS + DOWN_TIMEOUT)) alive
    while :; do
      alive=()
      for name in "${names[@]}"; do
        if [ -n "$(node_pid "$name")" ]; then alive+=("$name"); fi
      done
      [ ${#alive[@]} -gt 0 ] || break
      if [ $SECONDS -ge "$until" ]; then
        echo "cluster.sh: SIGKILL to ${alive[*]} (still running after ${DOWN_TIMEOUT}s)" >&2
        for name in "${alive[@]}"; do
          pid=$(node_pid "$name")
          [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
        done
        sleep 0.5
        break
      fi
      sleep 0.2
    done
  fi

  # The watchdogs: asked to exit through their stop file (they do within ~250 ms), killed after a deadline.
  local wd wds=()
  for name in $(node_names); do
    wd=$(watchdog_pid "$name")
    [ -n "$wd" ] || continue
    wds+=("$name")
    touch "$STATE/$name/data/fencing/watchdog.stop"
  done
  if [ ${#wds[@]} -gt 0 ]; then
    echo "cluster.sh: stopping the fencing watchdogs of ${wds[*]}" >&2
    local until=$((SECONDS + 5)) left
    while :; do
      left=()
      for name in "${wds[@]}"; do
        if [ -n "$(watchdog_pid "$name")" ]; then left+=("$name"); fi
      done
      [ ${#left[@]} -gt 0 ] || break
      if [ $SECONDS -ge "$until" ]; then
        for name in "${left[@]}"; do
          wd=$(watchdog_pid "$name")
          [ -z "$wd" ] || kill -KILL "$wd" 2>/dev/null || true
        done
        echo "cluster.sh: SIGKILL to the watchdogs of ${left[*]} (still running after 5s)" >&2
        break
      fi
      sleep 0.1
    done
  fi

  local qemu
  qemu=$(qemu_pids)
  if [ -n "$qemu" ]; then
    echo "cluster.sh: stopping QEMU processes under $STATE: $(echo "$qemu" | tr '\n' ' ')" >&2
    # shellcheck disable=SC2086
    kill -TERM $qemu 2>/dev/null || true
    local until=$((SECONDS + 10))
    while [ -n "$(qemu_pids)" ] && [ $SECONDS -lt $until ]; do sleep 0.2; done
    qemu=$(qemu_pids)
    # shellcheck disable=SC2086
    [ -z "$qemu" ] || kill -KILL $qemu 2>/dev/null || true
  fi

  ops/pg.sh stop "$STATE/pg"
  if [ "$purge" = yes ]; then
    # Only what `up` made: PostgreSQL's dir, the nodes' dirs, logs and pid files; then the dir if it is empty.
    local entry
    for entry in "$STATE"/node*; do
      if [[ "$(basename "$entry")" =~ ^node[0-9]+(\.env|\.pid|\.log|\.log\.prev)?$ ]]; then rm -rf "$entry"; fi
    done
    rm -rf "${STATE:?}/pg" "${STATE:?}/tls"
    rmdir "$STATE" 2>/dev/null || echo "cluster.sh: $STATE is not empty (files not made by cluster.sh); left it" >&2
    echo "cluster.sh: purged the cluster state in $STATE" >&2
  fi
  echo "cluster.sh: down" >&2
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  up) cmd_up "$@" ;;
  status) cmd_status "$@" ;;
  down) cmd_down "$@" ;;
  -h | --help | help) usage ;;
  *) echo "cluster.sh: unknown command '$command'" >&2; usage ;;
esac
