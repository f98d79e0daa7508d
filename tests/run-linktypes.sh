#!/bin/sh
# \summary: PPP, PPPoE, Cisco HDLC and NFLOG captures replay to the expected verdicts, events, --explain and JSON
#
# Inputs: the PPPoE samples in tests/samples/ (written by make-pppoe.py:
# one conversation untagged, in a VLAN, in QinQ and as PPP_ETHER), and,
# when ../shared/corpus/ is there (as tests/run-corpus.sh finds it), the
# tcpdump project's nflog.pcap, pppoes.pcap, pppoe.pcap, HDLC.pcap and
# PPP captures.  Expected outputs are in tests/samples/expected/.
# Run by `make check` (top_srcdir and top_builddir from the environment)
# or by hand; with --update it rewrites the expected files instead.
set -u
LC_ALL=C
TZ=UTC
export LC_ALL TZ
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CT=${CTREPLAY:-$top_builddir/ctreplay}
S=$top_srcdir/tests/samples
EXP=$S/expected
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ctreplay-linktypes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
. "$top_srcdir/tests/checklib.sh"
update=false
[ "${1:-}" = "--update" ] && update=true

if [ ! -x "$CT" ]; then
	echo "run-linktypes: $CT is not built" >&2
	exit 99
fi

# same NAME EXPECTED ACTUAL (or, with --update, EXPECTED := ACTUAL)
same() {
	if $update; then
		cp "$3" "$2"
		echo "updated: $2"
	else
		check "$1" diff -u "$2" "$3"
	fi
}

# ------------------------------------------------------------ PPPoE samples
for f in pppoe pppoe-vlan pppoe-qinq pppoe-ether; do
	"$CT" --verdicts "$S/$f.pcap" >"$TMP/$f.vd" 2>&1
	"$CT" -o timestamp,id "$S/$f.pcap" >"$TMP/$f.ev" 2>&1
done
same "pppoe.pcap verdicts" "$EXP/pppoe.verdicts" "$TMP/pppoe.vd"
same "pppoe.pcap events" "$EXP/pppoe.events" "$TMP/pppoe.ev"
"$CT" --snapshot end "$S/pppoe.pcap" >"$TMP/pppoe.snap"
same "pppoe.pcap table at the end" "$EXP/pppoe.snapshot" "$TMP/pppoe.snap"
if ! $update; then
	check "in a VLAN: the same verdicts" diff -u "$TMP/pppoe.vd" "$TMP/pppoe-vlan.vd"
	check "in QinQ: the same verdicts" diff -u "$TMP/pppoe.vd" "$TMP/pppoe-qinq.vd"
	check "in QinQ: the same events" diff -u "$TMP/pppoe.ev" "$TMP/pppoe-qinq.ev"
	# PPP_ETHER has no discovery frames (5 fewer): events without frame
	# numbers must agree
	"$CT" -o timestamp "$S/pppoe.pcap" >"$TMP/pppoe.evt"
	"$CT" -o timestamp "$S/pppoe-ether.pcap" >"$TMP/pppoe-ether.evt"
	check "PPP_ETHER: the same events" diff -u "$TMP/pppoe.evt" "$TMP/pppoe-ether.evt"
	check "QinQ tags reach --zone-from vlan" \
		sh -c "'$CT' --zone-from vlan --snapshot end '$S/pppoe-qinq.pcap' | grep -q 'zone=200'"
	check "LCP, IPCP, IPv6CP and discovery say what they are" \
		sh -c "grep -c -e 'not IP (PPP LCP)' -e 'not IP (PPP IPCP)' -e 'not IP (PPP IPv6CP)' -e 'not IP (PPPoE discovery)' '$TMP/pppoe.vd' | grep -qx 9"
	check "fragments in the session are reassembled (v4 and v6)" \
		sh -c "test \$(grep -c 'fragment held for reassembly' '$TMP/pppoe-vlan.vd') -eq 4"
fi

# ------------------------------------------------- tcpdump's captures
corpus=
for d in ${CORPUS:-} "$top_srcdir/../shared/corpus" \
	"$top_srcdir/../../shared/corpus"; do
	if [ -d "$d/tcpdump" ]; then
		corpus=$d/tcpdump
		break
	fi
done
if [ -z "$corpus" ]; then
	echo "skip: no ../shared/corpus/tcpdump: tcpdump's captures not checked"
else
	for n in nflog pppoes pppoe HDLC ppp_ip_udp_dns ppp-invalid-lengths \
		ppp_error_hexdump; do
		f=$corpus/tests__$n.pcap
		if [ ! -f "$f" ]; then
			check "$n.pcap is in the corpus" false
			continue
		fi
		"$CT" --verdicts "$f" >"$TMP/$n.vd" 2>&1
		same "tcpdump $n.pcap verdicts" "$EXP/tcpdump-$n.verdicts" "$TMP/$n.vd"
	done
	f=$corpus/tests__nflog.pcap
	if [ -f "$f" ]; then
		"$CT" -o timestamp,id "$f" >"$TMP/nflog.ev" 2>&1
		same "tcpdump nflog.pcap events" "$EXP/tcpdump-nflog.events" "$TMP/nflog.ev"
		"$CT" --explain 3 "$f" >"$TMP/nflog.explain" 2>&1
		same "tcpdump nflog.pcap --explain 3 (group, hook, prefix)" \
			"$EXP/tcpdump-nflog.explain" "$TMP/nflog.explain"
		"$CT" --json "$TMP/nflog.json" "$f" >/dev/null 2>&1
		same "tcpdump nflog.pcap --json (nflog per lifetime)" \
			"$EXP/tcpdump-nflog.json" "$TMP/nflog.json"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
