#!/bin/sh
# Command-line behaviour that the goldens do not cover: stdin, BPF filter,
# merging, --explain, --json, -L/-S, --until, determinism across time zones
# and locales, usage errors.  Run by `make check` or by hand.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CT=$top_builddir/ctreplay
G=$top_srcdir/tests/golden
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
. "$top_srcdir/tests/checklib.sh"

# stdin is the same as the file
"$CT" "$G/http-v4/in.pcap" >"$TMP/file.ev"
"$CT" - <"$G/http-v4/in.pcap" >"$TMP/stdin.ev"
check "stdin gives the same events" cmp "$TMP/file.ev" "$TMP/stdin.ev"
check "events are not empty" test -s "$TMP/file.ev"

# Ethernet captures of the two router interfaces, merged, give the same
# events as the router's cooked capture.
"$CT" "$G/http-v4/eth-rc0.pcap" "$G/http-v4/eth-rs0.pcap" >"$TMP/eth.ev"
check "merged Ethernet captures give the cooked capture's events" \
	cmp "$TMP/file.ev" "$TMP/eth.ev"
"$CT" --verdicts "$G/http-v4/eth-rc0.pcap" "$G/http-v4/eth-rs0.pcap" \
	| awk '{print $1}' >"$TMP/frames"
check "frames are numbered from 1 across the merge" \
	sh -c "seq 1 \$(wc -l <'$TMP/frames') | cmp - '$TMP/frames'"

