#!/usr/bin/env bash
# Sets up a fresh checkout: the Debian packages the tests use (Chromium for end-to-end tests, GDAL to check
# outputs), then the npm packages. Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    echo "setup: installing ${missing[*]} with apt-get"
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: please install ${missing[*]} (Chromium and GDAL's command-line tools) with your package manager" >&2
    exit 1
  fi
fi

if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "setup: npm packages are up to date"
else
  npm ci --no-audit --no-fund
fi
