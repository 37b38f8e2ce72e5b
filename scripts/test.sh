#!/usr/bin/env bash
# Runs the whole test suite against an already configured build directory.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
if [[ -x tests/peers/setup.sh ]]; then tests/peers/setup.sh; fi
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" --timeout 600
