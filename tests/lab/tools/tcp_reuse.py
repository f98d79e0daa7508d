#!/usr/bin/python3
"""tcp_reuse.py server PORT | client HOST PORT SPORT TEXT

server: (4:PORT or 6:PORT) accept loop; read one line, send it back and
        close at once (the server closes first, so the server side ends in
        TIME_WAIT and the client's port is free again).
client: bind SPORT (SO_REUSEADDR), connect, send TEXT, read to EOF, close."""
import socket, sys

if sys.argv[1] == "server":
    fam, port = sys.argv[2].split(":")
    af = socket.AF_INET6 if fam == "6" else socket.AF_INET
    ls = socket.socket(af, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("::" if fam == "6" else "0.0.0.0", int(port)))
    ls.listen(4)
    while True:
        c, a = ls.accept()
        buf = b""
        while not buf.endswith(b"\n"):
            d = c.recv(4096)
            if not d:
                break
            buf += d
        c.sendall(buf)
        c.close()
        print("served", a, flush=True)
else:
    host, port, sport, text = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    af = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(af, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if af == socket.AF_INET6 else "0.0.0.0", sport))
    s.settimeout(10)
    s.connect((host, port))
    s.sendall(text.encode() + b"\n")
    got = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        got += d
    s.close()
    print("got:", got, flush=True)
