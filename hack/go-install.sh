#!/usr/bin/env bash
# go-install.sh PACKAGE VERSION: builds a Go command (`go install PACKAGE@VERSION`) from the Go module
# proxy into the cache, keyed by name and version, and prints the binary's path. For modules that
# `go install` accepts (no replace directives); kube-apiserver needs build-kube-apiserver.sh.
source "$(dirname "$0")/lib.sh"

PACKAGE=$1 VERSION=$2
NAME=${PACKAGE##*/}
OUT="$IPC_CACHE/go-$NAME-$VERSION/$NAME"

build() {
  local work=$1
  log "building $NAME $VERSION from the Go module proxy (a few minutes, once)"
  (cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$work/bin" go install -trimpath "$PACKAGE@$VERSION" >&2)
}

cached_build "go-$NAME" "$OUT" "$NAME $VERSION" build
