#!/usr/bin/python3
"""Write the PPPoE sample captures (tests/samples/pppoe*.pcap).

    /usr/bin/python3 tests/samples/make-pppoe.py [DIR]

The same conversation four times, as a DSL access concentrator's
subscriber-facing port would capture it: untagged (pppoe.pcap), in one
802.1Q VLAN (pppoe-vlan.pcap, VLAN 100), in 802.1ad QinQ
(pppoe-qinq.pcap, S-VLAN 200, C-VLAN 100), and without the Ethernet
header (pppoe-ether.pcap, link type PPP_ETHER).  Conntrack on the
concentrator sees the IP packets inside the PPP session, so every
capture must give the same verdicts and events
(tests/run-linktypes.sh checks that, and the expected outputs in
tests/samples/expected/).

The conversation (subscriber 100.64.0.2 / 2001:db8:64::2, server
192.0.2.80 / 2001:db8:80::80), one frame every 10 ms from 2026-01-01:
  PPPoE discovery (PADI, PADO), LCP configure request and ack, IPCP and
  IPv6CP configure requests: not IP;
  a TCP connection to port 80 over IPv4 (handshake, request, answer, FIN
  exchange), and the same over IPv6;
  a 3000-byte UDP datagram to port 5353 over IPv4 in three fragments
  sent out of order, and over IPv6 in three fragments, each answered;
  an LCP echo request and reply; a PADT.
Written with scapy (tests/lab/deps.sh installs it); the output is fixed:
re-running the script rewrites identical files.
"""
import os
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (Ether, Dot1Q, Dot1AD, PPPoED, PPPoE, PPP, PPP_LCP,  # noqa: E402
                       PPP_LCP_Configure, PPP_LCP_Echo, PPP_IPCP, IP, IPv6,
                       TCP, UDP, Raw, fragment, fragment6,
                       IPv6ExtHdrFragment, wrpcap)
from scapy.all import conf  # noqa: E402

conf.verb = 0
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CPE, BRAS = "02:00:00:00:00:02", "02:00:00:00:00:01"
C4, S4 = "100.64.0.2", "192.0.2.80"
C6, S6 = "2001:db8:64::2", "2001:db8:80::80"
SID = 0x0042
T0 = 1767225600  # 2026-01-01 00:00:00 UTC


def tcp_conv(ip_c, ip_s, sport):
    """Client -> server TCP exchange; returns (from_client, packet) pairs."""
    c, s = 1000, 5000
    req = b"GET / HTTP/1.0\r\n\r\n"
    ans = b"HTTP/1.0 200 OK\r\n\r\nhello\n"
    o = []
    o.append((True, ip_c / TCP(sport=sport, dport=80, flags="S", seq=c, window=64240)))
    o.append((False, ip_s / TCP(sport=80, dport=sport, flags="SA", seq=s, ack=c + 1, window=64240)))
    o.append((True, ip_c / TCP(sport=sport, dport=80, flags="A", seq=c + 1, ack=s + 1, window=502)))
    o.append((True, ip_c / TCP(sport=sport, dport=80, flags="PA", seq=c + 1, ack=s + 1, window=502) / req))
    o.append((False, ip_s / TCP(sport=80, dport=sport, flags="A", seq=s + 1, ack=c + 1 + len(req), window=502)))
    o.append((False, ip_s / TCP(sport=80, dport=sport, flags="PA", seq=s + 1, ack=c + 1 + len(req), window=502) / ans))
    o.append((False, ip_s / TCP(sport=80, dport=sport, flags="FA", seq=s + 1 + len(ans), ack=c + 1 + len(req), window=502)))
    o.append((True, ip_c / TCP(sport=sport, dport=80, flags="FA", seq=c + 1 + len(req), ack=s + 2 + len(ans), window=502)))
    o.append((False, ip_s / TCP(sport=80, dport=sport, flags="A", seq=s + 2 + len(ans), ack=c + 2 + len(req), window=502)))
    return o


