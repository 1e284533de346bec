#!/usr/bin/env bash
# A private PostgreSQL 15 instance on loopback, for a multi-node cluster or a test.
#
#   ops/pg.sh start DIR PORT   initdb DIR if needed, start on 127.0.0.1:PORT, create role and database vmc;
#                              prints the connection string (the only line on stdout). Idempotent.
#   ops/pg.sh stop DIR         stops the instance (fast shutdown; immediate after a deadline). Idempotent.
#   ops/pg.sh status DIR       one line: "postgres  127.0.0.1:PORT  data DIR  pid N (running|dead)"; exit 0 if running.
#
# Layout: DIR/data (PGDATA), DIR/socket (the unix socket, private), DIR/postgres.log. The server listens on
# 127.0.0.1 only; host connections from 127.0.0.1 are trusted (no password), nothing else is allowed.
# Durability stays on (fsync, synchronous_commit, full_page_writes): the cluster claims that an acknowledged
# event is in the journal. Run as root, the server runs as the `postgres` user; otherwise as the caller.
# PostgreSQL 15 comes from Debian (postgresql-15) and is installed when missing; PG_BIN overrides where it is.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=vmc
DB_USER=vmc
DB_PASSWORD=vmc

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() {
  echo "usage: ops/pg.sh start DIR PORT | stop DIR | status DIR" >&2
  exit 2
}

# Runs a command as the server's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_installed() {
  [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/psql" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL 15 is not installed ($PG_BIN/pg_ctl missing); as root, run: apt-get install postgresql-15"
  echo "pg.sh: installing PostgreSQL 15 (postgresql-15) from Debian" >&2
  local had_main=no
  [ -d /etc/postgresql/15/main ] && had_main=yes
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql-15 >&2
  # The package creates and starts a system-wide 'main' cluster on port 5432; this project runs its own
  # instances only, so drop the one our install just made (never one that was there before).
  if [ "$had_main" = no ] && [ -d /etc/postgresql/15/main ] && command -v pg_dropcluster >/dev/null; then
    pg_dropcluster --stop 15 main >&2 || echo "pg.sh: warning: could not drop the default cluster 15/main" >&2
  fi
  [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL 15 installed, but $PG_BIN/pg_ctl is still missing"
}

# Absolute path without requiring it to exist yet.
absolute() {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s/%s\n' "$PWD" "$1" ;;
  esac
}

# Prints the pid in DIR/data/postmaster.pid if that process is alive, else nothing.
running_pid() {
  local pidfile=$1/data/postmaster.pid pid
  [ -f "$pidfile" ] || return 0
  pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  if kill -0 "$pid" 2>/dev/null && grep -q postgres "/proc/$pid/comm" 2>/dev/null; then
    echo "$pid"
  fi
}

# The port the running server listens on (line 4 of postmaster.pid).
running_port() { sed -n 4p "$1/data/postmaster.pid" 2>/dev/null || true; }

connection_string() { echo "Host=127.0.0.1;Port=$1;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME"; }

psql_admin() {
  local port=$1
  shift
  as_owner "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

cmd_start() {
  [ $# -eq 2 ] || usage
  local dir port
  dir=$(absolute "$1")
  port=$2
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    die "PORT '$port' is not a port number"
  fi
  ensure_installed

  mkdir -p "$dir"
  chmod 0700 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (it comes with the postgresql-common package)"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" \
      || die "user 'postgres' cannot write $dir: a parent directory is not searchable by it (use a dir under /tmp)"
  fi

  local pid
  pid=$(running_pid "$dir")
  if [ -n "$pid" ]; then
    local current
    current=$(running_port "$dir")
    [ "$current" = "$port" ] || die "the instance in $dir already runs on port $current, not $port (stop it first)"
    echo "pg.sh: already running in $dir (pid $pid, 127.0.0.1:$port)" >&2
  else
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "127.0.0.1:$port is already in use by another process"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      [ -z "$(ls -A "$dir/data" 2>/dev/null)" ] || die "$dir/data exists and is not a PostgreSQL data dir"
      echo "pg.sh: initdb $dir/data" >&2
      as_owner mkdir -p "$dir/socket"
      as_owner chmod 0700 "$dir/socket"
      as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale \
        --auth-local=peer --auth-host=trust >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed (log above, also in $dir/initdb.log)"; }
      # Host connections: 127.0.0.1 only. Unix socket: its own OS user only (the socket dir is private).
      as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<EOF
# Written by ops/pg.sh: loopback only.
local all all                peer
host  all all 127.0.0.1/32   trust
EOF
      as_owner tee "$dir/data/vmc.conf" >/dev/null <<EOF
# Written by ops/pg.sh: a private instance on loopback. Durability stays on: fsync, synchronous_commit
# and full_page_writes keep their defaults (on).
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 128MB
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = 15min
max_wal_size = 1GB
log_timezone = 'UTC'
timezone = 'UTC'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
fsync = on
synchronous_commit = on
full_page_writes = on
EOF
      echo "include 'vmc.conf'" | as_owner tee -a "$dir/data/postgresql.conf" >/dev/null
    fi
    echo "pg.sh: starting PostgreSQL on 127.0.0.1:$port (log $dir/postgres.log)" >&2
    if ! as_owner "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" -o "-p $port" -w -t 60 -s >&2; then
      tail -n 20 "$dir/postgres.log" >&2 || true
      die "PostgreSQL did not start (log above, also in $dir/postgres.log)"
    fi
  fi

  echo "$port" >"$dir/port"
  psql_admin "$port" >/dev/null <<EOF
SELECT 'CREATE ROLE $DB_USER LOGIN PASSWORD ''$DB_PASSWORD'''
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') \gexec
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME') \gexec
EOF
  connection_string "$port"
}

cmd_stop() {
  [ $# -eq 1 ] || usage
  local dir pid
  dir=$(absolute "$1")
  [ -d "$dir/data" ] || { echo "pg.sh: no instance in $dir" >&2; return 0; }
  pid=$(running_pid "$dir")
  if [ -z "$pid" ]; then
    echo "pg.sh: not running in $dir" >&2
    return 0
  fi
  [ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl is missing"
  if ! as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 -s >&2; then
    echo "pg.sh: fast shutdown did not finish in 30 s; immediate shutdown" >&2
    as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 -s >&2 || true
  fi
  pid=$(running_pid "$dir")
  if [ -n "$pid" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    echo "pg.sh: killed postmaster $pid" >&2
  fi
  echo "pg.sh: stopped the instance in $dir" >&2
}

cmd_status() {
  [ $# -eq 1 ] || usage
  local dir pid port
  dir=$(absolute "$1")
  pid=$(running_pid "$dir")
  if [ -n "$pid" ]; then
    port=$(running_port "$dir")
    echo "postgres  127.0.0.1:$port  data $dir  pid $pid (running)"
  else
    port=$(cat "$dir/port" 2>/dev/null || echo "-")
    echo "postgres  127.0.0.1:$port  data $dir  pid - (dead)"
    return 1
  fi
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  -h | --help | help) usage ;;
  *) echo "pg.sh: unknown command '$command'" >&2; usage ;;
esac
