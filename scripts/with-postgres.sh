#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL database: starts Debian's cluster if needed, creates
# a database, exports TEST_DATABASE_URL, runs the command, drops the database, stops what it started.
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=${CHUMCHON_PG_PORT:-54329}
DATA=${CHUMCHON_PG_DATA:-/tmp/chumchon-pg}
DBNAME=chumchon_test_$$
started=0
if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  rm -rf "$DATA"; mkdir -p "$DATA"; chown postgres:postgres "$DATA"
  su postgres -c "$PGBIN/initdb -D $DATA -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null
  su postgres -c "$PGBIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' -l $DATA/log -w start" >/dev/null
  started=1
fi
cleanup() {
  "$PGBIN/dropdb" -h 127.0.0.1 -p "$PORT" -U postgres --if-exists "$DBNAME" 2>/dev/null || true
  if [ "$started" = 1 ]; then su postgres -c "$PGBIN/pg_ctl -D $DATA -m fast -w stop" >/dev/null || true; fi
}
trap cleanup EXIT
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DBNAME"
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/$DBNAME"
export DATABASE_URL_FOR_BENCH="$TEST_DATABASE_URL"
"$@"
