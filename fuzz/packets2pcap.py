#!/usr/bin/env python3
# \summary: turn a fuzz_packets input into a classic pcap ctreplay can replay
#
#   fuzz/packets2pcap.py INPUT OUTPUT.pcap
#
# Mirrors fuzz_packets.c: byte 0 picks the link type, byte 1 is the
# settings selector (kept in the pcap header's sigfigs byte, where
# fuzz_replay reads it; ctreplay itself uses its defaults), then
# DT LEN_HI LEN_LO DATA records, a record longer than what is left being
# cut.  Frames are written with caplen = wirelen = their length and the
# clock of the harness (start 1700000000 s, DT < 128: DT ms, otherwise
# (DT - 127) minutes), nanosecond stamps.
import struct
import sys

LINK_TYPES = [1, 12, 0, 108, 113, 276, 228, 229, 14, 101]
# DLT -> LINKTYPE for the file header (DLT_RAW 12/14 are LINKTYPE_RAW 101)
LINKTYPE = {12: 101, 14: 101}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: packets2pcap.py INPUT OUTPUT.pcap")
    data = open(sys.argv[1], "rb").read()
    if len(data) < 2:
        sys.exit("input shorter than its two selector bytes")
    dlt = LINK_TYPES[data[0] % len(LINK_TYPES)]
    hdr = bytearray(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144,
                                LINKTYPE.get(dlt, dlt)))
    hdr[12] = data[1]
    out = bytearray(hdr)
    now = 1700000000 * 10**9
    pos = 2
    while pos + 3 <= len(data):
        dt = data[pos]
        length = data[pos + 1] << 8 | data[pos + 2]
        pos += 3
        length = min(length, len(data) - pos)
        now += dt * 10**6 if dt < 128 else (dt - 127) * 60 * 10**9
        out += struct.pack("<IIII", now // 10**9, now % 10**9, length, length)
        out += data[pos:pos + length]
        pos += length
    with open(sys.argv[2], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
