#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy and prints the binary's path.
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces staging modules with local paths),
# so we build it from a throw-away wrapper module that pins every staging module to its published tag.
source "$(dirname "$0")/lib.sh"

OUT="$IPC_CACHE/kube-apiserver-$K8S_VERSION/kube-apiserver"

build() {
  [ -x "$OUT" ] && return 0
  require_go "kube-apiserver $K8S_VERSION"
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging="v0.${K8S_VERSION#v1.}"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  log "building kube-apiserver $K8S_VERSION (takes 10-20 minutes on 2 cores)"
  export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
  # Read the staging module list from the release's own go.mod instead of hard-coding it.
  local gomod
  gomod=$(cd "$work" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module local.test/kube-apiserver-build"
    echo "go 1.24.0"
    echo "godebug default=go1.24"
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo "replace ("
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk -v v="$staging" '{print "  " $1 " => " $1 " " v}'
    echo ")"
  } >"$work/go.mod"
  printf '//go:build tools\npackage tools\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n' >"$work/tools.go"
  (cd "$work" && go mod tidy >&2 && go build -trimpath -o "$work/kube-apiserver" \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
      -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor \
      -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION" \
    k8s.io/kubernetes/cmd/kube-apiserver)
  mkdir -p "$(dirname "$OUT")"
  mv "$work/kube-apiserver" "$OUT"
}

run_locked "kube-apiserver-$K8S_VERSION" build
echo "$OUT"
