#!/usr/bin/python3
"""ttl_probes.py HOST: ICMP errors for UDP flows, from the client namespace.
HOST (the server behind ctl-router2, 10.77.3.2 or fd77:3::2) runs a UDP
echo on 5005; ctl-router2's link to it has MTU 1280.

  1. flow A (sport 40100 -> 5005): a small request and its echo, then a
     probe with TTL / hop limit 2 (ctl-router2 answers time exceeded), then
     a 1400-byte datagram that may not be fragmented on the way (IPv4: DF;
     IPv6: routers never fragment): ctl-router2 answers fragmentation
     needed / packet too big, then the same 1400 bytes again (the client's
     kernel now knows the path MTU: sent in fragments, echoed).
  2. traceroute-style probes from sport 40200 to 33434, 33435, 33436 with
     TTL 1, 2, 3: the router itself, ctl-router2, then the server (closed
     port: port unreachable) answer.
Errors are reported, not fatal; every step waits up to 1 s."""
import socket
import sys
import time

host = sys.argv[1]
v6 = ":" in host
fam = socket.AF_INET6 if v6 else socket.AF_INET
IP_MTU_DISCOVER, IP_PMTUDISC_DONT, IP_PMTUDISC_PROBE = 10, 0, 3  # <linux/in.h>
TTL = (socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS) if v6 else (socket.IPPROTO_IP, socket.IP_TTL)


def say(*a):
    print("%.6f" % time.time(), *a, flush=True)


def exchange(s, data, label):
    try:
        s.send(data)
    except OSError as e:
        say(label, "send error:", e)
        return
    try:
        say(label, "reply:", len(s.recv(65535)), "bytes")
    except socket.timeout:
        say(label, "no reply")
    except OSError as e:
        say(label, "error:", e)


a = socket.socket(fam, socket.SOCK_DGRAM)
a.bind(("::" if v6 else "0.0.0.0", 40100))
a.connect((host, 5005))
a.settimeout(1.0)
if not v6:
    # DF on every datagram, but still send what exceeds the known path MTU
    # (IP_PMTUDISC_WANT would fragment locally instead)
    a.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
exchange(a, b"hello\n", "flow-A")
a.setsockopt(*TTL, 2)
exchange(a, b"probe with ttl 2\n", "flow-A ttl=2")
a.setsockopt(*TTL, 64)
time.sleep(0.3)
exchange(a, b"B" * 1400, "flow-A 1400 bytes")
time.sleep(0.3)
if not v6:
    a.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
exchange(a, b"C" * 1400, "flow-A 1400 bytes again")
time.sleep(0.3)

t = socket.socket(fam, socket.SOCK_DGRAM)
t.bind(("::" if v6 else "0.0.0.0", 40200))
t.settimeout(1.0)
for ttl in (1, 2, 3):
    t.setsockopt(*TTL, ttl)
    t.connect((host, 33433 + ttl))
    exchange(t, b"traceroute probe %d\n" % ttl, "probe ttl=%d" % ttl)
    time.sleep(0.3)
