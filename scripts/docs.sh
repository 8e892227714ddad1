#!/usr/bin/env bash
# Build the documentation site (Sphinx; runs every example of the gallery) into docs/_build/html.
# Warnings are errors, so a broken docstring, page or example fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
rm -rf docs/_build docs/generated docs/auto_examples
MPLBACKEND=Agg .venv/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html "$@"
echo "[docs] built: docs/_build/html/index.html"
