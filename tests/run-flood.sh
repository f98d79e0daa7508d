#!/bin/sh
# \summary: floods: bounded memory and drop counters of a full table; every TCP counting path over 66000 entries
#
#   tests/run-flood.sh
#
# Run by `make check` or by hand.  bench/genflood writes FLOWS (default
# 1000000) frames, each opening a new UDP or TCP SYN flow that is never
# answered, one microsecond apart (nothing expires), straight into
# `ctreplay -S -L -`.  Twice: with --set max=20000 and with the default
# table (max 262144).  Each run passes when:
#   - ctreplay exits 0;
#   - every flow got an entry or was dropped: created + drop = FLOWS, and
#     nothing was invalid;
#   - the table never outgrew max: the entries left (the -L summary) are
#     insert - early_drop, at most max, so early_drop >= insert - max;
#   - peak RSS stays under the bound: MAX_KB_SMALL (64 MB) for max=20000,
#     MAX_KB_DEFAULT (192 MB) for the default table.  Measured with GNU
#     time -v, else python3's getrusage; skipped (77) when neither exists.
#     A sanitizer build is checked for the counters only (its shadow
#     memory and quarantine are not ctreplay's).
# Then 200000 handshakes each ending in an INVALID ACK whose reason names
# the flow's own sequence number (genflood -b): -S must finish within 30
# seconds (when timeout(1) exists) with every bad ACK counted INVALID and
# a bounded list of distinct reasons (the summary once kept them all and
# searched the list linearly: quadratic time).
# Then CLOSE_FLOWS (default 88000) TCP connections on every tracker path
# that counts packets and bytes or must not (genflood -c: out-of-window
# FINs from both sides that lower the timeout, a retransmitted SYN and a
# full close, a RST before any reply from either side), 66000 of them
# left in the table at the end, so that entries sit at the end of many of
# the engine's blocks of 1024: with counters off (the default: entries
# have no room for them) and on (--set acct=1).  Each run must exit 0 (a
# sanitizer build stops at the first bad access), count every verdict,
# leave the right entries with the right timeouts and, with counters,
# show exactly the packets and bytes each path counts, in -L and in the
# DESTROY events of the killed entries.
# The last line is "N passed, N failed".  Environment: CTREPLAY,
# GENFLOOD (generator binary), FLOOD_FLOWS, CLOSE_FLOWS.

LC_ALL=C
TZ=UTC
export LC_ALL TZ

MAX_KB_SMALL=65536
MAX_KB_DEFAULT=196608

here=$(dirname "$0")
top_srcdir=${top_srcdir:-$here/..}
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 99
top_builddir=${top_builddir:-$top_srcdir}
top_builddir=$(cd "$top_builddir" && pwd) || exit 99
ctreplay=${CTREPLAY:-$top_builddir/ctreplay}
flows=${FLOOD_FLOWS:-1000000}

if [ ! -x "$ctreplay" ]; then
	echo "run-flood: $ctreplay is not built (make, or set CTREPLAY)" >&2
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-flood.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM

genflood=${GENFLOOD:-$top_builddir/bench/genflood}
if [ ! -x "$genflood" ]; then
	genflood=$tmp/genflood
	if ! ${CC:-cc} -O2 -o "$genflood" "$top_srcdir/bench/genflood.c"; then
		echo "run-flood: cannot build bench/genflood.c" >&2
		exit 99
	fi
fi

# measure OUTFILE CMD...: run CMD (stdin from genflood), peak RSS in kB to OUTFILE
if /usr/bin/time -v true >/dev/null 2>&1; then
	measure() {
		rssf=$1
		shift
		/usr/bin/time -v -o "$tmp/time" "$@"
		rc=$?
		sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/time" >"$rssf"
		return $rc
	}
elif command -v python3 >/dev/null 2>&1; then
	measure() {
		rssf=$1
		shift
		python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$rssf" "$@"
	}
else
	echo "run-flood: neither GNU time nor python3: cannot measure peak RSS, skipping"
	exit 77
fi

sanitized=no
if grep -q -a -e __asan_init -e __ubsan_handle "$ctreplay"; then
	sanitized=yes
fi

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $1"; }
bad() { failed=$((failed + 1)); echo "FAIL: $1"; }

# counter NAME: value of NAME= in the -S line
counter() {
	sed -n "s/.*[[:space:]]$1=\([0-9]*\).*/\1/p" "$tmp/out" | head -n 1
}

