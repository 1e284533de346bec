#!/usr/bin/env bash
# The journal's write path, measured three ways in one run, on SQLite and on PostgreSQL:
#   (a) raw: one loop of multi-row INSERTs, one transaction a batch, into a journal-shaped table;
#   (b) Akka.Persistence.Sql with its default settings, under real domain actors on the simulated VMM;
#   (c) the node's configuration (akka.hocon and what the node adds for its database), same workload.
# Neither writes tags: the node's audit projection writes the events' tag rows afterwards, off the acknowledged
# path (akka.hocon says why; with the tags written by the journal, (c) measured 2,751 cmd/s on SQLite, 1,000 on
# PostgreSQL).
# A command: one start or stop of a domain, counted when its acknowledgement arrives (the request event is
# durable); its driver sends the next one once the VMM's fact (started, stopped) is durable too, so each counted
# command writes 2 journal rows. events/s counts journal rows only.
#
#   ops/bench/journal.sh [--quick] [--domains N] [--seconds S] [--warmup S] [--db sqlite|postgresql] [--config FILE]
#                        [--cases mabc]
#
# A private PostgreSQL (ops/pg.sh) is started on 127.0.0.1:$VMC_BENCH_PG_PORT (default 34532) in
# $VMC_BENCH_DIR/pg (default /tmp/vmc-bench/pg) and stopped at the end. --quick takes under 3 minutes.
# Ends with one line per database:
#   sqlite: N cmd/s, P% of raw, Rx default
#   postgresql: N cmd/s, P% of raw, Rx default
# N: persisted domain commands acknowledged per second with the node's configuration (c); P: the journal rows
# per second of (c) against (a); R: commands per second of (c) against (b).
set -euo pipefail
cd "$(dirname "$0")/../.."

BENCH_DIR=${VMC_BENCH_DIR:-/tmp/vmc-bench}
PG_PORT=${VMC_BENCH_PG_PORT:-34532}
PROJECT=ops/bench/JournalBench/JournalBench.csproj

# PostgreSQL is measured unless --db names only sqlite.
want_pg=yes
case " $* " in
  *" --db "*) case " $* " in *" postgresql "*) ;; *) want_pg=no ;; esac ;;
esac

dotnet build "$PROJECT" -c Release --nologo -v quiet >/dev/null \
  || { dotnet build "$PROJECT" -c Release --nologo -v quiet; exit 1; }

pg_args=()
if [ "$want_pg" = yes ]; then
  mkdir -p "$BENCH_DIR"
  trap 'ops/pg.sh stop "$BENCH_DIR/pg" >/dev/null 2>&1 || true' EXIT
  ops/pg.sh start "$BENCH_DIR/pg" "$PG_PORT" >/dev/null
  # The superuser, trusted on loopback only: each case gets a database of its own.
  pg_args=(--pg "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres")
fi

ops/bench/JournalBench/bin/Release/net10.0/JournalBench "${pg_args[@]}" "$@"
