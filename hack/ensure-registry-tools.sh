#!/usr/bin/env bash
# Makes sure the tools of the registry and verification tests are present and prints where they are,
# one KEY=path line each, for test/harness/registry.ts (nothing else goes to stdout; progress goes to
# stderr). Both are cached by version outside the repository, so only the first run on a machine
# pays. Their pins, and why each is pinned the way it is, are in pins.sh.
#
#   DOCKER_REGISTRY=/…/docker-registry   distribution 2.8 (Debian bookworm's `docker-registry`); the
#                                        tests run it with their own config on 127.0.0.1, never the
#                                        package's (which listens on :5000 on every interface)
#   COSIGN=/…/cosign                     cosign v2, built from the Go module proxy, for signing offline
#
# docker-registry needs only libc and nothing of its package's maintainer scripts (the postinst only
# creates a system user and /var/lib/docker-registry, which our config does not use).
source "$(dirname "$0")/lib.sh"

docker_registry=$(bash "$HACK/fetch-debian-package.sh" "$DOCKER_REGISTRY_SUITE" docker-registry \
  "$DOCKER_REGISTRY_VERSION" usr/bin/docker-registry) ||
  fail "fetching docker-registry $DOCKER_REGISTRY_VERSION from Debian $DOCKER_REGISTRY_SUITE failed (see above)"
cosign=$(bash "$HACK/go-install.sh" github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_VERSION") ||
  fail "building cosign $COSIGN_VERSION failed (see above)"

# A cached binary that does not run, or is not the pinned version, should fail here, not as a
# registry that never answers or a signature format the tests do not expect.
registry_version=$("$docker_registry" --version 2>&1) ||
  fail "$docker_registry does not run; delete $(dirname "$(dirname "$(dirname "$docker_registry")")") and try again"
[[ "$registry_version" == *" $DOCKER_REGISTRY_VERSION"* ]] ||
  fail "$docker_registry reports \"$registry_version\", not the pinned $DOCKER_REGISTRY_VERSION"
cosign_version=$("$cosign" version --json 2>/dev/null) ||
  fail "$cosign does not run; delete $(dirname "$cosign") and try again"
[[ "$cosign_version" == *"\"gitVersion\": \"$COSIGN_VERSION\""* ]] ||
  fail "$cosign is not cosign $COSIGN_VERSION: $cosign_version"

echo "DOCKER_REGISTRY=$docker_registry"
echo "COSIGN=$cosign"
