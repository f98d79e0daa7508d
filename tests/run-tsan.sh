#!/bin/sh
# \summary: ThreadSanitizer over -j: every golden recording and two floods, no race reported
#
#   tests/run-tsan.sh [NAME...]
#
# Run by `make check-tsan`, which builds tsan/ctreplay with
# -fsanitize=thread and sets CTREPLAY to it (by hand: CTREPLAY=... and
# GENFLOOD=bench/genflood).  For each tests/golden/TESTLIST entry (or the
# named ones), with the entry's options and inputs, ctreplay runs with
# -j 4 twice, as tests/run-jobs.sh does:
#   - events, verdicts, JSON lifetimes, -L and an end snapshot together;
#   - events with --json to a file and snapshots during the capture (the
#     workers stop at each one).
# Then two generated floods (bench/genflood), unless names were given:
#   - 256 SCTP associations with -j 8 (every worker checks CRC32c at the
#     same time as the others);
#   - 3000 TCP connections on every path that counts packets (genflood -c)
#     with -j 4, counters off (--verdicts) and on (--set acct=1 -L).
# A run fails when ThreadSanitizer reports anything (its report is
# printed) or ctreplay exits with a status other than 0.  The last line is
# "N passed, N failed".  Exit 0 when none failed, 1 otherwise, 99 when
# ctreplay is not built, 77 (skip) when it is not a ThreadSanitizer build.
#
# Environment: CTREPLAY (a -fsanitize=thread build of ctreplay), GENFLOOD
# (the generator), TSAN_OPTIONS (added to this script's own).

LC_ALL=C
TZ=UTC
export LC_ALL TZ

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
CTREPLAY=${CTREPLAY:-$top_builddir/tsan/ctreplay}
. "$top_srcdir/tests/testlist.sh"
testlist_setup run-tsan

if ! grep -q -a __tsan_init "$ctreplay"; then
	echo "run-tsan: $ctreplay is not a ThreadSanitizer build (make check-tsan)"
	exit 77
fi
# exitcode 66: a report, whatever ctreplay itself would have returned
TSAN_OPTIONS="halt_on_error=0 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
export TSAN_OPTIONS

passed=0
failed=0
start=$(date +%s)

# check LABEL ERRFILE RC: count a run; print ThreadSanitizer's report
check() {
	if [ "$3" -ne 0 ] || grep -q 'ThreadSanitizer' "$2"; then
		failed=$((failed + 1))
		echo "FAIL: $1 (exit $3)"
		sed 's/^/    /' "$2" | head -60
	else
		passed=$((passed + 1))
		echo "ok: $1"
	fi
}

# run LABEL ARGS...: ctreplay in the recording's directory, as run-jobs.sh
run() {
	label=$1
	shift
	# shellcheck disable=SC2086 # option and input lists
	(cd "$golden/$dir" && "$ctreplay" "$@" $opts $inputs) \
		>/dev/null 2>"$work/err"
	check "$label" "$work/err" $?
}

while read -r name dir inputs rest; do
	testlist_entry "$@" || continue
	run "$name (all reports)" -j 4 -E -o timestamp,id --verdicts \
		--json - -L --snapshot end
	run "$name (snapshots)" -j 4 -E -o timestamp,extended \
		--json "$work/js" --snapshot +0.5 --snapshot +3 --snapshot +40
done <"$golden/TESTLIST"

if [ $# -eq 0 ]; then
	genflood=${GENFLOOD:-$top_builddir/bench/genflood}
	if [ ! -x "$genflood" ]; then
		genflood=$work/genflood
		if ! ${CC:-cc} -O2 -o "$genflood" "$top_srcdir/bench/genflood.c"; then
			echo "run-tsan: cannot build bench/genflood.c" >&2
			exit 99
		fi
	fi
	# flood LABEL GENFLOOD-OPTIONS -- CTREPLAY-OPTIONS
	flood() {
		label=$1
		gopts=$2
		shift 3
		# shellcheck disable=SC2086 # generator options
		"$genflood" $gopts -o "$work/flood.pcap" || exit 99
		"$ctreplay" "$@" "$work/flood.pcap" >/dev/null 2>"$work/err"
		check "$label" "$work/err" $?
	}
	flood "256 SCTP associations, -j 8" "-s -n 256" -- -j 8 -E --verdicts
	flood "TCP counting paths, counters off, -j 4" "-c -n 3000" -- \
		-j 4 -E --verdicts
	flood "TCP counting paths, counters on, -j 4" "-c -n 3000" -- \
		-j 4 -E -L --set acct=1
fi

echo "ThreadSanitizer runs took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
