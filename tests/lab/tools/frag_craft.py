#!/usr/bin/python3
"""frag_craft.py 4|6: fragmented UDP datagrams from the client namespace to
the server's UDP echo on 5005 (run inside ctl-client; the echo answers
every datagram that reaches it). One source port per case:

  40300  a 4000-byte datagram from an ordinary socket (fragmented by the
         client's kernel), echoed (fragmented by the server's)
  40301  scapy: 3000 bytes in three fragments sent last, middle, middle
         again (an exact duplicate), first: reassembled, echoed
  40302  scapy: three fragments, the second overlapping the first (offset
         0 + FS bytes, offset 1000 + FS bytes, then the rest; FS = 1480 for
         IPv4, 1448 for IPv6): the datagram is dropped; then the same
         datagram again, correctly fragmented (new id): echoed
  40303  scapy: the first two of three fragments of a 4000-byte datagram,
         never completed; then a small unfragmented datagram: echoed
"""
import socket
import sys
import time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, IPv6ExtHdrFragment, UDP, Raw, send, conf  # noqa: E402

conf.verb = 0
V6 = sys.argv[1] == "6"
SRC, DST = ("fd77:1::2", "fd77:2::2") if V6 else ("10.77.1.2", "10.77.2.2")
PORT = 5005


def say(*a):
    print("%.6f" % time.time(), *a, flush=True)


def udp_bytes(sport, payload):
    """The UDP header and payload with a correct checksum."""
    if V6:
        return bytes(IPv6(src=SRC, dst=DST) / UDP(sport=sport, dport=PORT) / payload)[40:]
    return bytes(IP(src=SRC, dst=DST) / UDP(sport=sport, dport=PORT) / payload)[20:]


def frag(data, fid, off, length, more):
    chunk = data[off:off + length]
    if V6:
        return (IPv6(src=SRC, dst=DST, hlim=64) /
                IPv6ExtHdrFragment(nh=17, id=fid, offset=off // 8, m=int(more)) / Raw(chunk))
    return IP(src=SRC, dst=DST, ttl=64, id=fid, proto=17, flags="MF" if more else 0,
              frag=off // 8) / Raw(chunk)


def tx(pkts, label):
    for p in pkts:
        say(label, p.summary())
        send(p)
        time.sleep(0.05)
    time.sleep(0.5)


def payload(ch, n):
    return (ch * n).encode()


# 40300: the client's kernel fragments
fam = socket.AF_INET6 if V6 else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((SRC, 40300))
s.connect((DST, PORT))
s.settimeout(1.0)
s.send(payload("a", 4000))
try:
    say("40300 reply:", len(s.recv(65535)), "bytes")
except OSError as e:
    say("40300:", e)
time.sleep(0.3)

# fragment size: a multiple of 8 that fits the 1500-byte links
FS = 1448 if V6 else 1480

# 40301: out of order, one duplicate
d = udp_bytes(40301, payload("b", 3000))  # 3008 bytes
f = [frag(d, 0x4d01, 0, FS, True), frag(d, 0x4d01, FS, FS, True),
     frag(d, 0x4d01, 2 * FS, len(d) - 2 * FS, False)]
tx([f[2], f[1], f[1], f[0]], "40301 out-of-order")

# 40302: overlapping fragments, then the same datagram done right
d = udp_bytes(40302, payload("c", 3000))
tx([frag(d, 0x4d02, 0, FS, True), frag(d, 0x4d02, 1000, FS, True),
    frag(d, 0x4d02, 1000 + FS, len(d) - 1000 - FS, False)], "40302 overlapping")
tx([frag(d, 0x4d03, 0, FS, True), frag(d, 0x4d03, FS, FS, True),
    frag(d, 0x4d03, 2 * FS, len(d) - 2 * FS, False)], "40302 clean")

# 40303: incomplete (last fragment never sent), then a small datagram
d = udp_bytes(40303, payload("d", 4000))
tx([frag(d, 0x4d04, 0, FS, True), frag(d, 0x4d04, FS, FS, True)], "40303 incomplete")
if V6:
    tx([IPv6(src=SRC, dst=DST, hlim=64) / UDP(sport=40303, dport=PORT) / b"small\n"], "40303 small")
else:
    tx([IP(src=SRC, dst=DST, ttl=64, id=0x4d05) / UDP(sport=40303, dport=PORT) / b"small\n"],
       "40303 small")
