# Helper functions for the ctreplay kernel lab. Sourced by record.sh.
# Everything here runs as root on the host and only touches the ctl-*
# network namespaces, /etc/netns/ctl-*, and the per-run work directory $W.

PY=/usr/bin/python3          # the Debian python with scapy + pyftpdlib
NS_C=ctl-client
NS_R=ctl-router
NS_S=ctl-server
ALL_NS="$NS_C $NS_R $NS_S"
NS_R2=ctl-router2            # only in scenarios that call add_router2
EXTRA_NS="$NS_R2"

C4=10.77.1.2  R4C=10.77.1.1  S4=10.77.2.2  R4S=10.77.2.1
C6=fd77:1::2  R6C=fd77:1::1  S6=fd77:2::2  R6S=fd77:2::1

log() { echo "[lab] $*" >&2; }
die() { echo "[lab] ERROR: $*" >&2; exit 1; }

# Client and server processes run pinned to CPU 0 (taskset): a veth
# transmit is handled by the receiving namespaces in the sender's softirq
# on the sender's CPU, so with both ends on one CPU every packet reaches the
# router's conntrack in the order the captures saw it (two CPUs can race:
# near-simultaneous FINs otherwise get merged or reordered events).
PIN="taskset -c 0"
in_client() { ip netns exec $NS_C $PIN "$@"; }
in_router() { ip netns exec $NS_R "$@"; }
in_server() { ip netns exec $NS_S $PIN "$@"; }

# Background processes started by the lab (pids in $W/pids; killed by pid).
_bg() { # _bg NS LOGNAME CMD...
	local ns=$1 name=$2; shift 2
	ip netns exec "$ns" $PIN "$@" >"$W/log.$name" 2>&1 &
	echo $! >>"$W/pids"
	LAST_BG=$!
}
in_client_bg() { local n=$1; shift; _bg $NS_C "$n" "$@"; }
in_server_bg() { local n=$1; shift; _bg $NS_S "$n" "$@"; }
# in_router_bg: a server inside the router namespace (NAT scenarios: the
# router's own listeners behind redirect, or ports that are not forwarded)
in_router_bg() { local n=$1; shift; _bg $NS_R "$n" "$@"; }

# wait_port NS PROTO PORT: wait until something listens (tcp) / is bound (udp)
wait_port() {
	local ns=$1 proto=$2 port=$3 i
	for i in $(seq 1 100); do
		if ip netns exec "$ns" ss -Hln"${proto:0:1}" "sport = :$port" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.05
	done
	die "nothing listening on $proto/$port in $ns"
}

# set_sysctl KEY VAL: a sysctl in the router namespace (call from setup).
set_sysctl() {
	in_router sysctl -q -w "$1=$2" >/dev/null || die "sysctl $1=$2 failed"
	echo "$1 = $2" >>"$W/sysctl-changed"
}

# snapshot LABEL: append the router's conntrack table and expectations to proc
snapshot() {
	local label=$1
	in_router sh -c '
		echo "# snapshot $(date +%s.%N) '"$label"'"
		cat /proc/net/nf_conntrack
		echo "# expect"
		cat /proc/net/nf_conntrack_expect' >>"$W/proc"
}

# wait_event REGEX [SECONDS]: wait until the events file has a matching line
wait_event() {
	local re=$1 t=${2:-10} i
	for i in $(seq 1 $((t * 10))); do
		grep -qE -- "$re" "$W/events" && return 0
		sleep 0.1
	done
	log "warning: no event matching /$re/ within ${t}s"
	return 1
}

# ---------------------------------------------------------------- topology

kill_ns_procs() {
	local ns pids p
	for ns in $ALL_NS $EXTRA_NS; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	done
	sleep 0.2
	for ns in $ALL_NS $EXTRA_NS; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
	done
}

# What ufw and firewalld leave in the host's shared /run (the lock file,
# firewalld's empty state directory): removed at teardown unless they
# were there before the scenario.
RUN_LEFTOVERS=
run_leftover() { [ -e "$1" ] || RUN_LEFTOVERS="$RUN_LEFTOVERS $1"; }

