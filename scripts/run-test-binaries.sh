#!/usr/bin/env bash
# Runs the named GoogleTest binaries of a build directory from the repository root,
# TEST_JOBS of them at a time (default: the number of cores), and closes with one
# "N passed, N failed" line. Each binary's output is printed in one piece when it
# ends, so parallel runs never interleave. Name the slowest binaries first: they
# start first and the short ones fill the gaps.
set -uo pipefail
BUILD=$1
shift
cd "$(dirname "$0")/.."
TEST_JOBS=${TEST_JOBS:-$(nproc)}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_one() {
  local name=$1 binary start rc
  binary=$(find "$BUILD/tests" -type f -name "$name" -perm -u+x | head -1)
  if [[ -z "$binary" ]]; then
    echo "missing test binary: $name" >"$logs/$name.log"
    echo 1 >"$logs/$name.rc"
    return
  fi
  start=$SECONDS
  "$binary" --gtest_brief=1 >"$logs/$name.log" 2>&1
  rc=$?
  echo "$rc" >"$logs/$name.rc"
  echo "   ($name: exit $rc, $((SECONDS - start)) s)" >>"$logs/$name.log"
}

report() {
  echo "== $1"
  cat "$logs/$1.log"
}

running=()
for name in "$@"; do
  while ((${#running[@]} >= TEST_JOBS)); do
    wait -n
    still=()
    for n in "${running[@]}"; do
      if [[ -f "$logs/$n.rc" ]]; then report "$n"; else still+=("$n"); fi
    done
    running=("${still[@]}")
  done
  run_one "$name" &
  running+=("$name")
done
wait
for n in "${running[@]}"; do report "$n"; done

passed=0
failed=0
for name in "$@"; do
  if [[ "$(cat "$logs/$name.rc" 2>/dev/null)" == 0 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
