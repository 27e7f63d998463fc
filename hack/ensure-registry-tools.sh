#!/usr/bin/env bash
# Makes sure the tools of the registry and verification tests are present and prints where they are,
# one KEY=path line each, for test/harness/registry.ts (nothing else goes to stdout; progress goes to
# stderr). Both come from Debian packages, downloaded and unpacked into the cache without touching the
# system's apt configuration (fetch-debian-package.sh), so only the first run on a machine pays:
#
#   DOCKER_REGISTRY=/…/docker-registry   distribution 2.8 (bookworm `docker-registry`); the tests run it
#                                        with their own config on 127.0.0.1, never the package's
#                                        (which listens on :5000 on every interface, with htpasswd auth)
#   COSIGN=/…/cosign                     cosign 2.x (trixie; bookworm has none), for signing offline
#
# Both binaries need only libc, and nothing of their packages' maintainer scripts (the docker-registry
# postinst only creates a system user and /var/lib/docker-registry, which our config does not use).
source "$(dirname "$0")/lib.sh"
HACK="$(cd "$(dirname "$0")" && pwd)"

DOCKER_REGISTRY_SUITE="${DOCKER_REGISTRY_SUITE:-bookworm}"
DOCKER_REGISTRY_DEB_VERSION="${DOCKER_REGISTRY_DEB_VERSION:-2.8.2+ds1-1}"
COSIGN_DEB_VERSION="${COSIGN_DEB_VERSION:-2.5.0-2+b4}"

fail() {
  log "ERROR: $*"
  exit 1
}

for tool in apt-get dpkg-deb flock; do
  command -v "$tool" >/dev/null || fail "$tool is required to fetch the registry tools (a Debian or Ubuntu machine is assumed)"
done

docker_registry=$(bash "$HACK/fetch-debian-package.sh" "$DOCKER_REGISTRY_SUITE" docker-registry \
  "$DOCKER_REGISTRY_DEB_VERSION" usr/bin/docker-registry) ||
  fail "fetching docker-registry $DOCKER_REGISTRY_DEB_VERSION from Debian $DOCKER_REGISTRY_SUITE failed (see above)"
cosign=$(bash "$HACK/fetch-debian-package.sh" trixie cosign "$COSIGN_DEB_VERSION" usr/bin/cosign) ||
  fail "fetching cosign $COSIGN_DEB_VERSION from Debian trixie failed (see above)"

# A cached binary that does not run (truncated download, wrong architecture, missing library) should
# fail here, not as a registry that never answers in the tests.
"$docker_registry" --version >/dev/null 2>&1 ||
  fail "$docker_registry does not run; delete $(dirname "$(dirname "$(dirname "$docker_registry")")") and try again"
"$cosign" version >/dev/null 2>&1 ||
  fail "$cosign does not run; delete $(dirname "$(dirname "$(dirname "$cosign")")") and try again"

echo "DOCKER_REGISTRY=$docker_registry"
echo "COSIGN=$cosign"