# flood LABEL MAX BOUND_KB [ctreplay options]
flood() {
	label=$1 max=$2 bound=$3
	shift 3
	start=$(date +%s)
	"$genflood" -n "$flows" | measure "$tmp/rss" "$ctreplay" "$@" -S -L - \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	secs=$(($(date +%s) - start))
	rss=$(cat "$tmp/rss" 2>/dev/null)
	# entries confirmed: the -S summary counts them (the kernel's own
	# insert counter stays 0 in 6.x, and so does ctreplay's)
	insert=$(sed -n 's/^# entries created: \([0-9]*\).*/\1/p' "$tmp/out")
	drop=$(counter drop)
	early=$(counter early_drop)
	invalid=$(counter invalid)
	left=$(sed -n 's/.*: \([0-9]*\) flow entries have been shown.*/\1/p' "$tmp/err")
	echo "$label: ${secs}s, peak RSS ${rss:-?} kB, insert=$insert drop=$drop early_drop=$early invalid=$invalid left=$left"
	if [ "$rc" -ne 0 ]; then
		bad "$label: exit status $rc: $(head -n 3 "$tmp/err")"
		return
	fi
	if [ -z "$insert" ] || [ -z "$drop" ] || [ -z "$early" ] || [ -z "$left" ]; then
		bad "$label: no -S counters or -L summary in the output"
		return
	fi
	if [ "$invalid" -ne 0 ] || [ $((insert + drop)) -ne "$flows" ]; then
		bad "$label: insert + drop = $((insert + drop)), invalid $invalid: expected $flows flows, none invalid"
	elif [ "$left" -gt "$max" ] || [ "$left" -ne $((insert - early)) ]; then
		bad "$label: $left entries left, expected insert - early_drop = $((insert - early)) <= $max"
	elif [ "$flows" -gt "$max" ] && [ "$early" -lt $((insert - max)) ]; then
		bad "$label: early_drop $early < insert - max = $((insert - max))"
	else
		ok "$label: counters of a table full at $max"
	fi
	if [ "$sanitized" = yes ]; then
		echo "note: $label: sanitizer build, peak RSS not checked"
	elif [ -z "$rss" ]; then
		bad "$label: peak RSS not measured"
	elif [ "$rss" -gt "$bound" ]; then
		bad "$label: peak RSS $rss kB over the $bound kB bound"
	else
		ok "$label: peak RSS $rss kB <= $bound kB"
	fi
}

flood "max=20000" 20000 "$MAX_KB_SMALL" --set max=20000
flood "default max" 262144 "$MAX_KB_DEFAULT"

badflows=$((flows / 5))
run=
command -v timeout >/dev/null 2>&1 && run="timeout 30"
start=$(date +%s)
"$genflood" -b -n "$badflows" | $run "$ctreplay" -S - >"$tmp/out" 2>"$tmp/err"
rc=$?
secs=$(($(date +%s) - start))
invalid=$(counter invalid)
nreasons=$(grep -c '^#   [0-9]' "$tmp/out")
echo "distinct INVALID reasons: ${secs}s, invalid=$invalid, $nreasons reason lines"
if [ "$rc" -ne 0 ]; then
	bad "distinct INVALID reasons: exit status $rc (124: over 30 s): $(head -n 2 "$tmp/err")"
elif [ "$invalid" != "$badflows" ]; then
	bad "distinct INVALID reasons: invalid=$invalid, expected $badflows"
elif [ "$nreasons" -gt 1000 ]; then
	bad "distinct INVALID reasons: $nreasons reason lines in the summary"
else
	ok "distinct INVALID reasons: $badflows counted, $nreasons lines, ${secs}s"
fi

# The -c flood: flow i's kind is i % 8 (bench/genflood.c): 0-3 two
# out-of-window FINs (5 frames: NEW, 2 ESTABLISHED, 2 INVALID; stays,
# ESTABLISHED with the 300 s unacknowledged timeout; counted 2 packets
# original, 1 reply), 4-5 retransmitted SYN and close (7 frames: 2 NEW, 5
# ESTABLISHED; stays in TIME_WAIT; counted 4 and 2: the retransmission
# counts nothing), 6 client RST (2 NEW; killed with 2 and 0), 7 server RST
# (NEW, ESTABLISHED; killed with 1 and 1).  Every frame is 40 bytes.
cflows=${CLOSE_FLOWS:-88000}
q=$((cflows / 8)) r=$((cflows % 8))
n_oow=$((q * 4 + (r < 4 ? r : 4)))
n_close=$((q * 2 + (r > 6 ? 2 : r > 4 ? r - 4 : 0)))
n_crst=$((q + (r > 6 ? 1 : 0)))
n_srst=$q
c_new=$((n_oow + 2 * n_close + 2 * n_crst + n_srst))
c_est=$((2 * n_oow + 5 * n_close + n_srst))
c_inv=$((2 * n_oow))
c_left=$((n_oow + n_close))
"$genflood" -c -n "$cflows" -o "$tmp/close.pcap" || exit 99

