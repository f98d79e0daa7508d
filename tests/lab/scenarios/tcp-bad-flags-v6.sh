DESC="tcp-bad-flags-v6: IPv6 version of tcp-scapy-oddities-v4 (tools/scapy_oddities6.py): SYN|FIN, NULL, XMAS, a SYN with a bad TCP checksum, a SYN retransmitted twice to a port the server silently drops (9000), a mid-stream PSH/ACK with no entry (tcp_loose pickup; the server answers RST), a lone RST, a lone SYN/ACK and a lone FIN/ACK (closed port 9001 answers RST); observed: the same as v4: seven INVALID (SYN|FIN, NULL, XMAS, bad-checksum SYN, lone RST, lone SYN/ACK, lone FIN/ACK), the mid-stream PSH/ACK starts NEW ESTABLISHED 300 [UNREPLIED] and the server's RST destroys it at once"
HELPERS=-
scenario_setup() {
	in_server nft -f - <<'NFT'
table inet drop9000 {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 9000 counter drop
	}
}
NFT
}
scenario_run() {
	in_client $PY $LAB/tools/scapy_oddities6.py >&2
	snapshot after-oddities
}
