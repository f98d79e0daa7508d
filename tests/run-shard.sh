#!/bin/sh
# \summary: --shard K/N on every golden recording: the shards add up to the whole run
#
#   tests/run-shard.sh [NAME...]
#
# Run by `make check`.  For each tests/golden/TESTLIST entry, ctreplay runs
# on the recording once whole and once per shard (N = 2 and 3), and for
# events (-E -o timestamp,id), verdicts and -L the shards must split the
# whole run exactly:
#   - every line of the whole run is in exactly one shard (multisets), and
#   - each shard's lines come in the whole run's order (a subsequence),
# i.e. sharding drops other flows and changes nothing else: not the
# entries' ids, not their timeouts or expiry order.  For --snapshot end
# the table lines of the shards add up to the whole table.
# Exit 0 when every recording splits cleanly, 1 otherwise, 99 when
# ctreplay is not built.
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
testlist_setup run-shard

passed=0
failed=0

# subseq PART WHOLE: the lines of PART appear in WHOLE in the same order
subseq() {
	awk 'FILENAME == ARGV[1] { want[++n] = $0; next }
	     i < n && $0 == want[i + 1] { i++ }
	     END { exit i != n }' "$1" "$2"
}

# split_ok WHAT N: $work/WHAT.all is split exactly by $work/WHAT.0 .. N-1
split_ok() {
	what=$1
	n=$2
	k=0
	files=
	while [ $k -lt "$n" ]; do
		if ! subseq "$work/$what.$k" "$work/$what.all"; then
			echo "  $what: shard $k/$n is not in the whole run's order"
			return 1
		fi
		files="$files $work/$what.$k"
		k=$((k + 1))
	done
	# shellcheck disable=SC2086
	sort $files >"$work/$what.union"
	sort "$work/$what.all" >"$work/$what.sorted"
	if ! cmp -s "$work/$what.union" "$work/$what.sorted"; then
		echo "  $what: the $n shards do not add up to the whole run"
		diff "$work/$what.sorted" "$work/$what.union" | head -5
		return 1
	fi
	return 0
}

# run OUT ARGS...: ctreplay's standard output into OUT (in the recording)
run() {
	out=$1
	shift
	# shellcheck disable=SC2086
	(cd "$golden/$dir" && "$ctreplay" "$@" $opts $inputs) >"$out" 2>/dev/null
}

while read -r name dir inputs rest; do
	testlist_entry "$@" || continue
	# a firewall that translates cannot be sharded (ctreplay refuses,
	# exit 2): skipped
	(cd "$golden/$dir" && "$ctreplay" -S --shard 0/2 $opts $inputs) \
		>/dev/null 2>"$work/probe.err"
	if grep -q 'firewall translates' "$work/probe.err"; then
		echo "$name: skipped (NAT: --shard refused)"
		continue
	fi
	ok=1
	run "$work/ev.all" -E -o timestamp,id
	run "$work/vd.all" --verdicts
	run "$work/ls.all" -L -o id
	run "$work/sn.all" --snapshot end
	grep -v '^#' "$work/sn.all" >"$work/tb.all"
	for n in 2 3; do
		k=0
		while [ $k -lt $n ]; do
			run "$work/ev.$k" -E -o timestamp,id --shard $k/$n
			run "$work/vd.$k" --verdicts --shard $k/$n
			run "$work/ls.$k" -L -o id --shard $k/$n
			run "$work/sn.$k" --snapshot end --shard $k/$n
			grep -v '^#' "$work/sn.$k" >"$work/tb.$k"
			k=$((k + 1))
		done
		for what in ev vd ls tb; do
			split_ok $what $n || ok=
		done
	done
	if [ -n "$ok" ]; then
		passed=$((passed + 1))
	else
		echo "$name: FAIL"
		failed=$((failed + 1))
	fi
done <"$golden/TESTLIST"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
