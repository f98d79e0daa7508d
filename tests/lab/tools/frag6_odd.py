#!/usr/bin/python3
"""frag6_odd.py atomic|nested: IPv6 fragment headers conntrack cannot make
a tuple of, sent with scapy from the client namespace (run inside
ctl-client) to the server's UDP echo on fd77:2::2 port 5005.

atomic: atomic fragments (offset 0, M=0; RFC 6946)
  id 0x5a01  nothing after the fragment header, next header UDP
             (payload length 8)
  id 0x5a02  nothing after the fragment header, next header 59 (none)
  40401      an atomic fragment carrying a whole UDP datagram: echoed
  40402      a plain UDP datagram (control): echoed

nested: a datagram whose fragments carry a second fragment header
  40411      outer id 0x5b01 in two fragments; the first carries, after
             the outer fragment header, an inner atomic fragment header
             (id 0x5b02, offset 0, M=0), the UDP header and data
  40412      the same with the inner header saying M=1 (id 0x5b04): the
             reassembled outer datagram is the first fragment of an
             inner datagram that never completes
  40413      a plain UDP datagram (control): echoed
"""
import sys
import time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IPv6, IPv6ExtHdrFragment, UDP, Raw, send, conf  # noqa: E402

conf.verb = 0
SRC, DST, PORT = "fd77:1::2", "fd77:2::2", 5005


def say(*a):
    print("%.6f" % time.time(), *a, flush=True)


def tx(pkts, label):
    for p in pkts:
        say(label, p.summary(), len(bytes(p)))
        send(p)
        time.sleep(0.05)
    time.sleep(0.5)


def ip6(nh=None):
    return IPv6(src=SRC, dst=DST, hlim=64) if nh is None else \
        IPv6(src=SRC, dst=DST, hlim=64, nh=nh)


def udp_bytes(sport, data):
    return bytes(ip6() / UDP(sport=sport, dport=PORT) / data)[40:]


def atomic():
    tx([ip6() / IPv6ExtHdrFragment(nh=17, id=0x5a01, offset=0, m=0)],
       "0x5a01 empty atomic, nh udp")
    tx([ip6() / IPv6ExtHdrFragment(nh=59, id=0x5a02, offset=0, m=0)],
       "0x5a02 empty atomic, nh none")
    tx([ip6() / IPv6ExtHdrFragment(nh=17, id=0x5a03, offset=0, m=0) /
        Raw(udp_bytes(40401, b"atomic\n"))], "40401 atomic with udp")
    tx([ip6() / UDP(sport=40402, dport=PORT) / b"plain\n"], "40402 plain")


def nested(sport, outer, inner, inner_m):
    # what the outer fragments carry: inner fragment header, UDP, data
    body = bytes(IPv6ExtHdrFragment(nh=17, id=inner, offset=0, m=inner_m) /
                 Raw(udp_bytes(sport, b"n" * 1200)))
    cut = 640
    return [ip6() / IPv6ExtHdrFragment(nh=44, id=outer, offset=0, m=1) /
            Raw(body[:cut]),
            ip6() / IPv6ExtHdrFragment(nh=44, id=outer, offset=cut // 8, m=0) /
            Raw(body[cut:])]


if sys.argv[1] == "atomic":
    atomic()
else:
    tx(nested(40411, 0x5b01, 0x5b02, 0), "40411 nested, inner atomic")
    tx(nested(40412, 0x5b03, 0x5b04, 1), "40412 nested, inner M=1")
    tx([ip6() / UDP(sport=40413, dport=PORT) / b"plain\n"], "40413 plain")
