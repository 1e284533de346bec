#!/usr/bin/env bash
# watchdog.sh DATA_DIR TIMEOUT_MS HOST_PID
#
# The fencing watchdog of one server (invariant 1 in DESIGN.md). Runs OUTSIDE the host process (the host starts
# it with setsid; it survives the host being killed or frozen, which is exactly what it is for). Every 250 ms it
# reads DATA_DIR/fencing/heartbeat (unix ms of the host's last successful lease renewal, written by LeaseKeeper).
# When the heartbeat is stale it SIGKILLs every live qemu-system* process whose command line contains DATA_DIR/domains/, and nothing else,
# and keeps doing so while the heartbeat stays stale. Each kill and each change of state is one line in
# DATA_DIR/fencing/watchdog.log. Stale means either: its stamp is more than TIMEOUT_MS old by the wall clock, or
# its content (or its absence) has not changed for TIMEOUT_MS by the monotonic clock (this also covers "missing for
# TIMEOUT_MS since the watchdog started" and a wall clock stepped backwards). A wall clock stepped forwards by more
# than TIMEOUT_MS can fence a healthy server: that errs on the safe side.
#
# It exits only when DATA_DIR/fencing/watchdog.stop appears, or when another watchdog took over
# (DATA_DIR/fencing/watchdog.pid names another process). A new watchdog replaces a running one for the same
# DATA_DIR: it kills it after checking from /proc that it is this script with the same DATA_DIR.
# HOST_PID is informational (logged). Dependencies: bash >= 5 and coreutils.
set -u

if [ $# -ne 3 ]; then
  echo "usage: $0 DATA_DIR TIMEOUT_MS HOST_PID" >&2
  exit 2
fi
data_dir=${1%/}
timeout_ms=$2
host_pid=$3
case $timeout_ms in '' | *[!0-9]*) echo "watchdog: TIMEOUT_MS must be a positive integer, got '$timeout_ms'" >&2; exit 2 ;; esac
[ "$timeout_ms" -gt 0 ] || { echo "watchdog: TIMEOUT_MS must be positive" >&2; exit 2; }
[ -d "$data_dir" ] || { echo "watchdog: DATA_DIR $data_dir is not a directory" >&2; exit 2; }

# Ignore every signal a dying host, its terminal or its process group could send; only SIGKILL ends us.
trap '' HUP INT QUIT TERM PIPE USR1 USR2 ALRM TSTP TTIN TTOU
# Close what the host inherited from its own parent (a lock, a socket): the watchdog outlives the host and would hold
# them as long (a benchmark's lock stayed taken after its nodes were killed). 255 is bash's own handle on this script.
for fd in /proc/$$/fd/*; do
  fd=${fd##*/}
  case $fd in 0 | 1 | 2 | 255) ;; *) eval "exec $fd>&-" 2>/dev/null ;; esac
done
# Be the last thing the OOM killer picks (root only; harmless otherwise).
echo -1000 >/proc/self/oom_score_adj 2>/dev/null || true

fence_dir=$data_dir/fencing
mkdir -p "$fence_dir" || exit 1
heartbeat=$fence_dir/heartbeat
stop_file=$fence_dir/watchdog.stop
pid_file=$fence_dir/watchdog.pid
log_file=$fence_dir/watchdog.log
self=$$

# The patterns a VMM's command line must contain: DATA_DIR/domains/ as given, and as resolved if different.
patterns=("$data_dir/domains/")
resolved=$(cd "$data_dir" 2>/dev/null && pwd -P) || resolved=
if [ -n "$resolved" ] && [ "$resolved" != "$data_dir" ]; then patterns+=("$resolved/domains/"); fi

