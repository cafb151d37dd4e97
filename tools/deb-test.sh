#!/bin/sh
# CI test of the Debian package (issue 9), run by tools/check.sh as its last step: build the
# .deb from the clean tree (tools/deb.sh), install it with dpkg -i on this machine (root, no
# systemd as PID 1), check what it installed, run the installed lwgwd as _lwgw with a
# simulated link against lwgw-operator (from the build tree) and drive lwgwctl, then
# upgrade it (to the same package repacked with a higher version), remove and purge it and
# check what each leaves.
# One line per check; exits 1 when any check failed. It purges an lwgw package installed
# before it and after it: for CI machines (tools/check.sh skips it with LWGW_SKIP_DEB=1).
# BUILD: a configured build directory (default _build/default); OUT: where the .deb goes
# (default _build/deb); DEB_BUILD_OPTIONS (default nocheck: check.sh ran the unit tests).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/_build/default}
out=${OUT:-$top/_build/deb}
cd "$top" || exit 1

pass=0
fail=0
pids=""
work=""
made_run=""
gw=""
start=$(date +%s)

ok()
{
	pass=$((pass + 1))
	echo "  ok    $1"
}

# notok NAME [DETAILS]: a failed check, with the end of what explains it.
notok()
{
	fail=$((fail + 1))
	echo "  FAIL  $1"
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		printf '%s\n' "$2" | tail -n 15 | sed 's/^/        /'
	fi
}

# check NAME COMMAND...: one check; COMMAND's output is shown only when it fails.
check()
{
	name=$1
	shift
	if o=$("$@" 2>&1); then
		ok "$name"
	else
		notok "$name" "$o"
	fi
}

summary()
{
	echo "deb-test: $pass passed, $fail failed ($(($(date +%s) - start)) s)"
}

installed()
{
	case "$(dpkg-query -W -f='${db:Status-Abbrev}' lwgw 2>/dev/null)" in
	""|un*|pn*)
		return 1 ;;
	esac
	return 0
}

cleanup()
{
	for p in $pids; do
		kill -KILL "$p" 2>/dev/null
	done
	if installed; then
		dpkg --purge lwgw >/dev/null 2>&1
	fi
	[ -n "$made_run" ] && rm -rf /run/lwgw
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# mode_is PATH "MODE OWNER GROUP"
mode_is()
{
	got=$(stat -c '%a %U %G' "$1") || return 1
	[ "$got" = "$2" ] || { echo "$1: $got, want $2"; return 1; }
}

# wait_for FILE SECONDS PATTERN...: until one line of FILE matches every pattern.
wait_for()
{
	wf_file=$1
	wf_n=$(($2 * 10))
	shift 2
	while [ "$wf_n" -gt 0 ]; do
		[ "$(matches "$wf_file" "$@")" -gt 0 ] && return 0
		sleep 0.1
		wf_n=$((wf_n - 1))
	done
	echo "$wf_file: no line with $*"
	return 1
}

# matches FILE PATTERN...: how many lines of FILE match every (fixed string) pattern.
matches()
{
	m_file=$1
	shift
	m_cmd="cat '$m_file'"
	for m_p in "$@"; do
		m_cmd="$m_cmd | grep -F -e '$m_p'"
	done
	eval "$m_cmd" 2>/dev/null | wc -l
}

if [ "$(id -u)" -ne 0 ]; then
	echo "deb-test: needs root (dpkg -i); LWGW_SKIP_DEB=1 tools/check.sh skips it" >&2
	exit 1
fi
work=$(mktemp -d /tmp/lwgw-deb-test.XXXXXX)
chmod 0755 "$work"

echo "== package build (tools/deb.sh)"
if installed; then
	echo "  note  purging the lwgw package a previous run left installed"
	dpkg --purge lwgw >/dev/null 2>&1
fi
if DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} BUILD=$build OUT=$out \
    sh tools/deb.sh >"$work/deb.out" 2>&1; then
	ok "deb.sh: $(sed -n 's/^deb: built //p' "$work/deb.out"), $(sed -n \
	    's/^deb: lintian: //p' "$work/deb.out")"
else
	notok "deb.sh: the package builds and lintian reports no errors" \
	    "$(cat "$work/deb.out")"
	summary
	exit 1
fi
grep '^  lintian: ' "$work/deb.out"
deb=$(ls "$out"/lwgw_*.deb | head -n 1)
operator=$build/tests/operator/lwgw-operator
check "lwgw-operator built (build tree)" \
    make -C "$build" tests/operator/lwgw-operator

echo "== install (dpkg -i)"
if ! o=$(dpkg -i "$deb" 2>&1); then
	o="$o
