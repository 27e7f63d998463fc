#!/usr/bin/env bash
# Shared helpers for the hack/ install scripts: where cached tools live, logging, the pins, and the
# Debian and Go plumbing the install scripts and the pin check share.
# Tools are cached outside the repository, keyed by version, so a fresh clone on the same machine
# reuses them and nothing built is ever committed.
set -euo pipefail

HACK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HACK/pins.sh"

IPC_CACHE="${IPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/image-policy-controller}"
mkdir -p "$IPC_CACHE"

log() { printf '[hack] %s\n' "$*" >&2; }

fail() {
  log "ERROR: $*"
  exit 1
}

# run_locked NAME CMD...: serialise concurrent installs of the same tool (parallel test workers,
# a background prefetch and CI can all ask for it at once).
run_locked() {
  local name=$1; shift
  exec {lockfd}>"$IPC_CACHE/.$name.lock"
  flock "$lockfd"
  "$@"
  flock -u "$lockfd"
}

# cached_build LOCK OUT WHAT BUILD: prints OUT, a binary in the cache; when it is not there yet, builds
# it first, under LOCK (run_locked), so that concurrent callers build it once. Building needs Go
# (require_go names WHAT); BUILD is then called with a fresh temporary directory WORK, removed
# afterwards, and must leave the binary at WORK/bin/$(basename OUT), which is moved to OUT.
cached_build() {
  local lock=$1 out=$2 what=$3 build=$4
  _cached_build() {
    [ -x "$out" ] && return 0
    require_go "$what"
    CACHED_BUILD_WORK=$(mktemp -d)
    trap 'rm -rf "$CACHED_BUILD_WORK"' EXIT
    mkdir "$CACHED_BUILD_WORK/bin"
    "$build" "$CACHED_BUILD_WORK"
    mkdir -p "$(dirname "$out")"
    mv "$CACHED_BUILD_WORK/bin/$(basename "$out")" "$out"
  }
  run_locked "$lock" _cached_build
  echo "$out"
}

# The pinned Node, for the TypeScript helpers under hack/ (the machine's own node may be too old to
# run TypeScript). IPC_NODE names one that is already there.
pinned_node() {
  if [ -n "${IPC_NODE:-}" ]; then echo "$IPC_NODE"; return; fi
  local bin
  bin=$(bash "$HACK/ensure-node.sh") || fail "could not install the pinned Node $NODE_VERSION (above)"
  echo "$bin/node"
}

# require_go WHAT: fail early, saying what to do, when Go is missing or older than GO_MIN_MINOR.
require_go() {
  command -v go >/dev/null || fail "$1 is built from the Go module proxy, and Go is not installed.
  Install Go >= 1.$GO_MIN_MINOR and put it on PATH (Debian bookworm's golang is 1.19, too old), then run this again."
  local version minor
  version=$(go env GOVERSION) # e.g. go1.26.8
  minor=${version#go1.}
  minor=${minor%%.*}
  if ! [[ "$minor" =~ ^[0-9]+$ ]] || [ "$minor" -lt "$GO_MIN_MINOR" ]; then
    fail "$1 needs Go >= 1.$GO_MIN_MINOR to build, but \`go\` is $version. Put a newer Go first on PATH, then run this again."
  fi
}

# apt_options WORK: apt-get/apt-cache options that use WORK's own sources, lists and archives,
# never the system's (no update of the machine's package lists, no lock on them).
apt_options() {
  local work=$1
  printf '%s\n' -o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$work/sources.list.d" \
    -o "Dir::State::lists=$work/lists" -o "Dir::Cache::archives=$work/archives" \
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
    -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
}

# debian_resolve WORK SUITE PACKAGE UPSTREAM: fetches SUITE's package list from this machine's
# Debian mirror into WORK (fresh, whatever is cached) and prints the Debian version of PACKAGE that
# carries the pinned UPSTREAM version, or fails naming the pin and what the suite serves now.
debian_resolve() {
  local work=$1 suite=$2 package=$3 upstream=$4 node
  for tool in apt-get apt-cache apt-config; do
    command -v "$tool" >/dev/null || fail "$tool is required to fetch $package (a Debian or Ubuntu machine is assumed)"
  done
  node=$(pinned_node) || exit 1
  mkdir -p "$work/sources.list.d" "$work/lists/partial" "$work/archives/partial"
  "$node" "$HACK/pins/main.ts" sources "$suite" >"$work/sources.list.d/debian.sources"
  local opts
  mapfile -t opts < <(apt_options "$work")
  apt-get "${opts[@]}" update -qq >&2 || fail "could not read Debian $suite's package list (apt-get update, above)"
  { apt-cache "${opts[@]}" show "$package" 2>/dev/null || true; } |
    "$node" "$HACK/pins/main.ts" resolve "$package" "$upstream" "Debian $suite"
}
