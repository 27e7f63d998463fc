#!/usr/bin/env bash
# Every external tool the scripts under hack/ fetch or build, pinned on something that does not
# move. A Debian package revision (`2.5.0-2+b4`) is not such a pin: the archive keeps one revision
# per suite, and a binary rebuild replaces it overnight. `hack/check-pins.sh` (run by `make test`)
# asks the registries, without any cache, whether each pin is still served.
#
# Each value can be overridden from the environment (e.g. COSIGN_VERSION=v2.5.1 make test).

# Node.js: the npm registry's node-linux-<arch> package. A published npm version never changes.
NODE_VERSION="${NODE_VERSION:-24.21.0}"

# kube-apiserver: built from the Go module k8s.io/kubernetes, which the module proxy serves forever.
# Debian has no kube-apiserver, and the tests need a specific Kubernetes minor.
K8S_VERSION="${K8S_VERSION:-v1.34.4}"

# policy-judge: our front end to containers/image, the Go module go.podman.io/image/v5.
CIMAGE_VERSION="${CIMAGE_VERSION:-v5.42.0}"

# cosign: built from the Go module github.com/sigstore/cosign/v2. Debian's cosign cannot be pinned
# by its upstream version: its binary reports "GitVersion: devel" (so we could not check what we
# got), and it is built with Go 1.20-era GODEBUG defaults, unlike the upstream release. The module
# build takes a few minutes once, then is cached by version.
COSIGN_VERSION="${COSIGN_VERSION:-v2.5.0}"

# etcd: Debian trixie's etcd-server, pinned on the upstream version (any Debian revision of it is
# accepted, and `etcd --version` must print it). etcd's own module cannot be `go install`ed (its
# go.mod has replace directives) and a wrapper build would cost minutes for a binary Debian ships.
ETCD_SUITE="${ETCD_SUITE:-trixie}"
ETCD_VERSION="${ETCD_VERSION:-3.5.16}"

# docker-registry (distribution 2.8): Debian bookworm's docker-registry, pinned on the upstream
# version like etcd; `docker-registry --version` prints it.
DOCKER_REGISTRY_SUITE="${DOCKER_REGISTRY_SUITE:-bookworm}"
DOCKER_REGISTRY_VERSION="${DOCKER_REGISTRY_VERSION:-2.8.2}"

# Go needed to build the Go tools above (kube-apiserver 1.34's go.mod asks for 1.24; the builds run
# with GOTOOLCHAIN=local, so they never download a toolchain).
GO_MIN_MINOR=24
