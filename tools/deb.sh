#!/bin/sh
# Build the Debian package from a clean tree: the distribution tarball (make dist) unpacked
# with packaging/debian as its debian/ directory, dpkg-buildpackage -us -uc -b, then lintian.
# The .deb, the build log and lintian's report land in $OUT (default _build/deb).
# BUILD: a configured build directory to make the tarball in (default _build/default, built
# by tools/build.sh when it does not exist). DEB_BUILD_OPTIONS is passed on (nocheck skips
# the unit tests of the package build). Usage: sh tools/deb.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/_build/deb}
build=${BUILD:-$top/_build/default}
cd "$top"

sh tools/deps.sh
[ -f "$build/Makefile" ] || BUILD=$build sh tools/build.sh
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$build/Makefile")
debversion=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "${debversion%-*}" != "$version" ]; then
	echo "deb: packaging/debian/changelog is at $debversion but the source is" \
	    "$version: add a changelog entry (dch -v $version-1)" >&2
	exit 1
fi
rm -f "$build/lwgw-$version.tar.gz"
make -C "$build" dist-gzip >"$build/dist.log" 2>&1 || {
	tail -n 30 "$build/dist.log"
	echo "deb: make dist failed" >&2
	exit 1
}
tarball=$build/lwgw-$version.tar.gz

work=$(mktemp -d /tmp/lwgw-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp "$tarball" "$work/lwgw_$version.orig.tar.gz"
tar -C "$work" -xzf "$tarball"
src=$work/lwgw-$version
cp -r "$src/packaging/debian" "$src/debian"
mkdir -p "$out"
rm -f "$out"/lwgw_*.deb "$out"/lwgw-dbgsym_*.deb
log=$out/build.log
echo "deb: dpkg-buildpackage -us -uc -b in $src (log: $log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	tail -n 60 "$log"
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
fi
cp "$work"/*.deb "$out/"
echo "deb: built $(cd "$out" && ls lwgw_*.deb)"

# Errors fail the build; every warning is fixed or explained in packaging/README.md and
# overridden in debian/lwgw.lintian-overrides.
lintian --info --display-info --pedantic --show-overrides --tag-display-limit 0 "$work"/*.changes \
    >"$out/lintian.txt" 2>&1 || true
sed 's/^/  lintian: /' "$out/lintian.txt" | grep -E "^  lintian: [EWIPO]:" || true
if grep -q '^E:' "$out/lintian.txt"; then
	echo "deb: lintian reports errors ($out/lintian.txt)" >&2
	exit 1
fi
echo "deb: lintian: $(grep -c '^E:' "$out/lintian.txt") errors," \
    "$(grep -c '^W:' "$out/lintian.txt") warnings," \
    "$(grep -c '^[IP]:' "$out/lintian.txt") info/pedantic," \
    "$(grep -c '^O:' "$out/lintian.txt") overridden"
