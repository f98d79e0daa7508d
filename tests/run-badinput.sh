#!/bin/sh
# Bad input: every case gives exactly one clear line on stderr and exit
# status 2, and every complete record before the damage is still processed.
# Run by `make check` (top_builddir/top_srcdir exported) or by hand.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CTREPLAY=$top_builddir/ctreplay
SAMPLE=$top_srcdir/tests/golden/http-v4/in.pcap
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-bad.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# expect_error NAME FILE PATTERN: exit 2, one stderr line matching PATTERN
expect_error() {
	name=$1 file=$2 pattern=$3
	"$CTREPLAY" "$file" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l <"$TMP/err" | tr -d ' ')
	if [ "$rc" -ne 2 ]; then
		bad "$name: exit status $rc, expected 2"
	elif [ "$lines" -ne 1 ]; then
		bad "$name: $lines lines on stderr, expected 1: $(cat "$TMP/err")"
	elif ! grep -q -- "$pattern" "$TMP/err"; then
		bad "$name: stderr '$(cat "$TMP/err")' lacks '$pattern'"
	else
		ok "$name: $(cat "$TMP/err")"
	fi
}

: >"$TMP/empty.pcap"
expect_error "empty file" "$TMP/empty.pcap" "empty.pcap: empty file"

printf 'this is not a capture file at all, just text\n' >"$TMP/text.pcap"
expect_error "not a capture" "$TMP/text.pcap" "text.pcap: not a pcap or pcapng capture"

# A classic pcap header (little endian, v2.4, snaplen 65535) with link
# type 105 (IEEE 802.11), which ctreplay does not decode.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\151\000\000\000' \
	>"$TMP/wifi.pcap"
expect_error "unsupported link type" "$TMP/wifi.pcap" "unsupported link type IEEE802_11 (105); ctreplay reads EN10MB, LINUX_SLL"

expect_error "missing file" "$TMP/absent.pcap" "absent.pcap"

# Truncated in the middle of a record: the records before it are replayed.
head -c 5000 "$SAMPLE" >"$TMP/cut.pcap"
expect_error "truncated file" "$TMP/cut.pcap" "cut.pcap: truncated"
"$CTREPLAY" --verdicts "$SAMPLE" >"$TMP/full" 2>/dev/null
"$CTREPLAY" --verdicts "$TMP/cut.pcap" >"$TMP/part" 2>/dev/null
n=$(wc -l <"$TMP/part" | tr -d ' ')
if [ "$n" -gt 0 ] && head -n "$n" "$TMP/full" | cmp -s - "$TMP/part"; then
	ok "truncated file: the $n complete frames before the damage were replayed"
else
	bad "truncated file: $n frames replayed, not the prefix of the full replay"
fi

# Damage in one of several merged files does not stop the others.
"$CTREPLAY" --verdicts "$TMP/cut.pcap" "$top_srcdir/tests/golden/ping-v4/in.pcap" \
	>"$TMP/merged" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q ' icmp ' "$TMP/merged"; then
	ok "merge with a damaged file: other input still replayed, exit 2"
else
	bad "merge with a damaged file: exit $rc"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
