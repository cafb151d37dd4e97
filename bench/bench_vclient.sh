#!/bin/sh
# Registration benchmark of the LwM2M layer: N virtual clients (NoSec, loopback) register
# with coap-rd-notls; prints the time until all are registered and the resident memory per
# vclient (tests/e2e/vclient_harness -b). Usage: bench/bench_vclient.sh [N ...]
# (default 1000 10000). Run from the build directory (or set top_builddir).
B=${top_builddir:-.}
H=$B/tests/e2e/vclient_harness
[ -x "$H" ] || { echo "build $H first (make tests/e2e/vclient_harness)" >&2; exit 1; }
command -v coap-rd-notls >/dev/null || { echo "coap-rd-notls (libcoap3-bin) needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill $rd 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for n in ${*:-1000 10000}; do
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	coap-rd-notls -A 127.0.0.1 -p "$port" >"$tmp/rd.log" 2>&1 &
	rd=$!
	sleep 0.3
	cat >"$tmp/b.conf" <<CONF
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true; log_level = "warning"; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:$port"; security = "nosec"; lifetime = 3600; } );
CONF
	echo "N=$n:"
	# -r 0: no readings; shutdown after the measure (coap-rd-notls 4.3.1 aborts on
	# De-register, so the harness waits its shutdown bound).
	if ! "$H" -b -c "$tmp/b.conf" -n "$n" -r 0 2>"$tmp/h.err"; then
		cat "$tmp/h.err" >&2
		exit 1
	fi
	kill $rd 2>/dev/null
	wait $rd 2>/dev/null
	rd=
done
exit 0
