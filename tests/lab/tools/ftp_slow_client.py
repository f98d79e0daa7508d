#!/usr/bin/python3
"""ftp_slow_client.py HOST FILE PAUSE: anonymous FTP login, TYPE I, PASV,
then pause PAUSE seconds (the expectation is pending in the router) before
opening the data connection and RETR FILE; then QUIT."""
import ftplib, socket, sys, time

host, name, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
ftp = ftplib.FTP()
ftp.connect(host, 21, timeout=10)
ftp.login()
ftp.voidcmd("TYPE I")
resp = ftp.sendcmd("PASV")
dhost, dport = ftplib.parse227(resp)
print("PASV ->", dhost, dport, flush=True)
time.sleep(pause)
data = socket.create_connection((dhost, dport), timeout=10)
ftp.putcmd("RETR " + name)
r = ftp.getresp()
if not r.startswith("1"):
    raise SystemExit("RETR failed: " + r)
n = 0
while True:
    b = data.recv(65536)
    if not b:
        break
    n += len(b)
data.close()
ftp.voidresp()
print("got", n, "bytes", flush=True)
ftp.quit()