teardown() {
	local p
	if [ -n "${W:-}" ] && [ -f "$W/pids" ]; then
		for p in $(cat "$W/pids"); do kill -TERM "$p" 2>/dev/null || true; done
	fi
	kill_ns_procs
	for p in $RUN_LEFTOVERS; do
		if [ -d "$p" ]; then rmdir "$p" 2>/dev/null || true; else rm -f "$p"; fi
	done
	RUN_LEFTOVERS=
	for ns in $ALL_NS $EXTRA_NS; do
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
}

ns_sysctls() { # quiet IPv6, no RA/RS/DAD; applies to interfaces created later
	local ns=$1
	ip netns exec "$ns" sh -c '
		for s in all default; do
			sysctl -q -w net.ipv6.conf.$s.accept_ra=0
			sysctl -q -w net.ipv6.conf.$s.router_solicitations=0
			sysctl -q -w net.ipv6.conf.$s.accept_dad=0
			sysctl -q -w net.ipv6.conf.$s.dad_transmits=0
			sysctl -q -w net.ipv6.conf.$s.accept_redirects=0
			sysctl -q -w net.ipv4.conf.$s.accept_redirects=0
			sysctl -q -w net.ipv4.conf.$s.send_redirects=0
			sysctl -q -w net.ipv4.conf.$s.rp_filter=0
		done' >/dev/null
}

offload_off() { # NS DEV
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off rx off 2>&1 | grep -v 'Cannot change\|Could not change\|^Actual changes\|off \[' >&2 || true
}

router_ruleset() {
	cat <<'EOF'
table inet lab {
	ct helper ftp-standard {
		type "ftp" protocol tcp
		l3proto inet
	}
	ct helper tftp-standard {
		type "tftp" protocol udp
		l3proto inet
	}
	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 ct helper set "ftp-standard"
		udp dport 69 ct helper set "tftp-standard"
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid counter drop
		ct state new counter
		ct state established counter
		ct state related counter
		ct state untracked counter
	}
}
EOF
}

setup_topology() {
	local ns
	teardown
	for ns in $ALL_NS; do
		ip netns add "$ns"
		mkdir -p "/etc/netns/$ns"
		echo "nameserver 127.0.0.1" >"/etc/netns/$ns/resolv.conf"
		ip -n "$ns" link set lo up
		ns_sysctls "$ns"
	done
	ip -n $NS_R link add rc0 type veth peer name eth0 netns $NS_C
	ip -n $NS_R link add rs0 type veth peer name eth0 netns $NS_S
	offload_off $NS_R rc0
	offload_off $NS_R rs0
	offload_off $NS_C eth0
	offload_off $NS_S eth0

	ip -n $NS_C addr add $C4/24 dev eth0
	ip -n $NS_C addr add $C6/64 dev eth0 nodad
	ip -n $NS_S addr add $S4/24 dev eth0
	ip -n $NS_S addr add $S6/64 dev eth0 nodad
	ip -n $NS_R addr add $R4C/24 dev rc0
	ip -n $NS_R addr add $R6C/64 dev rc0 nodad
	ip -n $NS_R addr add $R4S/24 dev rs0
	ip -n $NS_R addr add $R6S/64 dev rs0 nodad
	ip -n $NS_C link set eth0 up
	ip -n $NS_S link set eth0 up
	ip -n $NS_R link set rc0 up
	ip -n $NS_R link set rs0 up
	ip -n $NS_C route add default via $R4C
	ip -n $NS_C -6 route add default via $R6C
	ip -n $NS_S route add default via $R4S
	ip -n $NS_S -6 route add default via $R6S

	in_router sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
	in_router sysctl -q -w net.ipv6.conf.all.forwarding=1 >/dev/null
	load_router_ruleset
	# conntrack is now active in the router namespace; the table must be empty
	local n
	n=$(in_router cat /proc/net/nf_conntrack | wc -l)
	[ "$n" = 0 ] || die "router conntrack table not empty after setup ($n)"
}

