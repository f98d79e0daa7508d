DESC="nat-snat-pool-v4: FIREWALL=nft, SNAT to an address pool: the router's rs0 also holds 10.77.2.10, .11 and .12 (/32, so it answers ARP for them and the server's replies reach it), table ip nat postrouting 'oifname \"rs0\" tcp dport 80 counter snat to 10.77.2.10-10.77.2.12' and 'oifname \"rs0\" tcp dport 81 counter snat to 10.77.2.10-10.77.2.12 persistent'. The client has addresses 10.77.1.2 .. 10.77.1.6; curl from each to the server (python3 http.server on 80 and on 81, 10.77.2.2), first all five to 80, then all five to 81. The kernel picks the pool address with a hash of the source address (jhash2 of the source, initval the destination address without persistent, 0 with persistent: find_best_ips_proto): the chosen address per client is in the events' reply dst; source ports are kept (nothing clashes). Forward: policy drop, established,related and NEW from rc0 accepted"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "rs0" tcp dport 80 counter snat to 10.77.2.10-10.77.2.12
		oifname "rs0" tcp dport 81 counter snat to 10.77.2.10-10.77.2.12 persistent
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
	local a
	for a in 10 11 12; do ip -n $NS_R addr add 10.77.2.$a/32 dev rs0; done
	for a in 3 4 5 6; do ip -n $NS_C addr add 10.77.1.$a/24 dev eth0; done
	head -c 512 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd80 $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_server_bg httpd81 $PY -m http.server 81 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 80
	wait_port $NS_S tcp 81
}
scenario_run() {
	local port a
	for port in 80 81; do
		for a in 2 3 4 5 6; do
			in_client curl -sS -o /dev/null --interface 10.77.1.$a http://$S4:$port/file
		done
		snapshot after-$port
	done
}
