#!/usr/bin/env bash
# Builds every libFuzzer target with clang + ASan + UBSan and runs each for
# SECONDS (default 60), growing its corpus in fuzz/<component>/corpus/<target>/.
set -euo pipefail
SECONDS_PER_TARGET=${1:-60}
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFIXGATE_FUZZ=ON -DFIXGATE_SANITIZE=ON -DFIXGATE_TESTS=OFF -DFIXGATE_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)"
shopt -s nullglob
for target in build-fuzz/fuzz/*; do
  [[ -x "$target" && -f "$target" ]] || continue
  name=$(basename "$target")
  corpus=$(ls -d fuzz/*/corpus/"$name" 2>/dev/null | head -1)
  if [[ -z "$corpus" ]]; then corpus="fuzz/corpus-tmp/$name"; fi
  mkdir -p "$corpus"
  echo "== $name for ${SECONDS_PER_TARGET}s (corpus $corpus)"
  "$target" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 "$corpus"
done
