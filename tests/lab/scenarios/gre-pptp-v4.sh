DESC="gre-pptp-v4: both ends scripted by tools/proto_play.py (the endpoints drop GRE on input): PPTP-style enhanced GRE (version 1, PPP): the client sends with call id 0x1234, the server with 0x5678, twice each; no PPTP helper runs, so there is no keymap: each direction opens its own entry (dstkey = call id, srckey 0), both UNREPLIED; a server packet with call id 0 does not match the first entry either (its reply tuple wants srckey 0x1234, which only the helper keymap supplies): a third entry; a version 1 packet carrying IPv4 instead of PPP is INVALID"
HELPERS=-
scenario_setup() {
	local ns
	for ns in $NS_C $NS_S; do
		ip netns exec $ns nft -f - <<'NFT' || die "nft failed in $ns"
table inet play {
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto gre counter drop
	}
}
NFT
	done
}
scenario_run() {
	$PY "$LAB/tools/proto_play.py" gre-pptp 4 "$W/proc" >&2 ||
		die "proto_play.py gre-pptp failed"
}
