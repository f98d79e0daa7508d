DESC="nat-traceroute-v4: FIREWALL=nft, ICMP errors through masquerade: add_router2 puts ctl-router2 (no conntrack) between the router's rs0 and the server (10.77.3.2, link MTU 1280 behind router2); the router masquerades everything leaving rs0 to 10.77.2.1 (table ip nat postrouting 'oifname \"rs0\" counter masquerade'); forward policy drop: invalid dropped, established,related and NEW from rc0 accepted. tools/ttl_probes.py: UDP echo flow 40100->5005 (socat) with a TTL-2 probe (time exceeded from router2 10.77.2.254, addressed to 10.77.2.1 and quoting the masqueraded packet: RELATED, the router translates the outer destination and the quoted header back to the client's 10.77.1.2:40100 before forwarding), a 1400-byte DF datagram (fragmentation needed from router2, translated the same way), the same without DF (fragmented by router2, echoed); traceroute-style probes 40200->33434..33436 with TTL 1 (expires in the router itself before NAT: the router's own time exceeded, no entry), 2 (router2) and 3 (the server's port unreachable, from 10.77.3.2 to 10.77.2.1); ping -t 2 (time exceeded quoting the masqueraded echo request) and a plain ping -c 1"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "rs0" counter masquerade
	}
}
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop
		ct state established,related counter accept
		iifname "rc0" ct state new counter accept
	}
}
NFT
}
scenario_setup() {
	add_router2
	ip -n $NS_R2 link set eth1 mtu 1280
	ip -n $NS_S link set eth0 mtu 1280
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/ttl_probes.py $S4B >&2
	snapshot after-udp
	in_client ping -4 -n -c 1 -W 1 -t 2 $S4B >&2 || true
	in_client ping -4 -n -c 1 -W 1 $S4B >&2
	sleep 0.3
	snapshot after-ping
}
