#!/usr/bin/python3
"""syn_flood.py HOST PORT COUNT: COUNT TCP SYNs to HOST:PORT from source
ports 20000, 20001, ... (one each, 5 ms apart, fixed sequence numbers), sent
with scapy from the client namespace. Nothing answers them (the server
drops the port)."""
import sys
import time
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, send, conf  # noqa: E402

conf.verb = 0
host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ip = IPv6(dst=host, hlim=64) if ":" in host else IP(dst=host, ttl=64)
opts = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
pkts = [ip / TCP(sport=20000 + i, dport=port, flags="S", seq=1000000 + i * 1000,
                 window=64240, options=opts) for i in range(count)]
t0 = time.time()
send(pkts, inter=0.005)
print("%.6f sent %d SYNs in %.2f s" % (time.time(), count, time.time() - t0), flush=True)
