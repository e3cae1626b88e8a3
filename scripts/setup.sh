#!/usr/bin/env bash
# Sets up a fresh checkout: the Debian packages the tests use (Chromium for end-to-end tests and PDF reports, GDAL to
# check outputs, poppler-utils to read reports back, Redis for the scale-out tests), a Node that meets package.json's engines (scripts/ensure-node.sh), then the npm packages.
# Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ogrinfo >/dev/null 2>&1 || missing+=(gdal-bin)
# pdftotext and pdfinfo: the report tests read the printed PDF back
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# redis-server: the scale-out tests start their own Redis on a loopback port (nothing needs it to use the app)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    echo "setup: installing ${missing[*]} with apt-get"
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "setup: please install ${missing[*]} (Chromium, GDAL's command-line tools, poppler-utils and redis-server) with your package manager" >&2
    exit 1
  fi
fi

scripts/ensure-node.sh
export PATH="${CHANGEMAP_NODE_PREFIX:-/usr/local}/bin:$PATH"
# Native modules (better-sqlite3) build against the running Node's own headers, never a download (offline machines).
node_home="$(node -p 'require("path").resolve(process.execPath, "../..")')"
if [[ -f $node_home/include/node/node.h ]]; then
  # An npm config naming another Node's headers (nodedir, as offline images set it) would make a plain `npm ci`
  # build for the wrong Node; npm cannot set that key itself, so say so.
  configured="$(npm config get nodedir)"
  if [[ $configured != undefined && $configured != "$node_home" ]] && ! node -e '
    const h = require("fs").readFileSync(process.argv[1] + "/include/node/node_version.h", "utf8");
    const v = ["MAJOR", "MINOR", "PATCH"].map((p) => new RegExp(`define NODE_${p}_VERSION (\\d+)`).exec(h)[1]);
    process.exit(v.join(".") === process.versions.node ? 0 : 1);
  ' "$configured" 2>/dev/null; then
    echo "setup: note: npm's nodedir ($configured) has another Node's headers; setup builds against $node_home," \
      "but for a plain npm ci or npm rebuild set nodedir=$node_home in ~/.npmrc" >&2
  fi
  export npm_config_nodedir="$node_home"
fi

# Up to date: installed after the lock changed, and built for this Node (a Node upgrade changes the native ABI).
if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]] &&
  node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null; then
  echo "setup: npm packages are up to date"
else
  npm ci
fi

# The command line's bundle (out/cli): `changemap` starts from it instead of compiling TypeScript at every start
# (bin/changemap.js falls back to the sources while they are newer than the bundle).
npm run --silent build:cli
