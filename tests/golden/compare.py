#!/usr/bin/env python3
# \summary: compare ctreplay's reports with what the real kernel recorded
"""Compare ctreplay with one recording of the real kernel.

    compare.py GOLDEN_DIR --ctreplay PATH [--options "..."] [--inputs a,b]
               [--compare exact|counts]
    compare.py GOLDEN_DIR --kernel-only

GOLDEN_DIR holds what tests/lab/record.sh wrote (see tests/golden/README.md).
ctreplay is run once per report kind (events, expect events, snapshots,
verdicts, -L, -S when the recording has a stats file) with
the working directory set to GOLDEN_DIR, so relative paths in --options and
--inputs name files of the recording.

The kernel is not deterministic everywhere, so some checks are semantic:
  events     grouped per flow lifetime (NEW .. DESTROY of one original
             tuple); per lifetime the ordered lines must match, timestamps
             ignored, the timeout of a DESTROY of a killed entry +-1 s,
             and an expiry DESTROY the recording could not have seen (or the
             kernel's GC had not reported yet) tolerated;
  snapshots  /proc/net/nf_conntrack at each recorded instant, as multisets
             of lines with the timeout column allowed to differ by 1 s;
  invalid    the frames the kernel dropped (in in.pcap, forwarded, missing
             from out.pcap) vs the frames ctreplay calls INVALID/DROP or a
             helper dropped (action=drop helper=NAME);
  counters   nft's forward-chain `ct state` counters vs ctreplay's verdicts
             over the same forwarded packets;
  list       ctreplay -L vs the kernel's last snapshot (entries that expired
             between the last frame and that snapshot excepted);
  expect     `conntrack -E expect` per expectation lifetime, like events
             (NEW timeouts exact, DESTROY timeouts +-1 s);
  stats      each `conntrack -S` of the optional stats file (CPU lines
             summed) vs ctreplay -S over the frames up to that instant:
             drop, early_drop, invalid.

--compare counts (TESTLIST `compare=counts`) is for table-full recordings,
where the kernel's early-drop victims are random: events, expectations,
snapshots, dropped frames and -L are compared as exact totals (NEW events,
early-drop and killed DESTROYs, entries per state) instead of flow by flow;
counters and stats are the same in both modes.

Python 3 standard library only: the captures are parsed here with struct.
Exit status: 0 all equal, 1 a difference, 2 the comparison could not run.
"""

import argparse
import collections
import heapq
import ipaddress
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

ROUTER_ADDRS = {
    ipaddress.ip_address(a)
    for a in ("10.77.1.1", "10.77.2.1", "fd77:1::1", "fd77:2::1")
}
LAB_NETS = [ipaddress.ip_network(n) for n in ("10.77.1.0/24", "10.77.2.0/24")]

CT_STATES = ("NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED")


class CompareError(Exception):
    """The comparison itself could not be made (missing file, crash)."""


# ---------------------------------------------------------------- captures

# libpcap link types we can take apart.
LT_NULL, LT_EN10MB, LT_RAW, LT_LOOP = 0, 1, 101, 108
LT_LINUX_SLL, LT_IPV4, LT_IPV6, LT_LINUX_SLL2 = 113, 228, 229, 276


