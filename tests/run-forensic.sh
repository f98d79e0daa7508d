#!/bin/sh
# Forensic review: selection (-p, -s, --state, --status, --from/--to ...),
# --proc-format ip_conntrack, -o xml, the -S summary, --plot, the progress
# display and --zone-from vlan.  Inputs are the kernel recordings in
# tests/golden and tests/samples/vlan-zones.pcap (two VLANs carrying the
# same UDP flow, an untagged copy, and a QinQ ping).  Run by `make check`.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CT=$top_builddir/ctreplay
G=$top_srcdir/tests/golden
VLAN=$top_srcdir/tests/samples/vlan-zones.pcap
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-forensic.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
. "$top_srcdir/tests/checklib.sh"

same() {        # same NAME EXPECTED-FILE ACTUAL-FILE
	check "$1" diff -u "$2" "$3"
}

# ---------------------------------------------------------------- selection
# A mixed capture: HTTP (tcp) merged with a UDP stream.
MIX="$G/http-v4/in.pcap $G/udp-stream-v4/in.pcap"
"$CT" $MIX >"$TMP/mix.ev"
"$CT" -p udp $MIX >"$TMP/udp.ev"
grep ' udp ' "$TMP/mix.ev" >"$TMP/udp.want"
check "-p udp leaves some lines" test -s "$TMP/udp.ev"
same "-p udp leaves exactly the udp events" "$TMP/udp.want" "$TMP/udp.ev"
"$CT" -p 17 $MIX >"$TMP/udp17.ev"
same "-p 17 is -p udp" "$TMP/udp.ev" "$TMP/udp17.ev"
"$CT" -p tcp --verdicts $MIX >"$TMP/tcp.vd"
check "-p tcp verdicts are all tcp" \
	sh -c "test -s '$TMP/tcp.vd' && ! grep -v ' tcp ' '$TMP/tcp.vd'"

# original and reply addresses and ports
"$CT" --dport 8080 $MIX >"$TMP/dport.ev"
grep 'dport=8080 ' "$TMP/mix.ev" >"$TMP/dport.want"
same "--dport 8080 keeps the HTTP events" "$TMP/dport.want" "$TMP/dport.ev"
"$CT" --reply-port-src 8080 $MIX >"$TMP/rsport.ev"
same "--reply-port-src 8080 selects the same" "$TMP/dport.want" "$TMP/rsport.ev"
"$CT" --sport 8080 $MIX >"$TMP/sport.ev"
check "--sport 8080 (original) selects nothing" test ! -s "$TMP/sport.ev"
"$CT" -s 10.77.1.0/24 -d 10.77.2.2 --reply-src 10.77.2.2 \
	--reply-dst 10.77.1.2 $MIX >"$TMP/addr.ev"
same "-s/-d/--reply-src/--reply-dst keep all" "$TMP/mix.ev" "$TMP/addr.ev"
"$CT" -s 10.77.2.2 $MIX >"$TMP/addr2.ev"
check "-s of the server selects nothing" test ! -s "$TMP/addr2.ev"

# --state on a snapshot: the HTTP connections end in TIME_WAIT
"$CT" --snapshot end $MIX >"$TMP/all.snap"
"$CT" --snapshot end --state TIME_WAIT $MIX >"$TMP/tw.snap"
{ grep '^#' "$TMP/all.snap" | head -1; grep ' TIME_WAIT ' "$TMP/all.snap"
  grep '^# expect' "$TMP/all.snap"; } >"$TMP/tw.want"
check "the snapshot has other entries too" \
	sh -c "grep -v '^#' '$TMP/all.snap' | grep -vq TIME_WAIT"
same "--state TIME_WAIT snapshot" "$TMP/tw.want" "$TMP/tw.snap"
"$CT" -L --state time_wait,established $MIX 2>/dev/null >"$TMP/tw.list"
check "--state in -L, case-insensitive, comma list" \
	sh -c "test \$(wc -l <'$TMP/tw.list') -eq 3 && ! grep -v TIME_WAIT '$TMP/tw.list'"
