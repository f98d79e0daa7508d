#!/usr/bin/python3
"""tcp_zero_window.py server PORT RCVBUF PAUSE | client HOST PORT BYTES

server: listening socket with SO_RCVBUF=RCVBUF (inherited by the accepted
        socket); accepts one connection, does not read for PAUSE seconds
        (its receive window fills up and drops to 0; the client sends
        zero-window probes), then reads everything to EOF and closes.
client: sends BYTES bytes, half-closes, reads to EOF."""
import socket, sys, time

if sys.argv[1] == "server":
    port, rcvbuf, pause = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    c, _ = ls.accept()
    time.sleep(pause)
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.close()
    print("server read", n, flush=True)
else:
    host, port, nbytes = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = socket.create_connection((host, port), timeout=20)
    s.sendall(b"z" * nbytes)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    print("client sent", nbytes, flush=True)
