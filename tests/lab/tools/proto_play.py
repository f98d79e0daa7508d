#!/usr/bin/python3
"""proto_play.py PLAY 4|6 PROCFILE: scripted SCTP, GRE and UDP-Lite
conversations in which BOTH ends are played by this script (scapy builds
the packets, raw sockets opened inside ctl-client / ctl-server send them).
The lab kernels have no SCTP stack and no GRE devices, so nothing real
could talk these protocols; the endpoint namespaces must drop them on
input (the scenario's setup does) so that their kernels never answer with
ICMP errors.

Run on the host as root (NOT under `ip netns exec`): the script enters the
lab namespaces itself with setns(2). snapshot(LABEL) appends the router's
table to PROCFILE exactly like lib.sh's snapshot.

Plays: sctp-assoc, gre-v0, gre-pptp, udplite."""
import ctypes
import logging
import os
import socket
import struct
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, GRE, Raw, ICMP  # noqa: E402
from scapy.layers.l2 import GRE_PPTP  # noqa: E402
from scapy.layers.ppp import PPP  # noqa: E402
from scapy.layers.sctp import (  # noqa: E402
    SCTP, SCTPChunkInit, SCTPChunkInitAck, SCTPChunkCookieEcho,
    SCTPChunkCookieAck, SCTPChunkData, SCTPChunkSACK, SCTPChunkHeartbeatReq,
    SCTPChunkHeartbeatAck, SCTPChunkShutdown, SCTPChunkShutdownAck,
    SCTPChunkShutdownComplete, SCTPChunkAbort, SCTPChunkParamStateCookie,
    SCTPChunkParamHeartbeatInfo)

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
ADDR = {"c": "fd77:1::2", "s": "fd77:2::2"} if V6 else {"c": "10.77.1.2", "s": "10.77.2.2"}
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


def l3(who, proto):
    peer = "s" if who == "c" else "c"
    if V6:
        return IPv6(src=ADDR[who], dst=ADDR[peer], hlim=64, nh=proto)
    return IP(src=ADDR[who], dst=ADDR[peer], ttl=64, proto=proto)


def send(who, payload, proto, label, gap=GAP, raw_l4=False):
    """Send payload (a scapy L4 layer, or bytes when raw_l4) from who."""
    peer = "s" if who == "c" else "c"
    pkt = l3(who, proto) / (Raw(payload) if raw_l4 else payload)
    raw = bytes(pkt)
    dst = (ADDR[peer], 0, 0, 0) if V6 else (ADDR[peer], 0)
    SOCK[who].sendto(raw, dst)
    print(f"{time.time():.6f} {who} {label}: {pkt.summary()} len={len(raw)}", flush=True)
    if gap:
        time.sleep(gap)


# ---------------------------------------------------------------- SCTP

def sctp(who, sport, dport, vtag, *chunks, label="", chksum=None, gap=GAP):
    p = SCTP(sport=sport, dport=dport, tag=vtag)
    for c in chunks:
        p = p / c
    if chksum is not None:
        p.chksum = chksum
    send(who, p, 132, label, gap=gap)


COOKIE = b"ctreplay-lab-state-cookie-0123456789abcdef"


