#!/usr/bin/env bash
# Installs the real peers tests talk to: each tests/peers/<peer>/ holds a
# package.json with a committed package-lock.json, installed with `npm ci`.
set -euo pipefail
cd "$(dirname "$0")"
shopt -s nullglob
for lock in */package-lock.json; do
  dir=$(dirname "$lock")
  if [[ ! -d "$dir/node_modules" || "$lock" -nt "$dir/node_modules" ]]; then
    echo "peers: npm ci in tests/peers/$dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$dir/node_modules"
  fi
done
