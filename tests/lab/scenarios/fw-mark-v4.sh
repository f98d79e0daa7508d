DESC="fw-mark-v4: FIREWALL=nft, packet and connection marks. Prerouting (priority mangle): connmark-style restore 'ct mark != 0 meta mark set ct mark' first, then on unmarked packets tcp 8080 'meta mark set 0x1', udp 5005 'meta mark set 0x2', TCP SYNs 'meta mark set meta mark or 0x100' (bitwise), and the save 'meta mark != 0 ct mark 0 ct mark set meta mark and 0xff' (the NEW event shows mark=1 / mark=2). Forward policy drop: 'meta mark & 0xff == 0x1 accept' (both directions of the 8080 connection, the replies through the restored mark), 'ct mark 0x2 accept' (the UDP flow), 'meta mark 0 icmp type echo-request ct state new accept' and established,related accept for the rest; tcp 9000 (unmarked, NEW) falls to the policy. Traffic: curl 8080, UDP echo on 5005 (3 datagrams), ping -c 2, nc -z -w 1 to 9000 (dropped)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain prerouting {
		type filter hook prerouting priority mangle; policy accept;
		ct mark != 0 counter meta mark set ct mark
		meta mark 0 tcp dport 8080 counter meta mark set 0x1
		meta mark 0 udp dport 5005 counter meta mark set 0x2
		tcp flags & (syn | ack) == syn counter meta mark set meta mark or 0x100
		meta mark != 0 ct mark 0 counter ct mark set meta mark and 0xff
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		meta mark & 0xff == 0x1 counter accept
		ct mark 0x2 counter accept
		meta mark 0 icmp type echo-request ct state new counter accept
		ct state established,related counter accept
	}
}
NFT
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 8080
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	snapshot after-http
	in_client $PY $LAB/tools/udp_client.py $S4 5005 3 0.2 1 >&2
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2
	in_client nc -z -w 1 $S4 9000 && die "9000 should be dropped" || true
}
