#!/usr/bin/python3
"""udp_sport.py HOST PORT SPORT TEXT [WAIT]: send TEXT in one datagram from
source port SPORT and wait up to WAIT s (default 1) for the answer."""
import socket, sys

host, port, sport, text = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
wait = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind(("", sport))
s.connect((host, port))
s.settimeout(wait)
s.send(text.encode() + b"\n")
try:
    print("reply:", s.recv(4096).decode().rstrip(), flush=True)
except socket.timeout:
    print("no reply", flush=True)
