#!/usr/bin/python3
"""tcp_play.py PLAY 4|6 PROCFILE: scripted TCP conversations in which BOTH
ends are played by this script (scapy builds the segments, raw sockets
opened inside ctl-client / ctl-server send them), so every sequence number,
window and flag is fixed and the recording is reproducible.

Run on the host as root (NOT under `ip netns exec`): the script enters the
lab namespaces itself with setns(2). The endpoint namespaces must drop
incoming TCP on ports 7100-7199 (lib.sh: silence_play_ports) so that their
kernels never answer the scripted segments (no RSTs).
snapshot(LABEL) appends the router's table to PROCFILE exactly like lib.sh's
snapshot (it reads /proc/net/nf_conntrack from inside ctl-router).

Plays: out-of-window, rst-inexact, bad-checksum, syn-newisn, simopen."""
import ctypes
import logging
import os
import socket
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, Raw  # noqa: E402

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
GAP = 0.1


def setns(name):
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {name}")
    finally:
        os.close(fd)


PLAY, FAM, PROCFILE = sys.argv[1], sys.argv[2], sys.argv[3]
V6 = FAM == "6"
CADDR, SADDR = ("fd77:1::2", "fd77:2::2") if V6 else ("10.77.1.2", "10.77.2.2")
AF = socket.AF_INET6 if V6 else socket.AF_INET

SOCK = {}
for side, ns in (("c", "ctl-client"), ("s", "ctl-server")):
    setns(ns)
    SOCK[side] = socket.socket(AF, socket.SOCK_RAW, socket.IPPROTO_RAW)
setns("ctl-router")


def snapshot(label):
    ns = time.time_ns()
    with open("/proc/net/nf_conntrack") as f:
        tab = f.read()
    with open("/proc/net/nf_conntrack_expect") as f:
        exp = f.read()
    with open(PROCFILE, "a") as out:
        out.write(f"# snapshot {ns // 10**9}.{ns % 10**9:09d} {label}\n{tab}# expect\n{exp}")
    print(f"{time.time():.6f} snapshot {label}", flush=True)


class Side:
    def __init__(self, name, addr, port, isn, win, opts):
        self.name, self.addr, self.port = name, addr, port
        self.nxt, self.win, self.opts = isn, win, opts


class Flow:
    """A TCP conversation between client port cport and server port sport.
    send() fills in seq (the side's next sequence number) and ack (the peer's
    next sequence number, when the A flag is set) unless given; seq advances
    only when it was not given explicitly."""

    def __init__(self, cport, sport, cisn, sisn, cwin=64240, swin=64240,
                 copts=None, sopts=None):
        opts = [("MSS", 1460), ("SAckOK", b"")]
        self.side = {
            "c": Side("c", CADDR, cport, cisn, cwin, copts if copts is not None else opts),
            "s": Side("s", SADDR, sport, sisn, swin, sopts if sopts is not None else opts),
        }

    def send(self, who, flags, data=b"", seq=None, ack=None, win=None,
             chksum=None, label="", gap=GAP, opts=None):
        me = self.side[who]
        peer = self.side["s" if who == "c" else "c"]
        advance = seq is None
        if seq is None:
            seq = me.nxt
        if ack is None:
            ack = peer.nxt if "A" in flags else 0
        if opts is None:
            opts = me.opts if "S" in flags else []
        l3 = IPv6(src=me.addr, dst=peer.addr, hlim=64) if V6 else IP(src=me.addr, dst=peer.addr, ttl=64)
        tcp = TCP(sport=me.port, dport=peer.port, flags=flags, seq=seq % 2**32,
                  ack=ack % 2**32, window=me.win if win is None else win, options=opts)
        if chksum is not None:
            tcp.chksum = chksum
        pkt = l3 / tcp
        if data:
            pkt = pkt / Raw(data)
        if advance:
            me.nxt += len(data) + ("S" in flags) + ("F" in flags)
        raw = bytes(pkt)
        dst = (peer.addr, 0, 0, 0) if V6 else (peer.addr, 0)
        SOCK[who].sendto(raw, dst)
        print(f"{time.time():.6f} {who} {label}: {pkt.summary()} seq={seq % 2**32} ack={ack % 2**32} len={len(data)}", flush=True)
        if gap:
            time.sleep(gap)

    def handshake(self):
        self.send("c", "S", label="syn")
        self.send("s", "SA", label="synack")
        self.send("c", "A", label="ack")

    def close(self):
        self.send("c", "FA", label="fin")
        self.send("s", "FA", label="fin-ack")
        self.send("c", "A", label="last-ack")


