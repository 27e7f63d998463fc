#!/usr/bin/env bash
# Shared helpers for the hack/ install scripts: where cached tools live, and logging.
# Tools are cached outside the repository, keyed by version, so a fresh clone on the same machine
# reuses them and nothing built is ever committed.
set -euo pipefail

IPC_CACHE="${IPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/image-policy-controller}"
mkdir -p "$IPC_CACHE"

log() { printf '[hack] %s\n' "$*" >&2; }

# run_locked NAME CMD...: serialise concurrent installs of the same tool (parallel test workers,
# a background prefetch and CI can all ask for it at once).
run_locked() {
  local name=$1; shift
  exec {lockfd}>"$IPC_CACHE/.$name.lock"
  flock "$lockfd"
  "$@"
  flock -u "$lockfd"
}
