#!/bin/sh
# Build the Debian package from a clean tree: the distribution tarball of the source tree,
# packaging/debian as its debian/ directory, dpkg-buildpackage -us -uc -b, then lintian.
# The .deb lands in $OUT (default _build/deb). Usage: sh tools/deb.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$top/_build/deb}
cd "$top"

EXTRA_PACKAGES="debhelper dpkg-dev lintian" sh tools/deps.sh
sh tools/build.sh
build=$top/_build/default
make -C "$build" dist >/dev/null
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$build/Makefile")
tarball=$build/lwgw-$version.tar.gz

work=$(mktemp -d /tmp/lwgw-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
src=$work/lwgw-$version
cp -r packaging/debian "$src/debian"
cp packaging/lwgwd.service "$src/debian/lwgw.lwgwd.service"
cp "$tarball" "$work/lwgw_$version.orig.tar.gz"
(cd "$src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) || {
	tail -n 60 "$work/build.log"
	echo "deb: dpkg-buildpackage failed" >&2
	exit 1
}
mkdir -p "$out"
cp "$work"/*.deb "$out/"
echo "deb: $(ls "$out"/*.deb)"
lintian --no-tag-display-limit "$work"/*.changes 2>&1 | tee "$out/lintian.txt" || true
if grep -q '^E:' "$out/lintian.txt"; then
	echo "deb: lintian reports errors" >&2
	exit 1
fi
