#!/usr/bin/env bash
# Development run: migrate, seed demo data, then a Celery worker (with beat) and the web server. Ctrl-C (or
# SIGTERM to this script) stops both and then the embedded services; if either dies, the other is stopped too.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"

$PY manage.py preflight            # starts the embedded services when DATABASE_URL/REDIS_URL are unset
$PY manage.py migrate --noinput
$PY manage.py seed_demo

pids=()
stop_all() {
    trap - EXIT INT TERM
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
        $PY manage.py embedded_services stop
    fi
}
trap stop_all EXIT INT TERM

$PY -m celery -A config worker --beat --loglevel=INFO --concurrency=2 --schedule=.local/celerybeat-schedule &
pids+=($!)
$PY manage.py runserver --noreload "127.0.0.1:${PORT}" &
pids+=($!)
echo "web: http://127.0.0.1:${PORT}/admin/  (Ctrl-C stops the web server, the worker and the embedded services)"
wait -n "${pids[@]}"
