#!/usr/bin/env bash
# The main job on the embedded default: every bundled example finding goes
# through fixgate under the reference configuration, and each decision lands in
# a fresh hash-chained audit log that is then verified.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
export FIXGATE_EXTERNAL_ID=${FIXGATE_EXTERNAL_ID:-demo-external-id}
export FIXGATE_STATE_DIR=${FIXGATE_STATE_DIR:-$PWD/build/demo-state}
rm -rf "$FIXGATE_STATE_DIR"
mkdir -p "$FIXGATE_STATE_DIR"

echo "== fixgate decide over examples/findings/ (config: examples/fixgate.yaml)"
"$BUILD/fixgate" decide --config examples/fixgate.yaml examples/findings/*.json
echo
echo "== audit log integrity"
"$BUILD/fixgate" audit verify --db "$FIXGATE_STATE_DIR/audit.db"
echo
echo "Every decision, its checks and the raw payload are in $FIXGATE_STATE_DIR/audit.db:"
echo "  $BUILD/fixgate audit show --db $FIXGATE_STATE_DIR/audit.db"
echo "  $BUILD/fixgate audit export --db $FIXGATE_STATE_DIR/audit.db --format jsonl"
