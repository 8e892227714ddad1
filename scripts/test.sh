#!/usr/bin/env bash
# Set everything up, run the test suite, then build the documentation (warnings are errors).
# The tests run in two worker processes (pytest-xdist): every fit uses one torch thread by default, so
# two cores run two tests at once. Extra arguments go to pytest (``-n 0`` runs in this process); the
# docs are built only for a full run (no arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pytest -n 2 "$@"
if [ "$#" -eq 0 ]; then
    bash scripts/docs.sh
fi
