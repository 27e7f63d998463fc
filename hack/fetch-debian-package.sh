#!/usr/bin/env bash
# fetch-debian-package.sh SUITE PACKAGE VERSION BINARY_IN_DEB
# Downloads one Debian package from SUITE (e.g. trixie) without touching the system's apt
# configuration, unpacks it into the cache and prints the path of BINARY_IN_DEB inside it.
# Used for tools whose bookworm build is too old (etcd-server 3.4, no cosign at all).
source "$(dirname "$0")/lib.sh"

SUITE=$1 PACKAGE=$2 VERSION=$3 BINARY=$4
DEST="$IPC_CACHE/deb-$PACKAGE-$VERSION"

fetch() {
  [ -x "$DEST/root/$BINARY" ] && return 0
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  echo "deb http://deb.debian.org/debian $SUITE main" >"$work/sources.list"
  local apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::lists=$work/lists" -o "Dir::Cache::archives=$work/archives"
    -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  log "fetching $PACKAGE=$VERSION from Debian $SUITE"
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd "$work" && apt-get "${apt_opts[@]}" download "$PACKAGE=$VERSION" >&2)
  rm -rf "$DEST"; mkdir -p "$DEST/root"
  dpkg-deb -x "$work"/"${PACKAGE}"_*.deb "$DEST/root"
  [ -x "$DEST/root/$BINARY" ] || { log "$BINARY not found in $PACKAGE"; exit 1; }
}

run_locked "deb-$PACKAGE" fetch
echo "$DEST/root/$BINARY"
