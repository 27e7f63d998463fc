#!/usr/bin/env bash
# go-install.sh PACKAGE VERSION: builds a Go command (`go install PACKAGE@VERSION`) from the Go module
# proxy into the cache, keyed by name and version, and prints the binary's path. For modules that
# `go install` accepts (no replace directives); kube-apiserver needs build-kube-apiserver.sh.
source "$(dirname "$0")/lib.sh"

PACKAGE=$1 VERSION=$2
NAME=${PACKAGE##*/}
OUT="$IPC_CACHE/go-$NAME-$VERSION/$NAME"

build() {
  [ -x "$OUT" ] && return 0
  require_go "$NAME $VERSION"
  log "building $NAME $VERSION from the Go module proxy (a few minutes, once)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$work/bin" go install -trimpath "$PACKAGE@$VERSION" >&2)
  mkdir -p "$(dirname "$OUT")"
  mv "$work/bin/$NAME" "$OUT"
}

run_locked "go-$NAME" build
echo "$OUT"
