#!/usr/bin/python3
"""fw_invalid.py client|server: hand-made packets that meet no conntrack
entry, for fw-invalid-noentry-v4 (scapy, raw socket in the namespace).
  client: a mid-stream PSH/ACK with data to 10.77.2.2:8080 from port 41001
          and a lone FIN/ACK from port 41002 (with nf_conntrack_tcp_loose=0
          neither can start an entry: INVALID)
  server: an ICMP port unreachable to 10.77.1.2 quoting a UDP datagram
          10.77.1.2:41003 -> 10.77.2.2:9999 that was never sent (an ICMP
          error about no connection: INVALID)"""
import sys, time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, UDP, ICMP, send, conf  # noqa: E402

conf.verb = 0
C, S = "10.77.1.2", "10.77.2.2"


def tx(pkt, label):
    print(f"{time.time():.6f} {label}: {pkt.summary()}", flush=True)
    send(pkt)
    time.sleep(0.2)


if sys.argv[1] == "client":
    tx(IP(dst=S) / TCP(sport=41001, dport=8080, flags="PA", seq=100000, ack=200000, window=502) / b"hello\n", "midstream-ack")
    tx(IP(dst=S) / TCP(sport=41002, dport=8080, flags="FA", seq=300000, ack=400000, window=502), "lone-fin")
else:
    inner = IP(src=C, dst=S, ttl=63, id=4242) / UDP(sport=41003, dport=9999) / b"never sent\n"
    tx(IP(src=S, dst=C) / ICMP(type=3, code=3) / bytes(inner), "icmp-error-no-entry")