def play_sctp_assoc():
    CP, SP = 5000, 7200          # client and server ports
    CT, ST = 0xC1C1C1C1, 0x5E5E5E5E  # initiate tags: the peer sends these

    def c(*chunks, **kw):
        sctp("c", CP, SP, kw.pop("vtag", ST), *chunks, **kw)

    def s(*chunks, **kw):
        sctp("s", SP, CP, kw.pop("vtag", CT), *chunks, **kw)

    # association setup (4-way handshake)
    c(SCTPChunkInit(init_tag=CT, a_rwnd=106496, n_out_streams=10,
                    n_in_streams=10, init_tsn=1000), vtag=0, label="init")
    s(SCTPChunkInitAck(init_tag=ST, a_rwnd=106496, n_out_streams=10,
                       n_in_streams=10, init_tsn=5000,
                       params=[SCTPChunkParamStateCookie(cookie=COOKIE)]),
      label="init-ack")
    c(SCTPChunkCookieEcho(cookie=COOKIE), label="cookie-echo")
    s(SCTPChunkCookieAck(), label="cookie-ack")
    snapshot("established")
    # data both ways, then a heartbeat
    c(SCTPChunkData(tsn=1000, stream_id=0, stream_seq=0, proto_id=0,
                    beginning=1, ending=1, data=b"hello\n"), label="data")
    s(SCTPChunkSACK(cumul_tsn_ack=1000, a_rwnd=106496), label="sack")
    s(SCTPChunkData(tsn=5000, stream_id=0, stream_seq=0, proto_id=0,
                    beginning=1, ending=1, data=b"world\n"), label="data-reply")
    c(SCTPChunkSACK(cumul_tsn_ack=5000, a_rwnd=106496), label="sack-reply")
    hb = SCTPChunkParamHeartbeatInfo(data=b"\x00" * 8 + b"hbinfo-1")
    c(SCTPChunkHeartbeatReq(params=[hb]), label="heartbeat")
    s(SCTPChunkHeartbeatAck(params=[hb]), label="heartbeat-ack")
    snapshot("after-heartbeat")
    # INVALID: a DATA chunk with a wrong verification tag, one with a bad CRC
    c(SCTPChunkData(tsn=1001, stream_id=0, stream_seq=1, proto_id=0,
                    beginning=1, ending=1, data=b"wrong tag\n"),
      vtag=0xDEADBEEF, label="data-wrong-vtag")
    c(SCTPChunkData(tsn=1001, stream_id=0, stream_seq=1, proto_id=0,
                    beginning=1, ending=1, data=b"bad crc\n"),
      chksum=0x12345678, label="data-bad-crc")
    snapshot("after-invalid")
    # graceful shutdown
    c(SCTPChunkShutdown(cumul_tsn_ack=5000), label="shutdown")
    s(SCTPChunkShutdownAck(), label="shutdown-ack")
    c(SCTPChunkShutdownComplete(), label="shutdown-complete")
    snapshot("after-shutdown")

    # second association (port 5001): INIT, INIT retransmitted 1 s later
    # (CLOSED -> CLOSED: accepted without refreshing the timeout), INIT_ACK,
    # then the client aborts (ABORT with the T bit: its own tag)
    CP2 = 5001

    def c2(*chunks, **kw):
        sctp("c", CP2, SP, kw.pop("vtag", ST), *chunks, **kw)

    def s2(*chunks, **kw):
        sctp("s", SP, CP2, kw.pop("vtag", CT), *chunks, **kw)

    init2 = SCTPChunkInit(init_tag=CT, a_rwnd=106496, n_out_streams=10,
                          n_in_streams=10, init_tsn=2000)
    c2(init2, vtag=0, label="init", gap=1.0)
    c2(init2, vtag=0, label="init-retransmit")
    snapshot("after-init-retransmit")
    s2(SCTPChunkInitAck(init_tag=ST, a_rwnd=106496, n_out_streams=10,
                        n_in_streams=10, init_tsn=6000,
                        params=[SCTPChunkParamStateCookie(cookie=COOKIE)]),
       label="init-ack")
    c2(SCTPChunkAbort(TCB=1), vtag=CT, label="abort-t-bit")
    snapshot("after-abort")

    # out of the blue: DATA and ABORT with no entry (INVALID), then an
    # entry opened by a HEARTBEAT (secondary path) and its HEARTBEAT_ACK
    sctp("c", 5002, SP, 0x0BAD0BAD,
         SCTPChunkData(tsn=1, stream_id=0, stream_seq=0, proto_id=0,
                       beginning=1, ending=1, data=b"ootb\n"), label="ootb-data")
    sctp("c", 5002, SP, 0x0BAD0BAD, SCTPChunkAbort(), label="ootb-abort")
    sctp("c", 5003, SP, ST, SCTPChunkHeartbeatReq(params=[hb]), label="heartbeat-new")
    sctp("s", SP, 5003, CT, SCTPChunkHeartbeatAck(params=[hb]), label="heartbeat-new-ack")
    snapshot("after-ootb")


# ---------------------------------------------------------------- GRE

def inner(n):
    return IP(src="192.0.2.1", dst="192.0.2.2", id=n) / ICMP(type=8, id=77, seq=n)


def play_gre_v0():
    for i in range(3):
        send("c", GRE(proto=0x0800) / inner(i), 47, f"gre-v0-{i}")
        send("s", GRE(proto=0x0800) / inner(100 + i), 47, f"gre-v0-reply-{i}")
    snapshot("after-exchange")
    # keys do not count for version 0: same entry
    send("c", GRE(key_present=1, key=0x42, proto=0x0800) / inner(9), 47, "gre-v0-key")
    send("s", GRE(key_present=1, key=0x43, proto=0x0800) / inner(109), 47, "gre-v0-key-reply")
    snapshot("after-keyed")