# Wall clock (comparable with the heartbeat's stamp) and a monotonic clock (immune to clock steps), in ms, into
# $now and $mono, without forking.
clocks() {
  local us=${EPOCHREALTIME/[.,]/} up
  now=$((10#$us / 1000))
  read -r up _ </proc/uptime
  mono=$((10#${up/./} * 10))
}
log() { printf '%s watchdog[%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$self" "$*" >>"$log_file" 2>/dev/null || true; }

# Sleep without forking a process per iteration: read with a timeout on a pipe nobody writes to.
if exec {nap_fd}<> <(:) 2>/dev/null; then
  nap() { read -r -t 0.25 -u "$nap_fd" _ 2>/dev/null || true; }
else
  nap() { sleep 0.25; }
fi

# The command line of a process: argv array, argv0, and $cmdline (space-joined). Fails if gone or a zombie.
read_cmdline() {
  local part
  argv=() cmdline= argv0=
  [ -r "/proc/$1/cmdline" ] || return 1
  while IFS= read -r -d '' part; do argv+=("$part"); done <"/proc/$1/cmdline" 2>/dev/null
  [ -n "${part:-}" ] && argv+=("$part")
  [ ${#argv[@]} -gt 0 ] || return 1
  argv0=${argv[0]}
  cmdline=${argv[*]}
}

# True if pid is a watchdog.sh for the same DATA_DIR.
is_our_watchdog() {
  local i
  read_cmdline "$1" || return 1
  for ((i = 0; i < ${#argv[@]} - 1; i++)); do
    if [[ ${argv[i]} == */watchdog.sh || ${argv[i]} == watchdog.sh ]]; then
      [ "${argv[i + 1]%/}" = "$data_dir" ]
      return
    fi
  done
  return 1
}

# --- take over from a previous watchdog of this DATA_DIR -------------------------------------------------------
rm -f "$stop_file"
old_pid=
[ -r "$pid_file" ] && read -r old_pid <"$pid_file" 2>/dev/null
if [[ $old_pid =~ ^[0-9]+$ ]] && [ "$old_pid" != "$self" ] && is_our_watchdog "$old_pid"; then
  kill -KILL "$old_pid" 2>/dev/null && log "replaced watchdog $old_pid"
fi
printf '%s\n' "$self" >"$pid_file.$self" && mv -f "$pid_file.$self" "$pid_file"

clocks
seen_hb=__none__ seen_mono=$mono
log "started: data dir $data_dir, timeout ${timeout_ms} ms, host pid $host_pid"

# --- fencing --------------------------------------------------------------------------------------------------
kill_vmms() { # $1 = why
  local why=$1 dir pid name comm pattern match killed=()
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = "$self" ] && continue
    read_cmdline "$pid" || continue
    name=${argv0##*/}
    comm=
    [ -r "$dir/comm" ] && read -r comm <"$dir/comm" 2>/dev/null
    [[ $name == qemu-system* || $comm == qemu-system* ]] || continue
    match=
    for pattern in "${patterns[@]}"; do
      [[ $cmdline == *"$pattern"* ]] && { match=1; break; }
    done
    [ -n "$match" ] || continue
    if kill -KILL "$pid" 2>/dev/null; then killed+=("$pid(${cmdline:0:200})"); fi
  done
  if [ ${#killed[@]} -gt 0 ]; then
    log "KILLED ${#killed[@]} VMM(s) because $why (host pid $host_pid): ${killed[*]}"
  fi
}

stale=
while :; do
  if [ -e "$stop_file" ]; then
    rm -f "$stop_file"
    [ -r "$pid_file" ] && read -r owner <"$pid_file" 2>/dev/null && [ "$owner" = "$self" ] && rm -f "$pid_file"
    log "stopped by $stop_file"
    exit 0
  fi
  owner=
  [ -r "$pid_file" ] && read -r owner <"$pid_file" 2>/dev/null
  if [ -n "$owner" ] && [ "$owner" != "$self" ]; then
    log "watchdog $owner took over; exiting"
    exit 0
  fi

  clocks
  hb=
  [ -r "$heartbeat" ] && read -r hb <"$heartbeat" 2>/dev/null
  # Rule 1, by the stamp: the last successful renewal was issued more than TIMEOUT_MS ago (wall clock).
  # Rule 2, by change: the file's content (or its absence) has not changed for TIMEOUT_MS since we saw it
  # change (monotonic clock; also covers "missing since the watchdog started" and a wall clock stepped back).
  if [ "$hb" != "$seen_hb" ]; then seen_hb=$hb seen_mono=$mono; fi
  why=
  if [[ $hb =~ ^[0-9]+$ ]] && [ $((now - hb)) -gt "$timeout_ms" ]; then
    why="heartbeat is $((now - hb)) ms old (timeout ${timeout_ms} ms)"
  elif [ $((mono - seen_mono)) -gt "$timeout_ms" ]; then
    if [ -n "$hb" ]; then why="heartbeat unchanged for $((mono - seen_mono)) ms (timeout ${timeout_ms} ms)"
    else why="no heartbeat for $((mono - seen_mono)) ms (timeout ${timeout_ms} ms)"; fi
  fi

  if [ -n "$why" ]; then
    [ -z "$stale" ] && log "fencing: $why"
    stale=1
    kill_vmms "$why"
  elif [ -n "$stale" ]; then
    log "heartbeat fresh again"
    stale=
  fi
  nap
done
