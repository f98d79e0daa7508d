DESC="gre-v0-v6: over IPv6 (the GRE tracker is not IPv4-only in 6.x): both ends scripted by tools/proto_play.py (the endpoints drop GRE on input): plain GRE (version 0) carrying IPv4, three packets each way (keys 0/0; NEW 30 s, reply 30 s, then 180 s ASSURED), then a keyed GRE packet each way (keys ignored for version 0: same entry)"
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
	$PY "$LAB/tools/proto_play.py" gre-v0 6 "$W/proc" >&2 ||
		die "proto_play.py gre-v0 failed"
}
