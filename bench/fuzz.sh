#!/usr/bin/env bash
# Fuzz every public form and the inbound webhook with many thousands of hypothesis examples (make test runs 40 per
# test). Usage: bench/fuzz.sh [EXAMPLES_PER_TEST]   (default 5000: 4 tests, about 20,000 examples, a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES="${1:-5000}"
exec .venv/bin/python -m pytest -q -p no:randomly -p no:xdist tests/test_fuzz.py --durations=0
