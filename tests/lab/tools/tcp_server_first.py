#!/usr/bin/python3
"""tcp_server_first.py server PORT IDLE KEEPIDLE | client HOST PORT

A connection whose SERVER speaks first after an idle period:
  client: connects, sends "hello", reads the echo, then waits for the
          server's line, answers "ack", half-closes and reads to EOF.
  server: accepts one connection (bound to the wildcard address of the
          family given by PORT's prefix: 4:PORT or 6:PORT), echoes "hello",
          arms TCP keepalive (first probe after KEEPIDLE s of silence, then
          every 1 s), sleeps IDLE s, sends "server-first", reads "ack" and
          closes after the client's FIN.
The client waits at most 7 s for the server's line, the server at most
2.5 s for the answer; then they abort (RST), so that a dead connection
(tcp_loose=0) ends quickly."""
import socket, struct, sys, time

def line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(4096)
        if not d:
            break
        buf += d
    return buf

def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()

if sys.argv[1] == "server":
    fam, port = sys.argv[2].split(":")
    idle, keepidle = float(sys.argv[3]), int(sys.argv[4])
    af = socket.AF_INET6 if fam == "6" else socket.AF_INET
    ls = socket.socket(af, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::" if fam == "6" else "0.0.0.0", int(port)))
    ls.listen(1)
    c, _ = ls.accept()
    c.sendall(line(c))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepidle)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 9)
    time.sleep(idle)
    c.sendall(b"server-first\n")
    c.settimeout(2.5)
    try:
        print("server got:", line(c), flush=True)
        while c.recv(4096):
            pass
        c.close()
    except socket.timeout:
        print("server: timeout, abort", flush=True)
        abort(c)
else:
    host, port = sys.argv[2], int(sys.argv[3])
    af = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(af, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port))
    s.sendall(b"hello\n")
    print("echo:", line(s), flush=True)
    s.settimeout(7)
    try:
        got = line(s)
    except socket.timeout:
        print("client: nothing from the server, abort", flush=True)
        abort(s)
        sys.exit(0)
    print("client got:", got, flush=True)
    s.sendall(b"ack\n")
    s.shutdown(socket.SHUT_WR)
    s.settimeout(3)
    try:
        while s.recv(4096):
            pass
        s.close()
    except socket.timeout:
        print("client: timeout, abort", flush=True)
        abort(s)
