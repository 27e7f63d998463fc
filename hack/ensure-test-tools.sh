#!/usr/bin/env bash
# Makes sure the binaries of the integration-test control plane are present and prints where they
# are, one KEY=path line each, for test/harness (nothing else goes to stdout; progress goes to
# stderr). Both are cached by version outside the repository (see lib.sh), so only the first run on
# a machine pays: kube-apiserver is built from the Go module proxy (needs Go, 10-20 minutes), etcd is
# unpacked from Debian trixie's etcd-server package (needs apt-get and dpkg-deb).
#
#   KUBE_APISERVER=/…/kube-apiserver
#   ETCD=/…/etcd
source "$(dirname "$0")/lib.sh"
HACK="$(cd "$(dirname "$0")" && pwd)"

# Pinned here so every caller (harness, CI, a developer's shell) gets the same pair. The harness's
# own test asserts the API server's /version against K8S_VERSION.
export K8S_VERSION="${K8S_VERSION:-v1.34.4}"
ETCD_DEB_VERSION="${ETCD_DEB_VERSION:-3.5.16-4}"
GO_MIN_MINOR=24 # kube-apiserver 1.34 needs Go >= 1.24 (its go.mod), and the build runs with GOTOOLCHAIN=local

fail() {
  log "ERROR: $*"
  exit 1
}

# kube-apiserver: only a build that is not cached yet needs Go, so check for it (and its version)
# before starting, with a message that says what to do instead of a failure deep inside `go build`.
if [ ! -x "$IPC_CACHE/kube-apiserver-$K8S_VERSION/kube-apiserver" ]; then
  if ! command -v go >/dev/null; then
    fail "kube-apiserver $K8S_VERSION is not cached in $IPC_CACHE and Go is not installed.
  The integration tests build it from the Go module proxy: install Go >= 1.$GO_MIN_MINOR and put it on PATH
  (Debian bookworm's golang is 1.19, too old), then run this again."
  fi
  go_version=$(go env GOVERSION) # e.g. go1.26.8
  go_minor=${go_version#go1.}
  go_minor=${go_minor%%.*}
  if ! [[ "$go_minor" =~ ^[0-9]+$ ]] || [ "$go_minor" -lt "$GO_MIN_MINOR" ]; then
    fail "kube-apiserver $K8S_VERSION needs Go >= 1.$GO_MIN_MINOR to build, but \`go\` is $go_version.
  Put a newer Go first on PATH, then run this again."
  fi
fi
for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null || fail "$tool is required to fetch etcd (a Debian or Ubuntu machine is assumed)"
done

kube_apiserver=$(bash "$HACK/build-kube-apiserver.sh") || fail "building kube-apiserver $K8S_VERSION failed (see above)"
etcd=$(bash "$HACK/fetch-debian-package.sh" trixie etcd-server "$ETCD_DEB_VERSION" usr/bin/etcd) ||
  fail "fetching etcd-server $ETCD_DEB_VERSION from Debian trixie failed (see above)"

# A cached binary that does not run (truncated download, wrong architecture) should fail here, not
# as a mysterious start-up timeout in the tests.
"$kube_apiserver" --version >/dev/null 2>&1 || fail "$kube_apiserver does not run; delete it and try again"
"$etcd" --version >/dev/null 2>&1 || fail "$etcd does not run; delete $(dirname "$etcd") and try again"

echo "KUBE_APISERVER=$kube_apiserver"
echo "ETCD=$etcd"
echo "K8S_VERSION=$K8S_VERSION"