# Pre-resolve neighbours is deliberately NOT done: ARP/ND are part of the
# captures (ctreplay must skip them).

# ---------------------------------------------------------------- captures

# Snap length 4096: with --immediate-mode libpcap uses a TPACKET_V2 ring
# whose every slot holds one snap length, so `-s 0` (262144) left only ~500
# slots in the 128 MiB buffer; 4096 gives ~30000 and still keeps every lab
# frame whole (MTU 1500, no offloads). The buffer size (KiB) can be lowered
# with record.sh -B for the capture-overflow self-test.
CAP_SNAPLEN=4096
CAP_BUF_KB=${CAP_BUF_KB:-131072}
CAP_NAMES="in out eth-rc0 eth-rs0"
CAP_PIDS=()
start_tcpdump() { # NAME ARGS...
	local name=$1; shift
	# `ip netns exec` directly, not the in_router function: a backgrounded
	# function is a subshell, and $! would be that subshell's pid (SIGTERM
	# would leave tcpdump running and its statistics unwritten)
	ip netns exec $NS_R tcpdump -Z root -s $CAP_SNAPLEN -B $CAP_BUF_KB -U --immediate-mode \
		--time-stamp-precision=nano "$@" -w "$W/$name.pcap" 2>"$W/log.tcpdump-$name" &
	CAP_PIDS+=($!)
	echo $! >>"$W/pids"
}

start_captures() {
	CAP_PIDS=()
	start_tcpdump in -i any -y LINUX_SLL2 -Q in
	start_tcpdump out -i any -y LINUX_SLL2 -Q out
	start_tcpdump eth-rc0 -i rc0 -Q in
	start_tcpdump eth-rs0 -i rs0 -Q in
	ip netns exec $NS_R stdbuf -oL conntrack -E -o timestamp,extended >"$W/events" 2>"$W/log.events" &
	CAP_PIDS+=($!); echo $! >>"$W/pids"
	ip netns exec $NS_R stdbuf -oL conntrack -E expect -o timestamp >"$W/expect-events" 2>"$W/log.expect-events" &
	CAP_PIDS+=($!); echo $! >>"$W/pids"
	# wait until every tcpdump says it is listening
	local f i ok
	for i in $(seq 1 100); do
		ok=1
		for f in $CAP_NAMES; do
			grep -q "listening on" "$W/log.tcpdump-$f" 2>/dev/null || ok=
		done
		[ -n "$ok" ] && break
		sleep 0.05
	done
	[ -n "$ok" ] || die "tcpdump did not start: $(cat "$W"/log.tcpdump-*)"
	local p
	for p in "${CAP_PIDS[@]}"; do kill -0 "$p" 2>/dev/null || die "a capture process died at start"; done
	sleep 0.5 # let the conntrack listeners subscribe
}

stop_captures() {
	local p
	for p in "${CAP_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${CAP_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	CAP_PIDS=()
}

# check_captures_complete: after stop_captures, every tcpdump must report
# "0 packets dropped by kernel" (ring overflow: the pcap would miss frames
# that conntrack saw) and the conntrack listeners must not have lost events
# (netlink ENOBUFS). Prints the reason and returns 1 otherwise; record.sh
# then refuses the recording and tries the scenario again.
check_captures_complete() {
	local f n bad=0
	for f in $CAP_NAMES; do
		n=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$W/log.tcpdump-$f")
		if [ -z "$n" ]; then
			log "refused: tcpdump $f printed no 'packets dropped by kernel' line: $(tr '\n' ' ' <"$W/log.tcpdump-$f")"
			bad=1
		elif [ "$n" != 0 ]; then
			log "refused: tcpdump $f: $n packets dropped by kernel (capture buffer overflow)"
			bad=1
		fi
	done
	for f in events expect-events; do
		if grep -qi 'no buffer space\|ENOBUFS' "$W/log.$f" 2>/dev/null; then
			log "refused: conntrack -E ($f) lost messages: $(tr '\n' ' ' <"$W/log.$f")"
			bad=1
		fi
	done
	return $bad
}

# ---------------------------------------------------------------- scripted TCP

