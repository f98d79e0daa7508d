#!/usr/bin/python3
"""nat_clash.py SERVER ADDR1 ADDR2: NAT port clashes behind masquerade, from
the client namespace (which holds ADDR1 and ADDR2). The server runs a TCP
echo on 5000 and a UDP echo on 5005.

  1. TCP: a connection from ADDR1:40000 stays open while a second one from
     ADDR2:40000 (same source port, same server port) is made; a line is
     echoed on each, then both are closed (ADDR1's first).
  2. UDP: the same with two sockets bound to ADDR1:40000 and ADDR2:40000,
     one datagram each, echoed.
  3. ICMP: two echo requests with the same id 0x4d2 (1234) and sequence 1,
     sent from raw sockets bound to ADDR1 and ADDR2; both replies are
     awaited (each raw socket sees every echo reply: matched by source).
  4. TCP from ADDR1:40001, closed; then ADDR2:40001 while the first entry
     is in TIME_WAIT in the router.
Every step prints what it saw; failures are fatal."""
import socket
import struct
import sys
import time

srv, a1, a2 = sys.argv[1], sys.argv[2], sys.argv[3]


def say(*a):
    print("%.6f" % time.time(), *a, flush=True)


def tcp_open(addr, sport):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(5)
    s.bind((addr, sport))
    s.connect((srv, 5000))
    return s


def tcp_echo(s, text):
    s.sendall(text.encode() + b"\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(4096)
        if not d:
            raise SystemExit("tcp: connection closed before the echo")
        buf += d
    say("tcp", s.getsockname(), "echo:", buf.decode().rstrip())


def tcp_close(s):
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()


# 1. TCP, both open at once
t1 = tcp_open(a1, 40000)
tcp_echo(t1, "first")
t2 = tcp_open(a2, 40000)
tcp_echo(t2, "second")
tcp_echo(t1, "first again")
tcp_close(t1)
tcp_close(t2)
time.sleep(0.2)

# 2. UDP
u = []
for a in (a1, a2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.bind((a, 40000))
    s.connect((srv, 5005))
    u.append(s)
for i, s in enumerate(u):
    s.send(b"udp %d\n" % i)
    say("udp", s.getsockname(), "reply:", s.recv(4096).decode().rstrip())
for s in u:
    s.close()
time.sleep(0.2)


# 3. ICMP echo with the same id from both addresses
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


ICMP_ID = 1234
r = []
for a in (a1, a2):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((a, 0))
    s.settimeout(2)
    r.append(s)
for i, s in enumerate(r):
    payload = b"natclash%d" % i
    hdr = struct.pack("!BBHHH", 8, 0, 0, ICMP_ID, 1)
    pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + payload), ICMP_ID, 1) + payload
    s.sendto(pkt, (srv, 0))
    while True:  # a raw socket also gets the other address's replies
        data, peer = s.recvfrom(4096)
        ihl = (data[0] & 0xf) * 4
        dst = socket.inet_ntoa(data[16:20])
        typ, _, _, iid, seq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
        if typ == 0 and dst == (a1, a2)[i]:
            say("icmp from", (a1, a2)[i], "reply id", iid, "seq", seq, data[ihl + 8:].decode())
            break
for s in r:
    s.close()
time.sleep(0.2)

# 4. TCP: the second connection while the first is in TIME_WAIT (router)
t1 = tcp_open(a1, 40001)
tcp_echo(t1, "third")
tcp_close(t1)
time.sleep(0.2)
t2 = tcp_open(a2, 40001)
tcp_echo(t2, "fourth")
tcp_close(t2)
