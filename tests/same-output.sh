#!/bin/sh
# \summary: prove that two ctreplay binaries print the same bytes
#
#   tests/same-output.sh BASE NEW [CORPUS_DIR]
#
# Runs both binaries over every capture in the goldens, the samples and
# (when given) a third-party corpus, in every report mode and a few
# combinations, and compares stdout, stderr, the exit status and every file
# a report writes (--json, --plot).  Prints each difference and exits 1 when
# there is one.  For refactors that must not change behaviour; the golden
# tests only check what the kernel recorded, this checks everything else.
set -u
base=$1
new=$2
corpus=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
export TZ=UTC LC_ALL=C

caps=$(find "$top/tests/golden" "$top/samples" "$top/tests/samples" -name '*.pcap' | sort)
if [ -n "$corpus" ]; then
	caps="$caps
$(find "$corpus" -name '*.pcap' -o -name '*.pcapng' | sort | head -400)"
fi

# One mode per line; @J and @P are replaced by per-run file names.
modes='-E
-o timestamp,extended,id
-o xml
--expect-events
-L
--snapshot +0.5 --snapshot end
--verdicts
--json @J
-S
--plot @P
--explain 5
--explain 40
-E -L --verdicts --snapshot end -S --expect-events
-j 3 -E -L --verdicts --snapshot end --json @J
-p tcp --state ESTABLISHED,TIME_WAIT -L --verdicts
--from +0.2 --to +1 -E --verdicts
--until +600 -E --snapshot end
--helper ftp:tcp/21 --helper tftp:udp/69 -E --expect-events --verdicts
--kernel 5.10 -E --verdicts
--zone-from vlan -E -L'

run() { # BIN TAG CAP MODE
	j="$work/$2.json"; p="$2.svg"
	rm -f "$j" "$work/$p"
	m=$(printf '%s' "$4" | sed "s|@J|$j|; s|@P|$work/$p|")
	extra=
	d=$(dirname "$3")
	[ -f "$d/sysctl" ] && extra="--sysctl $d/sysctl"
	# shellcheck disable=SC2086
	"$1" $extra $m "$3" >"$work/$2.out" 2>"$work/$2.err"
	echo "rc=$?" >>"$work/$2.err"
	sed -i "s|$1|BIN|g" "$work/$2.err"
	[ -f "$j" ] && cat "$j" >>"$work/$2.out"
	[ -f "$work/$p" ] && cat "$work/$p" >>"$work/$2.out"
}

n=0; bad=0
for cap in $caps; do
	printf '%s\n' "$modes" | while IFS= read -r mode; do
		run "$base" a "$cap" "$mode"
		run "$new" b "$cap" "$mode"
		if ! cmp -s "$work/a.out" "$work/b.out" || ! cmp -s "$work/a.err" "$work/b.err"; then
			echo "DIFF: $cap :: $mode"
			diff "$work/a.out" "$work/b.out" | head -5
			diff "$work/a.err" "$work/b.err" | head -5
			echo x >>"$work/bad"
		fi
		echo x >>"$work/count"
	done
done
n=$(wc -l <"$work/count")
bad=0; [ -f "$work/bad" ] && bad=$(wc -l <"$work/bad")
echo "same-output: $n runs, $bad differ"
[ "$bad" -eq 0 ]