check "--state NOPE is a usage error" \
	sh -c "'$CT' --state NOPE $MIX >/dev/null 2>&1; test \$? -eq 1"

# --status: UNREPLIED is "not SEEN_REPLY"
"$CT" --status UNREPLIED $MIX >"$TMP/unrep.ev"
grep '\[UNREPLIED\]' "$TMP/mix.ev" >"$TMP/unrep.want"
same "--status UNREPLIED keeps the unreplied events" \
	"$TMP/unrep.want" "$TMP/unrep.ev"
"$CT" --status ASSURED,SEEN_REPLY $MIX >"$TMP/assured.ev"
grep '\[ASSURED\]' "$TMP/mix.ev" >"$TMP/assured.want"
same "--status ASSURED,SEEN_REPLY" "$TMP/assured.want" "$TMP/assured.ev"
"$CT" --mark 0 $MIX >"$TMP/mark0.ev"
same "--mark 0 keeps everything" "$TMP/mix.ev" "$TMP/mark0.ev"
"$CT" --mark 1/0xff $MIX >"$TMP/mark1.ev"
check "--mark 1/0xff selects nothing" test ! -s "$TMP/mark1.ev"

# --json goes through the selection too
"$CT" --json "$TMP/udp.json" -p udp $MIX >/dev/null
check "--json -p udp writes only udp lifetimes" \
	sh -c "test \$(wc -l <'$TMP/udp.json') -ge 1 && ! grep -v '\"proto\":\"udp\"' '$TMP/udp.json'"

# verdicts of frames without an entry match on their own tuple
"$CT" --verdicts -p tcp --dport 9001 "$G/tcp-scapy-oddities-v4/in.pcap" \
	>"$TMP/odd.vd"
check "INVALID frames (no entry) match on the packet's tuple" \
	sh -c "test \$(grep -c 'INVALID - tcp' '$TMP/odd.vd') -eq 7"

# time window: events and verdicts between --from and --to only
"$CT" -o timestamp $G/http-v4/in.pcap >"$TMP/http.ev"
"$CT" -o timestamp --from 1795347884.7 --to 1795347884.8 \
	$G/http-v4/in.pcap >"$TMP/win.ev"
awk -F'[][]' '$2 >= 1795347884.7 && $2 <= 1795347884.8' "$TMP/http.ev" \
	>"$TMP/win.want"
check "the window holds one connection's 6 events" \
	sh -c "test \$(wc -l <'$TMP/win.ev') -eq 6"
same "--from/--to keep the events inside" "$TMP/win.want" "$TMP/win.ev"
"$CT" --from +0 -o timestamp $G/http-v4/in.pcap >"$TMP/win0.ev"
same "--from +0 keeps everything" "$TMP/http.ev" "$TMP/win0.ev"
"$CT" --from +100 --verdicts $G/http-v4/in.pcap >"$TMP/win100.vd"
check "--from +100 (after the capture) prints no verdict" \
	test ! -s "$TMP/win100.vd"
"$CT" --to 1795347884.8 --snapshot end $G/http-v4/in.pcap >"$TMP/winsnap"
"$CT" --snapshot end $G/http-v4/in.pcap >"$TMP/nowinsnap"
same "the window does not change what the engine did" \
	"$TMP/nowinsnap" "$TMP/winsnap"

# -------------------------------------------------------------- ip_conntrack
"$CT" --snapshot end --proc-format ip_conntrack $G/http-v4/in.pcap \
	>"$TMP/ipct"
cat >"$TMP/ipct.want" <<'EOF'
# snapshot 1795347885.034145211
tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=58024 dport=8080 src=10.77.2.2 dst=10.77.1.2 sport=8080 dport=58024 [ASSURED] mark=0 use=1
tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=58030 dport=8080 src=10.77.2.2 dst=10.77.1.2 sport=8080 dport=58030 [ASSURED] mark=0 use=1
tcp      6 120 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 sport=58046 dport=8080 src=10.77.2.2 dst=10.77.1.2 sport=8080 dport=58046 [ASSURED] mark=0 use=1
EOF
same "--proc-format ip_conntrack lines as 2.6 printed them" \
	"$TMP/ipct.want" "$TMP/ipct"
