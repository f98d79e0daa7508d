#!/usr/bin/env python3
# \summary: write the handmade hostile captures kept in fuzz/regressions/
#
#   fuzz/make-hostile.py [DIR]      (default: fuzz/regressions next to this script)
#
# hostile-lengths.pcap: Ethernet frames whose length fields lie -- IPv4
#   total length past the frame or below the header, IPv4 options past the
#   captured header, TCP data offset past the segment or below 5, TCP
#   option lengths past the options, UDP length past the datagram, an ICMP
#   error quoting a header that lies, IPv6 extension headers running past
#   the packet, snap-length cuts at every layer, a first fragment whose
#   offset math overflows.  ctreplay must read them all (exit 0).
# hostile-timestamps.pcapng: 64-bit pcapng stamps that overflow ct_time
#   in seconds, tenths and nanoseconds, and one that steps back to 0.
# hostile-records.pcap: a record whose captured length exceeds the file's
#   snap length and libpcap's limit: ctreplay replays what came before and
#   exits 2 naming the file.
# Deterministic: same bytes every run.
import os
import struct
import sys

ETH = bytes([0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10])
SRC4 = bytes([192, 0, 2, 1])
DST4 = bytes([198, 51, 100, 2])
SRC6 = bytes.fromhex("20010db8000000000000000000000001")
DST6 = bytes.fromhex("20010db8000000000000000000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(proto, payload, tot=None, opts=b"", src=SRC4, dst=DST4, frag=0x4000):
    ihl = 20 + len(opts)
    if tot is None:
        tot = ihl + len(payload)
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl // 4), 0, tot & 0xffff,
                              0x1234, frag, 64, proto, 0, src, dst)) + opts
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + payload


def tcp(flags=0x02, doff=5, opts=b"", data=b"", sport=40000, dport=80):
    h = struct.pack("!HHIIBBHHH", sport, dport, 0x11000000, 0,
                    (doff & 0xf) << 4, flags, 64240, 0, 0)
    return h + opts + data


def udp(length=None, data=b"", sport=40001, dport=53):
    if length is None:
        length = 8 + len(data)
    return struct.pack("!HHHH", sport, dport, length & 0xffff, 0) + data


def eth4(pkt):
    return ETH + b"\x08\x00" + pkt


def eth6(pkt):
    return ETH + b"\x86\xdd" + pkt


def ip6(nh, payload, plen=None):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xffff, nh, 64,
                       SRC6, DST6) + payload