# close_run LABEL [ctreplay options]: -S -L over the -c flood, the
# verdict and entry checks; the -L lines are left in $tmp/out
close_run() {
	label=$1
	shift
	start=$(date +%s)
	"$ctreplay" "$@" -S -L "$tmp/close.pcap" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	secs=$(($(date +%s) - start))
	tracked=$(sed -n 's/^# frames tracked: //p' "$tmp/out")
	left=$(sed -n 's/.*: \([0-9]*\) flow entries have been shown.*/\1/p' "$tmp/err")
	# -L shows what is left of each timeout at the end of the capture
	# (less than a second later): entries in ESTABLISHED must all have
	# the lowered one, and the others be in TIME_WAIT
	lowered=$(awk '$1 == "tcp" && $4 == "ESTABLISHED" &&
		       $3 + 0 <= 300 { n++ } END { print n + 0 }' "$tmp/out")
	timewait=$(awk '$1 == "tcp" && $4 == "TIME_WAIT" &&
			$3 + 0 <= 120 { n++ } END { print n + 0 }' "$tmp/out")
	echo "$label: ${secs}s, tracked $tracked, left=$left (ESTABLISHED within 300 s: $lowered, TIME_WAIT: $timewait)"
	want="$((c_new + c_est + c_inv)) (NEW $c_new, ESTABLISHED $c_est, INVALID $c_inv)"
	if [ "$rc" -ne 0 ]; then
		bad "$label: exit status $rc: $(head -n 5 "$tmp/err")"
		return 1
	elif [ "$tracked" != "$want" ]; then
		bad "$label: frames tracked $tracked, expected $want"
	elif [ "$left" != "$c_left" ] || [ "$lowered" -ne "$n_oow" ] ||
	     [ "$timewait" -ne "$n_close" ]; then
		bad "$label: $left entries ($lowered lowered, $timewait TIME_WAIT), expected $c_left ($n_oow, $n_close)"
	else
		ok "$label: verdicts, $left entries and their timeouts"
	fi
	return 0
}

if [ "$c_left" -le 65536 ]; then
	echo "note: CLOSE_FLOWS=$cflows leaves $c_left entries, not more than 65536"
fi
close_run "TCP paths, counters off"
if close_run "TCP paths, counters on" --set acct=1; then
	# packets and bytes of each direction over every -L line
	sums=$(awk '{ n = 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(packets|bytes)=/) {
				split($i, kv, "="); s[n++] += kv[2]
			} }
		END { printf "%d %d %d %d", s[0], s[1], s[2], s[3] }' "$tmp/out")
	want="$((2 * n_oow + 4 * n_close)) $((80 * n_oow + 160 * n_close)) $((n_oow + 2 * n_close)) $((40 * n_oow + 80 * n_close))"
	if [ "$sums" = "$want" ]; then
		ok "TCP paths, counters on: -L counts (packets bytes, original then reply) $sums"
	else
		bad "TCP paths, counters on: -L counts $sums, expected $want"
	fi
	# the killed entries' last word: their DESTROY events
	"$ctreplay" --set acct=1 -E --state CLOSE "$tmp/close.pcap" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	sums=$(awk '/^\[DESTROY\]/ { d++; n = 0
		for (i = 1; i <= NF; i++)
			if ($i ~ /^(packets|bytes)=/) {
				split($i, kv, "="); s[n++] += kv[2]
			} }
		END { printf "%d %d %d %d %d", d, s[0], s[1], s[2], s[3] }' "$tmp/out")
	want="$((n_crst + n_srst)) $((2 * n_crst + n_srst)) $((80 * n_crst + 40 * n_srst)) $n_srst $((40 * n_srst))"
	if [ "$rc" -ne 0 ]; then
		bad "TCP paths, counters on, -E: exit status $rc: $(head -n 5 "$tmp/err")"
	elif [ "$sums" = "$want" ]; then
		ok "TCP paths, counters on: DESTROY events and counts $sums"
	else
		bad "TCP paths, counters on: DESTROY events and counts $sums, expected $want"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
