#!/usr/bin/python3
"""dropped.py RECORDING_DIR: list the TCP/UDP/ICMP packets of in.pcap that
the router did not send (missing from out.pcap): the packets conntrack
found INVALID (dropped by the forward chain) or that were not routed.
Matching is by IP/IPv6 payload bytes minus TTL / hop limit. Also prints the
nft invalid counter for comparison."""
import re, sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import rdpcap, IP, IPv6, TCP  # noqa: E402

d = sys.argv[1]

def key(p):
    if IP in p:
        ip = p[IP].copy()
        ip.ttl = 0
        ip.chksum = 0
        return bytes(ip)
    if IPv6 in p:
        ip = p[IPv6].copy()
        ip.hlim = 0
        return bytes(ip)
    return None

out = {}
for p in rdpcap(f"{d}/out.pcap"):
    k = key(p)
    if k is not None:
        out[k] = out.get(k, 0) + 1
n = 0
for p in rdpcap(f"{d}/in.pcap"):
    k = key(p)
    if k is None:
        continue
    l3 = p[IP] if IP in p else p[IPv6]
    if getattr(l3, "dst", "").startswith(("ff02", "fe80")):
        continue
    if out.get(k):
        out[k] -= 1
        continue
    n += 1
    desc = l3.summary()
    if TCP in p:
        t = p[TCP]
        desc = f"{l3.src}.{t.sport} > {l3.dst}.{t.dport} [{t.flags}] seq={t.seq} ack={t.ack} win={t.window} len={len(t.payload)}"
    print(f"{float(p.time):.6f} dropped: {desc}")
nft = open(f"{d}/nft").read()
m = re.search(r"ct state invalid counter packets (\d+)", nft)
print(f"{n} dropped; nft invalid counter {m.group(1) if m else '?'}")