def frames():
    out = []
    # (frame bytes, wire length or None)
    out.append((eth4(ip4(6, tcp(data=b"x" * 1000)))[:54], 14 + 1040))   # snaplen cut
    out.append((eth4(ip4(6, tcp(), tot=9000)), None))                    # tot past frame
    out.append((eth4(ip4(17, udp(), tot=12)), None))                     # tot < ihl
    out.append((eth4(ip4(6, tcp(), opts=b"\x01" * 40))[:54], None))      # opts past capture
    out.append((eth4(ip4(6, tcp(), opts=b"\x01" * 40, tot=40)), None))   # opts past tot
    out.append((eth4(ip4(6, tcp(doff=15))), None))                       # doff past segment
    out.append((eth4(ip4(6, tcp(doff=2))), None))                        # doff < 5
    out.append((eth4(ip4(6, tcp(doff=15), tot=50)), None))               # doff past tot
    out.append((eth4(ip4(6, tcp(doff=7, opts=b"\x03\x28\x07\x02\x04\xff\xff\x00"))), None))
    out.append((eth4(ip4(6, tcp(doff=6, opts=b"\x02\x00\x00\x00"))), None))  # zero-size option
    out.append((eth4(ip4(17, udp(length=500))), None))                   # UDP length lies
    out.append((eth4(ip4(17, udp(length=3))), None))
    out.append((eth4(ip4(17, udp(), tot=65535)), None))
    # ICMP errors quoting headers that lie
    inner = ip4(17, udp(), src=DST4, dst=SRC4, opts=b"\x01" * 40)[:28]
    icmp = bytearray(struct.pack("!BBHI", 3, 3, 0, 0) + inner)
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    out.append((eth4(ip4(1, bytes(icmp))), None))
    inner = bytearray(ip4(6, tcp(), src=DST4, dst=SRC4))
    inner[0] = 0x4f                                                     # ihl 60, 40 bytes there
    icmp = bytearray(struct.pack("!BBHI", 11, 0, 0, 0) + bytes(inner))
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    out.append((eth4(ip4(1, bytes(icmp), tot=2000)), None))
    icmp = bytearray(struct.pack("!BBHI", 3, 1, 0, 0) + b"\x45")
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    out.append((eth4(ip4(1, bytes(icmp))), None))                        # quote of 1 byte
    # IPv6: extension headers running past the packet, or cut
    hbh = bytes([60, 0, 1, 4, 0, 0, 0, 0])
    dst_long = bytes([6, 200]) + b"\x00" * 6                             # says 1608 bytes
    out.append((eth6(ip6(0, hbh + dst_long + tcp())), None))
    out.append((eth6(ip6(0, hbh + dst_long + tcp(), plen=4000))[:14 + 56], None))
    out.append((eth6(ip6(44, bytes([6, 0, 0, 0, 0, 0, 0, 1]) + tcp()))[:14 + 44], None))
    out.append((eth6(ip6(51, bytes([6, 255]) + b"\x00" * 10 + tcp())), None))
    out.append((eth6(ip6(58, bytes([1, 4, 0, 0, 0, 0, 0, 0]) + ip6(17, udp())[:30])), None))
    # IPv4 fragments: offset near 64 KiB, overlapping, zero-length
    out.append((eth4(ip4(17, udp(data=b"a" * 16), frag=0x2000)), None))
    out.append((eth4(ip4(17, b"b" * 16, frag=0x1fff)), None))
    out.append((eth4(ip4(17, b"c" * 16, frag=0x0001)), None))
    out.append((eth4(ip4(17, b"", frag=0x0002)), None))
    # VLAN tags with nothing behind them
    out.append((ETH + b"\x81\x00\x00\x64\x81\x00", None))
    out.append((ETH + b"\x88\xa8\x00\x64\x81\x00\x00\x65\x08\x00" + ip4(6, tcp())[:10], None))
    return out


def pcap(records, snaplen=262144):
    data = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 1)
    t = 1700000000
    for i, (frame, wire) in enumerate(records):
        data += struct.pack("<IIII", t + i, 0, len(frame), wire or len(frame)) + frame
    return data


def pcapng(stamps, tsresol):
    """Ethernet UDP frames at the given raw 64-bit stamps, if_tsresol byte."""
    def blk(t, body):
        body += b"\0" * ((4 - len(body) % 4) % 4)
        return struct.pack("<II", t, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    data = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts = struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
    data += blk(1, struct.pack("<HHI", 1, 0, 0) + opts)
    frame = eth4(ip4(17, udp(data=b"q" * 10)))
    for ts in stamps:
        data += blk(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xffffffff,
                                   len(frame), len(frame)) + frame)
    return data


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "regressions")
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "hostile-lengths.pcap"), "wb") as f:
        f.write(pcap(frames()))
    good = pcap(frames()[:3])
    bad = struct.pack("<IIII", 1700000100, 0, 0x7fffffff, 0x7fffffff) + b"\0" * 64
    with open(os.path.join(outdir, "hostile-records.pcap"), "wb") as f:
        f.write(good + bad)
    # 64-bit stamps in seconds, tenths, ns: past the year 2262, wrapping
    # time_t, then back to 0 (a backwards step).
    with open(os.path.join(outdir, "hostile-timestamps.pcapng"), "wb") as f:
        f.write(pcapng([2**64 - 1, 2**63, 0, 2**62], 0))
        f.write(pcapng([2**64 - 1, 1], 1)[28:])
        f.write(pcapng([2**64 - 1], 9)[28:])


if __name__ == "__main__":
    main()
