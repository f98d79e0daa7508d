#!/usr/bin/python3
"""Send a small, fixed set of odd TCP segments from the client namespace to
the server (fd77:2::2, IPv6). Run inside ctl-client. Ports:
  9001: closed on the server (it answers whatever reaches it with RST)
  9000: silently dropped by an nft rule in the server namespace
Each case uses its own source port so the router's conntrack entries are
easy to tell apart."""
import time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IPv6, TCP, send, conf  # noqa: E402

conf.verb = 0
DST = "fd77:2::2"
GAP = 0.2


def tx(pkt, label):
    print(f"{time.time():.6f} {label}: {pkt.summary()}", flush=True)
    send(pkt)
    time.sleep(GAP)


ip = IPv6(dst=DST, hlim=64)
opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
# 1. SYN|FIN: invalid flag combination
tx(ip / TCP(sport=40001, dport=9001, flags="SF", seq=1000, window=64240), "syn-fin")
# 2. NULL: no flags at all
tx(ip / TCP(sport=40002, dport=9001, flags="", seq=2000, window=64240), "null")
# 3. XMAS: FIN|PSH|URG
tx(ip / TCP(sport=40003, dport=9001, flags="FPU", seq=3000, window=64240, urgptr=1), "xmas")
# 4. SYN with a wrong TCP checksum
tx(ip / TCP(sport=40004, dport=9001, flags="S", seq=4000, window=64240, options=opts, chksum=0x1234), "bad-checksum-syn")
# 5. SYN to a port whose SYNs the server drops, retransmitted twice (same seq)
for i in range(3):
    tx(ip / TCP(sport=40005, dport=9000, flags="S", seq=5000, window=64240, options=opts), f"syn-retransmit-{i}")
# 6. mid-stream ACK with data and no entry (tcp_loose pickup); server RSTs it
tx(ip / TCP(sport=40006, dport=9001, flags="PA", seq=600000, ack=700000, window=502) / b"hello\n", "midstream-ack")
# 7. lone RST with no entry
tx(ip / TCP(sport=40007, dport=9001, flags="R", seq=7000, window=0), "lone-rst")
# 8. SYN/ACK with no entry
tx(ip / TCP(sport=40008, dport=9001, flags="SA", seq=8000, ack=9000, window=64240, options=opts), "lone-synack")
# 9. FIN/ACK with no entry
tx(ip / TCP(sport=40009, dport=9001, flags="FA", seq=9000, ack=9500, window=502), "lone-finack")