# BPF filter: only the first connection's port
port=$(head -1 "$TMP/file.ev" | grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
"$CT" -f "tcp port $port" "$G/http-v4/in.pcap" >"$TMP/filt.ev"
check "filter keeps one connection" \
	sh -c "test \$(grep -c NEW '$TMP/filt.ev') -eq 1 && ! grep -v 'sport=$port' '$TMP/filt.ev' | grep -q ."
check "bad filter is a usage error" \
	sh -c "'$CT' -f 'tcp port' '$G/http-v4/in.pcap' >/dev/null 2>&1; test \$? -eq 1"

# --explain: the RST that answers an ignored SYN/ACK kills the entry
"$CT" --explain 15 "$G/tcp-scapy-oddities-v4/in.pcap" >"$TMP/explain"
check "explain names the states and the kill" \
	sh -c "grep -q 'state: ESTABLISHED -> CLOSE' '$TMP/explain' &&
	       grep -q 'RST before any reply: entry killed' '$TMP/explain' &&
	       grep -q 'tcp: flags \[R\]' '$TMP/explain'"
"$CT" --explain 9 "$G/tcp-scapy-oddities-v4/in.pcap" >"$TMP/explain9"
check "explain gives the INVALID reason" \
	grep -q 'reason="bad checksum"' "$TMP/explain9"
"$CT" --explain 20 "$G/http-v4/in.pcap" >"$TMP/explain20"
check "explain shows the window bounds in force" \
	sh -c "grep -q 'sender end=' '$TMP/explain20' && grep -q 'receiver end=' '$TMP/explain20'"

# --json: valid NDJSON, one object per lifetime, keys sorted
"$CT" --json "$TMP/flows.json" "$G/http-v4/in.pcap"
if command -v python3 >/dev/null 2>&1; then
	check "json is one sorted object per connection" python3 - "$TMP/flows.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, len(lines)
for l in lines:
    o = json.loads(l)
    assert list(o) == sorted(o), list(o)
    assert o["proto"] == "tcp" and o["transitions"][0]["event"] == "NEW"
    states = [t["state"] for t in o["transitions"] if t["state"]]
    assert states[:3] == ["SYN_SENT", "SYN_RECV", "ESTABLISHED"], states
PY
fi

# -L and -S
"$CT" -L "$G/http-v4/in.pcap" >"$TMP/list" 2>"$TMP/list.err"
check "-L lists the three TIME_WAIT entries" \
	sh -c "test \$(grep -c TIME_WAIT '$TMP/list') -eq 3 &&
	       grep -q '3 flow entries have been shown' '$TMP/list.err'"
"$CT" -S "$G/tcp-scapy-oddities-v4/in.pcap" >"$TMP/stats"
check "-S counts the INVALID frames" grep -q 'invalid=7 ' "$TMP/stats"

# --plot is a report: alone, it writes the picture and nothing else
"$CT" --plot "$TMP/table.svg" "$G/http-v4/in.pcap" >"$TMP/plot.out"
check "--plot alone prints no events" \
	sh -c "test ! -s '$TMP/plot.out' && grep -q '</svg>' '$TMP/table.svg'"

# --until runs the clock on past the last frame
"$CT" --sysctl "$G/ping-v4/sysctl" --until +60 "$G/ping-v4/in.pcap" >"$TMP/until"
check "--until reports the expiry after the last frame" grep -q DESTROY "$TMP/until"
"$CT" --sysctl "$G/ping-v4/sysctl" "$G/ping-v4/in.pcap" >"$TMP/nountil"
check "without --until the entry stays alive" sh -c "! grep -q DESTROY '$TMP/nountil'"

# --snapshot +S and end
"$CT" --snapshot +0.5 --snapshot end "$G/http-v4/in.pcap" >"$TMP/snap"
check "snapshots have their header and /proc lines" \
	sh -c "test \$(grep -c '^# snapshot [0-9]*\.[0-9]\{9\}$' '$TMP/snap') -eq 2 &&
	       test \$(grep -c ' TIME_WAIT .* mark=0 zone=0 use=2$' '$TMP/snap') -eq 3"

# A snapshot after the end of the recording (ping-v4's last frame is at
# +5.6 s, its entry expires at +8) shows the table then, the entry gone,
# but what the recording printed stays as it was: no DESTROY in -E, the
# entry still in -L.  The same with -j and with --expect --update.
P="--sysctl $G/ping-v4/sysctl $G/ping-v4/in.pcap"
# shellcheck disable=SC2086
{
	"$CT" -E -L $P >"$TMP/late.none" 2>&1
	"$CT" -E -L --snapshot +40 $P >"$TMP/late.1" 2>&1
	"$CT" -j 2 -E -L --snapshot +40 $P >"$TMP/late.2" 2>&1
	"$CT" -E --snapshot +6.5 --snapshot +40 $P >"$TMP/late.snaps"
	"$CT" -E --until +10 --snapshot +40 $P >"$TMP/late.until10"
	"$CT" -E -L --until +6 --snapshot +40 $P >"$TMP/late.until6" 2>&1
}
grep -v -e '^#' -e '^ipv4 ' "$TMP/late.1" >"$TMP/late.1.rest"
check "a late snapshot leaves -E and -L as they were" \
	sh -c "cmp '$TMP/late.1.rest' '$TMP/late.none' &&
	       ! grep -q DESTROY '$TMP/late.1' &&
	       grep -q '1 flow entries have been shown' '$TMP/late.1'"
check "a late snapshot: -j 2 prints what one thread prints" \
	cmp "$TMP/late.1" "$TMP/late.2"
check "a late snapshot shows the entries expired up to it" \
	sh -c "test \$(grep -c '^ipv4 .* icmp ' '$TMP/late.snaps') -eq 1 &&
	       sed -n '/^# snapshot/h; /^ipv4/{x;p;}' '$TMP/late.snaps' | grep -q '^# snapshot 1795347903\.3'"
check "--until reports the expiries up to it, a later snapshot none" \
	sh -c "test \$(grep -c DESTROY '$TMP/late.until10') -eq 1 &&
	       ! grep -q DESTROY '$TMP/late.until6' &&
	       grep -q '1 flow entries have been shown' '$TMP/late.until6'"
mkdir "$TMP/pingx"
cp "$G/ping-v4/proc" "$TMP/pingx/"
# shellcheck disable=SC2086
"$CT" --expect "$TMP/pingx" --update $P >/dev/null 2>&1
# shellcheck disable=SC2046,SC2086
"$CT" -E -o timestamp,extended $(sed -n 's/^# snapshot \([^ ]*\).*/--snapshot \1/p' \
	"$G/ping-v4/proc") $P | grep -v -e '^#' -e '^ipv4 ' >"$TMP/pingx.ev"
check "--expect records the events a run with the same snapshots prints" \
	cmp "$TMP/pingx/events" "$TMP/pingx.ev"

# Determinism: same bytes whatever the time zone and locale.
for f in http-v6 tcp-scapy-oddities-v4 ftp-passive-v4; do
	TZ=UTC LC_ALL=C "$CT" -o timestamp,extended,id --verdicts -L -S \
		--snapshot end --json - "$G/$f/in.pcap" >"$TMP/a" 2>&1
	TZ=Asia/Kolkata LC_ALL=de_DE.UTF-8 LANG=fr_FR.UTF-8 "$CT" \
		-o timestamp,extended,id --verdicts -L -S --snapshot end \
		--json - "$G/$f/in.pcap" >"$TMP/b" 2>&1
	check "$f: identical output across TZ and locale" cmp "$TMP/a" "$TMP/b"
done

# Usage errors exit 1
for args in "--bogus x" "--snapshot yesterday x" "--set nope=1 x" \
	    "--helper irc:tcp/6667 x" "-o color x" "--explain 0 x" ""; do
	# shellcheck disable=SC2086
	"$CT" $args >/dev/null 2>&1
	rc=$?
	check "usage error exits 1: ctreplay $args" test "$rc" -eq 1
done

"$CT" -o color x 2>"$TMP/oflags.err"
check "-o's error names every flag it takes" \
	grep -q 'timestamp, extended, id, xml$' "$TMP/oflags.err"

# --firewall: rulesets in the shapes Docker and kube-proxy write (iptables-
# save, tests/fw/ipt) load and replay; without the host's addresses and
# routes their -m addrtype rules cannot be judged: counted, not guessed,
# and --strict refuses them; with a router's addr.json and route.json
# every rule is judged
FW=$top_srcdir/tests/fw/ipt
for rs in docker kube-proxy; do
	mkdir -p "$TMP/fw-$rs"
	cp "$FW/$rs.txt" "$TMP/fw-$rs/iptables-save.txt"
	"$CT" --firewall "$TMP/fw-$rs" -S --verdicts "$G/http-v4/in.pcap" \
		>"$TMP/fw-$rs.out" 2>"$TMP/fw-$rs.err"
	check "$rs ruleset replays" test $? -eq 0
	check "$rs: every IP frame has an action" sh -c \
		"! grep -v ' action=' '$TMP/fw-$rs.out' | grep -q '^[0-9]* [A-Z]'"
	check "$rs: -S names the firewall" grep -q '^firewall: ' "$TMP/fw-$rs.out"
	"$CT" --firewall "$TMP/fw-$rs" --strict "$G/http-v4/in.pcap" \
		>/dev/null 2>"$TMP/fw-$rs.strict"
	check "$rs: --strict refuses a rule it cannot judge (exit 2)" \
		test $? -eq 2
	check "$rs: --strict names the rule" \
		grep -q 'cannot judge a route lookup' "$TMP/fw-$rs.strict"
	cp "$G/fw-ipt-basic-v4/fw/addr.json" "$G/fw-ipt-basic-v4/fw/route.json" \
		"$TMP/fw-$rs/"
	"$CT" --firewall "$TMP/fw-$rs" --strict -S "$G/http-v4/in.pcap" \
		>"$TMP/fw-$rs.net" 2>&1
	check "$rs: with addr.json and route.json --strict accepts it" \
		test $? -eq 0
	check "$rs: with addr.json and route.json no frame meets an unknown" \
		sh -c "! grep -q 'unknown' '$TMP/fw-$rs.net'"
done
# --trace: the frame's way through the chains, as nft monitor trace
"$CT" --firewall "$G/fw-user-chains-v4/fw" --trace 20 "$G/fw-user-chains-v4/in.pcap" \
	>"$TMP/trace.out"
check "--trace shows the packet entering the forward chain" \
	grep -q '^trace id 20 inet fw forward packet: iif "rc0" oif "rs0" .*ip ttl 63 .*ct state established$' "$TMP/trace.out"
check "--trace follows the jump and the return" sh -c \
	"grep -q 'forward rule handle 16 (verdict jump classify)' '$TMP/trace.out' &&
	 grep -q 'forward rule handle 17 (verdict accept)' '$TMP/trace.out'"
check "--trace alone prints nothing else" test "$(wc -l <"$TMP/trace.out")" -eq 4
# --json: each lifetime names the rules that decided its frames
"$CT" --firewall "$G/fw-policy-drop-v4/fw" --json "$TMP/fw.json" -L \
	"$G/fw-policy-drop-v4/in.pcap" >/dev/null
check "--json with a firewall: the rules that decided the flow" \
	grep -q '"rules":\[{"action":"accept","frames":1,"rule":"inet fw forward handle 3"},{"action":"accept","frames":13,"rule":"inet fw forward handle 2"}\]' "$TMP/fw.json"
# the prediction against what left: the recorded ruleset agrees with the
# capture's outgoing frames; an all-accept one forwards the 5 frames the
# kernel dropped, an all-drop one sees 14 leave that it did not forward
"$CT" --firewall "$G/fw-policy-drop-v4/fw" -S "$G/fw-policy-drop-v4/in.pcap" \
	"$G/fw-policy-drop-v4/out.pcap" >"$TMP/pred.out"
check "-S: the recorded ruleset matches what left" sh -c \
	"grep -q 'never seen leaving: 0$' '$TMP/pred.out' &&
	 grep -q 'not forwarded by the replay: 0$' '$TMP/pred.out'"
for p in accept drop; do
	mkdir -p "$TMP/fw-$p"
	printf '{"nftables":[{"table":{"family":"inet","name":"t"}},{"chain":{"family":"inet","table":"t","name":"f","hook":"forward","type":"filter","prio":0,"policy":"%s"}}]}' \
		"$p" >"$TMP/fw-$p/ruleset.json"
done
"$CT" --firewall "$TMP/fw-accept" -S "$G/fw-policy-drop-v4/in.pcap" \
	"$G/fw-policy-drop-v4/out.pcap" >"$TMP/pred2.out"
check "-S: frames forwarded by a wrong ruleset that never left are counted" \
	grep -q 'never seen leaving: 5$' "$TMP/pred2.out"
"$CT" --firewall "$TMP/fw-drop" -S --verdicts "$G/fw-policy-drop-v4/in.pcap" \
	"$G/fw-policy-drop-v4/out.pcap" >"$TMP/pred3.out"
check "-S: frames that left although a wrong ruleset dropped them are counted" \
	grep -q 'not forwarded by the replay: 14$' "$TMP/pred3.out"
check "--verdicts marks each of them" \
	test "$(grep -c 'did not forward it' "$TMP/pred3.out")" -eq 14
# a malformed ruleset: exit 2, the file and the rule named
mkdir -p "$TMP/fw-bad"
printf '{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c", "hook": "forward", "type": "filter", "prio": 0, "policy": "accept"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": "http-alt"}}]}}]}' \
	>"$TMP/fw-bad/ruleset.json"
"$CT" --firewall "$TMP/fw-bad" "$G/http-v4/in.pcap" >/dev/null 2>"$TMP/fw-bad.err"
check "malformed ruleset exits 2" test $? -eq 2
check "malformed ruleset: file, chain and rule handle named" \
	grep -q 'ruleset.json: chain c, rule handle 7' "$TMP/fw-bad.err"
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n' \
	>"$TMP/fw-bad/iptables-save.txt"
"$CT" --firewall "$TMP/fw-bad" "$G/http-v4/in.pcap" >/dev/null 2>"$TMP/fw-ipt.err"
check "iptables-save without COMMIT exits 2 naming file and line" \
	grep -q 'iptables-save.txt:[0-9]*:' "$TMP/fw-ipt.err"

# NAT: a masquerade clash (nat-clash-v4); the kernel's port for the second
# connection is in the capture's outgoing copy (53907), and missing from
# the Ethernet captures of what came in
NC=$G/nat-clash-v4
"$CT" --firewall "$NC/fw" --verdicts "$NC/in.pcap" "$NC/out.pcap" >"$TMP/nat.v"
check "--verdicts: a translated frame says how it left and which rule chose it" \
	grep -q '^22 NEW original tcp .* nat=src as="src=10.77.2.1 dst=10.77.2.2 sport=53907 dport=5000" nat_rule="ip nat postrouting handle 2"$' "$TMP/nat.v"
check "--verdicts: the kernel's port is taken from the capture" \
	sh -c "! grep -q nat_port=inferred '$TMP/nat.v'"
"$CT" --firewall "$NC/fw" --verdicts -S "$NC/eth-rc0.pcap" "$NC/eth-rs0.pcap" >"$TMP/nat-eth.v"
check "--verdicts: without the translated copy the port is marked inferred" \
	grep -q 'nat_port=inferred$' "$TMP/nat-eth.v"
check "-S counts translated entries and guessed ports" \
	grep -q '^# entries translated: source 8, destination 0 (ports ctreplay had to choose: 4)$' "$TMP/nat-eth.v"
"$CT" --firewall "$NC/fw" --explain 22 "$NC/in.pcap" "$NC/out.pcap" >"$TMP/nat.x"
check "--explain: the mapping and where its port came from" \
	grep -q 'nat: source 10.77.1.3 port 40000 to 10.77.2.1 53907 (the port the kernel picked' "$TMP/nat.x"
"$CT" --firewall "$NC/fw" -L --src-nat=10.77.2.1 "$NC/in.pcap" "$NC/out.pcap" >"$TMP/nat.L" 2>&1
check "--src-nat=ADDR lists the masqueraded entries" \
	grep -q '8 flow entries have been shown' "$TMP/nat.L"
"$CT" --firewall "$NC/fw" -L --dst-nat "$NC/in.pcap" "$NC/out.pcap" >"$TMP/nat.L2" 2>&1
check "--dst-nat lists none of them" grep -q ' 0 flow entries have been shown' "$TMP/nat.L2"
"$CT" --firewall "$NC/fw" --json - "$NC/eth-rc0.pcap" "$NC/eth-rs0.pcap" >"$TMP/nat.json"
check "--json: the nat rule, and the guessed port" \
	grep -q '"nat":{"port":"inferred","rule":"ip nat postrouting handle 2"}' "$TMP/nat.json"

# --kernel: the profile is chosen before the sysctls whatever the order,
# -S names it, auto reads --firewall DIR's uname (else the newest)
K61=$G/k6.1-http-v4
"$CT" -S --sysctl "$K61/sysctl" --kernel 6.1 "$K61/in.pcap" >"$TMP/k61.out" 2>"$TMP/k61.err"
check "--kernel 6.1 after --sysctl: its DCCP keys are not warned about" \
	sh -c "! grep -q unknown '$TMP/k61.err'"
check "-S names the profile" grep -q '^# kernel profile: 6.1$' "$TMP/k61.out"
"$CT" -S --sysctl "$K61/sysctl" "$K61/in.pcap" >/dev/null 2>"$TMP/kcur.err"
check "the newest profile warns about 6.1's DCCP keys" \
	grep -q 'unknown setting net.netfilter.nf_conntrack_dccp_loose' "$TMP/kcur.err"
mkdir -p "$TMP/fw-k510"
cp "$G/fw-log-v4/fw/"* "$TMP/fw-k510/"
echo 5.10.0-46-amd64 >"$TMP/fw-k510/uname"
"$CT" -S --kernel auto --firewall "$TMP/fw-k510" "$G/http-v4/in.pcap" >"$TMP/kauto.out" 2>/dev/null
check "--kernel auto takes the firewall's uname" \
	grep -q '^# kernel profile: 5.10$' "$TMP/kauto.out"
"$CT" -S --kernel auto "$G/http-v4/in.pcap" >"$TMP/kauto2.out" 2>/dev/null
check "--kernel auto without a firewall is the newest profile" \
	grep -q '^# kernel profile: 6.18$' "$TMP/kauto2.out"
"$CT" --kernel 5.10 "$G/k5.10-tcp-refused-v4/in.pcap" >"$TMP/k510.ev"
check "5.10: DESTROY without timeout and state" \
	grep -q '^\[DESTROY\] tcp      6 src=' "$TMP/k510.ev"
"$CT" --kernel 4.19 "$G/http-v4/in.pcap" >/dev/null 2>&1
check "--kernel older than 5.10 is a usage error" test $? -eq 1

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
