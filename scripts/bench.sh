#!/usr/bin/env bash
# Runs every benchmark program; figures go to stdout (record them in docs/benchmarks.md).
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
shopt -s nullglob
for bench in "$BUILD"/bench/*; do
  [[ -x "$bench" && -f "$bench" ]] || continue
  echo "== $(basename "$bench")"
  "$bench" --benchmark_min_time=0.5
done
