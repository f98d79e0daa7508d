#!/usr/bin/python3
"""ftp_refuse.py HOST: an FTP control connection whose EPRT command the
router's ftp helper cannot parse (no port: a partial match, which
nf_conntrack_ftp drops).  Logs in anonymously, sends
"EPRT |1|10.77.1.2|\r\n" in one segment, lets the client's TCP retransmit
it for 1.5 s (each copy dropped by the helper), then resets the
connection (SO_LINGER 0).  Run inside ctl-client."""
import socket
import struct
import sys
import time

HOST = sys.argv[1]


def say(*a):
    print("%.6f" % time.time(), *a, flush=True)


s = socket.create_connection((HOST, 21), timeout=3)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb")
say("banner", f.readline())
s.sendall(b"USER anonymous\r\n")
say("user", f.readline())
s.sendall(b"PASS x@\r\n")
say("pass", f.readline())
s.sendall(b"EPRT |1|10.77.1.2|\r\n")
say("sent partial EPRT")
time.sleep(1.5)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
say("reset")
