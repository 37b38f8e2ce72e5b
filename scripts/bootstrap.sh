#!/usr/bin/env bash
# Installs every Debian package fixgate's build, tests and demo need.
# Idempotent: skips apt entirely when everything is already present.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libcli11-dev
  libsqlite3-dev sqlite3 libssl-dev libcurl4-openssl-dev
  libcpp-httplib-dev libboost-dev libpugixml-dev libgit2-dev libpq-dev
  postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  nodejs
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Some images ship a Node.js that bundles npm; Debian's separate npm package
# conflicts with it, so it is only added where npm is absent.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "bootstrap: all system packages present"
fi