# silence_play_ports: the client and server kernels drop (input hook) every
# TCP segment to or from ports 7100-7199, so that tools/tcp_play.py can play
# both ends of a conversation without the real stacks answering (no RSTs).
# The router still sees and forwards everything. Call from scenario_setup.
silence_play_ports() {
	local ns
	for ns in $NS_C $NS_S; do
		ip netns exec $ns nft -f - <<'NFT' || die "silence_play_ports: nft failed in $ns"
table inet play {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp sport 7100-7199 counter drop
		tcp dport 7100-7199 counter drop
	}
}
NFT
	done
}

# run_play PLAY 4|6: run a tools/tcp_play.py play (from the host: the tool
# enters the namespaces itself); its snapshots go to $W/proc.
run_play() {
	$PIN $PY "$LAB/tools/tcp_play.py" "$1" "$2" "$W/proc" >"$W/log.play" 2>&1 ||
		{ cat "$W/log.play" >&2; die "tcp_play.py $1 $2 failed"; }
	cat "$W/log.play" >&2
}

# ---------------------------------------------------------------- second router

# add_router2: put a second router (ctl-router2, no conntrack) between the
# router and the server, for scenarios whose ICMP errors must come from a
# hop behind the recording router (traceroute). Call from scenario_setup.
#
#   router rs0 10.77.2.1/24 fd77:2::1/64 --- eth0 10.77.2.254/24 fd77:2::fe/64
#                                   ctl-router2 eth1 10.77.3.1/24 fd77:3::1/64
#                                    --- server eth0 10.77.3.2/24 fd77:3::2/64
#
# The router keeps rs0 (the same name and addresses, so eth-rs0.pcap is
# still the server side); the server moves to $S4B / $S6B. ICMP rate
# limits are off in router2 and the server so every error is sent.
R4R2=10.77.2.254  R6R2=fd77:2::fe  S4B=10.77.3.2  S6B=fd77:3::2
add_router2() {
	ip netns add $NS_R2
	mkdir -p "/etc/netns/$NS_R2"
	echo "nameserver 127.0.0.1" >"/etc/netns/$NS_R2/resolv.conf"
	ip -n $NS_R2 link set lo up
	ns_sysctls $NS_R2
	ip -n $NS_R link del rs0 # and the server's eth0, its peer
	ip -n $NS_R link add rs0 type veth peer name eth0 netns $NS_R2
	ip -n $NS_R2 link add eth1 type veth peer name eth0 netns $NS_S
	offload_off $NS_R rs0
	offload_off $NS_R2 eth0
	offload_off $NS_R2 eth1
	offload_off $NS_S eth0
	ip -n $NS_R addr add $R4S/24 dev rs0
	ip -n $NS_R addr add $R6S/64 dev rs0 nodad
	ip -n $NS_R2 addr add $R4R2/24 dev eth0
	ip -n $NS_R2 addr add $R6R2/64 dev eth0 nodad
	ip -n $NS_R2 addr add 10.77.3.1/24 dev eth1
	ip -n $NS_R2 addr add fd77:3::1/64 dev eth1 nodad
	ip -n $NS_S addr add $S4B/24 dev eth0
	ip -n $NS_S addr add $S6B/64 dev eth0 nodad
	ip -n $NS_R link set rs0 up
	ip -n $NS_R2 link set eth0 up
	ip -n $NS_R2 link set eth1 up
	ip -n $NS_S link set eth0 up
	ip -n $NS_R route add 10.77.3.0/24 via $R4R2
	ip -n $NS_R -6 route add fd77:3::/64 via $R6R2
	ip -n $NS_R2 route add default via $R4S
	ip -n $NS_R2 -6 route add default via $R6S
	ip -n $NS_S route add default via 10.77.3.1
	ip -n $NS_S -6 route add default via fd77:3::1
	ip netns exec $NS_R2 sysctl -q -w net.ipv4.ip_forward=1 >/dev/null
	ip netns exec $NS_R2 sysctl -q -w net.ipv6.conf.all.forwarding=1 >/dev/null
	local ns
	for ns in $NS_R2 $NS_S; do
		ip netns exec $ns sysctl -q -w net.ipv4.icmp_ratelimit=0 >/dev/null
		ip netns exec $ns sysctl -q -w net.ipv6.icmp.ratelimit=0 >/dev/null
	done
}