def play_gre_pptp():
    # PPTP data: each side sends with the call id its PEER chose (0x1234
    # is the server's, 0x5678 the client's); no PPTP helper runs
    for i in range(2):
        send("c", GRE_PPTP(call_id=0x1234, seqnum_present=1, sequence_number=i)
             / PPP(proto=0x0021) / inner(i), 47, f"pptp-c-{i}")
        send("s", GRE_PPTP(call_id=0x5678, seqnum_present=1, sequence_number=i)
             / PPP(proto=0x0021) / inner(100 + i), 47, f"pptp-s-{i}")
    snapshot("after-exchange")
    # a server packet with call id 0: still not the first entry's reply
    # (that wants srckey 0x1234, which only the PPTP keymap could give)
    send("s", GRE_PPTP(call_id=0, seqnum_present=1, sequence_number=7)
         / PPP(proto=0x0021) / inner(107), 47, "pptp-s-callid-0")
    send("c", GRE_PPTP(call_id=0x1234, seqnum_present=1, sequence_number=8)
         / PPP(proto=0x0021) / inner(8), 47, "pptp-c-after-reply")
    # version 1 carrying something other than PPP: no tuple, INVALID
    raw = struct.pack(">HHHH", 0x2001, 0x0800, 20, 0x1234) + bytes(inner(50))
    send("c", raw, 47, "gre-v1-not-ppp", raw_l4=True)
    snapshot("after-reply")


# ---------------------------------------------------------------- UDP-Lite

def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udplite(who, sport, dport, payload, cscov, pseudo_proto=136, check=None):
    """UDP-Lite header + payload; checksum over cscov bytes (0 = all) with
    the RFC 3828 pseudo-header (pseudo_proto=136) unless told otherwise."""
    peer = "s" if who == "c" else "c"
    total = 8 + len(payload)
    hdr = struct.pack(">HHHH", sport, dport, cscov, 0)
    seg = hdr + payload
    cov = total if cscov == 0 else min(cscov, total)
    if V6:
        ph = (socket.inet_pton(AF, ADDR[who]) + socket.inet_pton(AF, ADDR[peer])
              + struct.pack(">IxxxB", total, pseudo_proto))
    else:
        ph = (socket.inet_pton(AF, ADDR[who]) + socket.inet_pton(AF, ADDR[peer])
              + struct.pack(">xBH", pseudo_proto, total))
    if check is None:
        check = csum16(ph + seg[:cov]) or 0xFFFF
    return hdr[:6] + struct.pack(">H", check) + payload


def play_udplite():
    # a conversation with RFC 3828 checksums over the whole datagram
    send("c", udplite("c", 6000, 7300, b"hello\n", 0), 136, "rfc-full-cov", raw_l4=True)
    send("s", udplite("s", 7300, 6000, b"world\n", 0), 136, "rfc-full-cov-reply", raw_l4=True)
    send("c", udplite("c", 6000, 7300, b"again\n", 0), 136, "rfc-full-cov-2", raw_l4=True)
    snapshot("after-rfc-full")
    # coverage of the header only (payload not protected)
    send("c", udplite("c", 6001, 7301, b"partial\n", 8), 136, "rfc-cov-8", raw_l4=True)
    send("s", udplite("s", 7301, 6001, b"partial\n", 8), 136, "rfc-cov-8-reply", raw_l4=True)
    send("c", udplite("c", 6001, 7301, b"partial\n", 8), 136, "rfc-cov-8-2", raw_l4=True)
    # the same with a pseudo-header naming protocol 17 (UDP)
    send("c", udplite("c", 6002, 7302, b"udp-pseudo\n", 0, pseudo_proto=17), 136,
         "proto17-full-cov", raw_l4=True)
    send("s", udplite("s", 7302, 6002, b"udp-pseudo\n", 0, pseudo_proto=17), 136,
         "proto17-full-cov-reply", raw_l4=True)
    send("c", udplite("c", 6002, 7302, b"udp-pseudo\n", 0, pseudo_proto=17), 136,
         "proto17-full-cov-2", raw_l4=True)
    snapshot("after-coverage")
    # broken ones: checksum 0, coverage 4, coverage beyond the end, bad sum
    send("c", udplite("c", 6003, 7303, b"x\n", 0, check=0), 136, "no-checksum", raw_l4=True)
    send("c", udplite("c", 6004, 7304, b"x\n", 4), 136, "coverage-4", raw_l4=True)
    send("c", udplite("c", 6005, 7305, b"x\n", 200), 136, "coverage-200", raw_l4=True)
    send("c", udplite("c", 6006, 7306, b"x\n", 0, check=0x1234), 136, "bad-checksum", raw_l4=True)
    snapshot("after-broken")


PLAYS = {
    "sctp-assoc": play_sctp_assoc,
    "gre-v0": play_gre_v0,
    "gre-pptp": play_gre_pptp,
    "udplite": play_udplite,
}

if PLAY not in PLAYS:
    sys.exit(f"unknown play {PLAY}; known: {' '.join(PLAYS)}")
PLAYS[PLAY]()