$(apt-get install -f -y -qq 2>&1)"
fi
if installed && [ "$(dpkg-query -W -f='${db:Status-Abbrev}' lwgw)" = "ii " ]; then
	ok "dpkg -i $(basename "$deb")"
else
	notok "dpkg -i $(basename "$deb")" "$o"
	summary
	exit 1
fi
for f in /usr/sbin/lwgwd /usr/bin/lwgwctl; do
	check "$f: executable" test -x "$f"
done
for f in /lib/systemd/system/lwgwd.service /usr/share/dbus-1/system.d/lwgw.conf \
    /usr/share/man/man8/lwgwd.8.gz /usr/share/man/man5/lwgw.conf.5.gz \
    /usr/share/man/man8/lwgwctl.8.gz /usr/share/doc/lwgw/serial-protocol.md.gz \
    /usr/share/doc/lwgw/copyright; do
	check "$f" test -f "$f"
done
check "/usr/share/doc/lwgw/README.md" sh -c 'ls /usr/share/doc/lwgw/README.md*'
check "/etc/lwgw/lwgw.conf: 0640 root:_lwgw" mode_is /etc/lwgw/lwgw.conf "640 root _lwgw"
check "/var/lib/lwgw: 0700 _lwgw:_lwgw" mode_is /var/lib/lwgw "700 _lwgw _lwgw"
check "/etc/lwgw/lwgw.conf is a registered conffile" sh -c \
    "dpkg-query -W -f='\${Conffiles}\n' lwgw | grep -Eq '^ /etc/lwgw/lwgw.conf [0-9a-f]{32}\$'"
uid=$(id -u _lwgw 2>/dev/null)
check "_lwgw: system user ($(getent passwd _lwgw))" sh -c \
    "[ '${uid:-x}' -lt 1000 ] && getent passwd _lwgw | grep -q ':/usr/sbin/nologin\$'"
check "_lwgw: groups $(id -nG _lwgw 2>/dev/null | tr ' ' ,) (dialout for serial links)" \
    sh -c "id -nG _lwgw | tr ' ' '\n' | grep -qx dialout"
check "lwgwd.service enabled (multi-user.target.wants)" \
    test -L /etc/systemd/system/multi-user.target.wants/lwgwd.service
check "systemd-analyze verify lwgwd.service: no complaint" sh -c \
    'o=$(systemd-analyze verify /lib/systemd/system/lwgwd.service 2>&1) && [ -z "$o" ] ||
	{ echo "$o"; exit 1; }'
sec=$(systemd-analyze security --offline=yes /lib/systemd/system/lwgwd.service 2>&1 |
    sed -n 's/.*Overall exposure level for lwgwd.service: *\([0-9.]*\).*/\1/p')
# 1.5 when written (packaging/README.md); a change that weakens the unit fails here.
check "systemd-analyze security --offline=yes: exposure ${sec:-?} (at most 2.0)" \
    awk -v s="${sec:-99}" 'BEGIN { exit !(s <= 2.0) }'

# The D-Bus policy, on a private bus that like the system bus refuses method calls to
# services by default and includes the installed file; the fake BlueZ of the BLE tests owns
# org.bluez there. AccessDenied is the bus's answer; a call it lets through gets the fake's.
cat >"$work/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
  <policy user="root">
    <allow own="org.bluez"/>
    <allow send_type="method_call"/>
  </policy>
  <include>/usr/share/dbus-1/system.d/lwgw.conf</include>
</busconfig>
EOF
dbus-daemon --config-file="$work/bus.conf" --nofork --print-address \
    >"$work/bus.out" 2>"$work/bus.err" </dev/null &
pids="$pids $!"
wait_for "$work/bus.out" 10 "unix:path=" >/dev/null
bus=unix:path=$work/bus
echo '{"powered": true, "devices": []}' >"$work/fakebluez.json"
mkfifo "$work/fakebluez.in"
/usr/bin/python3 tests/e2e/fakebluez.py --bus "$bus" --spec "$work/fakebluez.json" \
    <"$work/fakebluez.in" >"$work/fakebluez.out" 2>"$work/fakebluez.err" &
pids="$pids $!"
# Read-write: never blocks, even if the fake died before opening its end.
exec 9<>"$work/fakebluez.in"
wait_for "$work/fakebluez.out" 10 '"event": "ready"' >/dev/null ||
    wait_for "$work/fakebluez.out" 1 '"event":"ready"' >/dev/null

