DESC="fw-input-forward-v4: FIREWALL=nft, an input chain on the router (policy drop: established,related accept, iif lo accept, icmp accept, tcp 22 counter drop) next to a forward chain (policy accept, counters) and an output chain (policy accept, a counter for IPv4 only: the router's own IPv6 MLD reports and neighbour discovery go out at random times, also before the captures start, and would make the counter differ from the capture). ping -c 2 to the router (input accepts, the router's own echo replies go through output: out.pcap), curl through the router to the server on 8080 (forward), nc -z -w 2 to the router's port 22 (SYN and retransmit dropped in input, no entry confirmed), nc -z -w 1 to the router's port 80 (dropped by the input policy)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related counter accept
		iif "lo" counter accept
		meta l4proto icmp counter accept
		tcp dport 22 counter drop
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related counter accept
		ct state new counter accept
	}
	chain output {
		type filter hook output priority filter; policy accept;
		meta nfproto ipv4 counter
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
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $R4C >&2
	in_client curl -sS -o /dev/null http://$S4:8080/file
	snapshot after-http
	in_client nc -z -w 2 $R4C 22 && die "router port 22 should be dropped" || true
	in_client nc -z -w 1 $R4C 80 && die "router port 80 should be dropped" || true
}
