#!/usr/bin/env bash
# The main job on the embedded default: decide over the bundled example findings.
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
export FIXGATE_EXTERNAL_ID=${FIXGATE_EXTERNAL_ID:-demo-external-id}
"$BUILD/fixgate" version
