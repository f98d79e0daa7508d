#!/usr/bin/python3
"""udp_client.py HOST PORT COUNT INTERVAL [WAIT]: send COUNT datagrams from
one socket every INTERVAL seconds and wait up to WAIT s (default 1) for each
answer (errors such as ICMP port unreachable are reported, not fatal)."""
import socket, sys, time

host, port, count, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
wait = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.connect((host, port))
s.settimeout(wait)
t0 = time.monotonic()
for i in range(count):
    target = t0 + i * interval
    now = time.monotonic()
    if target > now:
        time.sleep(target - now)
    s.send(b"ping %d\n" % i)
    try:
        print("reply:", s.recv(4096).decode().rstrip(), flush=True)
    except socket.timeout:
        print("no reply", flush=True)
    except OSError as e:
        print("error:", e, flush=True)
