#!/bin/sh
# Install the Debian 12 packages lwgw needs to build, test and run its demo.
# Idempotent: installs only what is missing; runs apt-get update only then.
set -eu

PACKAGES="
build-essential autoconf automake pkg-config
libevent-dev libcoap3-dev libcoap3-bin libwolfssl-dev libconfig-dev libexpat1-dev
libsystemd-dev check
python3 openssl procps
dbus python3-dbus python3-gi
debhelper dpkg-dev fakeroot lintian systemd
"

missing=""
# Callers add what only they need (tools/deb.sh: the packaging tools).
for p in $PACKAGES ${EXTRA_PACKAGES:-}; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: missing packages:$missing; run this script as root" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
