#!/bin/sh
# \summary: benchmark ctreplay on a large synthetic capture against a bare libpcap loop
#
#   bench/run.sh [-p PACKETS] [-c CONCURRENCY] [-6 PERCENT] [-r RUNS] [-d DIR] [-L] [-C LCONC] [-M]
#
# Builds ctreplay if needed (out of tree, in DIR/build), compiles
# bench/gencap.c and bench/pcaploop.c, generates the capture once (cached
# in DIR by its parameters), then times, with /usr/bin/time -v:
#   pcaploop            libpcap reads every record, touches every byte
#   ctreplay -E         events (-o timestamp,extended) to /dev/null
#   ctreplay --verdicts one line per frame to /dev/null
#   ctreplay --json     NDJSON lifetimes to /dev/null
#   ctreplay -j 2       -E on two worker threads (plus the reader)
#   ctreplay --shard    -E --shard K/2 for K = 0, 1 (each alone; the two
#                       together are what two machines or cores would do)
#   ctreplay -E 1x, 2x  (-L) LCONC (default 10 000) concurrent conversations
#                       with frames 200 us apart, so that entries expire
#                       and the table reaches a steady state within the
#                       first half of the capture, over a capture and one
#                       twice as long: the peak table and the peak RSS
#                       must be the same (memory flat in capture length)
#   tcptrace -n, tshark -q -z conv,tcp   when installed, for comparison
# and prints wall time, packets/s, peak RSS, the ratio to pcaploop and
# the CPU time, user plus system, of all threads (a replay reads on a
# second thread; -j adds workers) (median of RUNS for wall time); then, unless -M, the memory per live
# entry: --verdicts over captures of 100 000 and 1 000 000 concurrent
# conversations, the table's peak size (-S) and the peak RSS of each, and
# the bytes per entry between the two (the fixed overhead cancels out).
# Never run by make check.
#
# Environment: CTREPLAY (binary to time instead of building one), CC.
set -eu

packets=1400000
conc=100000
v6=0
runs=1
dir=${TMPDIR:-/tmp}/ctreplay-bench
long=
lconc=10000
memory=1

usage() {
	sed -n '3p' "$0" | sed 's/^# *//' >&2
	exit 1
}
while getopts p:c:6:r:d:LC:Mh opt; do
	case $opt in
	p) packets=$OPTARG ;;
	c) conc=$OPTARG ;;
	6) v6=$OPTARG ;;
	r) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	L) long=1 ;;
	C) lconc=$OPTARG ;;
	M) memory= ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

bench=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$bench/.." && pwd)
cc=${CC:-cc}
cflags="-std=c11 -O2 -Wall -Wextra"
mkdir -p "$dir"

# newer A B: A was modified after B (test -nt is not POSIX)
newer() { [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]; }

