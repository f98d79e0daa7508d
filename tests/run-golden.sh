#!/bin/sh
# \summary: run every golden test of tests/golden/TESTLIST (or the named ones)
#
#   tests/run-golden.sh [NAME...]
#
# Run by `make check` (top_srcdir and top_builddir come from the
# environment) or by hand from the source tree.  For each TESTLIST line,
# tests/golden/compare.py runs ctreplay on the recording and compares its
# reports with the kernel's; its one-line report is printed, then the
# differences.  The last line is "N passed, N failed" (", N skipped" when
# some were).  Exit 0 when nothing failed, 1 otherwise, 77 (skip) without
# python3, 99 when ctreplay is not built.
#
# TESTLIST keywords after the options: compare=MODE (exact, the default,
# or counts: see tests/golden/README.md), then xfail=REASON (to the end of
# the line).
#
# Environment: CTREPLAY (binary to test), PYTHON (interpreter),
# GOLDEN_KEEP=1 (keep ctreplay's outputs even when everything passes).

LC_ALL=C
TZ=UTC
export LC_ALL TZ

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
golden=$top_srcdir/tests/golden
. "$top_srcdir/tests/testlist.sh"
testlist=$golden/TESTLIST

python=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 6))' 2>/dev/null; then
		python=$p
		break
	fi
done
if [ -z "$python" ]; then
	echo "run-golden: python3 not found, skipping the golden tests"
	exit 77
fi

ctreplay=${CTREPLAY:-$top_builddir/ctreplay}
if [ ! -x "$ctreplay" ]; then
	echo "run-golden: $ctreplay is not built (make, or set CTREPLAY)" >&2
	exit 99
fi

# Outputs go outside the source tree, which is read-only under distcheck.
work=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-golden.XXXXXX") || exit 99

passed=0
failed=0
skipped=0
seen=

while read -r name dir inputs rest; do
	case $name in
	'' | '#'*) continue ;;
	esac
	testlist_wanted "$name" "$@" || continue
	seen="$seen $name "
	testlist_split "$rest"

	if [ ! -f "$golden/$dir/events" ]; then
		echo "$name: SKIP (no recording in tests/golden/$dir)"
		skipped=$((skipped + 1))
		continue
	fi

	"$python" "$golden/compare.py" "$golden/$dir" --name "$name" \
		--ctreplay "$ctreplay" --inputs "$inputs" --options "$opts" \
		--compare "$mode" \
		--keep "$work/$name" </dev/null
	rc=$?
	# keep only what explains a failure
	[ $rc -eq 0 ] && [ -z "${GOLDEN_KEEP:-}" ] && rm -rf "${work:?}/$name"
	if [ $rc -eq 0 ]; then
		if [ -n "$xfail" ]; then
			echo "  XPASS: $name passes now; remove its xfail ($xfail)"
		fi
		passed=$((passed + 1))
	elif [ -n "$xfail" ]; then
		echo "  XFAIL: known divergence, not counted as a failure: $xfail"
		skipped=$((skipped + 1))
	else
		failed=$((failed + 1))
	fi
done <"$testlist"

for n in "$@"; do
	case $seen in
	*" $n "*) ;;
	*)
		echo "$n: no such test in $testlist"
		failed=$((failed + 1))
		;;
	esac
done

if [ $failed -gt 0 ] || [ -n "${GOLDEN_KEEP:-}" ]; then
	echo "ctreplay outputs kept in $work"
else
	rm -rf "$work"
fi

if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
