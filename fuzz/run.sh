#!/bin/sh
# \summary: run the libFuzzer harnesses for a while, keeping corpus and crashes
#
#   fuzz/run.sh SECONDS [HARNESS...]
#
# HARNESS is fuzz_replay, fuzz_packets, fuzz_ipt, fuzz_nft and/or fuzz_nat (default: the first
# two, side by side, one process each).  Builds the harnesses and seeds
# first when missing (fuzz/build.sh, fuzz/make-seeds.sh).  Under $FUZZ_OUT (default
# ${TMPDIR:-/tmp}/ctreplay-fuzz): corpus/HARNESS/ grows from run to run,
# artifacts/HARNESS/ receives crash-*, leak-*, timeout-* inputs, and
# HARNESS.log the fuzzer's output.  A crashing input belongs in
# fuzz/regressions/ once fixed (tests/run-corpus.sh replays them).  Exit
# status: 0 when no harness found anything, 1 otherwise.
set -u

here=$(cd "$(dirname "$0")" && pwd)
out=${FUZZ_OUT:-${TMPDIR:-/tmp}/ctreplay-fuzz}
export FUZZ_OUT=$out

if [ $# -lt 1 ]; then
	echo "usage: fuzz/run.sh SECONDS [fuzz_replay|fuzz_packets|fuzz_ipt|fuzz_nft|fuzz_nat]..." >&2
	exit 1
fi
secs=$1
shift
[ $# -gt 0 ] || set -- fuzz_replay fuzz_packets

for h in "$@"; do
	[ -x "$out/$h" ] || "$here/build.sh" "$out" || exit 1
done
[ -d "$out/seeds/replay" ] && [ -d "$out/seeds/ipt" ] && [ -d "$out/seeds/nft" ] &&
	[ -d "$out/seeds/nat" ] ||
	"$here/make-seeds.sh" "$out/seeds" || exit 1

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
pids=
for h in "$@"; do
	case $h in
	fuzz_replay) seeds=$out/seeds/replay maxlen=16384 ;;
	fuzz_packets) seeds=$out/seeds/packets maxlen=4096 ;;
	fuzz_ipt) seeds=$out/seeds/ipt maxlen=16384 ;;
	fuzz_nft) seeds=$out/seeds/nft maxlen=65536 ;;
	fuzz_nat) seeds=$out/seeds/nat maxlen=65536 ;;
	*) echo "fuzz/run.sh: unknown harness $h" >&2; exit 1 ;;
	esac
	mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
	"$out/$h" -max_total_time="$secs" -max_len="$maxlen" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$h/" \
		"$out/corpus/$h" "$seeds" "$here/regressions" \
		>"$out/$h.log" 2>&1 &
	pids="$pids $!"
done

status=0
for p in $pids; do
	wait "$p" || status=1
	# fuzz_replay's scratch file outlives an interrupted run
	rm -f "/dev/shm/ctreplay-fuzz-$p.cap" "/tmp/ctreplay-fuzz-$p.cap"
	rm -rf "/dev/shm/ctreplay-fuzz-nat-$p" "/tmp/ctreplay-fuzz-nat-$p"
done
for h in "$@"; do
	echo "== $h: $(grep -E '^Done [0-9]+ runs' "$out/$h.log" | tail -n 1)"
	grep -E 'stat::number_of_executed_units|cov: ' "$out/$h.log" | tail -n 2
	ls "$out/artifacts/$h" 2>/dev/null | sed 's/^/   artifact: /'
done
exit $status
