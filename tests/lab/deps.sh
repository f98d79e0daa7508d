#!/bin/bash
# Check for (and, on Debian/Ubuntu, install) everything the kernel lab needs.
# Must run as root. Idempotent: does nothing when all tools are present.
set -euo pipefail

need_pkgs=()
chk() { # chk COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2")
}
chk ip iproute2
chk ethtool ethtool
chk nft nftables
chk iptables-nft iptables        # iptables-nft and iptables-legacy (fw-ipt-*)
chk iptables-legacy iptables
chk taskset util-linux
chk dmesg util-linux
chk conntrack conntrack
chk tcpdump tcpdump
chk socat socat
chk curl curl
chk nc netcat-openbsd
chk ping iputils-ping
chk tftp tftp-hpa
chk in.tftpd tftpd-hpa
chk sysctl procps
chk stdbuf coreutils
chk ufw ufw                      # fw-ufw-v4
chk firewalld firewalld          # fw-firewalld-v4 (with dbus-daemon)
chk dbus-daemon dbus
[ -x /usr/bin/python3 ] || need_pkgs+=(python3)
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c 'import scapy.all' >/dev/null 2>&1 || need_pkgs+=(python3-scapy)
	/usr/bin/python3 -c 'import pyftpdlib' >/dev/null 2>&1 || need_pkgs+=(python3-pyftpdlib)
else
	need_pkgs+=(python3-scapy python3-pyftpdlib)
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages (${need_pkgs[*]}) and not root" >&2
		exit 1
	fi
	echo "deps.sh: installing ${need_pkgs[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# tftpd-hpa's postinst starts a system-wide daemon; the lab runs its own
	# in.tftpd inside the server namespace, so keep the service from starting.
	policy=/usr/sbin/policy-rc.d
	created_policy=
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' >$policy
		chmod +x $policy
		created_policy=1
	fi
	apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
	[ -n "$created_policy" ] && rm -f $policy
fi

# tcpdump must support LINUX_SLL2 on "any" (libpcap >= 1.10).
dlts=$(tcpdump -L -i any 2>&1 || true)
if ! grep -q LINUX_SLL2 <<<"$dlts"; then
	echo "deps.sh: warning: tcpdump/libpcap does not list LINUX_SLL2 for -i any" >&2
fi
