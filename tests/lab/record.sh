#!/bin/bash
# Record what the real kernel's nf_conntrack does for each lab scenario.
#
#   sudo tests/lab/record.sh [-B KB] [-o DIR] [-d SCENDIR] [SCENARIO...]
#   (default: every scenario in tests/lab/scenarios)
#
#   -B KB       tcpdump capture buffer (default 131072 KiB; small values are
#               for the capture-overflow self-test, tests/lab/selftest-drops.sh)
#   -o DIR      write the recordings into DIR instead of tests/golden
#               (SCENARIOS is not updated then)
#   -d SCENDIR  take the scenarios from SCENDIR instead of tests/lab/scenarios
#
# A recording whose captures lost packets (tcpdump's "packets dropped by
# kernel" not 0) or whose conntrack listener lost events is refused, and the
# scenario is recorded again, up to 3 attempts in all.
#
# For each scenario: fresh namespaces ctl-client / ctl-router / ctl-server,
# captures and conntrack listeners on the router, run the scenario, write
# tests/golden/SCENARIO/{desc,in.pcap,out.pcap,eth-rc0.pcap,eth-rs0.pcap,
# events,expect-events,proc,sysctl,nft,versions} (firewall scenarios also
# fw/, nft-after.json or iptables-after.txt + ip6tables-after.txt, and
# kernel.log) and update tests/golden/SCENARIOS. See tests/lab/README.md.
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB/../.." && pwd)
GOLDEN=$ROOT/tests/golden

[ "$(id -u)" = 0 ] || { echo "record.sh: must run as root" >&2; exit 1; }

# Every recorder uses the same namespace names (ctl-*): one recording at a
# time on this machine. Hold /tmp/ctl-lab.lock for the whole run: re-exec
# under flock(1) unless the lock is already ours (`flock LOCK record.sh`
# passes its locked descriptor down; CTL_LAB_LOCKED guards the re-exec).
CTL_LAB_LOCK=/tmp/ctl-lab.lock
ctl_lock_held() {
	local fd
	for fd in /proc/$$/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$CTL_LAB_LOCK" ] && return 0
	done
	return 1
}
if [ "${CTL_LAB_LOCKED:-}" != 1 ] && ! ctl_lock_held; then
	export CTL_LAB_LOCKED=1
	echo "[lab] waiting for $CTL_LAB_LOCK" >&2
	exec flock "$CTL_LAB_LOCK" "$0" "$@"
fi

OUTDIR= SCENDIR=$LAB/scenarios
while getopts B:o:d: opt; do
	case $opt in
	B) case $OPTARG in *[!0-9]* | "") echo "record.sh: -B needs a size in KiB" >&2; exit 2 ;; esac
	   export CAP_BUF_KB=$OPTARG ;;
	o) OUTDIR=$OPTARG ;;
	d) SCENDIR=$(cd "$OPTARG" && pwd) ;;
	*) echo "usage: record.sh [-B KB] [-o DIR] [-d SCENDIR] [SCENARIO...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -z "$OUTDIR" ] || { mkdir -p "$OUTDIR"; GOLDEN=$(cd "$OUTDIR" && pwd); }

"$LAB/deps.sh"

. "$LAB/lib.sh"