def conversation():
    """(kind, from_client, payload) in order: kind 'disc' (PPPoED
    layer), 'ppp' (a PPP frame: protocol and what follows)."""
    f = []
    f.append(("disc", True, PPPoED(code=0x09, sessionid=0)))      # PADI
    f.append(("disc", False, PPPoED(code=0x07, sessionid=0)))     # PADO
    f.append(("ppp", True, PPP(proto=0xc021) / PPP_LCP_Configure(code=1, id=1)))
    f.append(("ppp", False, PPP(proto=0xc021) / PPP_LCP_Configure(code=2, id=1)))
    f.append(("ppp", True, PPP(proto=0x8021) / PPP_IPCP(code=1, id=1)))
    f.append(("ppp", True, PPP(proto=0x8057) / Raw(b"\x01\x01\x00\x04")))
    ip4c, ip4s = IP(src=C4, dst=S4, ttl=64, id=1), IP(src=S4, dst=C4, ttl=64, id=2)
    ip6c, ip6s = IPv6(src=C6, dst=S6, hlim=64), IPv6(src=S6, dst=C6, hlim=64)
    for cl, p in tcp_conv(ip4c, ip4s, 40080):
        f.append(("ppp", cl, PPP(proto=0x0021) / p))
    for cl, p in tcp_conv(ip6c, ip6s, 40086):
        f.append(("ppp", cl, PPP(proto=0x0057) / p))
    # fragmented UDP: IPv4 out of order (last, first, middle), IPv6 in order
    d4 = IP(src=C4, dst=S4, ttl=64, id=0x4d00) / UDP(sport=40053, dport=5353) / (b"q" * 3000)
    fr = fragment(d4, fragsize=1400)
    for p in (fr[2], fr[0], fr[1]):
        f.append(("ppp", True, PPP(proto=0x0021) / p))
    f.append(("ppp", False, PPP(proto=0x0021) /
              IP(src=S4, dst=C4, ttl=64, id=7) / UDP(sport=5353, dport=40053) / b"ok\n"))
    d6 = (IPv6(src=C6, dst=S6, hlim=64) / IPv6ExtHdrFragment(id=0x6d00) /
          UDP(sport=40056, dport=5353) / (b"r" * 3000))
    for p in fragment6(d6, 1400):
        f.append(("ppp", True, PPP(proto=0x0057) / p))
    f.append(("ppp", False, PPP(proto=0x0057) /
              IPv6(src=S6, dst=C6, hlim=64) / UDP(sport=5353, dport=40056) / b"ok\n"))
    f.append(("ppp", False, PPP(proto=0xc021) / PPP_LCP_Echo(code=9, id=2, magic_number=0x1234)))
    f.append(("ppp", True, PPP(proto=0xc021) / PPP_LCP_Echo(code=10, id=2, magic_number=0x5678)))
    f.append(("disc", True, PPPoED(code=0xa7, sessionid=SID)))    # PADT
    return f


def pppoe_bytes(kind, payload):
    if kind == "disc":
        return 0x8863, bytes(payload)
    return 0x8864, bytes(PPPoE(sessionid=SID) / payload)


def tagged(tags, etype, body, cl):
    src, dst = (CPE, BRAS) if cl else (BRAS, CPE)
    if not tags:
        return Ether(src=src, dst=dst, type=etype) / Raw(body)
    if len(tags) == 1:
        return Ether(src=src, dst=dst) / Dot1Q(vlan=tags[0], type=etype) / Raw(body)
    return (Ether(src=src, dst=dst) / Dot1AD(vlan=tags[0]) /
            Dot1Q(vlan=tags[1], type=etype) / Raw(body))


def main():
    conv = conversation()
    for name, tags in (("pppoe.pcap", []), ("pppoe-vlan.pcap", [100]),
                       ("pppoe-qinq.pcap", [200, 100])):
        pkts = []
        for i, (kind, cl, payload) in enumerate(conv):
            etype, body = pppoe_bytes(kind, payload)
            p = tagged(tags, etype, body, cl)
            p.time = T0 + i * 0.01
            pkts.append(p)
        wrpcap(os.path.join(OUT, name), pkts)
    # PPP_ETHER (51): the PPPoE header on; discovery frames have no
    # place there (no ethertype to tell them apart)
    pkts = []
    for i, (kind, cl, payload) in enumerate(conv):
        if kind != "ppp":
            continue
        p = Raw(pppoe_bytes(kind, payload)[1])
        p.time = T0 + i * 0.01
        pkts.append(p)
    wrpcap(os.path.join(OUT, "pppoe-ether.pcap"), pkts, linktype=51)


main()
