#!/bin/sh
# Progress on stderr: shown when stderr is a terminal and the run takes
# more than a second, silent otherwise, and never a change to the reports.
# The terminal is script(1)'s pseudo-terminal; the capture is 3 M flows
# from bench/genflood (a few seconds of work on any machine).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CT=$(cd "$top_builddir" && pwd)/ctreplay
GEN=$(cd "$top_builddir" && pwd)/bench/genflood
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-progress.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0
check() {
	if eval "$2"; then
		pass=$((pass + 1)); echo "ok: $1"
	else
		fail=$((fail + 1)); echo "FAIL: $1"
	fi
}

if ! command -v script >/dev/null 2>&1 || [ ! -x "$GEN" ]; then
	echo "script(1) or bench/genflood missing: skipped"
	exit 77
fi
"$GEN" -n 3000000 -o "$TMP/flood.pcap" || exit 99

# On a terminal: progress lines, erased at the end.
script -qefc "'$CT' -S '$TMP/flood.pcap' >'$TMP/tty.out'" "$TMP/tty.log" \
	>/dev/null 2>&1
check "progress shown on a terminal" \
	"grep -q 'ctreplay: [0-9]* of [0-9]* MB ([0-9]*%), [0-9]* frames, [0-9]* frames/s, [0-9]* entries' '$TMP/tty.log'"
# the last progress line is wiped (CR, ESC [K) before ctreplay exits
erased=no
python3 - "$TMP/tty.log" <<'PY' && erased=yes
import sys
log = open(sys.argv[1], "rb").read()
last = log.rfind(b"ctreplay: ")
sys.exit(0 if last >= 0 and b"\r\x1b[K" in log[last:].split(b"entries", 1)[-1][:16] else 1)
PY
check "progress line erased at the end" "[ $erased = yes ]"

# Not a terminal: nothing on stderr, and the same report.
"$CT" -S "$TMP/flood.pcap" >"$TMP/plain.out" 2>"$TMP/plain.err"
check "silent when stderr is not a terminal" "[ ! -s '$TMP/plain.err' ]"
check "reports unchanged by the progress display" \
	"cmp -s '$TMP/plain.out' '$TMP/tty.out'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
