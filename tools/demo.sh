#!/bin/sh
# The main job: install what is missing, build, and run lwgwd with simulated sensors against
# a local test operator (tests/operator) on the loopback interface, for DEMO_SECONDS seconds
# (default 20; 0 = until Ctrl-C). Everything it starts is stopped on exit.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

sh tools/deps.sh
echo "== building"
sh tools/build.sh
build=$top/_build/default
make -C "$build" -j"$(nproc)" tests/operator/lwgw-operator >/dev/null 2>&1 || true

work=/tmp/lwgw-demo
rm -rf "$work"
mkdir -p "$work/state"
pids=""
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -x "$build/tests/operator/lwgw-operator" ] && [ -f tests/operator/demo.conf ]; then
	echo "== starting the test operator (Bootstrap-Server 127.0.0.1:15683, Server 127.0.0.1:15685)"
	"$build/tests/operator/lwgw-operator" -c tests/operator/demo.conf \
	    >"$work/operator.jsonl" 2>"$work/operator.err" &
	pids="$pids $!"
	sleep 0.5
else
	echo "== the test operator is not built yet: lwgwd runs alone"
fi

echo "== starting lwgwd -f -c conf/demo.conf"
"$build/lwgwd" -f -v -c conf/demo.conf 2>&1 | tee "$work/lwgwd.log" &
pids="$pids $!"

secs=${DEMO_SECONDS:-20}
if [ "$secs" -eq 0 ]; then
	wait
else
	sleep "$secs"
fi
echo "== stopping"
pkill -TERM -f "$build/lwgwd" 2>/dev/null || true
sleep 1
if [ -s "$work/operator.jsonl" ]; then
	echo "== what the operator saw"
	for ev in bootstrap-finish register notify deregister; do
		printf '   %-18s %s\n' "$ev" "$(grep -c "\"event\":\"$ev\"" "$work/operator.jsonl" || true)"
	done
fi
echo "== logs in $work"