def read_pcap(path):
    """Yield (ts_ns, linktype, bytes) for every record of a pcap/pcapng."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise CompareError("%s: not a capture" % path)
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(path, data)
        return
    for endian in ("<", ">"):
        (m,) = struct.unpack(endian + "I", magic)
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise CompareError("%s: not a pcap or pcapng file" % path)
    nano = m == 0xA1B23C4D
    if len(data) < 24:
        raise CompareError("%s: truncated pcap header" % path)
    linktype = struct.unpack(endian + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, _wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            break  # truncated last record: ctreplay stops there too
        ts = sec * 1000000000 + (frac if nano else frac * 1000)
        yield ts, linktype, data[off:off + caplen]
        off += caplen


def _read_pcapng(path, data):
    endian = "<"
    ifaces = []  # (linktype, ns per tick)
    off = 0
    while off + 12 <= len(data):
        btype = struct.unpack(endian + "I", data[off:off + 4])[0]
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            btype = 0x0A0D0D0A
            ifaces = []
        blen = struct.unpack(endian + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            lt = struct.unpack(endian + "H", body[0:2])[0]
            tick = 1000  # default: microseconds
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(endian + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    r = body[o + 4]
                    if r & 0x80:
                        tick = 1e9 / (2 ** (r & 0x7F))
                    else:
                        tick = 10 ** (9 - r) if r <= 9 else 10 ** 9 / 10 ** r
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((lt, tick))
        elif btype == 6 and len(body) >= 20:
            ifid, hi, lo, caplen, _orig = struct.unpack(endian + "IIIII", body[0:20])
            if ifid < len(ifaces):
                lt, tick = ifaces[ifid]
                ts = int(((hi << 32) | lo) * tick)
                yield ts, lt, body[20:20 + caplen]
        elif btype == 3 and len(body) >= 4 and ifaces:
            lt, _tick = ifaces[0]
            yield 0, lt, body[4:]
        off += blen


def merged_frames(paths):
    """Frames of several files merged by time (ties: argument order), as
    ctreplay numbers them: a list of (frame_no, ts_ns, linktype, bytes)."""
    def tagged(i, p):
        for ts, lt, pkt in read_pcap(p):
            yield ts, i, lt, pkt
    merged = heapq.merge(*(tagged(i, p) for i, p in enumerate(paths)),
                         key=lambda r: (r[0], r[1]))
    return [(n, ts, lt, pkt) for n, (ts, _i, lt, pkt) in enumerate(merged, 1)]


def _l2_payload(lt, pkt):
    """(ethertype, offset of the network header, outgoing?) or None."""
    if lt == LT_EN10MB:
        if len(pkt) < 14:
            return None
        et, off = struct.unpack(">H", pkt[12:14])[0], 14
        while et in (0x8100, 0x88A8, 0x9100) and len(pkt) >= off + 4:
            et, off = struct.unpack(">H", pkt[off + 2:off + 4])[0], off + 4
        return et, off, False
    if lt == LT_LINUX_SLL2:
        if len(pkt) < 20:
            return None
        return struct.unpack(">H", pkt[0:2])[0], 20, pkt[10] == 4
    if lt == LT_LINUX_SLL:
        if len(pkt) < 16:
            return None
        ptype = struct.unpack(">H", pkt[0:2])[0]
        return struct.unpack(">H", pkt[14:16])[0], 16, ptype == 4
    if lt in (LT_NULL, LT_LOOP):
        if len(pkt) < 4:
            return None
        fam = struct.unpack("<I" if lt == LT_NULL else ">I", pkt[0:4])[0]
        if fam == 2:
            return 0x0800, 4, False
        if fam in (10, 24, 28, 30):
            return 0x86DD, 4, False
        return None
    if lt in (LT_RAW, 12, 14, LT_IPV4, LT_IPV6):
        if not pkt:
            return None
        v = pkt[0] >> 4
        return (0x0800 if v == 4 else 0x86DD), 0, False
    return None


IP6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options


def _walk_ip6_ext(nh, data):
    """Skip extension headers (not the fragment header): (nh, offset)."""
    off = 0
    while True:
        if nh in IP6_EXT and len(data) >= off + 2:
            nxt, hl = data[off], (data[off + 1] + 1) * 8
        elif nh == 51 and len(data) >= off + 2:
            nxt, hl = data[off], (data[off + 1] + 2) * 4
        else:
            return nh, off
        nh, off = nxt, off + hl


class Pkt:
    """One IP packet (or fragment), reduced to what matching needs."""
    __slots__ = ("l3", "src", "dst", "proto", "ttl", "ipid", "frag",
                 "frag_off", "frag_more", "frag_id", "payload", "outgoing")


def decode(lt, pkt):
    """Pkt for an IPv4/IPv6 frame, None for anything else."""
    l2 = _l2_payload(lt, pkt)
    if l2 is None:
        return None
    et, off, outgoing = l2
    ip = pkt[off:]
    p = Pkt()
    p.outgoing = outgoing
    if et == 0x0800 and len(ip) >= 20 and ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        if ihl < 20 or tot < ihl or len(ip) < ihl:
            return None
        p.l3 = 4
        p.src, p.dst = ipaddress.IPv4Address(ip[12:16]), ipaddress.IPv4Address(ip[16:20])
        p.proto, p.ttl = ip[9], ip[8]
        p.ipid = struct.unpack(">H", ip[4:6])[0]
        fo = struct.unpack(">H", ip[6:8])[0]
        p.frag_more, p.frag_off = bool(fo & 0x2000), (fo & 0x1FFF) * 8
        p.frag = p.frag_more or p.frag_off != 0
        p.frag_id = p.ipid
        p.payload = bytes(ip[ihl:tot])
        return p
    if et == 0x86DD and len(ip) >= 40 and ip[0] >> 4 == 6:
        plen = struct.unpack(">H", ip[4:6])[0]
        p.l3 = 6
        p.src, p.dst = ipaddress.IPv6Address(ip[8:24]), ipaddress.IPv6Address(ip[24:40])
        p.ttl, p.ipid = ip[7], 0
        body = bytes(ip[40:40 + plen])
        nh, o = _walk_ip6_ext(ip[6], body)
        p.frag, p.frag_off, p.frag_more, p.frag_id = False, 0, False, 0
        if nh == 44 and len(body) >= o + 8:
            fo = struct.unpack(">H", body[o + 2:o + 4])[0]
            p.frag = True
            p.frag_off, p.frag_more = fo & 0xFFF8, bool(fo & 1)
            p.frag_id = struct.unpack(">I", body[o + 4:o + 8])[0]
            p.proto, p.payload = body[o], body[o + 8:]
        else:
            p.proto, p.payload = nh, body[o:]
        return p
    return None


class Unit:
    """A datagram as the forwarding path sees it: one unfragmented frame,
    or every fragment of one reassembled datagram."""
    __slots__ = ("frames", "key", "forwarded", "desc")


def _describe(p, payload, frame):
    proto = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}.get(p.proto, "proto-%d" % p.proto)
    s, d = str(p.src), str(p.dst)
    if p.proto in (6, 17) and len(payload) >= 4:
        sp, dp = struct.unpack(">HH", payload[0:4])
        if p.l3 == 6:
            s, d = "[%s]" % s, "[%s]" % d
        s, d = "%s:%d" % (s, sp), "%s:%d" % (d, dp)
    extra = ""
    if p.proto == 6 and len(payload) >= 14:
        fl = payload[13]
        extra = " [" + "".join(c for b, c in zip((1, 2, 4, 8, 16, 32, 64, 128), "FSRPAUEW") if fl & b) + "]"
    elif p.proto in (1, 58) and len(payload) >= 2:
        extra = " type=%d code=%d" % (payload[0], payload[1])
    return "frame %d: %s %s > %s%s" % (frame, proto, s, d, extra)


def _is_forwarded(p, payload, nat=False):
    """Would the router forward it (rather than deliver it locally or drop
    it before the forward hook for reasons that are not conntrack's)?
    With NAT, a packet to one of the router's addresses may be forwarded
    after translation: that is decided against out.pcap (None)."""
    if p.outgoing:
        return False
    for a in (p.src, p.dst):
        if a.is_multicast or a.is_link_local or a.is_loopback or a.is_unspecified:
            return False
    if p.dst in ROUTER_ADDRS:
        return None if nat and p.ttl > 1 else False
    if p.l3 == 4:
        if p.dst == ipaddress.IPv4Address("255.255.255.255"):
            return False
        for n in LAB_NETS:
            if p.dst in (n.network_address, n.broadcast_address):
                return False
    if p.l3 == 6 and p.proto == 58 and payload and 133 <= payload[0] <= 137:
        return False  # neighbour discovery
    return p.ttl > 1


def build_units(frames):
    """Group frames into units; returns (units, {frame_no: unit})."""
    units, by_frame = [], {}
    pending = {}  # fragment group key -> [(frame, Pkt)]
    for n, _ts, lt, pkt in frames:
        p = decode(lt, pkt)
        if p is None:
            continue
        if not p.frag:
            u = _make_unit([(n, p)], p, p.payload)
            units.append(u)
            by_frame[n] = u
            continue
        gk = (p.l3, p.src, p.dst, p.proto, p.frag_id)
        group = pending.setdefault(gk, [])
        group.append((n, p))
        data = _reassemble([q for _n, q in group])
        if data is not None:
            del pending[gk]
            first = min(group, key=lambda e: e[1].frag_off)[1]
            u = _make_unit(group, first, data)
            units.append(u)
            for fn, _q in group:
                by_frame[fn] = u
    return units, by_frame


def _reassemble(frags):
    """Payload of a complete datagram, or None while pieces are missing."""
    have, end = {}, None
    for q in frags:
        have[q.frag_off] = q.payload
        if not q.frag_more:
            end = q.frag_off + len(q.payload)
    if end is None or 0 not in have:
        return None
    out, pos = b"", 0
    for o in sorted(have):
        if o > pos:
            return None
        out = out[:o] + have[o]
        pos = max(pos, o + len(have[o]))
    return out if pos >= end else None


# A recording whose router translates addresses (nat chains): a packet's
# copy leaving the router carries other addresses and ports, so in and out
# are matched by what NAT leaves alone (set by kernel_drops()).
NAT_KEYS = False
NAT_FORWARDED = set()  # keys of such packets the router did forward


def _nat_key(p, data):
    """What NAT leaves alone: the IPv4 id, the protocol, and the transport
    bytes but ports, checksums and ICMP ids (an ICMP error's quote is
    translated too: its type, code and length stand for it)."""
    b = bytearray(data)
    proto = p.proto
    if proto in (6, 17, 132, 136, 33) and len(b) >= 4:
        b[0:4] = b"\0\0\0\0"
    if proto == 6 and len(b) >= 18:
        b[16:18] = b"\0\0"
        if p.l3 == 4 and len(b) >= 12:
            # a NAT helper rewrites payloads (FTP's PORT) and then moves
            # sequence numbers (seqadj): the IPv4 id and the TCP header
            # but those stand for the segment
            doff = (b[12] >> 4) * 4 if len(b) > 12 else 20
            b[4:12] = b"\0" * 8
            b = b[:doff]
    if proto in (17, 136) and len(b) >= 8:
        b[6:8] = b"\0\0"
    if proto in (1, 58) and len(b) >= 8:
        err = b[0] in ((3, 4, 5, 11, 12) if proto == 1 else (1, 2, 3, 4))
        if err:
            b = bytearray(b[0:2]) + bytearray(len(b) - 2)
        else:
            b[2:6] = b"\0\0\0\0"
    return (p.l3, p.ipid if p.l3 == 4 else None, proto, bytes(b))


def _make_unit(group, p, data):
    u = Unit()
    u.frames = [n for n, _q in group]
    if NAT_KEYS:
        proto, o = p.proto, 0
        if p.l3 == 6 and p.frag:
            proto, o = _walk_ip6_ext(p.proto, data)
        u.key = _nat_key(p, data[o:])
        u.forwarded = _is_forwarded(p, data, nat=True)
        u.desc = _describe(p, data, u.frames[0])
        return u
    if p.l3 == 4:
        # TTL and checksum change on the way through; the id does not.
        u.key = (4, p.src, p.dst, p.ipid, p.proto, data)
    else:
        # the hop limit changes, and a refragmenting kernel picks a new
        # fragment id, so key on the upper-layer bytes only
        proto, o = p.proto, 0
        if p.frag:
            proto, o = _walk_ip6_ext(p.proto, data)
        u.key = (6, p.src, p.dst, proto, data[o:])
    u.forwarded = _is_forwarded(p, data)
    u.desc = _describe(p, data, u.frames[0])
    return u


# ---------------------------------------------------------------- kernel files

def parse_nft_counters(path):
    """{state: packets} from the forward chain's `ct state X counter` rules."""
    res = {}
    with open(path) as f:
        for line in f:
            m = re.search(r"ct state (\w+) counter packets (\d+) bytes (\d+)", line)
            if m:
                res[m.group(1).upper()] = int(m.group(2))
    return res


def parse_snapshots(text):
    """[(time_string, label, [conntrack lines], [expect lines])]."""
    snaps, cur, section = [], None, None
    for line in text.splitlines():
        if line.startswith("# snapshot"):
            parts = line.split(None, 3)
            t = parts[2] if len(parts) > 2 else ""
            label = parts[3] if len(parts) > 3 else ""
            cur = (t, label, [], [])
            snaps.append(cur)
            section = 2
        elif line.startswith("# expect"):
            section = 3
        elif line.strip() and cur is not None and not line.startswith("#"):
            cur[section].append(line.rstrip())
    return snaps


TS_RE = re.compile(r"^\[(\d+)\.(\d+) *\]\t")
# the timeout column of conntrack text: after "l3 n l4 n" or "l4 n"
CT_TIMEOUT_RE = re.compile(r"^((?:\s*\[\w+\]\s+)?(?:ipv[46]\s+\d+\s+)?[a-z0-9-]+\s+\d+\s+)(\d+)(?=\s)")
EXP_TIMEOUT_RE = re.compile(r"^(\s*(?:\[\w+\]\s+)?)(\d+)(?=\s)")
TUPLE_KEYS = {"src", "dst", "sport", "dport", "type", "code", "id", "srckey", "dstkey"}


def mask_timeout(line, expect=False):
    """(line with the timeout replaced by 'T', timeout or None)."""
    m = (EXP_TIMEOUT_RE if expect else CT_TIMEOUT_RE).match(line)
    if not m:
        return line, None
    return line[:m.start(2)] + "T" + line[m.end(2):], int(m.group(2))


def _norm_addr(v):
    try:
        return str(ipaddress.ip_address(v))
    except ValueError:
        return v


def parse_ct(text):
    """Split conntrack text (event body, /proc or -L line) into fields."""
    toks = text.split()
    r = {"type": None, "l3": None, "l4": None, "l4num": None, "timeout": None, "state": None,
         "orig": (), "reply": (), "flags": set(), "extra": {}}
    i = 0
    if toks and toks[0].startswith("[") and toks[0].endswith("]"):
        r["type"] = toks[0][1:-1]
        i = 1
    if i < len(toks) and toks[i] in ("ipv4", "ipv6"):
        r["l3"] = toks[i]
        i += 2
    if i + 1 < len(toks):
        r["l4"], r["l4num"] = toks[i], toks[i + 1]
        i += 2
    if i < len(toks) and toks[i].isdigit():
        r["timeout"] = int(toks[i])
        i += 1
    if i < len(toks) and "=" not in toks[i] and not toks[i].startswith("["):
        r["state"] = toks[i]
        i += 1
    tuples, cur = [], None
    for t in toks[i:]:
        if t.startswith("["):
            r["flags"].add(t.strip("[]"))
            cur = None
            continue
        k, _, v = t.partition("=")
        if k == "src" and len(tuples) < 2:
            cur = {}
            tuples.append(cur)
        if cur is not None and k in TUPLE_KEYS and k not in cur:
            cur[k] = _norm_addr(v) if k in ("src", "dst") else v
        else:
            cur = None
            r["extra"][k] = v
    if tuples:
        r["orig"] = tuple(sorted(tuples[0].items()))
    if len(tuples) > 1:
        r["reply"] = tuple(sorted(tuples[1].items()))
    if r["l3"] is None and tuples and "src" in tuples[0]:
        r["l3"] = "ipv6" if ":" in tuples[0]["src"] else "ipv4"
    return r


def flow_name(r):
    o = dict(r["orig"])
    s, d = o.get("src", "?"), o.get("dst", "?")
    if "sport" in o:
        if ":" in s:
            s, d = "[%s]" % s, "[%s]" % d
        s, d = "%s:%s" % (s, o["sport"]), "%s:%s" % (d, o.get("dport", "?"))
    elif "type" in o:
        d += " type=%s id=%s" % (o["type"], o.get("id", "?"))
    return "%s %s > %s" % (r["l4"], s, d)


class Step:
    __slots__ = ("ts", "type", "masked", "timeout", "parsed")

    def show(self):
        t = "" if self.timeout is None else str(self.timeout)
        return self.masked.replace(" T ", " %s " % t, 1) if t else self.masked


def parse_events(text):
    """Lifetimes: {flow key: [[Step, ...], ...]} in order of appearance."""
    lifetimes = collections.OrderedDict()
    for line in text.splitlines():
        if not line.strip():
            continue
        ts = None
        m = TS_RE.match(line)
        if m:
            ts = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
            line = line[m.end():]
        # exact text after the timestamp: the tag's padding is part of it
        body = line.rstrip()
        if not body.lstrip().startswith("["):
            continue
        st = Step()
        st.ts = ts
        st.parsed = parse_ct(body)
        st.type = st.parsed["type"]
        masked, st.timeout = mask_timeout(body)
        st.masked = masked
        key = (st.parsed["l3"], st.parsed["l4"], st.parsed["orig"])
        lives = lifetimes.setdefault(key, [])
        if st.type == "NEW" or not lives or lives[-1][-1].type == "DESTROY":
            lives.append([])
        lives[-1].append(st)
    return lifetimes


def _step_equal(k, c):
    if k.masked != c.masked:
        return False
    if k.timeout is None or c.timeout is None:
        return k.timeout == c.timeout
    if k.type == "DESTROY":
        return abs(k.timeout - c.timeout) <= 1
    return k.timeout == c.timeout


# ---------------------------------------------------------------- running ctreplay

class Runner:
    def __init__(self, ctreplay, gdir, options, inputs, keep):
        self.ctreplay = os.path.abspath(ctreplay)
        self.gdir, self.options, self.inputs, self.keep = gdir, options, inputs, keep

    def run(self, what, args, inputs=None):
        cmd = [self.ctreplay] + args + self.options + (inputs or self.inputs)
        env = dict(os.environ, TZ="UTC", LC_ALL="C")
        try:
            pr = subprocess.run(cmd, cwd=self.gdir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CompareError("%s: %s" % (" ".join(cmd), e))
        out = pr.stdout.decode("utf-8", "replace")
        err = pr.stderr.decode("utf-8", "replace")
        if self.keep:
            os.makedirs(self.keep, exist_ok=True)
            with open(os.path.join(self.keep, what), "w") as f:
                f.write(out)
            with open(os.path.join(self.keep, what + ".stderr"), "w") as f:
                f.write(err)
        if pr.returncode != 0:
            raise CompareError("ctreplay exited %d for %s (in %s: %s)\n%s" % (
                pr.returncode, what, self.gdir, " ".join(shlex.quote(a) for a in cmd[1:]),
                "\n".join("    " + l for l in err.splitlines()[:10])))
        return out


# ---------------------------------------------------------------- comparisons

class Report:
    def __init__(self):
        self.parts, self.details, self.notes, self.failed = [], [], [], False

    def part(self, text, ok):
        self.parts.append(text)
        self.failed |= not ok

    def detail(self, line):
        self.details.append("  " + line)

    def note(self, line):
        self.notes.append("  note: " + line)


def compare_events(rep, kernel_text, ct_text, last_frame_ts, end_snapshot):
    kl, cl = parse_events(kernel_text), parse_events(ct_text)
    end_alive = {(r["l3"], r["l4"], r["orig"]) for r in
                 (parse_ct(l) for l in end_snapshot)}

    def judge(key, ks, cs):
        return _compare_lifetime(ks, cs, last_frame_ts, key in end_alive)

    good, total, extra = _compare_lifetimes(
        rep, kl, cl, judge, lambda st: flow_name(st.parsed), "events, flow")
    txt = "events %d/%d flows" % (min(good, total), total)
    if extra > 0:
        txt += " (+%d extra)" % extra
    rep.part(txt, good == total and extra <= 0)


def _compare_lifetimes(rep, kl, cl, judge, namer, what):
    """Match two {key: [lifetime, ...]} maps lifetime by lifetime; judge
    (key, kernel steps, ctreplay steps) says True, a note or False.
    Returns (lifetimes matched, kernel lifetimes, ctreplay extra)."""
    total = sum(len(v) for v in kl.values())
    good = 0
    for key in list(kl) + [k for k in cl if k not in kl]:
        klives, clives = kl.get(key, []), cl.get(key, [])
        for i in range(max(len(klives), len(clives))):
            ks = klives[i] if i < len(klives) else []
            cs = clives[i] if i < len(clives) else []
            name = "%s%s" % (namer((ks or cs)[0]), " (lifetime %d)" % (i + 1) if i else "")
            verdict = judge(key, ks, cs)
            if verdict is True:
                good += 1
                continue
            if isinstance(verdict, str):
                good += 1
                rep.note("%s: %s" % (name, verdict))
                continue
            rep.detail("%s %s:" % (what, name))
            n = max(len(ks), len(cs))
            for j in range(n):
                a = ks[j].show() if j < len(ks) else "(none)"
                b = cs[j].show() if j < len(cs) else "(none)"
                same = j < len(ks) and j < len(cs) and _step_equal(ks[j], cs[j])
                if same:
                    rep.detail("  = %s" % a)
                else:
                    rep.detail("  - kernel:   %s" % a)
                    rep.detail("  + ctreplay: %s" % b)
    extra = sum(len(v) for v in cl.values()) - sum(
        min(len(cl.get(k, [])), len(v)) for k, v in kl.items())
    return good, total, extra


def _compare_lifetime(ks, cs, last_frame_ts, alive_at_end):
    """True if equal, a note string if equal within a tolerated difference,
    False otherwise."""
    if not ks or not cs:
        return False
    n = min(len(ks), len(cs))
    if not all(_step_equal(ks[j], cs[j]) for j in range(n)):
        return False
    if len(ks) == len(cs):
        return True
    if len(ks) == len(cs) + 1:
        d = ks[-1]
        if d.type == "DESTROY" and d.timeout is None:
            # The kernel expired it; ctreplay's clock stops at the last
            # frame.  The kernel stamps the time it reported the expiry,
            # never earlier than the deadline: reported before the last
            # frame means ctreplay should have expired it too.  Reported
            # later, the deadline may still have been earlier (the GC runs
            # late, and packets refresh timeouts without events), so this
            # stays a note.
            if d.ts is None or last_frame_ts is None:
                return "kernel expiry DESTROY not reproduced (no timestamps to tell)"
            if d.ts > last_frame_ts:
                return ("kernel expired it %.1f s after the last frame; ctreplay "
                        "stops at the last frame" % (d.ts - last_frame_ts))
        return False
    if len(cs) == len(ks) + 1:
        d = cs[-1]
        if d.type == "DESTROY" and d.timeout is None and not alive_at_end:
            # the kernel's GC reports expiries late; /proc already hid it
            return "ctreplay's expiry DESTROY not yet reported by the kernel when recording stopped"
    return False


def _snapshot_match(klines, clines, expect=False):
    """(matched, missing lines, extra lines, timeout differences)."""
    km, cm = collections.defaultdict(list), collections.defaultdict(list)
    for l in klines:
        m, t = mask_timeout(l, expect)
        km[m].append(t)
    for l in clines:
        m, t = mask_timeout(l, expect)
        cm[m].append(t)
    matched, missing, extra, tdiff = 0, [], [], []
    for m in sorted(set(km) | set(cm)):
        kt = sorted(km.get(m, []), key=lambda x: -1 if x is None else x)
        ct = sorted(cm.get(m, []), key=lambda x: -1 if x is None else x)
        for a, b in zip(kt, ct):
            if a == b or (a is not None and b is not None and abs(a - b) <= 1):
                matched += 1
            else:
                tdiff.append((m, a, b))
        for a in kt[len(ct):]:
            missing.append(m.replace("T", str(a), 1) if a is not None else m)
        for b in ct[len(kt):]:
            extra.append(m.replace("T", str(b), 1) if b is not None else m)
    return matched, missing, extra, tdiff


def _show_masked(m, t):
    return m.replace(" T ", " %s " % t, 1) if " T " in m else m


def compare_snapshots(rep, ksnaps, ct_text):
    csnaps = parse_snapshots(ct_text)
    total = sum(len(s[2]) + len(s[3]) for s in ksnaps)
    if len(csnaps) != len(ksnaps):
        rep.detail("snapshots: kernel recorded %d, ctreplay printed %d" % (len(ksnaps), len(csnaps)))
        rep.part("snapshot lines 0/%d" % total, False)
        return
    good, ok = 0, True
    for (t, label, kl, ke), (_ct, _cl, cl, ce) in zip(ksnaps, csnaps):
        for what, a, b, exp in (("", kl, cl, False), (" expect", ke, ce, True)):
            matched, missing, extra, tdiff = _snapshot_match(a, b, exp)
            good += matched
            if missing or extra or tdiff:
                ok = False
                rep.detail("snapshot %s (%s)%s:" % (t, label, what))
                for l in missing:
                    rep.detail("  - kernel:   %s" % l)
                for l in extra:
                    rep.detail("  + ctreplay: %s" % l)
                for m, x, y in tdiff:
                    rep.detail("  ~ timeout kernel %s, ctreplay %s: %s" % (x, y, _show_masked(m, x)))
    rep.part("snapshot lines %d/%d" % (good, total), ok)


def _identity(r):
    return (r["l3"], r["l4"], r["state"], r["orig"], r["reply"],
            frozenset(r["flags"] & {"UNREPLIED", "ASSURED"}))


def compare_list(rep, ksnap, ksnap_ts, ct_text, last_frame_ts):
    """-L at the end of the capture vs the kernel's last snapshot, taken a
    little later: same entries, less those that expired in between."""
    gap = (ksnap_ts - last_frame_ts) if last_frame_ts is not None else 0.0
    kent = collections.Counter()
    ktime = {}
    for l in ksnap:
        r = parse_ct(l)
        kent[_identity(r)] += 1
        ktime[_identity(r)] = r["timeout"]
    cent = collections.Counter()
    ctime = {}
    for l in ct_text.splitlines():
        if not l.strip() or l.startswith("conntrack v") or l.startswith("#"):
            continue
        r = parse_ct(l)
        cent[_identity(r)] += 1
        ctime[_identity(r)] = r["timeout"]
    ok = True
    for ident in sorted(set(kent) | set(cent), key=repr):
        k, c = kent[ident], cent[ident]
        if k == c:
            kt, ct = ktime.get(ident), ctime.get(ident)
            if kt is not None and ct is not None and abs(ct - gap - kt) > 1.5:
                ok = False
                rep.detail("-L: %s %s: timeout %d, kernel %d at %.1f s later" % (
                    ident[1], _tuple_str(ident[3]), ct, kt, gap))
            continue
        if c > k and ctime.get(ident) is not None and ctime[ident] <= gap + 1:
            continue  # expired before the kernel's snapshot was taken
        ok = False
        rep.detail("-L: %s %s %s: kernel end snapshot has %d, ctreplay -L %d" % (
            ident[1], ident[2] or "", _tuple_str(ident[3]), k, c))
    rep.part("list %s" % ("ok" if ok else "differs"), ok)


def _tuple_str(t):
    return " ".join("%s=%s" % kv for kv in t)


def has_nat(gdir):
    """Whether the recording's firewall has nat chains or NAT targets."""
    for name in ("nft-after.json", "iptables-after.txt"):
        path = os.path.join(gdir, name)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            text = f.read()
        if re.search(r'"type": "nat"|-j (SNAT|DNAT|MASQUERADE|REDIRECT)\b', text):
            return True
    return False


def kernel_drops(gdir):
    """Units of in.pcap that are forwarded but missing from out.pcap."""
    global NAT_KEYS
    NAT_KEYS = has_nat(gdir)
    in_units, _ = build_units(merged_frames([os.path.join(gdir, "in.pcap")]))
    out_units, _ = build_units(merged_frames([os.path.join(gdir, "out.pcap")]))
    out_keys = collections.Counter(u.key for u in out_units)
    drops, fwd = collections.Counter(), 0
    for u in in_units:
        if u.forwarded is None:
            # to the router's address, forwarded only if translated
            u.forwarded = out_keys[u.key] > 0
            if u.forwarded:
                NAT_FORWARDED.add(u.key)
        if not u.forwarded:
            continue
        fwd += 1
        if out_keys[u.key] > 0:
            out_keys[u.key] -= 1
        else:
            drops[u.key] += 1
    descs = {u.key: u.desc for u in in_units}
    return drops, descs, fwd


def parse_verdicts(text):
    res = {}
    for line in text.splitlines():
        t = line.split(None, 2)
        if len(t) >= 2 and t[0].isdigit():
            res[int(t[0])] = t[1]
    return res


def unit_state(u, verdicts):
    """One ct state per unit: a fragment train counts once, as the forward
    hook sees the reassembled datagram."""
    states = [verdicts.get(n, "-") for n in u.frames]
    for bad in ("DROP", "INVALID"):
        if bad in states:
            return bad
    real = [s for s in states if s != "-"]
    return real[-1] if real else "-"


def _verdict_fields(text):
    """(frame, action, hook) of --verdicts lines with a firewall's."""
    for line in text.splitlines():
        t = line.split(None, 1)
        m = re.search(r" action=(\w+) hook=(\w+)", line)
        if len(t) >= 2 and t[0].isdigit() and m:
            yield int(t[0]), m.group(1), m.group(2)


def parse_hooks(text):
    """{frame: (hook, action)} of --verdicts lines with a firewall's."""
    return {n: (h, a) for n, a, h in _verdict_fields(text)}


def parse_actions(text):
    """{frame: action} of --verdicts lines with a firewall's action=."""
    return {n: a for n, a, _h in _verdict_fields(text)}


def compare_verdicts(rep, gdir, inputs, ct_text, kdrops, kdescs, nft, by_count=False,
                     firewall=False):
    frames = merged_frames([os.path.join(gdir, p) for p in inputs])
    units, _ = build_units(frames)
    verdicts = parse_verdicts(ct_text)
    if len(verdicts) != len(frames):
        rep.detail("verdicts: %d frames in the inputs, ctreplay gave %d verdict lines"
                   % (len(frames), len(verdicts)))
        rep.failed = True
    cdrops, cdescs = collections.Counter(), {}
    counts = collections.Counter()
    # without a firewall the only action is a helper's drop (nf_confirm()
    # runs helpers after the chains, so the state stays what they counted)
    actions = parse_actions(ct_text)
    hooks = parse_hooks(ct_text) if NAT_KEYS else {}
    for u in units:
        if u.forwarded is None:
            u.forwarded = u.key in NAT_FORWARDED
        if not u.forwarded:
            continue
        if (NAT_KEYS and kdrops[u.key] > 0 and
                all(hooks.get(n) == ("input", "accept") for n in u.frames)):
            # translated to the router itself (redirect, DNAT to one of
            # its addresses): delivered, not dropped; the input chain's
            # counters check that
            kdrops[u.key] -= 1
            if kdrops[u.key] == 0:
                del kdrops[u.key]
            continue
        s = unit_state(u, verdicts)
        counts[s] += 1
        if firewall:
            # the ruleset decides: ctreplay's action for the datagram
            acts = [actions.get(n) for n in u.frames]
            dropped = any(a in ("drop", "reject") for a in acts) or s == "DROP"
            what = "action=%s" % "/".join(sorted(set(a or "-" for a in acts)))
        else:
            helper = any(actions.get(n) == "drop" for n in u.frames)
            dropped = s in ("INVALID", "DROP", "-") or helper
            what = s + (" action=drop" if helper else "")
        if dropped:
            cdrops[u.key] += 1
            cdescs[u.key] = "%s (ctreplay %s)" % (u.desc, what)
    if by_count:
        # which packets found no room is the kernel's random choice: only
        # how many it dropped is compared
        k, c = sum(kdrops.values()), sum(cdrops.values())
        _count_part(rep, "dropped frames", k, c,
                    "frames dropped (in.pcap minus out.pcap) vs ctreplay DROP/INVALID")
        _compare_nft(rep, nft, counts)
        return
    both = kdrops & cdrops
    missing, extra = kdrops - cdrops, cdrops - kdrops
    total = sum(kdrops.values())
    txt = "%s frames %d/%d" % ("dropped" if firewall else "invalid",
                               sum(both.values()), total)
    if extra:
        txt += " (+%d extra)" % sum(extra.values())
    rep.part(txt, not missing and not extra)
    by_key = {}
    for u in units:
        by_key.setdefault(u.key, u)
    for k in missing:
        u = by_key.get(k)
        what = ("%s (ctreplay %s)" % (u.desc, unit_state(u, verdicts)) if u
                else "in.pcap %s (not in ctreplay's inputs)" % kdescs.get(k, "?"))
        rep.detail("dropped: kernel dropped, ctreplay passed: %s" % what)
    for k in extra:
        rep.detail("dropped: kernel forwarded, ctreplay dropped: %s" % cdescs.get(k, "?"))
    if not firewall:
        _compare_nft(rep, nft, counts)


def _nft_rule_counters(doc):
    """{(family, table, chain, handle, n): (packets, bytes)} of every counter
    expression of `nft -j list ruleset` output."""
    res = {}
    for o in doc.get("nftables", []):
        r = o.get("rule")
        if not r:
            continue
        n = 0
        for e in r.get("expr", []):
            c = e.get("counter") if isinstance(e, dict) else None
            if isinstance(c, dict):
                res[(r["family"], r["table"], r["chain"], r.get("handle"), n)] = (
                    c.get("packets", 0), c.get("bytes", 0))
                n += 1
    return res


def _ipt_counters(text):
    """{(table, chain, n, rule text): (packets, bytes)} and chain policy
    counters of `iptables-save -c` output; ip6tables-save's (ctreplay
    writes both into one file, each after its "# Generated by" line) are
    keyed by "ip6 TABLE"."""
    res, table, fam, seen = {}, None, "", collections.Counter()
    for line in text.splitlines():
        if line.startswith("# Generated by "):
            fam = "ip6 " if line.startswith("# Generated by ip6tables") else ""
            continue
        if line.startswith("*"):
            table = fam + line[1:].strip()
            seen = collections.Counter()
            continue
        m = re.match(r"^:(\S+) (\S+) \[(\d+):(\d+)\]", line)
        if m and m.group(2) != "-":
            res[(table, m.group(1), "policy", m.group(2))] = (int(m.group(3)), int(m.group(4)))
            continue
        m = re.match(r"^\[(\d+):(\d+)\] -A (\S+) (.*)$", line)
        if m:
            seen[(table, m.group(3))] += 1
            res[(table, m.group(3), seen[(table, m.group(3))], m.group(4))] = (
                int(m.group(1)), int(m.group(2)))
    return res


def compare_fw_counters(rep, gdir, runner):
    """Every rule counter (and iptables chain policy counter) of the
    kernel after the traffic against ctreplay's --counters."""
    import json
    kdoc = os.path.join(gdir, "nft-after.json")
    kipt = [os.path.join(gdir, f) for f in ("iptables-after.txt", "ip6tables-after.txt")]
    fd, path = tempfile.mkstemp(prefix="ctreplay-counters.")
    os.close(fd)
    try:
        runner.run("counters", ["--counters", path])
        with open(path) as f:
            mine = f.read()
    finally:
        os.unlink(path)
    if mine.lstrip().startswith("{"):
        k = _nft_rule_counters(json.loads(read(kdoc)))
        c = _nft_rule_counters(json.loads(mine))
    else:
        k, c = {}, {}
        for p in kipt:
            if os.path.exists(p):
                k.update(_ipt_counters(read(p)))
        c = _ipt_counters(mine)
    good = 0
    for key in sorted(k, key=str):
        if c.get(key) == k[key]:
            good += 1
        else:
            rep.detail("rule counter %s: kernel %s, ctreplay %s" % (
                " ".join(str(x) for x in key), k[key], c.get(key)))
    rep.part("rule counters %d/%d" % (good, len(k)), good == len(k))


LOG_RE = re.compile(r"^<\d>\[\s*[\d.]+\] ")


def compare_fw_log(rep, gdir, runner):
    """The kernel log lines of log rules against --log's, in order (the
    timestamps differ: the kernel's count from boot)."""
    kl = [LOG_RE.sub("", l).rstrip() for l in read(os.path.join(gdir, "kernel.log")).splitlines()]
    kl = [l for l in kl if " IN=" in l or l.startswith("IN=")]
    fd, path = tempfile.mkstemp(prefix="ctreplay-log.")
    os.close(fd)
    try:
        runner.run("log", ["--log", path])
        with open(path) as f:
            cl = [re.sub(r"^\[[\d.]+\] ", "", l).rstrip() for l in f.read().splitlines()]
    finally:
        os.unlink(path)
    good = sum(1 for a, b in zip(kl, cl) if a == b)
    ok = good == len(kl) == len(cl)
    if not ok:
        for i, (a, b) in enumerate(zip(kl, cl)):
            if a != b:
                rep.detail("log line %d: kernel: %s" % (i + 1, a))
                rep.detail("log line %d: ctreplay: %s" % (i + 1, b))
                break
        if len(kl) != len(cl):
            rep.detail("log lines: kernel %d, ctreplay %d" % (len(kl), len(cl)))
    rep.part("log lines %d/%d" % (good, len(kl)), ok)


def _compare_nft(rep, nft, counts):
    """nft's forward-chain counters against COUNTS, ctreplay's verdicts
    ({state: forwarded packets})."""
    good = 0
    for st in CT_STATES:
        k, c = nft.get(st), counts.get(st, 0)
        if k is None:
            continue
        if k == c:
            good += 1
        else:
            rep.detail("counter ct state %s: nft %d, ctreplay %d" % (st.lower(), k, c))
    n = sum(1 for st in CT_STATES if st in nft)
    rep.part("counters %d/%d" % (good, n), good == n)


# ---------------------------------------------------------------- expectations

def parse_expect_events(text):
    """Expectation lifetimes of `conntrack -E expect` text: {identity:
    [[Step, ...], ...]}.  The identity is everything after the timeout
    (expected tuple, mask, master tuple, class, helper); a NEW starts a
    lifetime, a DESTROY ends it."""
    lifetimes = collections.OrderedDict()
    for line in text.splitlines():
        m = TS_RE.match(line)
        ts = None
        if m:
            ts = int(m.group(1)) + int(m.group(2)) / 10 ** len(m.group(2))
            line = line[m.end():]
        body = line.rstrip()
        tag = re.match(r"^\s*\[(\w+)\]", body)
        if not tag:
            continue
        st = Step()
        st.ts, st.type = ts, tag.group(1)
        st.masked, st.timeout = mask_timeout(body, expect=True)
        tm = EXP_TIMEOUT_RE.match(body)
        key = body[tm.end() if tm else tag.end():].strip()
        st.parsed = key
        lives = lifetimes.setdefault(key, [])
        if st.type == "NEW" or not lives or lives[-1][-1].type == "DESTROY":
            lives.append([])
        lives[-1].append(st)
    return lifetimes


def expect_name(st):
    """A short name: the expected tuple and the master's ports."""
    f = st.parsed.split()
    proto = f[0] if f else "?"
    kv = [t.partition("=") for t in f[1:6]]
    d = dict((k, v) for k, _e, v in kv)
    return "%s %s > %s dport=%s" % (proto, d.get("src", "?"), d.get("dst", "?"),
                                    d.get("dport", "?"))


def _compare_expect_lifetime(ks, cs, last_frame_ts):
    if not ks or not cs:
        return False
    n = min(len(ks), len(cs))
    if not all(_step_equal(ks[j], cs[j]) for j in range(n)):
        return False
    if len(ks) == len(cs):
        return True
    if len(ks) == len(cs) + 1:
        d = ks[-1]
        # Its own timer removed it (0 s left) after the capture ended:
        # ctreplay's clock stops at the last frame.
        if d.type == "DESTROY" and d.timeout == 0 and d.ts is not None \
                and last_frame_ts is not None and d.ts > last_frame_ts:
            return ("kernel expired the expectation %.1f s after the last frame; "
                    "ctreplay stops at the last frame" % (d.ts - last_frame_ts))
    return False


def compare_expect_events(rep, kernel_text, ct_text, last_frame_ts, counts=False):
    """Per expectation (exact mode) or NEW/DESTROY totals (counts mode)."""
    kl, cl = parse_expect_events(kernel_text), parse_expect_events(ct_text)
    if counts:
        def tally(lives):
            c = collections.Counter()
            for ls in lives.values():
                for life in ls:
                    for st in life:
                        c[st.type] += 1
            return c
        kc, cc = tally(kl), tally(cl)
        good = 0
        for t in sorted(set(kc) | set(cc)):
            if kc[t] == cc[t]:
                good += 1
            else:
                rep.detail("expect events [%s]: kernel %d, ctreplay %d" % (t, kc[t], cc[t]))
        n = len(set(kc) | set(cc))
        rep.part("expect counts %d/%d" % (good, n), good == n)
        return

    def judge(_key, ks, cs):
        return _compare_expect_lifetime(ks, cs, last_frame_ts)

    good, total, extra = _compare_lifetimes(rep, kl, cl, judge, expect_name,
                                            "expect-events, expectation")
    txt = "expect %d/%d" % (min(good, total), total)
    if extra > 0:
        txt += " (+%d extra)" % extra
    rep.part(txt, good == total and extra <= 0)


# ---------------------------------------------------------------- conntrack -S

STATS_KEYS = ("drop", "early_drop", "invalid")


def parse_stats(text):
    """`# stats <time> <label>` sections of conntrack -S output, each summed
    over its CPU lines: [(time, label, {counter: value})].  Text without a
    `# stats` header (ctreplay -S) is one section with time None."""
    secs, cur = [], None
    for line in text.splitlines():
        if line.startswith("# stats"):
            parts = line.split(None, 3)
            cur = (float(parts[2]) if len(parts) > 2 else None,
                   parts[3] if len(parts) > 3 else "", collections.Counter())
            secs.append(cur)
            continue
        if not line.startswith("cpu="):
            continue
        if cur is None:
            cur = (None, "", collections.Counter())
            secs.append(cur)
        for tok in line.split():
            k, e, v = tok.partition("=")
            if e and k != "cpu" and v.isdigit():
                cur[2][k] += int(v)
    return secs


def truncate_pcap(src, dst, until_ns):
    """Copy the records of pcap SRC stamped at or before UNTIL_NS to DST."""
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    for endian in ("<", ">"):
        (m,) = struct.unpack(endian + "I", magic)
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise CompareError("%s: a stats snapshot inside the capture needs pcap "
                           "(not pcapng) inputs" % src)
    nano = m == 0xA1B23C4D
    out, off = [data[:24]], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _wl = struct.unpack(endian + "IIII", data[off:off + 16])
        if off + 16 + caplen > len(data):
            break
        if sec * 1000000000 + (frac if nano else frac * 1000) > until_ns:
            break  # tcpdump writes in time order
        out.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    with open(dst, "wb") as f:
        f.write(b"".join(out))


def compare_stats(rep, gdir, runner, inputs, frames):
    """The recorded `conntrack -S` snapshots (CPU lines summed) against
    ctreplay -S over the frames captured up to each snapshot's instant."""
    path = os.path.join(gdir, "stats")
    if not os.path.exists(path):
        return
    secs = parse_stats(read(path))
    first = frames[0][1] if frames else None
    last = frames[-1][1] if frames else None
    at_end = None
    good = total = 0
    tmp = None
    try:
        for t, label, kc in secs:
            t_ns = int(round(t * 1e9)) if t is not None else None
            if first is None or (t_ns is not None and t_ns < first):
                cc = collections.Counter()  # nothing replayed yet
            elif t_ns is None or t_ns >= last:
                if at_end is None:
                    at_end = parse_stats(runner.run("stats", ["-S"]))
                    at_end = at_end[0][2] if at_end else collections.Counter()
                cc = at_end
            else:
                if tmp is None:
                    tmp = tempfile.mkdtemp(prefix="ctreplay-stats.")
                cut = []
                for i, p in enumerate(inputs):
                    dst = os.path.join(tmp, "%s-%d-%s" % (label, i, os.path.basename(p)))
                    truncate_pcap(os.path.join(gdir, p), dst, t_ns)
                    cut.append(dst)
                got = parse_stats(runner.run("stats-" + label, ["-S"], inputs=cut))
                cc = got[0][2] if got else collections.Counter()
            for k in STATS_KEYS:
                total += 1
                if kc[k] == cc[k]:
                    good += 1
                else:
                    rep.detail("stats %s (%s): %s: kernel %d, ctreplay %d" % (
                        label, "%.6f" % t if t is not None else "?", k, kc[k], cc[k]))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    rep.part("stats %d/%d" % (good, total), good == total)


# ---------------------------------------------------------------- counts mode
#
# When the table is full, which entries early_drop evicts and which packets
# find a victim depend on the kernel's random hash seed, so flows cannot be
# matched one to one.  compare=counts checks everything that does not depend
# on that choice, exactly.

def _event_lines(text):
    """[(type, parsed)] of conntrack -E text, in order."""
    res = []
    for line in text.splitlines():
        m = TS_RE.match(line)
        body = (line[m.end():] if m else line).rstrip()
        if not body.lstrip().startswith("["):
            continue
        r = parse_ct(body)
        res.append((r["type"], r))
    return res


def event_counts(text):
    """Counter of NEW, early-drop DESTROY and killed DESTROY events.

    A DESTROY that carries a timeout is an entry removed before it expired.
    It is an early-drop eviction when the entry is not [ASSURED] (early_drop
    skips assured entries), its state is not CLOSE/CLOSED (a tracker that
    kills an entry on a packet, e.g. an RST answering an unreplied SYN, moves
    it to CLOSE first) and the next event is not a NEW of the same original
    tuple (a SYN reopening a TIME_WAIT/CLOSE entry kills it and creates it
    again at once).  Other DESTROYs with a timeout are killed entries;
    DESTROYs without one (expiry) are not counted: their timing is the GC's.
    """
    ev = _event_lines(text)
    c = collections.Counter()
    for i, (t, r) in enumerate(ev):
        if t == "NEW":
            c["NEW"] += 1
        elif t == "DESTROY" and r["timeout"] is not None:
            nxt = ev[i + 1][1] if i + 1 < len(ev) else None
            reopen = (nxt is not None and nxt["type"] == "NEW" and
                      (nxt["l3"], nxt["l4"], nxt["orig"]) == (r["l3"], r["l4"], r["orig"]))
            if ("ASSURED" not in r["flags"] and r["state"] not in ("CLOSE", "CLOSED")
                    and not reopen):
                c["early-drop"] += 1
            else:
                c["killed"] += 1
    return c


def _count_part(rep, label, k, c, what):
    txt = "%s %d/%d" % (label, min(k, c), k)
    if c > k:
        txt += " (+%d extra)" % (c - k)
    if k != c:
        rep.detail("%s: kernel %d, ctreplay %d" % (what, k, c))
    rep.part(txt, k == c)


def compare_event_counts(rep, kernel_text, ct_text):
    kc, cc = event_counts(kernel_text), event_counts(ct_text)
    _count_part(rep, "NEW events", kc["NEW"], cc["NEW"], "NEW events")
    _count_part(rep, "early-drop DESTROYs", kc["early-drop"], cc["early-drop"],
                "early-drop DESTROY events (timeout left, not ASSURED, not CLOSE)")
    _count_part(rep, "killed DESTROYs", kc["killed"], cc["killed"],
                "other DESTROY events with a timeout (killed by a packet)")


def _state_key(r):
    flags = sorted(r["flags"] & {"UNREPLIED", "ASSURED"})
    return "%s %s %s%s" % (r["l3"], r["l4"], r["state"] or "-",
                           "".join(" [%s]" % f for f in flags))


def _state_counts(lines):
    return collections.Counter(_state_key(parse_ct(l)) for l in lines)


def compare_snapshot_counts(rep, ksnaps, ct_text):
    csnaps = parse_snapshots(ct_text)
    total = sum(len(s[2]) + len(s[3]) for s in ksnaps)
    if len(csnaps) != len(ksnaps):
        rep.detail("snapshots: kernel recorded %d, ctreplay printed %d" % (len(ksnaps), len(csnaps)))
        rep.part("snapshot sizes 0/%d" % total, False)
        return
    good, ok = 0, True
    for (t, label, kl, ke), (_ct, _cl, cl, ce) in zip(ksnaps, csnaps):
        kc, cc = _state_counts(kl), _state_counts(cl)
        kc["expectations"], cc["expectations"] = len(ke), len(ce)
        for st in sorted(set(kc) | set(cc)):
            good += min(kc[st], cc[st])
            if kc[st] != cc[st]:
                ok = False
                rep.detail("snapshot %s (%s): %s: kernel %d, ctreplay %d" % (
                    t, label, st, kc[st], cc[st]))
    rep.part("snapshot sizes %d/%d" % (good, total), ok)


def compare_list_counts(rep, ksnap, ksnap_ts, ct_text, last_frame_ts):
    """-L sizes per state vs the kernel's last snapshot; ctreplay entries
    with no more time left than the gap may be missing from the snapshot."""
    gap = (ksnap_ts - last_frame_ts) if last_frame_ts is not None else 0.0
    kc = _state_counts(ksnap)
    cc, short = collections.Counter(), collections.Counter()
    for l in ct_text.splitlines():
        if not l.strip() or l.startswith("conntrack v") or l.startswith("#"):
            continue
        r = parse_ct(l)
        cc[_state_key(r)] += 1
        if r["timeout"] is not None and r["timeout"] <= gap + 1:
            short[_state_key(r)] += 1
    ok, good = True, 0
    for st in sorted(set(kc) | set(cc)):
        if cc[st] - short[st] <= kc[st] <= cc[st]:
            good += kc[st]
            continue
        good += min(kc[st], cc[st])
        ok = False
        rep.detail("-L: %s: kernel end snapshot %d, ctreplay -L %d%s" % (
            st, kc[st], cc[st], " (%d expiring before it)" % short[st] if short[st] else ""))
    rep.part("list entries %d/%d" % (good, sum(kc.values())), ok)


# ---------------------------------------------------------------- main

def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        raise CompareError(str(e))


def kernel_only(name, gdir, ksnaps):
    """Print what the recording says, and check the in/out matching against
    nft's own counters (both must agree if the matching is right)."""
    kl = parse_events(read(os.path.join(gdir, "events")))
    nft = parse_nft_counters(os.path.join(gdir, "nft"))
    drops, descs, fwd = kernel_drops(gdir)
    lines = sum(len(s[2]) + len(s[3]) for s in ksnaps)
    nd = sum(drops.values())
    print("%s: events %d flows, snapshot lines %d in %d snapshots, invalid frames %d, "
          "forwarded %d; nft %s" % (
              name, sum(len(v) for v in kl.values()), lines, len(ksnaps), nd, fwd,
              " ".join("%s=%d" % (k.lower(), v) for k, v in nft.items())))
    ec = event_counts(read(os.path.join(gdir, "events")))
    xl = parse_expect_events(read(os.path.join(gdir, "expect-events")))
    print("  NEW events %d, early-drop DESTROYs %d, killed DESTROYs %d; expectations %d" % (
        ec["NEW"], ec["early-drop"], ec["killed"], sum(len(v) for v in xl.values())))
    # conntrack's own drops (table full) happen before the forward chain:
    # nft never counts those packets
    ctdrop, why = 0, ""
    if os.path.exists(os.path.join(gdir, "stats")):
        for t, label, c in parse_stats(read(os.path.join(gdir, "stats"))):
            print("  stats %s %s: %s" % (label, t, " ".join(
                "%s=%d" % (k, c[k]) for k in STATS_KEYS)))
            ctdrop, why = c["drop"], " (+ conntrack -S drop=%d)" % c["drop"]
    for k in drops:
        print("  dropped: %s" % descs[k])
    ok = True
    eth = [os.path.join(gdir, f) for f in ("eth-rc0.pcap", "eth-rs0.pcap")]
    if all(os.path.exists(f) for f in eth):
        units_in, _ = build_units(merged_frames([os.path.join(gdir, "in.pcap")]))
        units_eth, _ = build_units(merged_frames(eth))
        a = collections.Counter(u.key for u in units_in if u.forwarded)
        b = collections.Counter(u.key for u in units_eth if u.forwarded)
        if a != b:
            print("  WARNING: the Ethernet captures differ from in.pcap: %d forwarded "
                  "packets only in in.pcap, %d only in eth-*.pcap"
                  % (sum((a - b).values()), sum((b - a).values())))
            ok = False
    if "INVALID" in nft and nft["INVALID"] + ctdrop != nd:
        print("  WARNING: nft counted %d invalid packets%s, in/out matching finds %d drops"
              % (nft["INVALID"], why, nd))
        ok = False
    if nft and sum(nft.values()) + ctdrop != fwd:
        print("  WARNING: nft counted %d forwarded packets%s, in.pcap has %d forwarded"
              % (sum(nft.values()), why, fwd))
        ok = False
    return 0 if ok else 1


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("golden_dir")
    ap.add_argument("--ctreplay", help="path to the ctreplay binary")
    ap.add_argument("--options", default="", help="ctreplay options (one string)")
    ap.add_argument("--inputs", default="in.pcap",
                    help="comma-separated inputs, relative to GOLDEN_DIR")
    ap.add_argument("--name", help="name shown in the report")
    ap.add_argument("--compare", choices=("exact", "counts"), default="exact",
                    help="exact (flow by flow, the default) or counts (totals only: "
                         "table-full recordings, where the kernel's choice of victims "
                         "is random)")
    ap.add_argument("--keep", metavar="DIR", help="save ctreplay's outputs in DIR")
    ap.add_argument("--kernel-only", action="store_true",
                    help="only parse the recording and print the kernel's numbers")
    a = ap.parse_args(argv)
    gdir = a.golden_dir
    name = a.name or os.path.basename(os.path.normpath(gdir))
    try:
        ksnaps = parse_snapshots(read(os.path.join(gdir, "proc")))
        if a.kernel_only:
            return kernel_only(name, gdir, ksnaps)
        if not a.ctreplay:
            ap.error("--ctreplay is required (or --kernel-only)")
        inputs = [p for p in a.inputs.split(",") if p]
        runner = Runner(a.ctreplay, gdir, shlex.split(a.options), inputs, a.keep)
        frames = merged_frames([os.path.join(gdir, p) for p in inputs])
        last_ts = frames[-1][1] / 1e9 if frames else None
        rep = Report()
        counts = a.compare == "counts"

        ev = runner.run("events", ["-E", "-o", "timestamp,extended"])
        end_snap = ksnaps[-1][2] if ksnaps else []
        if counts:
            compare_event_counts(rep, read(os.path.join(gdir, "events")), ev)
        else:
            compare_events(rep, read(os.path.join(gdir, "events")), ev, last_ts, end_snap)

        compare_expect_events(rep, read(os.path.join(gdir, "expect-events")),
                              runner.run("expect-events", ["--expect-events", "-o", "timestamp"]),
                              last_ts, counts)

        if ksnaps:
            args = []
            for s in ksnaps:
                args += ["--snapshot", s[0]]
            snaps = runner.run("snapshots", args)
            if counts:
                compare_snapshot_counts(rep, ksnaps, snaps)
            else:
                compare_snapshots(rep, ksnaps, snaps)

        kd, kdesc, _fwd = kernel_drops(gdir)
        nft = parse_nft_counters(os.path.join(gdir, "nft"))
        firewall = "--firewall" in runner.options or "--ruleset" in runner.options
        compare_verdicts(rep, gdir, inputs, runner.run("verdicts", ["--verdicts"]),
                         kd, kdesc, nft, counts, firewall)
        if firewall:
            compare_fw_counters(rep, gdir, runner)
            if os.path.exists(os.path.join(gdir, "kernel.log")):
                compare_fw_log(rep, gdir, runner)

        if ksnaps:
            lst = runner.run("list", ["-L"])
            if counts:
                compare_list_counts(rep, ksnaps[-1][2], float(ksnaps[-1][0]), lst, last_ts)
            else:
                compare_list(rep, ksnaps[-1][2], float(ksnaps[-1][0]), lst, last_ts)

        compare_stats(rep, gdir, runner, inputs, frames)
    except CompareError as e:
        print("%s: ERROR %s" % (name, e))
        return 2
    print("%s: %s %s" % (name, ", ".join(rep.parts), "FAIL" if rep.failed else "OK"))
    for l in rep.details + rep.notes:
        print(l)
    return 1 if rep.failed else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