"$CT" --snapshot end --proc-format ip_conntrack $G/ping-v4/in.pcap \
	$G/ping-v6/in.pcap >"$TMP/ipct46"
"$CT" --snapshot end $G/ping-v4/in.pcap $G/ping-v6/in.pcap >"$TMP/nf46"
check "nf_conntrack shows the IPv6 entry" grep -q '^ipv6 ' "$TMP/nf46"
check "ip_conntrack omits IPv6 entries" \
	sh -c "test \$(grep -vc '^#' '$TMP/ipct46') -eq 1 && grep -q '^icmp     1 ' '$TMP/ipct46'"

# ---------------------------------------------------------------------- xml
"$CT" -o xml -E -L $G/http-v4/in.pcap >"$TMP/http.xml" 2>/dev/null
cat >"$TMP/xmlcheck.py" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "conntrack", root.tag
flows = root.findall("flow")
types = [f.get("type") for f in flows]
assert types.count("new") == 3, types
assert types.count(None) == 3, types          # the -L dump
f = flows[0]
o = f.find("meta[@direction='original']")
assert o.find("layer3").get("protoname") == "ipv4"
assert o.find("layer3/src").text == "10.77.1.2"
assert o.find("layer3/dst").text == "10.77.2.2"
assert o.find("layer4").get("protoname") == "tcp"
assert o.find("layer4/dport").text == "8080"
r = f.find("meta[@direction='reply']")
assert r.find("layer3/src").text == "10.77.2.2"
assert r.find("layer4/sport").text == "8080"
ind = f.find("meta[@direction='independent']")
assert ind.find("state").text == "SYN_SENT"
assert ind.find("timeout").text == "120"
assert ind.find("unreplied") is not None
last = flows[-1].find("meta[@direction='independent']")
assert last.find("state").text == "TIME_WAIT"
assert last.find("use").text == "1" and last.find("assured") is not None
EOF
check "-o xml is well-formed and holds the tuple" \
	python3 "$TMP/xmlcheck.py" "$TMP/http.xml"
"$CT" -o xml -p sctp $G/http-v4/in.pcap >"$TMP/empty.xml"
check "-o xml with nothing selected prints nothing (as conntrack)" \
	test ! -s "$TMP/empty.xml"

# ---------------------------------------------------------------- -S summary
"$CT" -S $G/tcp-scapy-oddities-v4/in.pcap >"$TMP/stats"
check "-S keeps the conntrack -S line first" \
	sh -c "head -1 '$TMP/stats' | grep -q '^cpu=0   	found=.* invalid=7 '"
check "-S summary lines all start with '# '" \
	sh -c "tail -n +2 '$TMP/stats' | grep -qv '^# ' && exit 1 || exit 0"
check "-S: 7 INVALID frames" grep -qx '# INVALID frames: 7' "$TMP/stats"
check "-S: frames read and not seen" \
	sh -c "grep -qx '# frames read: 18' '$TMP/stats' && grep -qx '# frames not seen by conntrack: 2' '$TMP/stats'"
sed -n '/^# INVALID frames/,/^# entries created/p' "$TMP/stats" \
	| sed '1d;$d' >"$TMP/reasons"
cat >"$TMP/reasons.want" <<'EOF'
#   3 invalid new
#   3 invalid tcp flag combination
#   1 bad checksum
EOF
same "-S: INVALID by reason, by count then text" \
	"$TMP/reasons.want" "$TMP/reasons"
check "-S: entries created and destroyed by cause" \
	sh -c "grep -qx '# entries created: 2' '$TMP/stats' && grep -qx '# entries destroyed: 1 (expired 0, killed 1, reopened 0, early drop 0)' '$TMP/stats'"
check "-S: peak table size and when" \
	grep -qx '# peak table size: 2 at 1795347955.283251133 (frame 14)' \
	"$TMP/stats"
check "-S: backwards timestamps" \
	grep -qx '# backwards timestamps: 0' "$TMP/stats"

