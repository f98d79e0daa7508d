#!/bin/bash
# Show that record.sh refuses a recording whose captures lost packets.
#
#   sudo tests/lab/selftest-drops.sh
#
# 1. record selftest/capture-overflow (3000 back-to-back 1000-byte UDP
#    datagrams) with a 64 KiB capture buffer (record.sh -B 64): with
#    --immediate-mode and snap length 4096 that ring holds ~15 frames, the
#    burst overflows it, every tcpdump reports "N packets dropped by kernel"
#    with N > 0, and record.sh must refuse the recording 3 times and fail;
# 2. the same scenario with the normal buffer must be recorded (0 drops).
# Output goes to a temporary directory, never into tests/golden.
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "selftest-drops.sh: must run as root" >&2; exit 1; }
OUT=$(mktemp -d /tmp/ctl-selftest.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fail=0

echo "[selftest] 1: 64 KiB capture buffer, expect 3 refusals and a failure" >&2
"$LAB/record.sh" -B 64 -o "$OUT/small" -d "$LAB/selftest" capture-overflow 2>"$OUT/small.log"
rc=$?
grep -E 'refused|dropped by kernel|giving up' "$OUT/small.log" >&2
n=$(grep -c 'recording refused, trying again' "$OUT/small.log")
if [ $rc = 0 ] || [ "$n" != 2 ] || ! grep -q 'refused 3 times' "$OUT/small.log" ||
	[ -e "$OUT/small/capture-overflow" ]; then
	echo "[selftest] FAIL: expected 3 refused attempts and no recording (rc=$rc, retries=$n)" >&2
	fail=1
else
	echo "[selftest] ok: refused 3 times, nothing written" >&2
fi

echo "[selftest] 2: default buffer, expect the recording to be kept" >&2
"$LAB/record.sh" -o "$OUT/big" -d "$LAB/selftest" capture-overflow 2>"$OUT/big.log"
rc=$?
grep -E 'refused|capture-overflow: in=' "$OUT/big.log" >&2
if [ $rc != 0 ] || [ ! -s "$OUT/big/capture-overflow/in.pcap" ]; then
	echo "[selftest] FAIL: the recording with the default buffer was not kept (rc=$rc)" >&2
	tail -5 "$OUT/big.log" >&2
	fail=1
else
	echo "[selftest] ok: recorded with 0 drops" >&2
fi
[ $fail = 0 ] && echo "[selftest] 2 passed, 0 failed" >&2 || echo "[selftest] failed" >&2
exit $fail
