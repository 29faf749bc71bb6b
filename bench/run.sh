#!/usr/bin/env bash
# The benchmark (bench/README.md): bash bench/run.sh [--sizes 1000,100000,1000000] [--engines sqlite,postgres]
set -euo pipefail
cd "$(dirname "$0")/.."
make install >/dev/null
.venv/bin/python -m pip install --quiet -e ".[bench]"
command -v wrk >/dev/null && command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx; }
exec .venv/bin/python bench/harness.py "$@"
