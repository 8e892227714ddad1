#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv with the pinned, tested versions.
# Idempotent: it reinstalls only when setup.py or constraints.txt changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv
stamp="$VENV/.bootstrap-stamp"
want="$(cat setup.py constraints.txt | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ]; then
    echo "[bootstrap] creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "[bootstrap] installing sklearn_seq2seq and its pinned dependencies (constraints.txt)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test,plot,dask,docs,bench,onnx]"
    echo "$want" > "$stamp"
fi
