#!/bin/sh
# End-to-end test of the dtls module (wolfSSL, client) against an independent DTLS stack:
# libcoap's coap-server-openssl on 127.0.0.1 (requirement BS-11: the bootstrap and server
# interfaces run over DTLS). tests/net/dtls_client_test runs one association and sends a
# hand-built CoAP GET /.well-known/core.
#   PSK: right key -> 2.05 and close_notify seen by the server; wrong key -> clean failure
#   within the handshake timer budget; lossy handshake (datagrams dropped both ways) ->
#   2.05 through the retransmission timers.
#   X.509 (throwaway CA, server and client EC certificates made with openssl): pinned
#   server certificate -> 2.05; wrong pin -> failure; CA file -> 2.05; CA file with the
#   right/wrong hostname -> 2.05/failure.
set -u

: "${top_builddir:=.}"
client="$top_builddir/tests/net/dtls_client_test"
py=/usr/bin/python3

for tool in coap-server-openssl openssl "$py"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 77
	fi
done
if [ ! -x "$client" ]; then
	echo "FAIL: $client not built"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dtls_e2e.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# A port p with p and p+1 free for UDP and TCP (coap-server takes both; DTLS is p+1).
free_port() {
	"$py" - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 60000, 2)
    socks = []
    try:
        for port in (p, p + 1):
            for t in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                s = socket.socket(socket.AF_INET, t)
                socks.append(s)
                s.bind(("127.0.0.1", port))
        print(p)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
EOF
}

# Waits until something holds UDP port $1 on 127.0.0.1.
wait_bound() {
	"$py" - "$1" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        sys.exit(0)
    finally:
        s.close()
    time.sleep(0.05)
sys.exit(1)
EOF
}

# start_server NAME ARGS...: sets $port (the DTLS port).
start_server() {
	name=$1
	shift
	base=$(free_port)
	[ -n "$base" ] || { echo "FAIL: no free port"; exit 1; }
	coap-server-openssl -A 127.0.0.1 -p "$base" -v 7 "$@" \
	    >"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	port=$((base + 1))
	wait_bound "$port" || { echo "FAIL: $name server did not start"; exit 1; }
}

# run_client NAME EXPECTED_RC ARGS...: the client is bounded by its own deadline (-w) and
# by timeout(1) in case it hangs.
run_client() {
	name=$1
	want=$2
	shift 2
	start=$(date +%s)
	timeout 30 "$client" -p "$port" -w 20 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	elapsed=$(($(date +%s) - start))
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want"
		sed 's/^/  | /' "$tmp/$name.out" "$tmp/$name.err"
	else
		echo "ok: $name (${elapsed}s): $(grep -E '^(response|error)' \
		    "$tmp/$name.out" | head -1)"
	fi
}

expect_out() {
	grep -q -e "$2" "$tmp/$1.out" || fail "$1: output lacks \"$2\""
}

# ---- PSK
start_server psk -k lwgw-secret-key -h lwgw-hint
run_client psk_ok 0 -m psk -i ep-psk-1 -k lwgw-secret-key
expect_out psk_ok "^response 2.05"
expect_out psk_ok "^connected PSK-CHACHA20-POLY1305"
expect_out psk_ok "^closed"
sleep 0.2
grep -q "alert read:warning:close notify" "$tmp/psk.log" ||
    fail "psk_ok: server did not log our close_notify"

run_client psk_hex_key 0 -m psk -i ep-psk-2 -k hex:6c7767772d7365637265742d6b6579
expect_out psk_hex_key "^response 2.05"

# A wrong key leaves a half-open session in its server (DTLS drops the bad Finished
# silently). Should the kernel hand a later client the same source port, that session
# answers its ClientHello with the old flight instead of a HelloVerifyRequest (seen once
# in CI), so the wrong key gets a server of its own.
start_server psk_wrong -k lwgw-secret-key -h lwgw-hint
# 200 ms doubling, 3 retransmissions: gives up within about 3 s.
run_client psk_wrong_key 2 -m psk -i ep-psk-1 -k not-the-key -t 200 -r 3
expect_out psk_wrong_key "^error: handshake"
[ "$elapsed" -le 6 ] || fail "psk_wrong_key took ${elapsed}s"

# Lose the first two ClientHellos, the server's HelloVerifyRequest answer to the third
# and the first copy of our ClientHello with the cookie: only the timers recover from
# that. -v logs every datagram, for the day this fails.
start_server psk_lossy -k lwgw-secret-key -h lwgw-hint
run_client psk_lossy 0 -m psk -i ep-psk-3 -k lwgw-secret-key -t 100 -r 5 \
    -o 1,2,5 -I 1 -v
expect_out psk_lossy "^response 2.05"
grep -q "drop outgoing datagram 5" "$tmp/psk_lossy.err" ||
    fail "psk_lossy: nothing dropped"

# ---- X.509: a throwaway CA signs the server and client certificates.
pki="$tmp/pki"
mkdir "$pki"
(
	cd "$pki" || exit 1
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
	openssl req -x509 -new -key ca.key -subj /CN=lwgw-test-ca -days 2 \
	    -out ca.pem &&
	printf 'subjectAltName=DNS:localhost\n' >ext.cnf &&
	for n in server client other; do
		openssl ecparam -name prime256v1 -genkey -noout -out $n.key &&
		openssl req -new -key $n.key -subj /CN=$n -out $n.csr &&
		openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -days 2 -extfile ext.cnf -out $n.pem &&
		openssl x509 -in $n.pem -outform DER -out $n.der &&
		openssl pkcs8 -topk8 -nocrypt -in $n.key -outform DER \
		    -out $n.key.der || exit 1
	done &&
	openssl ecparam -name prime256v1 -genkey -noout -out rogue.key &&
	openssl req -x509 -new -key rogue.key -subj /CN=rogue -days 2 \
	    -outform DER -out rogue.der &&
	openssl pkcs8 -topk8 -nocrypt -in rogue.key -outform DER -out rogue.key.der
) >"$tmp/pki.log" 2>&1 || { echo "FAIL: openssl could not make the PKI"; exit 1; }

start_server x509 -c "$pki/server.pem" -j "$pki/server.key" -C "$pki/ca.pem"
cred="-m x509 -c $pki/client.der -K $pki/client.key.der -t 200 -r 3"
# shellcheck disable=SC2086
{
run_client x509_pinned 0 $cred -s "$pki/server.der"
expect_out x509_pinned "^connected ECDHE-ECDSA-AES128-CCM-8"
expect_out x509_pinned "^response 2.05"
run_client x509_wrong_pin 2 $cred -s "$pki/other.der"
expect_out x509_wrong_pin "does not match the pinned one"
run_client x509_ca 0 $cred -C "$pki/ca.pem"
expect_out x509_ca "^response 2.05"
run_client x509_hostname 0 $cred -C "$pki/ca.pem" -H localhost
expect_out x509_hostname "^response 2.05"
run_client x509_wrong_hostname 2 $cred -C "$pki/ca.pem" -H other.example
expect_out x509_wrong_hostname "^error: handshake failed"
# The server refuses a self-signed client certificate that its CA did not sign.
run_client x509_untrusted_client 2 -m x509 -c "$pki/rogue.der" \
    -K "$pki/rogue.key.der" -t 200 -r 3 -s "$pki/server.der"
expect_out x509_untrusted_client "^error: handshake failed"
}

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s); logs were in $tmp"
	exit 1
fi
exit 0