W=
TOPDIR=$(mktemp -d /tmp/ctl-lab.XXXXXX)
chmod 755 "$TOPDIR"
GLOBAL_SAVED=$TOPDIR/global-sysctls # host sysctls to restore (lib.sh)
: >"$GLOBAL_SAVED"
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ ${#CAP_PIDS[@]} -gt 0 ] && stop_captures
	restore_global_sysctls
	teardown
	rm -rf "$TOPDIR"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ $# -gt 0 ]; then
	SCEN=("$@")
else
	SCEN=()
	for f in "$SCENDIR"/*.sh; do SCEN+=("$(basename "$f" .sh)"); done
fi
for s in "${SCEN[@]}"; do
	[ -f "$SCENDIR/$s.sh" ] || die "no such scenario: $s"
done

# helpers actually assigned, read back from the kernel's NEW events
helpers_from_events() {
	local ev=$1 out=
	grep -q 'helper=ftp' "$ev" && out="${out:+$out,}ftp:tcp/21"
	grep -q 'helper=tftp' "$ev" && out="${out:+$out,}tftp:udp/69"
	echo "${out:--}"
}

record_one() {
	local name=$1
	W=$TOPDIR/$name
	rm -rf "$W"; mkdir -p "$W/srv"
	: >"$W/pids"; : >"$W/proc"
	log "=== $name"

	# defaults, overridden by the scenario file
	DESC= HELPERS=- FIREWALL=
	scenario_setup() { :; }
	scenario_run() { die "scenario $name has no scenario_run"; }
	fw_ruleset() { die "scenario $name (FIREWALL=nft) has no fw_ruleset"; }
	fw_rules() { die "scenario $name (FIREWALL=$FIREWALL) has no fw_rules"; }
	fw_setup() { die "scenario $name (FIREWALL=$FIREWALL) has no fw_setup"; }
	. "$SCENDIR/$name.sh"
	[ -n "$DESC" ] || die "scenario $name has no DESC"

	setup_topology
	scenario_setup
	[ -z "$(in_router cat /proc/net/nf_conntrack)" ] ||
		die "$name: scenario_setup sent traffic through the router (table not empty)"
	in_router sh -c 'sysctl -a 2>/dev/null | grep ^net.netfilter' >"$W/sysctl"
	if [ -n "$FIREWALL" ]; then
		# the firewall as ctreplay-collect sees it: ruleset loaded, no traffic yet
		in_router "$ROOT/tools/ctreplay-collect" -q "$W/fw" ||
			die "$name: tools/ctreplay-collect failed"
		set_global_sysctl net.netfilter.nf_log_all_netns 1
		KMSG_TOKEN="$name.$(basename "$TOPDIR").$ATTEMPT"
		kmsg_mark begin
	fi

	start_captures
	scenario_run
	sleep 1
	snapshot end
	stop_captures
	in_router nft list ruleset >"$W/nft"
	if [ -n "$FIREWALL" ]; then
		kmsg_mark end
		kmsg_extract "$W/kernel.log"
		case $FIREWALL in
		nft | iptables-nft | ufw | firewalld)
			in_router nft -j list ruleset >"$W/nft-after.json" ;;
		esac
		case $FIREWALL in
		iptables-* | ufw)
			in_router $IPT-save -c >"$W/iptables-after.txt"
			in_router $IP6T-save -c >"$W/ip6tables-after.txt" ;;
		esac
	fi
	teardown_servers
	restore_global_sysctls
	if ! check_captures_complete; then
		REFUSED=1
		teardown
		W=
		return 0
	fi

	echo "$DESC" >"$W/desc"
	{
		uname -r
		conntrack --version
		nft --version
		tcpdump --version 2>&1 | head -2
	} >"$W/versions"

	# sanity checks
	[ -s "$W/events" ] || die "$name: no conntrack events recorded"
	if [ -n "$FIREWALL" ]; then
		$PY "$LAB/tools/fw_check.py" "$FIREWALL" "$W" ||
			die "$name: the firewall recording does not have the golden shape (tools/fw_check.py)"
	fi
	local got
	got=$(helpers_from_events "$W/events")
	if [ "$got" != "$HELPERS" ]; then
		log "warning: $name declares HELPERS=$HELPERS but the kernel assigned $got"
	fi

	local dst=$GOLDEN/$name f
	rm -rf "$dst"; mkdir -p "$dst"
	for f in desc in.pcap out.pcap eth-rc0.pcap eth-rs0.pcap events expect-events proc sysctl nft versions; do
		cp "$W/$f" "$dst/$f"
	done
	# optional files, written by some scenarios only
	for f in stats kernel.log nft-after.json iptables-after.txt ip6tables-after.txt; do
		[ -f "$W/$f" ] && cp "$W/$f" "$dst/$f"
	done
	[ -d "$W/fw" ] && cp -r "$W/fw" "$dst/fw"
	find "$dst" -type f -exec chmod 644 {} +
	log "$name: in=$(pkt_count "$W/in.pcap") out=$(pkt_count "$W/out.pcap") events=$(wc -l <"$W/events") expect-events=$(wc -l <"$W/expect-events") helpers=$got"
	teardown
	W=
}

teardown_servers() {
	local p
	for p in $(cat "$W/pids"); do kill -TERM "$p" 2>/dev/null || true; done
}

pkt_count() { tcpdump -nr "$1" 2>/dev/null | wc -l; }

update_scenarios_index() {
	local d n tmp
	tmp=$(mktemp)
	for d in "$GOLDEN"/*/; do
		n=$(basename "$d")
		[ -f "$d/events" ] && [ -f "$d/desc" ] || continue
		printf '%s  %s\n' "$n" "$(helpers_from_events "$d/events")" >>"$tmp"
	done
	sort "$tmp" >"$GOLDEN/SCENARIOS"
	rm -f "$tmp"
	chmod 644 "$GOLDEN/SCENARIOS"
}

mkdir -p "$GOLDEN"
for s in "${SCEN[@]}"; do
	for ATTEMPT in 1 2 3; do
		REFUSED=
		record_one "$s"
		[ -z "$REFUSED" ] && break
		[ $ATTEMPT = 3 ] && die "$s: refused 3 times (captures incomplete), giving up"
		log "$s: recording refused, trying again ($((ATTEMPT + 1))/3)"
	done
done
[ -n "$OUTDIR" ] || update_scenarios_index
log "done: ${#SCEN[@]} scenario(s) recorded into $GOLDEN"