# ---------------------------------------------------------------- host sysctls

# set_global_sysctl KEY VAL: a sysctl of the initial namespace (the host),
# for the few conntrack settings that are global in 6.18 (nf_conntrack_max:
# writable only there, read-only but visible in the router). The old value
# is saved first and restore_global_sysctls puts it back after the
# scenario, and from record.sh's exit trap on failure or signal.
set_global_sysctl() {
	local old
	old=$(sysctl -n "$1") || die "cannot read host sysctl $1"
	echo "$1 $old" >>"$GLOBAL_SAVED"
	sysctl -q -w "$1=$2" >/dev/null || die "host sysctl $1=$2 failed"
	log "host sysctl $1: $old -> $2 (restored after the scenario)"
	echo "(host) $1 = $2" >>"$W/sysctl-changed"
}

restore_global_sysctls() {
	[ -n "${GLOBAL_SAVED:-}" ] && [ -s "$GLOBAL_SAVED" ] || return 0
	local k v
	tac "$GLOBAL_SAVED" | while read -r k v; do
		sysctl -q -w "$k=$v" >/dev/null && log "host sysctl $k restored to $v" ||
			echo "[lab] ERROR: could not restore host sysctl $k=$v" >&2
	done
	: >"$GLOBAL_SAVED"
}

# stats_snapshot LABEL: append the router's `conntrack -S` (one line per
# CPU) to the recording's optional `stats` file.
stats_snapshot() {
	in_router sh -c '
		echo "# stats $(date +%s.%N) '"$1"'"
		conntrack -S' >>"$W/stats"
}

# ---------------------------------------------------------------- firewall scenarios

# A scenario may replace router_ruleset with its own firewall:
#   FIREWALL=nft              fw_ruleset prints nft text (nft -f -)
#   FIREWALL=iptables-nft     fw_rules runs `ipt ARGS...` / `ip6t ARGS...`
#   FIREWALL=iptables-legacy  the same with iptables-legacy / ip6tables-legacy
#   FIREWALL=ufw              fw_setup runs `ufw_r ARGS...`: ufw itself sets the
#                             router's firewall up (iptables-nft rules)
#   FIREWALL=firewalld        fw_setup runs `fwd_offline ARGS...`
#                             (firewall-offline-cmd), then a firewalld
#                             (nftables backend) is started in the router
# Every rule should carry a counter (nft: `counter`; iptables always has
# them) so the replay's counts can be compared with the kernel's. The
# recorder then keeps fw/ (tools/ctreplay-collect before traffic),
# nft-after.json / iptables-after.txt / ip6tables-after.txt (counters after
# traffic) and kernel.log (LOG / log statement lines), and checks their
# shape with tools/fw_check.py.
IPT= IP6T=
ipt() { in_router $IPT "$@" || die "$IPT $*: failed"; }
ip6t() { in_router $IP6T "$@" || die "$IP6T $*: failed"; }

# ufw and firewalld keep their configuration in /etc: each gets a private
# copy in /etc/netns/ctl-router/ (ip netns exec binds /etc/netns/NS/X over
# /etc/X for the commands it runs), so the host's /etc/ufw, /etc/default and
# /etc/firewalld are never written; teardown removes /etc/netns/ctl-*.
ufw_r() { in_router ufw "$@" >>"$W/log.ufw" 2>&1 || die "ufw $*: failed"; }
fwd_offline() {
	in_router firewall-offline-cmd "$@" >>"$W/log.firewalld-config" 2>&1 ||
		die "firewall-offline-cmd $*: failed"
}
FWD_BUS=
fwd_cmd() {
	in_router env DBUS_SYSTEM_BUS_ADDRESS="$FWD_BUS" firewall-cmd "$@"
}

