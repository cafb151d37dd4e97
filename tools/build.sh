#!/bin/sh
# Build lwgw out of tree in $BUILD (default _build/default), configured with the arguments given.
# Reconfigures only when the arguments or the build system changed.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/_build/default}

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
	autoreconf -fi >/dev/null
fi
mkdir -p "$build"
cd "$build"
args="$*"
if [ ! -f Makefile ] || [ "$(cat .lwgw-configure-args 2>/dev/null)" != "$args" ]; then
	# shellcheck disable=SC2086
	"$top/configure" -q $args
	echo "$args" > .lwgw-configure-args
fi
make -j"$(nproc)" >/dev/null
