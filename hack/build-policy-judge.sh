#!/usr/bin/env bash
# Builds hack/policy-judge (our small front end to containers/image's policy code) and prints its
# path. The containers/image version is pinned here; the binary is cached by version and source hash.
source "$(dirname "$0")/lib.sh"

SRC="$(cd "$(dirname "$0")/policy-judge" && pwd)"
HASH=$(cat "$SRC"/*.go | sha256sum | cut -c1-12)
OUT="$IPC_CACHE/policy-judge-$CIMAGE_VERSION-$HASH/policy-judge"

build() {
  local work=$1
  log "building policy-judge with containers/image $CIMAGE_VERSION"
  cp "$SRC"/*.go "$SRC/go.mod" "$work/"
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
  (cd "$work" && go get "go.podman.io/image/v5@$CIMAGE_VERSION" >&2 && go mod tidy >&2 &&
    go build -trimpath -tags "containers_image_openpgp" -o "$work/bin/policy-judge" .)
}

cached_build "policy-judge" "$OUT" "policy-judge" build
