#!/usr/bin/env bash
# Cold start: time from `node dist/src/main.js` to the first 200 on /health, on the embedded database
# (fresh and existing data dir) and on PostgreSQL (DATABASE_URL, default the local test server).
# Baseline in the same run: the time `node -e ''` takes to start, and psql's round trip.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/main.js ] || npm run build --silent
PG_BASE=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${BENCH_PORT:-3199}
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

start_and_wait() {
  local started; started=$(date +%s%N)
  env "$@" PORT=$PORT LOG_LEVEL=warn ADMIN_ENABLED=${ADMIN_ENABLED:-true} node dist/src/main.js >/tmp/oms-bench-start.log 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.05; done
  echo "$(ms "$started")"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

node_start=$(date +%s%N); node -e ''; echo "baseline: node -e '' $(ms "$node_start") ms"
data=$(mktemp -d)
echo "embedded, fresh data dir (+ demo data): $(start_and_wait DATA_DIR="$data" DATABASE_URL=) ms"
echo "embedded, existing data dir:            $(start_and_wait DATA_DIR="$data" DATABASE_URL=) ms"
rm -rf "$data"
db="oms_bench_$$"
psql "$PG_BASE" -qc "CREATE DATABASE $db" >/dev/null
url="${PG_BASE%/*}/$db"
echo "postgresql, new database (migrations):  $(start_and_wait DATABASE_URL="$url") ms"
echo "postgresql, migrated database:          $(start_and_wait DATABASE_URL="$url") ms"
psql "$PG_BASE" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
