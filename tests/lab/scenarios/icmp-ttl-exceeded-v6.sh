DESC="icmp-ttl-exceeded-v6: a second router (ctl-router2, no conntrack, ICMP rate limit off) sits between the router and the server, which moves to fd77:3::2; router2's link to the server has MTU 1280. A UDP echo flow 40100->5005 (socat): request/echo, a probe with hop limit 2 (router2: time exceeded, RELATED), a 1400-byte datagram (router2: packet too big, RELATED), the same again (the client now fragments it; echoed); traceroute-style UDP probes 40200->33434..33436 with hop limit 1 (expires in the router itself: dropped before the forward hook, the router's own time exceeded goes out), 2 (router2) and 3 (the server's port unreachable); ping -t 2 (time exceeded quoting an echo request); a TCP SYN to port 9999 that the server's nft rejects with icmpv6 port-unreachable"
HELPERS=-
scenario_setup() {
	add_router2
	ip -n $NS_R2 link set eth1 mtu 1280
	ip -n $NS_S link set eth0 mtu 1280
	in_server nft -f - <<'NFT' || die "nft failed in the server"
table ip6 reject9999 {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 9999 counter reject with icmpv6 type port-unreachable
	}
}
NFT
	in_server_bg socat socat UDP6-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/ttl_probes.py $S6B >&2
	snapshot after-udp
	in_client ping -6 -n -c 1 -W 1 -t 2 $S6B >&2 || true
	in_client nc -z -w 2 $S6B 9999 || true
	sleep 0.5
	snapshot after-ping-tcp
}
