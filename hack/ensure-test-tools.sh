#!/usr/bin/env bash
# Makes sure the binaries of the integration-test control plane are present and prints where they
# are, one KEY=path line each, for test/harness (nothing else goes to stdout; progress goes to
# stderr). Both are cached by version outside the repository (see lib.sh), so only the first run on
# a machine pays: kube-apiserver is built from the Go module proxy (needs Go, 10-20 minutes), etcd is
# unpacked from Debian trixie's etcd-server package (needs apt-get and dpkg-deb). Pins: pins.sh.
#
#   KUBE_APISERVER=/…/kube-apiserver
#   ETCD=/…/etcd
source "$(dirname "$0")/lib.sh"

# Only a build that is not cached yet needs Go, so check for it (and its version) before starting,
# with a message that says what to do instead of a failure deep inside `go build`.
[ -x "$IPC_CACHE/kube-apiserver-$K8S_VERSION/kube-apiserver" ] || require_go "kube-apiserver $K8S_VERSION"

kube_apiserver=$(bash "$HACK/build-kube-apiserver.sh") || fail "building kube-apiserver $K8S_VERSION failed (see above)"
etcd=$(bash "$HACK/fetch-debian-package.sh" "$ETCD_SUITE" etcd-server "$ETCD_VERSION" usr/bin/etcd) ||
  fail "fetching etcd-server $ETCD_VERSION from Debian $ETCD_SUITE failed (see above)"

# A cached binary that does not run (truncated download, wrong architecture), or is not the pinned
# version, should fail here, not as a mysterious start-up timeout in the tests.
"$kube_apiserver" --version >/dev/null 2>&1 || fail "$kube_apiserver does not run; delete it and try again"
etcd_version=$("$etcd" --version 2>&1) || fail "$etcd does not run; delete $(dirname "$etcd") and try again"
[[ "$etcd_version" == *"etcd Version: $ETCD_VERSION"* ]] || fail "$etcd is not etcd $ETCD_VERSION: $etcd_version"

echo "KUBE_APISERVER=$kube_apiserver"
echo "ETCD=$etcd"
echo "K8S_VERSION=$K8S_VERSION"
