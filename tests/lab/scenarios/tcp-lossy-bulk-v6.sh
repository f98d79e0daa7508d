DESC="tcp-lossy-bulk-v6: curl downloads a 300 KB file from python3 http.server on [fd77:2::2]:8080 while the client namespace drops ~5% of incoming server segments (nft numgen random mod 100 < 5, after the router): retransmissions, SACK, dup ACKs seen by the router; no INVALID. Client and server are pinned to CPU 0 (taskset) so the router tracks every packet on one CPU: unpinned, the client FIN and the ACK after it can be tracked on two CPUs at once and the kernel merges their cached events (no FIN_WAIT event), a race a replay cannot reproduce"
HELPERS=-
scenario_setup() {
	head -c 307200 /dev/urandom >"$W/srv/big"
	in_server_bg httpd taskset -c 0 $PY -m http.server 8080 --bind $S6 --directory "$W/srv"
	wait_port $NS_S tcp 8080
	in_client nft -f - <<'NFT'
table inet loss {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp sport 8080 numgen random mod 100 < 5 counter drop
	}
}
NFT
}
scenario_run() {
	in_client taskset -c 0 curl -sS -o /dev/null "http://[$S6]:8080/big"
	in_client nft list table inet loss | grep counter >&2 || true
}
