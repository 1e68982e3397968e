# A throwaway PostgreSQL server for the tests. Sourced by scripts/test, not executed.
#
# pg_start: a private data folder and socket folder under /tmp, a free port, no TCP
# (listen_addresses=''), fsync off; exports DESKAPP_TEST_PG_URL (a
# postgresql+psycopg:// URL of its `postgres` database) and DESKAPP_TEST_PG_REQUIRED=1
# (the tests then fail, never skip, when they cannot reach it).
# pg_stop: stops it and removes its folders (scripts/test calls it from an EXIT trap,
# so it runs also when the tests fail or are interrupted).
#
# PostgreSQL refuses to run as root: as root, initdb and pg_ctl run as the `postgres`
# user (runuser) on folders it owns, while the tests stay as the invoking user.
# Where the server is missing and we are root, it is installed with apt-get;
# otherwise we stop and say what to install.
# DESKAPP_TEST_PG_URL set beforehand: that server is used and none is started.

PG_BIN="${DESKAPP_PG_BIN:-}"
PG_TMP=""

_pg_find_bin() {
    if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then return 0; fi
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then PG_BIN="$d"; fi  # the newest version wins
    done
    [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]
}

_pg_as_server() {  # run a server command as the user that owns the server's folders
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
    if [ -n "${DESKAPP_TEST_PG_URL:-}" ]; then
        export DESKAPP_TEST_PG_REQUIRED=1
        echo "deskapp: PostgreSQL tests use the server at DESKAPP_TEST_PG_URL" >&2
        return 0
    fi
    if ! _pg_find_bin; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "deskapp: installing the PostgreSQL server for the tests (apt-get install postgresql) ..." >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        fi
        if ! _pg_find_bin; then
            echo "deskapp: the tests need a PostgreSQL server (initdb, pg_ctl) and none was found." >&2
            echo "  Install it (Debian/Ubuntu: sudo apt-get install postgresql; the binaries go to" >&2
            echo "  /usr/lib/postgresql/<version>/bin), set DESKAPP_PG_BIN to its bin folder," >&2
            echo "  or point DESKAPP_TEST_PG_URL at a server you may create databases on." >&2
            return 1
        fi
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "deskapp: running as root, PostgreSQL needs a 'postgres' user to run as (none exists)." >&2
        return 1
    fi
    PG_TMP="$(mktemp -d /tmp/deskapp-pg.XXXXXX)"
    chmod 755 "$PG_TMP"
    mkdir -m 700 "$PG_TMP/data" "$PG_TMP/sock"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_TMP/data" "$PG_TMP/sock"; chmod 755 "$PG_TMP/sock"; fi
    local port
    port="$("${PY:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    if ! _pg_as_server "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
            --no-sync >"$PG_TMP/initdb.log" 2>&1; then
        echo "deskapp: initdb failed for the test server:" >&2; cat "$PG_TMP/initdb.log" >&2
        return 1
    fi
    # One role signs in with a password (the tests of a wrong password); everyone else is trusted.
    sed -i '1i local all deskapp_password_test scram-sha-256' "$PG_TMP/data/pg_hba.conf"
    touch "$PG_TMP/server.log"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_TMP/server.log"
    if ! _pg_as_server "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
            -o "-k $PG_TMP/sock -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null; then
        echo "deskapp: the test PostgreSQL server did not start:" >&2; tail -20 "$PG_TMP/server.log" >&2
        return 1
    fi
    export DESKAPP_TEST_PG_URL="postgresql+psycopg://postgres@/postgres?host=$PG_TMP/sock&port=$port"
    export DESKAPP_TEST_PG_REQUIRED=1
    echo "deskapp: test PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on $PG_TMP/sock port $port" >&2
}

pg_stop() {
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP/data" ]; then
        _pg_as_server "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
    PG_TMP=""
}
