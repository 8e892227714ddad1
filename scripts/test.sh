#!/usr/bin/env bash
# Set everything up, run the test suite, then build the documentation (warnings are errors).
# Extra arguments go to pytest; the docs are built only for a full run (no arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pytest "$@"
if [ "$#" -eq 0 ]; then
    bash scripts/docs.sh
fi
