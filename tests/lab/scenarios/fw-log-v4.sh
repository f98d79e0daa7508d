DESC="fw-log-v4: FIREWALL=nft, forward policy accept with log statements (kernel.log: nf_log_syslog lines, printed only because the recorder sets net.netfilter.nf_log_all_netns=1 in the initial namespace). 'ct state new log prefix \"fw-new: \" counter' logs every NEW packet and continues; 'tcp dport 8080 ct state new log prefix \"fw-web: \" level info flags all counter' adds the TCP sequence/options and the MAC header decoding; 'tcp dport 9000 counter log prefix \"fw-drop: \" drop' logs and drops the SYN and its retransmit; 'udp dport 9001 log prefix \"fw-udp: \" level debug counter reject' logs then rejects (ICMP port unreachable from the router). Traffic: curl on 8080, nc -z -w 2 to 9000, one datagram to 9001, ping -c 1"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related counter accept
		ct state new log prefix "fw-new: " counter
		tcp dport 8080 ct state new log prefix "fw-web: " level info flags all counter
		tcp dport 9000 counter log prefix "fw-drop: " drop
		udp dport 9001 log prefix "fw-udp: " level debug counter reject
		counter accept
	}
}
NFT
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client nc -z -w 2 $S4 9000 && die "9000 should be dropped" || true
	in_client $PY $LAB/tools/udp_client.py $S4 9001 1 0 0.5 >&2
	in_client ping -4 -n -c 1 -W 1 $S4 >&2
}
