DESC="udplite-v4: both ends scripted by tools/proto_play.py (the endpoints drop UDP-Lite on input): UDP-Lite conversations with RFC 3828 checksums (full coverage; header-only coverage 8) and with a checksum computed over a protocol-17 pseudo-header; then a zero checksum, coverage 4, coverage beyond the datagram and a bad checksum; observed: only the protocol-17 conversation is tracked (NEW 30, reply 30, then 120 ASSURED at once): the kernel verifies UDP-Lite checksums with a UDP (17) pseudo-header, so every RFC-correct UDP-Lite packet is INVALID with nf_conntrack_checksum=1 (10 INVALID in all)"
HELPERS=-
scenario_setup() {
	local ns
	for ns in $NS_C $NS_S; do
		ip netns exec $ns nft -f - <<'NFT' || die "nft failed in $ns"
table inet play {
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto udplite counter drop
	}
}
NFT
	done
}
scenario_run() {
	$PY "$LAB/tools/proto_play.py" udplite 4 "$W/proc" >&2 ||
		die "proto_play.py udplite failed"
}