# --------------------------------------------------------------------- plot
"$CT" --plot "$TMP/plot.svg" -S $G/tcp-scapy-oddities-v4/in.pcap \
	$G/http-v4/in.pcap >/dev/null
check "--plot writes an SVG" test -s "$TMP/plot.svg"
cat >"$TMP/svgcheck.py" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
for want in ("TIME_WAIT", "INVALID frames/s", "capture time (UTC)", "entries"):
    assert want in text, want
assert len(root.findall(".//{http://www.w3.org/2000/svg}path")) >= 1
EOF
check "--plot SVG is well-formed XML with legend and axes" \
	python3 "$TMP/svgcheck.py" "$TMP/plot.svg"
"$CT" --plot "$TMP/plot2.svg" $G/tcp-scapy-oddities-v4/in.pcap \
	$G/http-v4/in.pcap >/dev/null
check "--plot is deterministic" cmp "$TMP/plot.svg" "$TMP/plot2.svg"
"$CT" --plot "$TMP/max.svg" --set max=2 $G/http-v4/in.pcap >/dev/null
check "--plot draws nf_conntrack_max when in range" \
	grep -q nf_conntrack_max "$TMP/max.svg"
check "--plot leaves the default limit out" \
	sh -c "! grep -q nf_conntrack_max '$TMP/plot.svg'"
if command -v rsvg-convert >/dev/null 2>&1; then
	rsvg-convert -o "$TMP/plot.png" "$TMP/plot.svg" 2>"$TMP/rsvg.err"
	check "rsvg-convert renders the plot to a PNG" \
		sh -c "test -s '$TMP/plot.png' && head -c 8 '$TMP/plot.png' | od -An -c | grep -q 'P   N   G'"
else
	echo "skip: rsvg-convert not installed (Debian package librsvg2-bin)"
fi

# ----------------------------------------------------------------- progress
# stderr is not a terminal here: nothing may appear on it
"$CT" --verdicts $G/http-v4/in.pcap >/dev/null 2>"$TMP/progress.err"
check "no progress display when stderr is not a terminal" \
	test ! -s "$TMP/progress.err"

# -------------------------------------------------------------------- zones
"$CT" $VLAN >"$TMP/nozone.ev"
"$CT" --zone-from vlan $VLAN >"$TMP/zone.ev"
check "without --zone-from, the VLANs share one entry" \
	sh -c "test \$(grep -c 'NEW\] udp' '$TMP/nozone.ev') -eq 1 && ! grep -q zone= '$TMP/nozone.ev'"
check "with --zone-from vlan, one udp entry per zone" \
	sh -c "test \$(grep -c 'NEW\] udp' '$TMP/zone.ev') -eq 3"
check "conntrack -E prints zone= only when non-zero" \
	sh -c "grep -q 'dport=5353 zone=10\$' '$TMP/zone.ev' && grep -q 'dport=5353 zone=20\$' '$TMP/zone.ev' && grep 'NEW\] udp' '$TMP/zone.ev' | tail -1 | grep -qv zone="
check "QinQ: the outermost tag is the zone" \
	grep -q 'type=0 code=0 id=7 zone=30$' "$TMP/zone.ev"
"$CT" --zone-from vlan --snapshot end $VLAN >"$TMP/zone.snap"
check "/proc always prints zone=" \
	sh -c "test \$(grep -c ' zone=0 use=2' '$TMP/zone.snap') -eq 1 && grep -q ' zone=10 use=2' '$TMP/zone.snap' && grep -q ' zone=20 use=2' '$TMP/zone.snap'"
"$CT" --zone-from vlan --zone 20 --verdicts $VLAN >"$TMP/zone20.vd"
check "--zone 20 selects that VLAN's frames" \
	sh -c "test \$(wc -l <'$TMP/zone20.vd') -eq 2"
check "--zone-from other is a usage error" \
	sh -c "'$CT' --zone-from mpls $VLAN >/dev/null 2>&1; test \$? -eq 1"

echo "forensic: $pass passed, $fail failed"
test "$fail" -eq 0
