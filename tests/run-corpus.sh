#!/bin/sh
# \summary: replay every third-party capture and fuzz regression: no crash, hang or sanitizer report
#
#   tests/run-corpus.sh [FILE...]
#
# Run by `make check` (top_srcdir and top_builddir come from the
# environment) or by hand.  Without arguments the inputs are every
# capture under ../shared/corpus/ (next to the source tree, or two levels
# up under make distcheck; $CORPUS overrides) and fuzz/regressions/*.
# Each is replayed once with every report turned on (-E --verdicts
# --snapshot end -L --json /dev/null -S, and --until a week after the
# first frame so that every timer fires), two at a time, and passes when:
#   - it ends within 10 seconds (when timeout(1) exists);
#   - the exit status is 0 or 2 (1 would be a usage error, anything else
#     a crash or a sanitizer abort);
#   - stderr holds no AddressSanitizer/UBSan/LeakSanitizer report;
#   - exit status 2 comes with exactly one "ctreplay: FILE: reason" line
#     naming the file.
# The last line is "N passed, N failed".  Exit 0 when nothing failed,
# 1 otherwise, 77 (skip) when there is nothing to replay, 99 when
# ctreplay is not built.  Environment: CTREPLAY (binary to test),
# CORPUS_JOBS (parallel replays, default 2), CORPUS_TIMEOUT (default 10).

LC_ALL=C
TZ=UTC
export LC_ALL TZ
# A sanitizer build must stop at its first report, and say so on stderr.
ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS UBSAN_OPTIONS

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
ctreplay=${CTREPLAY:-$top_builddir/ctreplay}
limit=${CORPUS_TIMEOUT:-10}
export ctreplay limit

# Worker: check one file, print "ok FILE" or "FAIL FILE: why".
if [ "${1:-}" = "--one" ]; then
	f=$2
	err=$(mktemp "${TMPDIR:-/tmp}/ctreplay-corpus.XXXXXX") || exit 99
	run=
	command -v timeout >/dev/null 2>&1 && run="timeout $limit"
	$run "$ctreplay" -E --verdicts --snapshot end -L --json /dev/null -S \
		--until +604800 \
		"$f" >/dev/null 2>"$err"
	rc=$?
	why=
	if grep -q -E 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$err"; then
		why="sanitizer report: $(grep -m 1 -E 'runtime error|Sanitizer' "$err")"
	elif [ -n "$run" ] && [ "$rc" -eq 124 ]; then
		why="still running after ${limit}s"
	elif [ "$rc" -gt 128 ]; then
		why="killed by signal $((rc - 128))"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		why="exit status $rc: $(head -n 1 "$err")"
	elif [ "$rc" -eq 2 ]; then
		n=$(grep -c '^ctreplay: ' "$err")
		if [ "$n" -ne 1 ]; then
			why="exit 2 with $n 'ctreplay:' lines on stderr, expected 1"
		elif ! grep '^ctreplay: ' "$err" | grep -q -F "ctreplay: $f: "; then
			why="exit 2 without naming the file: $(grep '^ctreplay: ' "$err")"
		fi
	fi
	rm -f "$err"
	if [ -n "$why" ]; then
		echo "FAIL $f: $why"
	else
		echo "ok $f"
	fi
	exit 0
fi

if [ ! -x "$ctreplay" ]; then
	echo "run-corpus: $ctreplay is not built (make, or set CTREPLAY)" >&2
	exit 99
fi

list=$(mktemp "${TMPDIR:-/tmp}/ctreplay-corpus-list.XXXXXX") || exit 99
results=$(mktemp "${TMPDIR:-/tmp}/ctreplay-corpus-res.XXXXXX") || exit 99
trap 'rm -f "$list" "$results"' EXIT INT TERM

if [ $# -gt 0 ]; then
	for f in "$@"; do
		echo "$f"
	done >"$list"
else
	corpus=
	for d in ${CORPUS:-} "$top_srcdir/../shared/corpus" \
		"$top_srcdir/../../shared/corpus"; do
		if [ -d "$d" ]; then
			corpus=$(cd "$d" && pwd)
			break
		fi
	done
	{
		if [ -n "$corpus" ]; then
			find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' \
				-o -name '*.cap' \) | sort
		else
			echo "run-corpus: no ../shared/corpus next to $top_srcdir" >&2
		fi
		if [ -d "$top_srcdir/fuzz/regressions" ]; then
			find "$top_srcdir/fuzz/regressions" -type f ! -name 'README*' | sort
		fi
	} >"$list"
fi
if [ ! -s "$list" ]; then
	echo "run-corpus: nothing to replay, skipping"
	exit 77
fi
# File names in the corpus have no newlines; quote nothing else for xargs.
tr '\n' '\0' <"$list" |
	xargs -0 -n 1 -P "${CORPUS_JOBS:-2}" sh "$0" --one >"$results"

grep '^FAIL ' "$results"
passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^FAIL ' "$results")
total=$(wc -l <"$list" | tr -d ' ')
missing=$((total - passed - failed))
if [ "$missing" -ne 0 ]; then
	echo "run-corpus: $missing files gave no result"
	failed=$((failed + missing))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
