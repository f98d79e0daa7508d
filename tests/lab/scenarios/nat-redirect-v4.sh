DESC="nat-redirect-v4: FIREWALL=nft, transparent proxy redirect: table ip nat prerouting (priority dstnat) 'iif \"rc0\" tcp dport 80 counter redirect to :3128'; a python3 http.server on 3128 in the router namespace answers (the server's own http.server on 80 is never reached). The redirect rewrites the destination to the primary address of the incoming interface, 10.77.1.1:3128: events orig dst=10.77.2.2 dport=80, reply src=10.77.1.1 sport=3128; the connection goes through the router's input hook (input counters), not forward, and its replies leave through output with the source translated back to 10.77.2.2:80. Next to it curl to the server's 8080 (not redirected, forwarded normally). Forward policy drop: invalid dropped, established,related and NEW from rc0 accepted; input policy accept with counters (IPv4 only); curl to 10.77.2.2:80 twice"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iif "rc0" tcp dport 80 counter redirect to :3128
	}
}
table inet fw {
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related counter accept
		tcp dport 3128 ct state new counter accept
		meta nfproto ipv4 counter
	}
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
	mkdir -p "$W/srv/proxy"
	head -c 1024 /dev/zero | tr '\0' 'p' >"$W/srv/proxy/file"
	head -c 1024 /dev/zero | tr '\0' 's' >"$W/srv/file"
	in_router_bg proxy $PY -m http.server 3128 --directory "$W/srv/proxy"
	in_server_bg httpd80 $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_server_bg httpd8080 $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_R tcp 3128
	wait_port $NS_S tcp 80
	wait_port $NS_S tcp 8080
}
scenario_run() {
	local got
	got=$(in_client curl -sS http://$S4/file)
	case $got in p*) ;; *) die "redirect: the answer did not come from the router's proxy" ;; esac
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client curl -sS -o /dev/null http://$S4/file
	snapshot after-traffic
}