# firewalld needs a D-Bus system bus: a private dbus-daemon in the router
# namespace, listening on a socket in $W (the host's bus, if any, is not
# used). Both run as background processes of the scenario (killed after
# the traffic, once the recorder has read the ruleset back).
firewalld_start() {
	local i
	FWD_BUS="unix:path=$W/dbus.sock"
	{
		echo '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
		echo ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
		echo '<busconfig><type>system</type>'
		echo "<listen>$FWD_BUS</listen><auth>EXTERNAL</auth>"
		echo '<policy context="default"><allow user="*"/><allow own="*"/>'
		echo '<allow send_destination="*"/><allow receive_sender="*"/></policy>'
		echo '</busconfig>'
	} >"$W/dbus.conf"
	_bg $NS_R dbus dbus-daemon --nofork --config-file="$W/dbus.conf"
	for i in $(seq 1 50); do
		[ -S "$W/dbus.sock" ] && break
		sleep 0.1
	done
	[ -S "$W/dbus.sock" ] || die "the router's dbus-daemon did not start"
	_bg $NS_R firewalld env DBUS_SYSTEM_BUS_ADDRESS="$FWD_BUS" \
		firewalld --nofork --nopid --log-target console
	for i in $(seq 1 150); do
		[ "$(fwd_cmd --state 2>/dev/null)" = running ] && return 0
		sleep 0.2
	done
	die "firewalld did not start in the router (see $W/log.firewalld)"
}

load_router_ruleset() {
	case "${FIREWALL:-}" in
	"")
		router_ruleset | in_router nft -f - || die "loading router ruleset failed" ;;
	nft)
		fw_ruleset | in_router nft -f - || die "loading the scenario's nft ruleset failed" ;;
	iptables-nft | iptables-legacy)
		IPT=iptables-${FIREWALL#iptables-} IP6T=ip6tables-${FIREWALL#iptables-}
		command -v $IPT >/dev/null || die "$IPT not installed"
		fw_rules ;;
	ufw)
		command -v ufw >/dev/null || die "ufw not installed"
		IPT=iptables-nft IP6T=ip6tables-nft
		run_leftover /run/ufw.lock
		cp -a /etc/ufw "/etc/netns/$NS_R/ufw"
		cp -a /etc/default "/etc/netns/$NS_R/default"
		fw_setup ;;
	firewalld)
		command -v firewalld >/dev/null || die "firewalld not installed"
		command -v dbus-daemon >/dev/null || die "dbus-daemon not installed"
		run_leftover /run/firewalld
		cp -a /etc/firewalld "/etc/netns/$NS_R/firewalld"
		fw_setup
		firewalld_start ;;
	*) die "unknown FIREWALL=$FIREWALL" ;;
	esac
}

# Kernel log of LOG rules and nft log statements. In a namespace other than
# the initial one the kernel's syslog logger (nf_log_syslog) prints nothing
# unless net.netfilter.nf_log_all_netns=1 in the initial namespace: the
# recorder sets it (set_global_sysctl, restored afterwards) for firewall
# scenarios. Markers written to /dev/kmsg before and after the traffic
# bracket the scenario's lines and carry the wall-clock time next to the
# kernel's own timestamp (printk clock, seconds since boot).
KMSG_TOKEN=
kmsg_mark() { # begin|end
	echo "ctl-lab: $KMSG_TOKEN $1 realtime=$(date +%s.%N)" >/dev/kmsg
}
# kmsg_extract FILE: the scenario's lines between the markers that are
# netfilter log lines about the router's interfaces, as `dmesg -r` prints
# them: <syslog priority>[seconds.micros] text
kmsg_extract() {
	dmesg -r | awk -v tok="ctl-lab: $KMSG_TOKEN " '
		index($0, tok "begin ") { on = 1; print; next }
		index($0, tok "end ") { if (on) print; on = 0; next }
		on && / IN=[^ ]* OUT=/ && /(IN|OUT)=(rc0|rs0|lo) / { print }' >"$1"
	grep -q "ctl-lab: $KMSG_TOKEN end " "$1" ||
		die "kernel log: the end marker is missing from dmesg ($1)"
}
