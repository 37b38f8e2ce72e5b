#!/usr/bin/env bash
# Runs the embedded-service load benchmark (bench/service/serve_load) with the
# arguments of the figures in docs/benchmarks.md, printing the load average
# before each run: other work on the machine moves the rates and latencies,
# not the CPU per finding. The service's access log (a JSON line per request
# on stderr) goes to BUILD/serve_load-C.log rather than the terminal, whose
# speed would otherwise be measured too.
# Usage: scripts/bench-service.sh [BUILD=build] [FINDINGS=10000]
set -euo pipefail
BUILD=${1:-build}
FINDINGS=${2:-10000}
cd "$(dirname "$0")/.."
BIN="$BUILD/bench/serve_load"
if [[ ! -x "$BIN" ]]; then
  echo "bench-service: $BIN is not built (cmake --build $BUILD --target serve_load)" >&2
  exit 2
fi
status=0
for connections in 64 16; do
  log="$BUILD/serve_load-$connections.log"
  echo "== serve_load $FINDINGS $connections full 8 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! "$BIN" "$FINDINGS" "$connections" full 8 2>"$log"; then
    status=1
    grep '^serve_load:' "$log" >&2 || true
  fi
done
exit "$status"