[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (Debian: apt-get install time)" >&2; exit 1; }

# --- tools ($cc and $cflags are word lists on purpose)
# shellcheck disable=SC2086
if [ ! -x "$dir/gencap" ] || newer "$bench/gencap.c" "$dir/gencap" ||
	newer "$bench/genlib.h" "$dir/gencap"; then
	$cc $cflags -o "$dir/gencap" "$bench/gencap.c"
fi
if [ ! -x "$dir/pcaploop" ] || newer "$bench/pcaploop.c" "$dir/pcaploop"; then
	# shellcheck disable=SC2086
	$cc $cflags -o "$dir/pcaploop" "$bench/pcaploop.c" -lpcap
fi

# --- ctreplay: given, or built optimised out of tree
if [ -n "${CTREPLAY:-}" ]; then
	ctreplay=$CTREPLAY
else
	b=$dir/build
	if [ ! -f "$top/configure" ]; then
		(cd "$top" && autoreconf -fi) >"$dir/autoreconf.log" 2>&1 ||
			{ echo "bench: autoreconf failed, see $dir/autoreconf.log" >&2; exit 1; }
	fi
	mkdir -p "$b"
	if [ ! -f "$b/Makefile" ]; then
		(cd "$b" && "$top/configure" CFLAGS="-O2 -g") >"$dir/configure.log" 2>&1 ||
			{ echo "bench: configure failed, see $dir/configure.log" >&2; exit 1; }
	fi
	(cd "$b" && make -j"$(nproc 2>/dev/null || echo 2)" ctreplay) >"$dir/make.log" 2>&1 ||
		{ echo "bench: build failed, see $dir/make.log" >&2; exit 1; }
	ctreplay=$b/ctreplay
fi

# --- the captures, cached by their parameters and the generator's source
# gencap P I [C]: the capture of P packets I us apart (concurrency C,
# default CONCURRENCY; same mix)
gencap() {
	cc_=${3:-$conc}
	c=$dir/big-p$1-c$cc_-6$v6.pcap
	[ "$2" = 10 ] || c=$dir/big-p$1-c$cc_-6$v6-i$2.pcap
	if [ ! -s "$c" ] || newer "$bench/gencap.c" "$c"; then
		echo "bench: generating $c" >&2
		"$dir/gencap" -p "$1" -c "$cc_" -6 "$v6" -i "$2" -o "$c.tmp" >&2
		mv "$c.tmp" "$c"
	fi
	echo "$c"
}
cap=$(gencap "$packets" 10)
if [ -n "$long" ]; then
	# a conversation of ~15 frames lasts ~15 x LCONC frames, TIME_WAIT
	# 120 s (600 000 frames): with 10 000 concurrent the table is steady
	# after ~750 000 frames
	cap1=$(gencap "$packets" 200 "$lconc")
	cap2=$(gencap $((packets * 2)) 200 "$lconc")
fi

# measure NAME CMD...: median wall time (s) over RUNS and that run's peak
# RSS (KiB)
measure() {
	name=$1
	shift
	: >"$dir/runs"
	i=0
	while [ $i -lt "$runs" ]; do
		if ! /usr/bin/time -v -o "$dir/time.out" "$@" >/dev/null 2>"$dir/stderr.out"; then
			echo "bench: $name failed:" >&2
			cat "$dir/stderr.out" "$dir/time.out" >&2
			exit 1
		fi
		# "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23"
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
			n = split($2, t, ":"); s = 0
			for (k = 1; k <= n; k++) s = s * 60 + t[k]
			print s }' "$dir/time.out")
		rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.out")
		cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$dir/time.out")
		echo "$wall $rss $cpu" >>"$dir/runs"
		i=$((i + 1))
	done
	sort -n "$dir/runs" | awk -v name="$name" -v n="$runs" \
		'NR == int((n + 1) / 2) { print name, $1, $2, $3 }' >>"$dir/results"
}

: >"$dir/results"
measure pcaploop "$dir/pcaploop" "$cap"
measure "ctreplay-E" "$ctreplay" -E -o timestamp,extended "$cap"
measure "ctreplay--verdicts" "$ctreplay" --verdicts "$cap"
measure "ctreplay--json" "$ctreplay" --json /dev/null "$cap"
measure "ctreplay-E-j2" "$ctreplay" -E -o timestamp,extended -j 2 "$cap"
measure "ctreplay-E--shard0/2" "$ctreplay" -E -o timestamp,extended --shard 0/2 "$cap"
measure "ctreplay-E--shard1/2" "$ctreplay" -E -o timestamp,extended --shard 1/2 "$cap"
# the same capture through a firewall: 200 rules (established accepted by
# the first), and 2,000 in kube-proxy's shape (bench/genruleset.py)
if command -v python3 >/dev/null 2>&1; then
	python3 "$bench/genruleset.py" filter200 "$dir/fw200" 2>/dev/null
	python3 "$bench/genruleset.py" kube2000 "$dir/kube2000" 2>/dev/null
	measure "ctreplay-E-fw200" "$ctreplay" -E -o timestamp,extended --firewall "$dir/fw200" "$cap"
	measure "ctreplay-E-kube2000" "$ctreplay" -E -o timestamp,extended --firewall "$dir/kube2000" "$cap"
	# a masquerading router's -i any capture of the same traffic (each
	# packet in, and its translated copy out): NAT against the same
	# firewall without the nat chain
	# firewall without the nat chain, on the same router forwarding the
	# same traffic untranslated (gencap -f)
	for m in m f; do
		mcap=$dir/big-p$packets-c$conc-any$m.pcap
		if [ ! -s "$mcap" ] || newer "$bench/gencap.c" "$mcap"; then
			echo "bench: generating $mcap" >&2
			"$dir/gencap" -$m -p "$packets" -c "$conc" -o "$mcap.tmp" >&2
			mv "$mcap.tmp" "$mcap"
		fi
	done
	python3 "$bench/genruleset.py" fwd "$dir/fwd" 2>/dev/null
	python3 "$bench/genruleset.py" masq "$dir/masq" 2>/dev/null
	measure "ctreplay-E-anycap-fwd" "$ctreplay" -E -o timestamp,extended --firewall "$dir/fwd" "$dir/big-p$packets-c$conc-anyf.pcap"
	measure "ctreplay-E-anycap-masq" "$ctreplay" -E -o timestamp,extended --firewall "$dir/masq" "$dir/big-p$packets-c$conc-anym.pcap"
