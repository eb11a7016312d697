#!/usr/bin/env bash
# A throwaway PostgreSQL for tests: `start DIR` creates a cluster under DIR (first time) and starts
# it, listening on a Unix socket in DIR and on 127.0.0.1 at a free port, fsync on; it prints the
# socket URL. `stop DIR` stops it (DIR stays; delete it yourself). `start` again after `stop` reuses
# the data and the port (the restart tests rely on it).
#
# Files left in DIR: url (socket), tcp-url, port, pgpass (the password TCP logins need; socket
# logins are trusted), server.log.
# Exit 3 when the PostgreSQL binaries are not installed (tests skip with the message).
# As root, initdb and the server run as the `postgres` user (initdb refuses root) and DIR is
# given to it; DIR's parents must be traversable by that user (a directory under /tmp is).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }

# The server outlives this script: it must not inherit any descriptor beyond 0-2 from whoever ran
# us (Foundation's Process watches one to see its child exit, and would wait for PostgreSQL).
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null || true
done
[ $# -eq 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do bin=$d; break; done
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "pg-test-server: PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)" >&2
    exit 3
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        pw=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
        printf '%s\n' "$pw" > "$dir/pwfile"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/pwfile"
        as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale > "$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        mv "$dir/pwfile" "$dir/pgpass"
        chmod 644 "$dir/pgpass"
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' > "$dir/port"
    fi
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=on -c max_connections=60 -c shared_buffers=32MB" \
        start > /dev/null || { tail -20 "$dir/server.log" >&2; exit 1; }
    if ! as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'oracled'" | grep -q 1; then
        as_owner "$bin/createdb" -h "$dir" -p "$port" -U postgres oracled
    fi
    echo "postgresql://postgres@/oracled?host=$dir&port=$port" > "$dir/url"
    echo "postgresql://postgres@127.0.0.1:$port/oracled" > "$dir/tcp-url"
    cat "$dir/url"
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop > /dev/null
    fi
    ;;
*) usage ;;
esac
