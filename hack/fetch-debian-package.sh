#!/usr/bin/env bash
# fetch-debian-package.sh SUITE PACKAGE UPSTREAM_VERSION BINARY_IN_DEB
# Downloads the revision of PACKAGE that SUITE serves for the pinned UPSTREAM_VERSION, from the
# Debian mirror in this machine's apt configuration (only the suite is changed), without touching
# the system's package lists; unpacks it into the cache and prints the path of BINARY_IN_DEB.
# Used for tools whose bookworm build is too old or missing (etcd-server 3.4 there).
source "$(dirname "$0")/lib.sh"

SUITE=$1 PACKAGE=$2 UPSTREAM=$3 BINARY=$4
# Keyed by the upstream version: any Debian revision of it is the same program for our tests.
DEST="$IPC_CACHE/deb-$PACKAGE-$UPSTREAM"

fetch() {
  [ -x "$DEST/root/$BINARY" ] && return 0
  command -v dpkg-deb >/dev/null || fail "dpkg-deb is required to unpack $PACKAGE"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  local version opts
  version=$(debian_resolve "$work" "$SUITE" "$PACKAGE" "$UPSTREAM")
  log "fetching $PACKAGE=$version (upstream $UPSTREAM) from Debian $SUITE"
  mapfile -t opts < <(apt_options "$work")
  (cd "$work" && apt-get "${opts[@]}" download "$PACKAGE=$version" >&2)
  rm -rf "$DEST"; mkdir -p "$DEST/root"
  dpkg-deb -x "$work"/"${PACKAGE}"_*.deb "$DEST/root"
  echo "$version" >"$DEST/debian-version"
  [ -x "$DEST/root/$BINARY" ] || fail "$BINARY not found in $PACKAGE $version"
}

run_locked "deb-$PACKAGE" fetch
echo "$DEST/root/$BINARY"