def play_out_of_window():
    # server window 2000 bytes, no window scaling: small, easy bounds
    f = Flow(40100, 7100, 1_000_000, 5_000_000, cwin=8192, swin=2000)
    c, s = f.side["c"], f.side["s"]
    f.handshake()
    for i in range(4):  # 4 x 1000 bytes, each ACKed: more than the server window
        f.send("c", "PA", b"d" * 1000, label=f"data-{i}")
        f.send("s", "A", label=f"ack-{i}")
    snapshot("established")
    # the server's window: it acked c.nxt with window 2000 -> maxend = c.nxt + 2000
    f.send("c", "PA", b"X" * 100, seq=c.nxt + 1_000_000, label="seq-far-over-upper-bound")
    f.send("c", "A", ack=s.nxt + 100_000, label="ack-over-upper-bound")
    f.send("c", "PA", b"d" * 1000, seq=c.nxt - 4000, label="old-retransmission-under-lower-bound")
    f.send("s", "A", ack=c.nxt - 3000, label="old-ack-under-lower-bound")
    snapshot("after-bounds")
    f.send("c", "R", seq=c.nxt + 1_000_000, label="rst-far-out-of-window")
    f.send("s", "RA", seq=s.nxt + 1_000_000, label="rst-far-out-of-window-reply")
    snapshot("after-oow-rsts")
    f.send("c", "PA", b"again\n", label="data-after-rsts")
    f.send("s", "A", label="ack")
    snapshot("after-data")
    f.close()
    # second connection: a segment starting 100 bytes beyond the right edge
    # of the server's window (the kernel's "TCP sends more than the window"
    # workaround), then the hole is filled and everything acked
    g = Flow(40101, 7100, 2_000_000, 6_000_000, cwin=8192, swin=2000)
    gc = g.side["c"]
    g.handshake()
    g.send("c", "PA", b"a" * 1000, label="data")
    g.send("s", "A", label="ack")
    base = gc.nxt  # server window: base .. base+2000
    g.send("c", "PA", b"o" * 100, seq=base + 2100, label="beyond-right-edge")
    g.send("s", "A", label="dup-ack-hole")
    snapshot("after-beyond-right-edge")
    g.send("c", "PA", b"h" * 1050, seq=base, label="fill-hole-1")
    g.send("c", "PA", b"h" * 1050, seq=base + 1050, label="fill-hole-2")
    gc.nxt = base + 2200
    g.send("s", "A", label="ack-all")
    snapshot("after-fill")
    g.close()


def play_rst_inexact():
    # A: inexact in-window RST, snapshot, traffic goes on, then the exact RST
    f = Flow(40200, 7101, 2_000_000, 6_000_000)
    c, s = f.side["c"], f.side["s"]
    f.handshake()
    f.send("c", "PA", b"hello\n", label="data")
    f.send("s", "PA", b"world\n", label="reply")
    f.send("c", "A", label="ack")
    snapshot("established")
    f.send("c", "R", seq=c.nxt + 1000, label="rst-inexact-in-window")
    snapshot("after-inexact-rst")
    f.send("s", "A", label="challenge-ack")
    f.send("c", "PA", b"more\n", label="data-after-inexact-rst")
    f.send("s", "A", label="ack")
    snapshot("after-more-data")
    f.send("c", "R", seq=c.nxt, label="rst-exact")
    snapshot("after-exact-rst")
    # B: RST right after unacknowledged data, at the data's end (RST "train")
    g = Flow(40201, 7101, 3_000_000, 7_000_000)
    g.handshake()
    g.send("s", "PA", b"bye\n", label="data")
    g.send("s", "RA", label="rst-after-unacked-data")
    snapshot("after-rst-train")
    # C: inexact RST from the server (reply direction)
    h = Flow(40202, 7101, 4_000_000, 8_000_000)
    hs = h.side["s"]
    h.handshake()
    h.send("c", "PA", b"ping\n", label="data")
    h.send("s", "A", label="ack")
    h.send("s", "RA", seq=hs.nxt + 500, label="rst-inexact-reply-dir")
    snapshot("after-inexact-rst-reply")
    h.send("s", "RA", label="rst-exact-reply-dir")


