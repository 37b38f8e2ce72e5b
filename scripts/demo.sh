#!/usr/bin/env bash
# `make demo`: fixgate end to end on one machine. `fixgate demo` starts the cloud
# simulator (a world matching examples/findings), serves the HTTP intake with a
# durable queue and workers, posts every bundled finding as Wiz would, and prints
# one row per finding; then the audit log is verified with the CLI as an auditor would.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
STATE=${FIXGATE_STATE_DIR:-$PWD/$BUILD/demo-state}
LOG="$STATE.log"
rm -rf "$STATE" "$LOG"
mkdir -p "$(dirname "$STATE")"

echo "== fixgate demo: simulator + fixgate serve + every finding in examples/findings/ through the HTTP intake"
echo "   (JSON logs, one line per event with its correlation id: $LOG)"
if ! "$BUILD/fixgate" demo --state-dir "$STATE" 2>"$LOG"; then
  echo "fixgate demo failed; the last log lines:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
fi
echo
echo "== audit log integrity, checked again by the CLI"
"$BUILD/fixgate" audit verify --db "$STATE/audit.db"
echo
echo "Every decision, action intent and result is in $STATE/audit.db:"
echo "  $BUILD/fixgate audit show --db $STATE/audit.db"
echo "  $BUILD/fixgate audit export --db $STATE/audit.db --format jsonl"
echo "Run the service yourself:"
echo "  $BUILD/fixgate serve --config <config with a server.wiz section> --listen 127.0.0.1:8080"
