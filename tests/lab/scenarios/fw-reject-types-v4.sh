DESC="fw-reject-types-v4: FIREWALL=nft, forward policy accept with reject rules: udp 9001 'reject' (inet table: icmpx port-unreachable, for IPv4 ICMP type 3 code 3), udp 9002 'reject with icmpx admin-prohibited' (ICMP 3/13), udp 9003 'reject with icmp host-unreachable' (ICMP 3/1), tcp 9004 'reject with tcp reset', tcp 9005 plain 'reject' (ICMP port unreachable, not a RST), then an accepted UDP echo on 5005. One datagram (one SYN) each; the errors and the RST come from the router with the server's address (RST) or the router's own address (ICMP), and are in out.pcap only"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related counter accept
		udp dport 9001 counter reject
		udp dport 9002 counter reject with icmpx admin-prohibited
		udp dport 9003 counter reject with icmp host-unreachable
		tcp dport 9004 counter reject with tcp reset
		tcp dport 9005 counter reject
		udp dport 5005 ct state new counter accept
		counter drop
	}
}
NFT
}
scenario_setup() {
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	local p
	for p in 9001 9002 9003; do
		in_client $PY $LAB/tools/udp_client.py $S4 $p 1 0 0.5 >&2
	done
	in_client nc -z -w 1 $S4 9004 || true
	in_client nc -z -w 1 $S4 9005 || true
	snapshot after-rejects
	in_client $PY $LAB/tools/udp_client.py $S4 5005 2 0.2 1 >&2
}
