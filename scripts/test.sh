#!/usr/bin/env bash
# Test run: pytest against real PostgreSQL+pgvector and Valkey (embedded unless DATABASE_URL/REDIS_URL are set).
set -uo pipefail
export DJANGO_ENV=test
cd "$(dirname "$0")/.."
# The layers' import contracts (.importlinter) first: a cycle between apps fails the run before any test.
.venv/bin/lint-imports --no-cache || exit 1
.venv/bin/python -m pytest "$@"
code=$?
if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests: that is a broken suite, failing the run" >&2
    exit 1
fi
exit "$code"
