#!/usr/bin/python3
"""udp_late_echo.py ADDR PORT DELAY: UDP echo server that answers every
datagram at once and, for the first datagram only, sends the echo a second
time DELAY seconds later (a late reply, after the sender's NAT mapping may
have expired)."""
import socket, sys, time

addr, port, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, port))
first = True
while True:
    data, peer = s.recvfrom(4096)
    s.sendto(data, peer)
    print("%.6f" % time.time(), "echo to", peer, flush=True)
    if first:
        first = False
        time.sleep(delay)
        s.sendto(b"late " + data, peer)
        print("%.6f" % time.time(), "late echo to", peer, flush=True)
