#!/bin/sh
# valgrind memcheck over every golden recording: `make valgrind`.
# Each TESTLIST entry is replayed once with every report at the same time
# (events, verdicts, snapshot, -L, JSON, -S, --explain); any memcheck error
# or definite/indirect leak fails it.  Not part of `make check` (it takes
# a few minutes); CI's sanitizer build covers the same ground faster.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
. "$top_srcdir/tests/testlist.sh"
pass=0
fail=0

if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not installed: skipped"
	exit 77
fi
testlist_setup run-valgrind
while read -r name dir inputs rest; do
	testlist_entry || continue
	# shellcheck disable=SC2086 # option and input lists
	(cd "$golden/$dir" && valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		"$ctreplay" $opts -E -o timestamp,extended --verdicts -L -S \
		--snapshot end --json /dev/null --explain 5 $inputs) \
		>/dev/null 2>"$work/err"
	rc=$?
	if [ $rc -eq 99 ] || grep -q '^==[0-9]*==' "$work/err"; then
		fail=$((fail + 1))
		echo "FAIL: $name"
		sed 's/^/    /' "$work/err" | head -30
	else
		pass=$((pass + 1))
		echo "ok: $name"
	fi
done <"$golden/TESTLIST"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
