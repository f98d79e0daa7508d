#!/bin/sh
# \summary: build the fuzzers' seed corpora from the project's own captures
#
#   fuzz/make-seeds.sh [OUTDIR]
#
# OUTDIR (default $FUZZ_OUT/seeds or ${TMPDIR:-/tmp}/ctreplay-fuzz/seeds)
# receives replay/ (small classic pcap files for fuzz_replay) and packets/
# (the same frames in fuzz_packets' record format).  Sources:
# tests/golden/*/in.pcap, tests/golden/*/eth-*.pcap and samples/*.pcap.
# Each is cut into runs of 8 consecutive frames, every frame capped at 512
# captured bytes (the wire length is kept, as a snap length would), and
# the runs cycle through the settings selector values so that small
# tables, helpers and short timers are in the corpus from the start.
# ipt/ (fuzz_ipt) receives the sample rulesets tests/fw/ipt/*.txt as they
# are.
# Also copied: captures under 16 KiB from ../shared/corpus (next to the
# source tree), when present.  Deterministic: the same sources give the
# same seeds.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${1:-${FUZZ_OUT:-${TMPDIR:-/tmp}/ctreplay-fuzz}/seeds}
python=${PYTHON:-python3}

mkdir -p "$out/replay" "$out/packets" "$out/ipt" "$out/nft" "$out/nat"
cp "$top"/tests/fw/ipt/*.txt "$out/ipt/"
for f in "$top"/tests/golden/fw-*/fw/ruleset.json; do
	[ -f "$f" ] && cp "$f" "$out/nft/$(basename "$(dirname "$(dirname "$f")")").json"
done
# the NAT recordings, both sides, for fuzz_nat
for d in "$top"/tests/golden/nat-*; do
	[ -f "$d/in.pcap" ] || continue
	cp "$d/in.pcap" "$out/nat/$(basename "$d")-in.pcap"
	cp "$d/out.pcap" "$out/nat/$(basename "$d")-out.pcap"
done
# Small third-party captures (pcapng variants, odd link types, damaged
# files) from ../shared/corpus when it is there: copied as they are,
# never into the source tree.
for d in "$top/../shared/corpus" "$top/../../shared/corpus"; do
	[ -d "$d" ] || continue
	find "$d" -type f \( -name '*.pcap' -o -name '*.pcapng' \) -size -16k |
		while read -r f; do
			cp "$f" "$out/replay/corpus-$(basename "$f")"
		done
	break
done
# shellcheck disable=SC2046
exec "$python" - "$out" $(ls "$top"/tests/golden/*/in.pcap \
	"$top"/tests/golden/*/eth-*.pcap "$top"/samples/*.pcap 2>/dev/null) <<'PY'
import os
import struct
import sys

out = sys.argv[1]
RUN = 8
SNAP = 512
SELECTORS = [0x00, 0x01, 0x02, 0x40, 0x10, 0x80, 0x04, 0x08, 0x20, 0x43]
# fuzz_packets.c link_types[] order
LINK_INDEX = {1: 0, 12: 1, 0: 2, 108: 3, 113: 4, 276: 5, 228: 6, 229: 7, 14: 8, 101: 9,
              9: 10, 50: 11, 51: 12, 104: 13, 239: 14}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None  # pcapng: not used as a seed source
    hdr = data[:24]
    dlt = struct.unpack(e + "I", data[20:24])[0] & 0x0fffffff
    recs = []
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, cap, wire = struct.unpack(e + "IIII", data[pos:pos + 16])
        if pos + 16 + cap > len(data):
            break
        recs.append((sec, frac, wire, data[pos + 16:pos + 16 + cap]))
        pos += 16 + cap
    return e, hdr, dlt, recs


n = 0
for path in sys.argv[2:]:
    parsed = read_pcap(path)
    if parsed is None:
        continue
    e, hdr, dlt, recs = parsed
    rel = os.path.relpath(path, os.path.dirname(os.path.dirname(path)))
    stem = rel.replace("/", "_").replace(".pcap", "")
    ms_per_tick = 1000000 if hdr[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1000
    for start in range(0, len(recs), RUN):
        sel = SELECTORS[n % len(SELECTORS)]
        run = recs[start:start + RUN]
        h = bytearray(hdr)
        h[12] = sel
        body = bytearray(h)
        pk = bytearray([LINK_INDEX.get(dlt, 0), sel])
        prev = None
        for sec, frac, wire, pkt in run:
            pkt = pkt[:SNAP]
            body += struct.pack(e + "IIII", sec, frac, len(pkt), wire) + pkt
            t_ms = sec * 1000 + frac // ms_per_tick
            dt = 0 if prev is None else max(0, t_ms - prev)
            prev = t_ms
            if dt < 128:
                code = dt
            else:
                code = min(255, 127 + max(1, dt // 60000))
            pk += bytes([code]) + struct.pack(">H", len(pkt)) + pkt
        name = "%s-%03d" % (stem, start // RUN)
        with open(os.path.join(out, "replay", name + ".pcap"), "wb") as f:
            f.write(body)
        if dlt in LINK_INDEX:
            with open(os.path.join(out, "packets", name + ".bin"), "wb") as f:
                f.write(pk)
        n += 1
print("%d seeds in %s" % (n, out))
PY
