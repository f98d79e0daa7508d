#!/bin/sh
# \summary: -j N on every golden recording: byte-identical to one thread
#
#   tests/run-jobs.sh [NAME...]
#
# Run by `make check`.  For each tests/golden/TESTLIST entry (with its
# options and inputs), ctreplay runs with -j 1, -j 2 and -j 3, and the
# outputs must be byte-identical:
#   - events, verdicts, JSON lifetimes, -L and an end snapshot together on
#     standard output (their interleaving included),
#   - -E on standard output with --json to a file, and snapshots taken
#     during the capture (the workers stop at each one),
#   - the same under --shard 1/2 (each shard split again among threads);
# and, on a flood of flows between many hosts, -E, -L and --json.
# The table-wide limits (nf_conntrack_max, expect_max) hold per thread, so
# a recording that reaches them may differ: none in TESTLIST is allowed to.
# Exit 0 when all agree, 1 otherwise, 99 when ctreplay is not built.
#
# Environment: CTREPLAY (binary to test).

LC_ALL=C
TZ=UTC
export LC_ALL TZ

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
. "$top_srcdir/tests/testlist.sh"
testlist_setup run-jobs

passed=0
failed=0

# run OUT ARGS...: ctreplay's standard output and exit status into OUT
run() {
	out=$1
	shift
	# shellcheck disable=SC2086
	(cd "$golden/$dir" && "$ctreplay" "$@" $opts $inputs) >"$out" 2>"$out.err"
	echo "exit $?" >>"$out"
}

# same WHAT J: $work/WHAT.J is byte-identical to $work/WHAT.1
same() {
	if ! cmp -s "$work/$1.1" "$work/$1.$2"; then
		echo "  $1: -j $2 differs from -j 1"
		diff "$work/$1.1" "$work/$1.$2" | head -5
		return 1
	fi
	return 0
}

while read -r name dir inputs rest; do
	testlist_entry "$@" || continue
	ok=1
	for j in 1 2 3; do
		run "$work/all.$j" -j $j -E -o timestamp,id --verdicts \
			--json - -L --snapshot end
		run "$work/two.$j" -j $j -E -o timestamp,extended \
			--json "$work/js.$j" --snapshot +0.5 --snapshot +3 \
			--snapshot +40
		cat "$work/js.$j" >>"$work/two.$j"
		run "$work/sh.$j" -j $j -E -o id --verdicts --shard 1/2 \
			--snapshot end
		[ $j = 1 ] && continue
		for what in all two sh; do
			same $what $j || ok=
		done
	done
	if [ -n "$ok" ]; then
		passed=$((passed + 1))
	else
		echo "$name: FAIL"
		failed=$((failed + 1))
	fi
done <"$golden/TESTLIST"

# Flows between many hosts, so that every worker holds entries alive at
# the end, more than a stream buffer of JSON each: their lines come whole
# and in id order, as one thread writes them.
genflood=${GENFLOOD:-$top_builddir/bench/genflood}
if [ $# -eq 0 ] && [ -x "$genflood" ]; then
	"$genflood" -n 2000 -o "$work/flood.pcap"
	for j in 1 3; do
		"$ctreplay" -j $j -E -L --json "$work/flood.json" \
			"$work/flood.pcap" >"$work/flood.$j" 2>&1
		cat "$work/flood.json" >>"$work/flood.$j"
	done
	if cmp -s "$work/flood.1" "$work/flood.3"; then
		passed=$((passed + 1))
	else
		echo "flood: -j 3 differs from -j 1"
		failed=$((failed + 1))
	fi
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
