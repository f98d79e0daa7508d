#!/bin/bash
# Record what the real kernel's nf_conntrack does for each lab scenario.
#
#   sudo tests/lab/record.sh [SCENARIO...]     (default: every scenario)
#
# For each scenario: fresh namespaces ctl-client / ctl-router / ctl-server,
# captures and conntrack listeners on the router, run the scenario, write
# tests/golden/SCENARIO/{desc,in.pcap,out.pcap,eth-rc0.pcap,eth-rs0.pcap,
# events,expect-events,proc,sysctl,nft,versions} and update
# tests/golden/SCENARIOS. See tests/lab/README.md.
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
	for f in "$LAB"/scenarios/*.sh; do SCEN+=("$(basename "$f" .sh)"); done
fi
for s in "${SCEN[@]}"; do
	[ -f "$LAB/scenarios/$s.sh" ] || die "no such scenario: $s"
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
	DESC= HELPERS=-
	scenario_setup() { :; }
	scenario_run() { die "scenario $name has no scenario_run"; }
	. "$LAB/scenarios/$name.sh"
	[ -n "$DESC" ] || die "scenario $name has no DESC"

	setup_topology
	scenario_setup
	[ -z "$(in_router cat /proc/net/nf_conntrack)" ] ||
		die "$name: scenario_setup sent traffic through the router (table not empty)"
	in_router sh -c 'sysctl -a 2>/dev/null | grep ^net.netfilter' >"$W/sysctl"

	start_captures
	scenario_run
	sleep 1
	snapshot end
	stop_captures
	in_router nft list ruleset >"$W/nft"
	teardown_servers
	restore_global_sysctls

	echo "$DESC" >"$W/desc"
	{
		uname -r
		conntrack --version
		nft --version
		tcpdump --version 2>&1 | head -2
	} >"$W/versions"

	# sanity checks
	[ -s "$W/events" ] || die "$name: no conntrack events recorded"
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
	for f in stats; do
		[ -f "$W/$f" ] && cp "$W/$f" "$dst/$f"
	done
	chmod 644 "$dst"/*
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
	record_one "$s"
done
update_scenarios_index
log "done: ${#SCEN[@]} scenario(s) recorded into $GOLDEN"