# bluez_call USER GROUP INTERFACE.METHOD [PATH [ARGS...]]: dbus-send's answer.
bluez_call()
{
	bc_u=$1
	bc_g=$2
	bc_m=$3
	bc_path=${4:-/}
	shift 3
	[ $# -gt 0 ] && shift
	setpriv --reuid="$bc_u" --regid="$bc_g" --init-groups -- dbus-send --bus="$bus" \
	    --print-reply --dest=org.bluez "$bc_path" "$bc_m" "$@" 2>&1
}
# denied USER GROUP METHOD [PATH [ARGS...]]: the bus refuses the call.
denied()
{
	o=$(bluez_call "$@")
	echo "$o"
	echo "$o" | grep -q AccessDenied
}
allowed()
{
	o=$(bluez_call "$@")
	rc=$?
	echo "$o"
	[ "$rc" -eq 0 ] || ! echo "$o" | grep -q AccessDenied
}
check "D-Bus: _lwgw may call org.bluez (GetManagedObjects)" \
    bluez_call _lwgw _lwgw org.freedesktop.DBus.ObjectManager.GetManagedObjects
check "D-Bus: _lwgw may not register a BlueZ agent (AccessDenied)" \
    denied _lwgw _lwgw org.bluez.AgentManager1.RegisterAgent /org/bluez \
    objpath:/a string:NoInputNoOutput
check "D-Bus: root's RegisterAgent reaches the fake BlueZ (no AccessDenied)" \
    allowed root root org.bluez.AgentManager1.RegisterAgent /org/bluez \
    objpath:/a string:NoInputNoOutput
check "D-Bus: nobody may not call org.bluez (AccessDenied)" \
    denied nobody nogroup org.freedesktop.DBus.ObjectManager.GetManagedObjects
exec 9>&-

echo "== installed lwgwd and lwgwctl"
check "lwgwd -n: the shipped /etc/lwgw/lwgw.conf is valid" /usr/sbin/lwgwd -n
check "lwgwd -n as _lwgw (ExecStartPre=): can read the 0640 conffile" \
    setpriv --reuid=_lwgw --regid=_lwgw --init-groups -- /usr/sbin/lwgwd -n
check "lwgwd -V: $(/usr/sbin/lwgwd -V 2>&1)" sh -c '/usr/sbin/lwgwd -V | grep -q "^lwgwd "'

# The LwM2M Server (operator A), then the Bootstrap-Server (operator B) whose scenario
# points the devices at A: rebootstrap must go through B and end in a registration at A.
echo 'server = { port = 0; };' >"$work/opa.conf"
"$operator" -k -c "$work/opa.conf" >"$work/opa.out" 2>"$work/opa.err" </dev/null &
pids="$pids $!"
wait_for "$work/opa.out" 10 '"event":"ready"' >/dev/null
sport=$(sed -n 's/.*"server_port":\([0-9]*\).*/\1/p' "$work/opa.out")
scen=""
for i in 1 2 3; do
	scen="$scen${scen:+,}
    { name = \"sim0-$i\"; steps = (
	{ op = \"discover\"; path = \"/\"; expect = \"2.05\"; },
	{ op = \"delete\"; path = \"/\"; expect = \"2.02\"; },
	{ op = \"write\"; path = \"/0\"; expect = \"2.04\"; instances = (
	    { id = 1; values = [ \"0=str:coap://127.0.0.1:$sport\", \"1=bool:0\",
		\"2=int:3\", \"10=int:101\" ]; } ); },
	{ op = \"write\"; path = \"/1\"; expect = \"2.04\"; instances = (
	    { id = 0; values = [ \"0=int:101\", \"1=int:60\", \"6=bool:1\",
		\"7=str:U\" ]; } ); },
	{ op = \"finish\"; expect = \"2.04\"; } ); }"
done
printf 'bootstrap = { port = 0; endpoints = (%s\n); };\n' "$scen" >"$work/opb.conf"
"$operator" -k -c "$work/opb.conf" >"$work/opb.out" 2>"$work/opb.err" </dev/null &
pids="$pids $!"
wait_for "$work/opb.out" 10 '"event":"ready"' >/dev/null
bport=$(sed -n 's/.*"bs_port":\([0-9]*\).*/\1/p' "$work/opb.out")
check "lwgw-operator: LwM2M Server on port ${sport:-?}, Bootstrap-Server on ${bport:-?}" \
    test -n "$sport" -a -n "$bport"

# The runtime directory as the unit's RuntimeDirectory= makes it.
if [ ! -d /run/lwgw ]; then
	install -d -o _lwgw -g _lwgw -m 0750 /run/lwgw
	made_run=1
fi
cat >"$work/lwgwd.conf" <<EOF
gateway = {
	state_dir = "/var/lib/lwgw";
	bind = "127.0.0.1";
	allow_insecure = true;
	control_socket = "/run/lwgw/ctl";
	log_level = "info";
};
bootstrap = { uri = "coap://127.0.0.1:$bport"; security = "nosec"; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:$sport"; security = "nosec";
	lifetime = 60; } );
links = ( { name = "sim0"; type = "sim"; devices = 3; objects = [3303];
	period_ms = 200; } );
EOF
chmod 0644 "$work/lwgwd.conf"

# sd_notify's messages, as systemd would receive them with Type=notify.
/usr/bin/python3 - "$work/notify.sock" "$work/notify.out" <<'EOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode(errors="replace").replace("\n", " ") + "\n")
        f.flush()
EOF
pids="$pids $!"
n=50
while [ ! -S "$work/notify.sock" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done

NOTIFY_SOCKET=$work/notify.sock setpriv --reuid=_lwgw --regid=_lwgw --init-groups -- \
    /usr/sbin/lwgwd -f -c "$work/lwgwd.conf" 2>"$work/lwgwd.err" </dev/null &
gw=$!
pids="$pids $gw"
check "lwgwd -f as _lwgw: started (log: started with)" \
    wait_for "$work/lwgwd.err" 10 "started with"
check "lwgwd runs as _lwgw with dialout among its groups" sh -c \
    "grep -q \"^Uid:[[:space:]]*${uid}[[:space:]]\" /proc/$gw/status &&
	grep -Eq \"^Groups:.*\\b$(getent group dialout | cut -d: -f3)\\b\" /proc/$gw/status ||
	{ grep -E '^(Uid|Gid|Groups)' /proc/$gw/status; exit 1; }"
check "sd_notify: READY=1" wait_for "$work/notify.out" 10 "READY=1"
check "control socket /run/lwgw/ctl: 0660 _lwgw:_lwgw" \
    mode_is /run/lwgw/ctl "660 _lwgw _lwgw"
reg_ok=1
for i in 1 2 3; do
	wait_for "$work/opa.out" 20 '"event":"register"' "\"ep\":\"sim0-$i\"" \
	    >/dev/null || reg_ok=""
done
if [ -n "$reg_ok" ]; then
	ok "sim0-1..3 registered with the LwM2M Server"
else
	notok "sim0-1..3 registered with the LwM2M Server" \
	    "$(cat "$work/opa.out"; tail -n 20 "$work/lwgwd.err")"
fi
check "sd_notify: STATUS= with the device counts" \
    wait_for "$work/notify.out" 15 "STATUS=3 devices: 3 registered"

check "lwgwctl status: 3 devices, 3 registered" sh -c \
    "o=\$(/usr/bin/lwgwctl status) && echo \"\$o\" && echo \"\$o\" | grep -q ', 3 devices' &&
	echo \"\$o\" | grep -Eq '^ *registered +3\$'"
check "lwgwctl --json status: valid JSON, 3 registered" sh -c \
    "/usr/bin/lwgwctl --json status | /usr/bin/python3 -c 'import json, sys;
d = json.load(sys.stdin); sys.exit(not (d[\"devices\"] == 3 and
    d[\"states\"][\"registered\"] == 3))'"
check "lwgwctl list: a header and one line per device" sh -c \
    "o=\$(/usr/bin/lwgwctl list) && echo \"\$o\" && [ \$(echo \"\$o\" | wc -l) -eq 4 ] &&
	[ \$(echo \"\$o\" | grep -c ' sim0 *registered ') -eq 3 ]"
check "lwgwctl show sim0-2: the object tree with the reading" sh -c \
    "/usr/bin/lwgwctl show sim0-2 | grep -q '^/3303/0/5700 '"
check "lwgwctl show nope: exit 1, no device nope" sh -c \
    "! /usr/bin/lwgwctl show nope 2>$work/e && grep -q 'no device nope' $work/e"
check "lwgwctl rebootstrap sim0-1: bootstrap requested" sh -c \
    "/usr/bin/lwgwctl rebootstrap sim0-1 | grep -q 'bootstrap requested'"
check "sim0-1 bootstrapped by the Bootstrap-Server (Discover, Delete, Write, Finish)" \
    wait_for "$work/opb.out" 20 '"event":"bs-done"' '"ep":"sim0-1"' '"ok":true'
check "sim0-1 registered again after its bootstrap" sh -c \
    "n=150; while [ \$n -gt 0 ]; do [ \$(grep '\"event\":\"register\"' $work/opa.out |
	grep -c '\"ep\":\"sim0-1\"') -ge 2 ] && exit 0; sleep 0.1; n=\$((n - 1)); done;
	exit 1"
check "lwgwctl as nobody (not in _lwgw): permission denied, exit 1" sh -c \
    "! setpriv --reuid=nobody --regid=nogroup --clear-groups -- /usr/bin/lwgwctl status \
	2>$work/e; cat $work/e; grep -q 'permission denied' $work/e"
check "lwgwctl as nobody with group _lwgw: allowed" \
    setpriv --reuid=nobody --regid=nogroup --groups=_lwgw -- /usr/bin/lwgwctl status

# Factory-provisioned devices have nothing to save until a server changes them; sim0-1's
# bootstrap did.
check "device state: /var/lib/lwgw/sim0-1.state, every file 0600 _lwgw" sh -c \
    "ls -l /var/lib/lwgw; [ -f /var/lib/lwgw/sim0-1.state ] &&
	[ -z \"\$(find /var/lib/lwgw -type f ! -perm 0600)\" ] &&
	[ -z \"\$(find /var/lib/lwgw ! -user _lwgw)\" ]"

kill -TERM "$gw"
wait "$gw"
rc=$?
check "SIGTERM: lwgwd exits 0" test "$rc" -eq 0
check "SIGTERM: every device de-registered" sh -c \
    "[ \$(grep -c '\"event\":\"deregister\"' $work/opa.out) -ge 3 ]"
check "sd_notify: STOPPING=1" grep -q "STOPPING=1" "$work/notify.out"
check "lwgwctl with lwgwd stopped: lwgwd is not running, exit 1" sh -c \
    "! /usr/bin/lwgwctl status 2>$work/e; cat $work/e; grep -q 'lwgwd is not running' $work/e"
[ -n "$made_run" ] && rm -rf /run/lwgw && made_run=""

echo "== upgrade, remove, purge"
find /var/lib/lwgw -type f -exec md5sum {} + | sort >"$work/state.before"
echo "# local change" >>/etc/lwgw/lwgw.conf
# The same package with a higher version: dpkg runs the real upgrade path (old prerm
# upgrade, new files, postinst configure OLD-VERSION).
v=$(dpkg-deb -f "$deb" Version)
rm -rf "$work/up"
dpkg-deb -R "$deb" "$work/up"
sed -i "s/^Version: .*/Version: $v+up1/" "$work/up/DEBIAN/control"
dpkg-deb -b "$work/up" "$work/lwgw_up.deb" >/dev/null
check "upgrade: dpkg -i $v -> $v+up1" sh -c "dpkg -i $work/lwgw_up.deb &&
	[ \"\$(dpkg-query -W -f='\${Version}' lwgw)\" = '$v+up1' ]"
check "upgrade: device state unchanged" sh -c \
    "find /var/lib/lwgw -type f -exec md5sum {} + | sort | cmp -s - $work/state.before"
check "upgrade: the local change to the conffile kept" \
    grep -q '^# local change' /etc/lwgw/lwgw.conf
check "upgrade: /etc/lwgw/lwgw.conf still 0640 root:_lwgw" \
    mode_is /etc/lwgw/lwgw.conf "640 root _lwgw"
check "dpkg -r lwgw" dpkg -r lwgw
check "remove: binaries gone" sh -c '! [ -e /usr/sbin/lwgwd ] && ! [ -e /usr/bin/lwgwctl ]'
check "remove: configuration kept" grep -q '^# local change' /etc/lwgw/lwgw.conf
check "remove: device state kept" sh -c \
    "find /var/lib/lwgw -type f -exec md5sum {} + | sort | cmp -s - $work/state.before"
check "remove: _lwgw kept (it owns the state)" getent passwd _lwgw
check "dpkg --purge lwgw" dpkg --purge lwgw
check "purge: package unknown to dpkg" sh -c '! dpkg-query -W -f="\${Status}\n" lwgw |
	grep -q installed'
left=""
for f in /usr/sbin/lwgwd /usr/bin/lwgwctl /etc/lwgw /var/lib/lwgw /run/lwgw \
    /lib/systemd/system/lwgwd.service /usr/share/dbus-1/system.d/lwgw.conf \
    /usr/share/doc/lwgw /usr/share/man/man8/lwgwd.8.gz \
    /etc/systemd/system/multi-user.target.wants/lwgwd.service; do
	{ [ -e "$f" ] || [ -L "$f" ]; } && left="$left $f"
done
check "purge: no file left (binaries, /etc/lwgw, /var/lib/lwgw, unit link)" \
    sh -c "[ -z '$left' ] || { echo 'left:$left'; exit 1; }"
check "purge: user and group _lwgw gone" sh -c \
    '! getent passwd _lwgw && ! getent group _lwgw'

summary
[ "$fail" -eq 0 ]
