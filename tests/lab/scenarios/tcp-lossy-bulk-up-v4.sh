DESC="tcp-lossy-bulk-up-v4: socat uploads 300 KB to a socat sink on 10.77.2.2:7000 while the server namespace drops ~5% of incoming client segments (nft numgen random mod 100 < 5, after the router): retransmissions, SACK blocks from the server, dup ACKs seen by the router; no INVALID"
HELPERS=-
scenario_setup() {
	head -c 307200 /dev/urandom >"$W/srv/big"
	in_server_bg sink socat -u TCP4-LISTEN:7000,reuseaddr OPEN:/dev/null,wronly
	wait_port $NS_S tcp 7000
	in_server nft -f - <<'NFT'
table inet loss {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 7000 numgen random mod 100 < 5 counter drop
	}
}
NFT
}
scenario_run() {
	in_client socat -u FILE:"$W/srv/big" TCP4:$S4:7000
	sleep 0.5
	in_server nft list table inet loss | grep counter >&2 || true
}
