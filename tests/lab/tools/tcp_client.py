#!/usr/bin/python3
"""Scripted TCP client: tcp_client.py HOST PORT STEP...

Steps: send:TEXT (sends TEXT + newline, then reads the echo),
       sleep:SECONDS, close (normal close: shutdown + read to EOF).
The connection is closed normally at the end in any case."""
import socket, sys, time

host, port, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(10)
s.connect((host, port))

def read_line():
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(4096)
        if not d:
            break
        buf += d
    return buf

for st in steps + ["close"]:
    op, _, arg = st.partition(":")
    if op == "send":
        s.sendall(arg.encode() + b"\n")
        got = read_line()
        print("echo:", got.decode().rstrip(), flush=True)
    elif op == "sleep":
        time.sleep(float(arg))
    elif op == "close":
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        s.close()
        break
