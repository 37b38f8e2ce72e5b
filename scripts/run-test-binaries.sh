#!/usr/bin/env bash
# Runs the named GoogleTest binaries of a build directory from the repository root
# and closes with one "N passed, N failed" line.
set -uo pipefail
BUILD=$1
shift
cd "$(dirname "$0")/.."
passed=0
failed=0
for name in "$@"; do
  binary=$(find "$BUILD/tests" -type f -name "$name" -perm -u+x | head -1)
  if [[ -z "$binary" ]]; then
    echo "missing test binary: $name"
    failed=$((failed + 1))
    continue
  fi
  echo "== $name"
  if "$binary" --gtest_brief=1; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
