DESC="nat-dnat-v4: FIREWALL=nft, port forwarding on the router's client-side address 10.77.1.1: table ip nat prerouting (priority dstnat) 'iif \"rc0\" tcp dport 8080 counter dnat to 10.77.2.2:80' and 'iif \"rc0\" udp dport 5353 counter dnat to 10.77.2.2:5005'; no source NAT (the server sees 10.77.1.2 and answers through its default route, the router undoes the DNAT on the replies: events reply src=10.77.2.2 sport=80 / 5005, dst=10.77.1.2). Forward policy drop: invalid dropped, established,related accepted, 'ct status dnat' accepted (the NEW forwarded connections). Input (policy accept, IPv4 counters): established,related, tcp 2222 (socat echo in the router namespace), tcp 2223 (nothing listens: the router answers RST/ACK itself, the entry is destroyed). Traffic: curl http://10.77.1.1:8080/file (python3 http.server on the server's 80), udp_client.py 3 datagrams to 10.77.1.1:5353 (socat echo on the server's 5005), tcp_client.py to 10.77.1.1:2222 (the router's own echo), nc -z to 10.77.1.1:2223 (RST), and nc -z -w 2 straight to 10.77.2.2:80 (not DNATed: NEW without ct status dnat, SYN and its retransmit dropped by the forward policy, no entry)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iif "rc0" tcp dport 8080 counter dnat to 10.77.2.2:80
		iif "rc0" udp dport 5353 counter dnat to 10.77.2.2:5005
	}
}
table inet fw {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related counter accept
		tcp dport 2222 ct state new counter accept
		tcp dport 2223 ct state new counter accept
		meta nfproto ipv4 counter
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop
		ct state established,related counter accept
		ct status dnat counter accept
	}
}
NFT
}
scenario_setup() {
	head -c 2048 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	in_router_bg echo2222 socat TCP4-LISTEN:2222,bind=$R4C,fork,reuseaddr PIPE
	wait_port $NS_S tcp 80
	wait_port $NS_S udp 5005
	wait_port $NS_R tcp 2222
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$R4C:8080/file
	in_client $PY $LAB/tools/udp_client.py $R4C 5353 3 0.2 >&2
	snapshot after-forwarded
	in_client $PY $LAB/tools/tcp_client.py $R4C 2222 send:hello >&2
	in_client nc -z -w 1 $R4C 2223 && die "2223 should be refused" || true
	in_client nc -z -w 2 $S4 80 && die "direct 10.77.2.2:80 should be dropped" || true
}
