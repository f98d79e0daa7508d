#!/bin/sh
# tests/lab/test-collect.sh: check tools/ctreplay-collect in a throwaway
# network namespace (ctl-collect-test): the files it writes, that it changes
# nothing (ruleset and counters identical before and after), and that a
# missing tool is skipped with a note. Needs root, ip netns and nft;
# exits 77 (skipped) otherwise. Sends no packet.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
collect=$top/tools/ctreplay-collect
NS=ctl-collect-test

[ "$(id -u)" = 0 ] || { echo "test-collect: not root, skipped"; exit 77; }
command -v nft >/dev/null 2>&1 || { echo "test-collect: no nft, skipped"; exit 77; }
ip netns add $NS 2>/dev/null || { echo "test-collect: cannot create a network namespace, skipped"; exit 77; }
work=$(mktemp -d /tmp/ctl-collect-test.XXXXXX)
cleanup() { ip netns del $NS 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

ip netns exec $NS nft -f - <<'NFT' || { echo "test-collect: nft failed"; exit 99; }
table inet t {
	set ports { type inet_service; elements = { 80, 443 } }
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		tcp dport @ports counter accept
	}
}
NFT
ip -n $NS link set lo up
before=$(ip netns exec $NS nft -a list ruleset)

# 1. everything present
ip netns exec $NS "$collect" "$work/a" 2>"$work/a.err"
rc=$?
[ $rc = 0 ] && ok "exit 0" || bad "exit $rc: $(cat "$work/a.err")"
for f in ruleset.json addr.json link.json route.json route6.json rule.json rule6.json sysctl.txt uname versions; do
	[ -s "$work/a/$f" ] && ok "$f written" || bad "$f missing or empty"
done
if command -v iptables-save >/dev/null 2>&1; then
	[ -f "$work/a/iptables-save.txt" ] && [ -s "$work/a/iptables-version" ] &&
		ok "iptables-save.txt and iptables-version" || bad "iptables files missing"
fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any("rule" in o for o in d["nftables"])' \
	"$work/a/ruleset.json" 2>/dev/null && ok "ruleset.json is nft JSON with rules" || bad "ruleset.json not valid"
grep -q '^net\.ipv4\.ip_forward = ' "$work/a/sysctl.txt" && ! grep -qv '^net\.' "$work/a/sysctl.txt" &&
	ok "sysctl.txt has only net.* keys" || bad "sysctl.txt content"
[ "$(cat "$work/a/uname")" = "$(uname -r)" ] && ok "uname" || bad "uname"
# (only iptables may be missing on this machine)
if [ ! -e "$work/a/skipped" ] || ! grep -qv '^ip6\{0,1\}tables' "$work/a/skipped"; then
	ok "nothing but iptables skipped"
else
	bad "skipped: $(cat "$work/a/skipped")"
fi

# 2. read-only: same ruleset, same counters
after=$(ip netns exec $NS nft -a list ruleset)
[ "$before" = "$after" ] && ok "ruleset and counters unchanged" || bad "the ruleset changed"

# 3. a missing tool (PATH without nft) is skipped with a note
mkdir -p "$work/bin"
for t in sh ip sysctl grep head cat rm mkdir mv uname tr find sort; do
	p=$(command -v $t) && ln -sf "$p" "$work/bin/$t"
done
ip netns exec $NS env PATH="$work/bin" "$collect" "$work/b" 2>"$work/b.err"
rc=$?
[ $rc = 0 ] && ok "exit 0 without nft" || bad "exit $rc without nft"
[ ! -e "$work/b/ruleset.json" ] && grep -q 'ruleset.json: nft not installed' "$work/b/skipped" &&
	grep -q 'skipped ruleset.json' "$work/b.err" && ok "nft skipped with a note" || bad "no skip note for nft"
[ -s "$work/b/addr.json" ] && ok "the rest still collected" || bad "addr.json missing without nft"

# 4. an empty ruleset is not an error and writes no ruleset.json
ip netns exec $NS nft flush ruleset
ip netns exec $NS "$collect" -q "$work/c" 2>"$work/c.err"
rc=$?
[ $rc = 0 ] && [ ! -e "$work/c/ruleset.json" ] && [ ! -s "$work/c.err" ] &&
	grep -q 'ruleset is empty' "$work/c/skipped" && ok "empty ruleset: skipped quietly (-q)" || bad "empty ruleset (rc=$rc)"

# 5. usage
"$collect" >/dev/null 2>&1; [ $? = 2 ] && ok "no DIR: exit 2" || bad "no DIR: not exit 2"

echo "$passed passed, $failed failed"
[ $failed = 0 ]
