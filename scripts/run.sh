#!/usr/bin/env bash
# Development run: migrate, seed demo data, then a Celery worker (with beat) and the web server. Ctrl-C (or
# SIGTERM to this script) stops both and then the embedded services this run started (servers that were already
# running, for a test run or by hand, keep running); if either dies, the other is stopped too.
#
# One runner per data folder: the script holds an exclusive lock on $DATA/runner.lock while it runs (the kernel
# drops it when the script dies, however it dies, so a crashed run leaves nothing that blocks the next one) and
# writes its pid and URL to $DATA/runner.pid. A second `make run` cannot take the lock: it says where the first
# one runs and exits 1 before it starts or stops anything.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
DATA="${EMBEDDED_DATA_DIR:-.local}"
mkdir -p "$DATA"

exec 9>>"$DATA/runner.lock"
if ! flock -n 9; then
    read -r other_pid other_url < <(tr '\n' ' ' < "$DATA/runner.pid" 2>/dev/null || true) || true
    echo "make run: the app is already running (pid ${other_pid:-unknown}, ${other_url:-URL unknown}," \
         "data in $DATA); stop that one first (Ctrl-C in its terminal, or kill ${other_pid:-its pid})" >&2
    exit 1
fi
if [ -s "$DATA/runner.pid" ]; then
    echo "make run: ignoring the stale $DATA/runner.pid of a run that did not exit cleanly (pid $(head -n1 "$DATA/runner.pid"))"
fi
URL="http://127.0.0.1:${PORT}/admin/"
if ! $PY -c "import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1])))" "$PORT" 2>/dev/null; then
    echo "make run: port $PORT on 127.0.0.1 is taken by another program; set PORT to serve elsewhere" >&2
    exit 1
fi
printf '%s\n%s\n' "$$" "$URL" > "$DATA/runner.pid"

pids=()
started=""
stop_all() {
    trap - EXIT INT TERM
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    rm -f "$DATA/runner.pid"
    if [ -n "$started" ]; then
        # shellcheck disable=SC2086  # the names are separate words
        $PY manage.py embedded_services stop $started 9>&- || true
    fi
}
trap stop_all EXIT INT TERM

# The children do not inherit the lock's descriptor: only this script holds the lock.
started="$($PY manage.py embedded_services start --print-started 9>&-)"   # nothing when DATABASE_URL/REDIS_URL are set
$PY manage.py preflight 9>&-
$PY manage.py migrate --noinput 9>&-
$PY manage.py seed_demo 9>&-

$PY -m celery -A config worker --beat --loglevel=INFO --concurrency=2 --schedule="$DATA/celerybeat-schedule" 9>&- &
pids+=($!)
$PY manage.py runserver --noreload "127.0.0.1:${PORT}" 9>&- &
pids+=($!)
if [ -n "$started" ]; then
    servers="the embedded servers this run started: $started"
else
    servers="no embedded server: those in use were running before and keep running"
fi
echo "web: ${URL}  (Ctrl-C stops the web server, the worker and ${servers})"
wait -n "${pids[@]}"
