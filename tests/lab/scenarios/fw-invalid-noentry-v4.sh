DESC="fw-invalid-noentry-v4: FIREWALL=nft, nf_conntrack_tcp_loose=0, forward policy accept with 'ct state invalid counter drop' first, then established,related / new / untracked accept (each counted). Valid traffic: curl on 8080; one datagram to the server's closed port 9999 whose ICMP port unreachable answer is RELATED (accepted). Packets without an entry (tools/fw_invalid.py, scapy): a mid-stream PSH/ACK with data and a lone FIN/ACK from the client to 8080 (with tcp_loose=0 no entry can start: INVALID, dropped; no event) and an ICMP port unreachable from the server quoting a UDP datagram 41003->9999 that never existed (INVALID, dropped)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid counter drop
		ct state established,related counter accept
		ct state new counter accept
		ct state untracked counter accept
		counter
	}
}
NFT
}
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_tcp_loose 0
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client $PY $LAB/tools/udp_client.py $S4 9999 1 0 0.5 >&2
	snapshot after-valid
	in_client $PY $LAB/tools/fw_invalid.py client >&2
	in_server $PY $LAB/tools/fw_invalid.py server >&2
	snapshot after-invalid
}