def play_bad_checksum():
    f = Flow(40300, 7102, 9_000_000, 1_500_000)
    c = f.side["c"]
    f.handshake()
    f.send("c", "PA", b"first\n", label="data")
    f.send("s", "A", label="ack")
    snapshot("established")
    seq0 = c.nxt
    f.send("c", "PA", b"corrupt\n", seq=seq0, chksum=0x1234, label="data-bad-checksum")
    f.send("c", "PA", b"corrupt\n", label="data-good-checksum")
    f.send("s", "A", chksum=0xbeef, label="ack-bad-checksum")
    f.send("s", "A", label="ack-good-checksum")
    f.send("c", "FA", seq=c.nxt, chksum=0x4321, label="fin-bad-checksum")
    f.send("s", "RA", seq=f.side["s"].nxt, chksum=0x1111, label="rst-bad-checksum")
    snapshot("after-bad-checksums")
    f.close()
    # SYN with a bad checksum: no entry at all, then the good SYN
    g = Flow(40301, 7102, 11_000_000, 12_000_000)
    g.send("c", "S", seq=g.side["c"].nxt, chksum=0x1234, label="syn-bad-checksum")
    snapshot("after-bad-syn")
    g.send("c", "S", label="syn-good")
    g.send("s", "SA", seq=g.side["s"].nxt, chksum=0x2222, label="synack-bad-checksum")
    g.send("s", "SA", label="synack-good")
    g.send("c", "A", label="ack")
    snapshot("second-established")
    g.close()


def play_syn_newisn():
    # SYN, retransmission, then a SYN with a new (higher) ISN while in SYN_SENT
    f = Flow(40400, 7103, 100_000, 900_000)
    c = f.side["c"]
    f.send("c", "S", seq=100_000, label="syn", gap=1.5)
    f.send("c", "S", seq=100_000, label="syn-retransmit")
    snapshot("syn-sent")
    c.nxt = 50_000_000
    f.send("c", "S", label="syn-new-isn-higher")
    f.send("s", "SA", label="synack-for-new-isn")
    f.send("c", "A", label="ack")
    f.send("c", "PA", b"hi\n", label="data")
    f.send("s", "A", label="ack")
    snapshot("established")
    f.close()
    # a new ISN LOWER than the first one, then the SYN/ACK acks it
    g = Flow(40401, 7103, 70_000_000, 910_000)
    gc = g.side["c"]
    g.send("c", "S", seq=70_000_000, label="syn")
    gc.nxt = 60_000_000
    g.send("c", "S", label="syn-new-isn-lower")
    g.send("s", "SA", label="synack-for-lower-isn")
    g.send("c", "A", label="ack")
    snapshot("lower-isn")
    g.send("c", "R", label="rst")
    # the server acks the OLD ISN after a new one was sent
    h = Flow(40402, 7103, 80_000_000, 920_000)
    hc = h.side["c"]
    h.send("c", "S", seq=80_000_000, label="syn")
    hc.nxt = 85_000_000
    h.send("c", "S", label="syn-new-isn")
    h.send("s", "SA", ack=80_000_001, label="synack-for-old-isn")
    snapshot("synack-old-isn")
    h.send("s", "SA", label="synack-for-new-isn")
    h.send("c", "A", label="ack")
    snapshot("after-new-isn")
    h.send("c", "R", label="rst")


def play_simopen():
    o = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
    f = Flow(7104, 7105, 30_000_000, 40_000_000, copts=o, sopts=o)
    c, s = f.side["c"], f.side["s"]
    f.send("c", "S", label="syn-c")
    f.send("s", "S", label="syn-s (crossing)")
    snapshot("both-syns")
    f.send("s", "SA", seq=s.nxt - 1, label="synack-s")
    f.send("c", "SA", seq=c.nxt - 1, label="synack-c")
    snapshot("both-synacks")
    f.send("c", "A", label="ack-c")
    f.send("s", "A", label="ack-s")
    f.send("c", "PA", b"hello\n", label="data-c")
    f.send("s", "PA", b"hello too\n", label="data-s")
    f.send("c", "A", label="ack-c")
    snapshot("established")
    f.close()


PLAYS = {
    "out-of-window": play_out_of_window,
    "rst-inexact": play_rst_inexact,
    "bad-checksum": play_bad_checksum,
    "syn-newisn": play_syn_newisn,
    "simopen": play_simopen,
}
PLAYS[PLAY]()
