DESC="sctp-assoc-v6: both SCTP ends scripted by tools/proto_play.py (no SCTP stack in the lab kernels; the endpoints drop SCTP on input): INIT, INIT_ACK, COOKIE_ECHO, COOKIE_ACK, DATA/SACK both ways, HEARTBEAT/ACK, a DATA with a wrong vtag and one with a bad CRC32c (both INVALID), SHUTDOWN, SHUTDOWN_ACK, SHUTDOWN_COMPLETE; a second association whose INIT is retransmitted after 1 s (CLOSED, timeout not refreshed) and then aborted (ABORT with the T bit); out-of-the-blue DATA and ABORT (INVALID); an entry opened by a HEARTBEAT and answered by its HEARTBEAT_ACK; then 11 s idle so the CLOSED entries expire"
HELPERS=-
scenario_setup() {
	local ns
	for ns in $NS_C $NS_S; do
		ip netns exec $ns nft -f - <<'NFT' || die "nft failed in $ns"
table inet play {
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto sctp counter drop
	}
}
NFT
	done
}
scenario_run() {
	$PY "$LAB/tools/proto_play.py" sctp-assoc 6 "$W/proc" >&2 ||
		die "proto_play.py sctp-assoc failed"
	sleep 11
	snapshot after-expiry
}