fi
if [ -n "$long" ]; then
	measure "ctreplay-E-1x-length" "$ctreplay" -E -o timestamp,extended "$cap1"
	measure "ctreplay-E-2x-length" "$ctreplay" -E -o timestamp,extended "$cap2"
fi
if command -v tcptrace >/dev/null 2>&1; then
	measure "tcptrace-n" tcptrace -n "$cap"
fi
if command -v tshark >/dev/null 2>&1; then
	measure "tshark-conv,tcp" tshark -n -q -z conv,tcp -r "$cap"
fi

size=$(wc -c <"$cap")
echo
echo "capture: $cap"
echo "  $packets packets, $conc concurrent conversations, ${v6}% IPv6, $((size / 1048576)) MiB"
echo "ctreplay: $ctreplay"
echo
awk -v n="$packets" '
	BEGIN { printf "%-26s %9s %12s %10s %9s %7s\n", "run", "wall s", "packets/s", "peak RSS", "x base", "cpu s" }
	NR == 1 { base = $2 }
	{
		name = $1; sub(/^ctreplay/, "ctreplay ", name)
		sub(/-j2$/, " -j 2", name); sub(/--shard/, " --shard ", name)
		sub(/-fw200$/, " (200 rules)", name)
		sub(/-kube2000$/, " (2000 rules)", name)
		sub(/-anycap-fwd$/, " any, no NAT", name)
		sub(/-anycap-masq$/, " any, masquerade", name)
		sub(/-1x-length/, " (-L 1x)", name)
		sub(/-2x-length/, " (-L 2x)", name); sub(/-n$/, " -n", name)
		# /usr/bin/time counts in 10 ms: too short a run shows as 0
		# the any captures hold every packet twice (in, and out)
		frames = (name ~ /L 2x/ || name ~ / any, /) ? 2 * n : n
		pps = ($2 > 0) ? sprintf("%12.0f", frames / $2) : sprintf("%12s", "n/a")
		ratio = (base > 0) ? sprintf("%9.2f", $2 / base) : sprintf("%9s", "n/a")
		printf "%-26s %9.2f %s %7.1f MB %s %7.2f\n", name, $2, pps, $3 / 1024, ratio, $4
	}' "$dir/results"

# --- memory flat in capture length: the peak table of both -L captures
if [ -n "$long" ]; then
	echo
	printf "%-26s %9s %12s %10s\n" "length (-L, $lconc conc.)" "frames" "peak table" "peak RSS"
	for k in 1 2; do
		eval "c=\$cap$k"
		entries=$("$ctreplay" -S "$c" 2>/dev/null |
			awk '/^# peak table size:/ { print $5 }')
		rss=$(awk -v k="$k" '$1 == "ctreplay-E-" k "x-length" { print $3 }' "$dir/results")
		printf "%-26s %9s %12s %7.1f MB\n" "${k}x" "$((packets * k))" "$entries" \
			"$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
	done
fi

# --- memory per live entry: two table sizes, same mix; every conversation
# is still open at the end (10 us apart nothing expires), so the peak
# table is the live table
[ -n "$memory" ] || exit 0
echo
printf "%-26s %9s %10s %12s\n" "memory (--verdicts)" "entries" "peak RSS" "bytes/entry"
prev=
for c in 100000 1000000; do
	# 3 frames a conversation: about 95% of them have begun, none ended
	p=$((c * 3))
	mcap=$(gencap "$p" 10 "$c")
	# no table limit (the default 262144 would early-drop at 1M)
	entries=$("$ctreplay" -S --set nf_conntrack_max=0 "$mcap" 2>/dev/null |
		awk '/^# peak table size:/ { print $5 }')
	/usr/bin/time -v -o "$dir/time.out" "$ctreplay" --verdicts \
		--set nf_conntrack_max=0 "$mcap" >/dev/null
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$dir/time.out")
	if [ -n "$prev" ]; then
		# shellcheck disable=SC2086
		set -- $prev
		per=$(awk -v e1="$1" -v r1="$2" -v e2="$entries" -v r2="$rss" \
			'BEGIN { printf "%.0f", (r2 - r1) * 1024 / (e2 - e1) }')
	else
		per=$(awk -v e="$entries" -v r="$rss" \
			'BEGIN { printf "(%.0f)", r * 1024 / e }')
	fi
	printf "%-26s %9s %7.1f MB %12s\n" "-c $c" "$entries" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$per"
	prev="$entries $rss"
done
echo "(bytes/entry of the second line: the RSS difference over the entry"
echo " difference; of the first, RSS over entries, fixed overhead included)"
