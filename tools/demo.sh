#!/bin/sh
# The main job: install what is missing, build, and run lwgwd with the simulated sensors of
# conf/demo.conf against a local test operator (tests/operator) on the loopback interface:
# every device bootstraps, registers and notifies; then lwgwd stops and de-registers them.
# DEMO_SECONDS (default 20; 0 = until Ctrl-C) sets how long the notifications are shown.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh tools/deps.sh
echo "== building"
sh tools/build.sh
build=$top/_build/default
make -C "$build" -j"$(nproc)" tests/operator/lwgw-operator >/dev/null
echo "== running the demo"
LWGW_BUILDDIR=$build exec python3 tools/demo.py
