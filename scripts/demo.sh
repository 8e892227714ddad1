#!/usr/bin/env bash
# Set everything up and run the main demo: digits encodings + a linear classifier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python examples/digits_classification.py "$@"
