#!/usr/bin/env bash
# Point-in-time recovery drill with pgBackRest (README "Point-in-time recovery"): the documented procedure, run end to
# end on a private PostgreSQL cluster in a temp dir (never the shared server). WAL archiving on, a full backup, rows
# written after it, a mistake (every row deleted), then a restore to the moment before the mistake: the rows written
# after the backup are back, the mistake is not. Prints "PITR drill passed" and exits 0, or fails loudly.
# Needs: pgbackrest, the PostgreSQL server binaries (/usr/lib/postgresql/<major>/bin). As root, the cluster runs as postgres.
set -euo pipefail

BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed (apt-get install pgbackrest)" >&2; exit 2; }
WORK="$(mktemp -d /tmp/oms-pitr-XXXXXX)"
PORT="${PITR_PORT:-$(( 20000 + RANDOM % 20000 ))}"
CONF="$WORK/pgbackrest.conf"
PGDATA="$WORK/data"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK"
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
sql() { as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -p "$PORT" -U postgres -d postgres -Atc "$1"; }
backrest() { as_pg pgbackrest --config="$CONF" --stanza=oms "$@"; }
step() { echo "pitr: $*"; }

step "a cluster with WAL archiving to a pgBackRest repository ($WORK)"
as_pg tee "$CONF" >/dev/null <<CONF
[global]
repo1-path=$WORK/repo
repo1-retention-full=2
log-path=$WORK
lock-path=$WORK
spool-path=$WORK
log-level-console=warn
start-fast=y

[oms]
pg1-path=$PGDATA
pg1-port=$PORT
pg1-socket-path=$WORK
CONF
as_pg "$BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<PGCONF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$WORK'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$CONF --stanza=oms archive-push %p'
max_wal_senders = 3
PGCONF
as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w start >/dev/null
backrest stanza-create
backrest check

step "orders 1-100, then a full backup"
sql "CREATE TABLE drill_order (id int PRIMARY KEY, note text NOT NULL)"
sql "INSERT INTO drill_order SELECT i, 'before the backup' FROM generate_series(1, 100) i"
backrest --type=full backup
sleep 2 # pgBackRest picks the backup by its stop time, in whole seconds: the target must come after it

step "orders 101-200 after the backup (only in the WAL archive), then the mistake"
sql "INSERT INTO drill_order SELECT i, 'after the backup' FROM generate_series(101, 200) i"
TARGET="$(sql "SELECT now()")"
sleep 1
sql "DELETE FROM drill_order"
backrest check # switches the WAL segment and waits until it is archived
[ "$(sql "SELECT count(*) FROM drill_order")" = 0 ]

step "stop, restore to $TARGET (just before the mistake), start"
as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
backrest --delta --type=time "--target=$TARGET" --target-action=promote restore
as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w -t 120 start >/dev/null
for _ in $(seq 1 60); do [ "$(sql "SELECT pg_is_in_recovery()")" = f ] && break; sleep 1; done
[ "$(sql "SELECT pg_is_in_recovery()")" = f ] || { echo "pitr: the cluster is still in recovery" >&2; exit 1; }

COUNTS="$(sql "SELECT count(*) FILTER (WHERE note = 'before the backup') || ' ' || count(*) FILTER (WHERE note = 'after the backup') FROM drill_order")"
step "restored rows (before / after the backup): $COUNTS"
[ "$COUNTS" = "100 100" ] || { echo "pitr: expected 100 100" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
echo "PITR drill passed"
