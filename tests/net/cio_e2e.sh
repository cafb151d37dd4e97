#!/bin/sh
# cio against libcoap's tools (an independent CoAP implementation) on 127.0.0.1:
# server role: GET, Block2 (large resource, client-chosen block size), Block1 PUT,
# separate response, 4.04/4.05, a lossy run (both directions);
# client role: Block1 PUT to our own server, and Register (POST /rd, >1 KiB links) to
# coap-rd, expecting 2.01 with a Location-Path.
set -u

: "${top_builddir:=.}"
PEER="$top_builddir/tests/net/cio_peer_test"
CLIENT=coap-client-notls
RD=coap-rd-notls

for t in "$CLIENT" "$RD"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIP: $t not installed (Debian libcoap3-bin)"
		exit 77
	fi
done
[ -x "$PEER" ] || { echo "FAIL: $PEER not built"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cio_e2e.XXXXXX")
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

FAILED=0
fail() {
	echo "FAIL: $*"
	FAILED=1
}
ok() {
	echo "ok: $*"
}

# A UDP port free right now on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Start a server instance of the test program; sets SRV_PORT. Each instance writes its
# own file, created before it starts, so that no stale port is ever read.
NPEER=0
SRV_PIDS=""
start_peer() {
	NPEER=$((NPEER + 1))
	out="$TMP/peer$NPEER.out"
	: >"$out"
	"$PEER" -t 120 "$@" serve >"$out" 2>"$TMP/peer$NPEER.err" &
	PIDS="$PIDS $!"
	SRV_PIDS="$SRV_PIDS $!"
	i=0
	SRV_PORT=""
	while [ $i -lt 50 ]; do
		SRV_PORT=$(awk '/^PORT/ { print $2 }' "$out")
		[ -n "$SRV_PORT" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "FAIL: cio_peer_test did not start"
	cat "$TMP/peer$NPEER.err"
	exit 1
}

expected_large() {
	/usr/bin/python3 -c 'import sys
sys.stdout.write("".join(chr(97 + i % 26) for i in range(3000)))'
}

expected_large >"$TMP/large.exp"
head -c 5000 /dev/urandom >"$TMP/put.bin"
head -c 3000 /dev/urandom >"$TMP/put2.bin"

start_peer
URI="coap://127.0.0.1:$SRV_PORT"

out=$($CLIENT -B 10 "$URI/hello" 2>&1)
[ "$out" = "Hello lwgw" ] && ok "GET /hello" || fail "GET /hello: $out"

rm -f "$TMP/large.out"
$CLIENT -B 10 -o "$TMP/large.out" "$URI/large" >/dev/null 2>&1
cmp -s "$TMP/large.out" "$TMP/large.exp" && ok "GET /large (Block2, 1024)" ||
    fail "GET /large"

rm -f "$TMP/large.out"
$CLIENT -B 10 -b 64 -o "$TMP/large.out" "$URI/large" >/dev/null 2>&1
cmp -s "$TMP/large.out" "$TMP/large.exp" && ok "GET /large -b 64 (client's block size)" ||
    fail "GET /large -b 64"

$CLIENT -B 10 -m put -f "$TMP/put.bin" "$URI/store" >/dev/null 2>&1
rm -f "$TMP/store.out"
$CLIENT -B 10 -o "$TMP/store.out" "$URI/store" >/dev/null 2>&1
cmp -s "$TMP/store.out" "$TMP/put.bin" && ok "PUT 5000 bytes (Block1), read back" ||
    fail "PUT /store (Block1)"

out=$($CLIENT -B 10 "$URI/slow" 2>&1)
[ "$out" = "slow" ] && ok "separate response" || fail "separate response: $out"

out=$($CLIENT -B 10 "$URI/missing" 2>&1)
case "$out" in *4.04*) ok "4.04" ;; *) fail "GET /missing: $out" ;; esac
out=$($CLIENT -B 10 -m delete "$URI/hello" 2>&1)
case "$out" in *4.05*) ok "4.05" ;; *) fail "DELETE /hello: $out" ;; esac

# Client role: cio sends Block1 to cio's server.
if "$PEER" -t 30 store "$SRV_PORT" "$TMP/put2.bin" >"$TMP/store.log" 2>&1; then
	rm -f "$TMP/store.out"
	$CLIENT -B 10 -o "$TMP/store.out" "$URI/store" >/dev/null 2>&1
	cmp -s "$TMP/store.out" "$TMP/put2.bin" && ok "cio client Block1 PUT" ||
	    fail "cio client Block1 PUT: content differs"
else
	fail "cio client Block1 PUT: $(cat "$TMP/store.log")"
fi

# Lossy: coap-client drops its datagrams number 2, 4 and 7 (a deterministic form of its
# -l option), our server every third of its own; both sides must retransmit.
start_peer -l 3
URI="coap://127.0.0.1:$SRV_PORT"
rm -f "$TMP/large.out"
$CLIENT -B 60 -l 2,4,7 -o "$TMP/large.out" "$URI/large" >/dev/null 2>&1
cmp -s "$TMP/large.out" "$TMP/large.exp" && ok "lossy GET /large (Block2)" ||
    fail "lossy GET /large"
$CLIENT -B 60 -l 2,4,7 -m put -f "$TMP/put2.bin" "$URI/store" >/dev/null 2>&1
rm -f "$TMP/store.out"
$CLIENT -B 60 -l 3 -o "$TMP/store.out" "$URI/store" >/dev/null 2>&1
cmp -s "$TMP/store.out" "$TMP/put2.bin" && ok "lossy PUT (Block1), read back" ||
    fail "lossy PUT"
if "$PEER" -t 30 -l 3 store "$SRV_PORT" "$TMP/put.bin" >"$TMP/store.log" 2>&1 &&
    grep -q "RETRANSMITTED [1-9]" "$TMP/store.log"; then
	ok "lossy cio client Block1 PUT: $(grep SENT "$TMP/store.log")"
else
	fail "lossy cio client Block1 PUT: $(cat "$TMP/store.log")"
fi

# Client role against coap-rd: Register with a link payload > 1 KiB.
tries=0
while :; do
	RD_PORT=$(free_port)
	$RD -A 127.0.0.1 -p "$RD_PORT" >"$TMP/rd.log" 2>&1 &
	RD_PID=$!
	PIDS="$PIDS $RD_PID"
	sleep 0.3
	kill -0 "$RD_PID" 2>/dev/null && break
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { fail "coap-rd did not start"; exit 1; }
done
out=$("$PEER" -t 30 register "$RD_PORT" 2>&1)
case "$out" in
*"CODE 2.01 LOCATION rd/"*) ok "Register to coap-rd: $(echo "$out" | grep CODE)" ;;
*) fail "Register to coap-rd: $out" ;;
esac

# Our servers stop cleanly on SIGTERM; under --enable-sanitizers a leak or error makes
# their exit status non-zero.
n=0
for p in $SRV_PIDS; do
	n=$((n + 1))
	kill -TERM "$p" 2>/dev/null
	if wait "$p"; then
		:
	else
		fail "cio_peer_test server $n exited with $?: $(head -5 "$TMP/peer$n.err")"
	fi
done
[ $FAILED -eq 0 ] && ok "servers exited cleanly"

exit $FAILED
