DESC="icmp-ttl-exceeded-v4: a second router (ctl-router2, no conntrack, ICMP rate limit off) sits between the router and the server, which moves to 10.77.3.2; router2's link to the server has MTU 1280. A UDP echo flow 40100->5005 (socat): request/echo, a probe with TTL 2 (router2: time exceeded, RELATED), a 1400-byte DF datagram (router2: fragmentation needed, RELATED), the same without DF (router2 fragments it; echoed); traceroute-style UDP probes 40200->33434..33436 with TTL 1 (expires in the router itself: dropped before the forward hook, the router's own time exceeded goes out), 2 (router2) and 3 (the server's port unreachable); ping -t 2 (time exceeded quoting an echo request); a TCP SYN to port 9999 that the server's nft rejects with icmp port-unreachable"
HELPERS=-
scenario_setup() {
	add_router2
	ip -n $NS_R2 link set eth1 mtu 1280
	ip -n $NS_S link set eth0 mtu 1280
	in_server nft -f - <<'NFT' || die "nft failed in the server"
table ip reject9999 {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 9999 counter reject with icmp type port-unreachable
	}
}
NFT
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/ttl_probes.py $S4B >&2
	snapshot after-udp
	in_client ping -4 -n -c 1 -W 1 -t 2 $S4B >&2 || true
	in_client nc -z -w 2 $S4B 9999 || true
	sleep 0.5
	snapshot after-ping-tcp
}
