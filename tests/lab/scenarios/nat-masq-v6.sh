DESC="nat-masq-v6: FIREWALL=nft, nat-masq-v4 over IPv6: table inet nat, postrouting (priority srcnat) 'oifname \"rs0\" counter masquerade' (an inet nat chain, used here by IPv6 only); forward (policy drop) accepts established,related and NEW from rc0, drops invalid. The server sees every connection from the router's rs0 address fd77:2::1 (events: reply dst=fd77:2::1, ports and the ICMPv6 echo id kept). curl fetches a 2 KB file from python3 http.server on 80, udp_client.py sends 3 datagrams to a socat UDP echo on 5005, ping -6 -c 2; a snapshot after the traffic. Neighbour discovery and MLD are untracked and never reach the nat chain"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet nat {
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
	head -c 2048 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S6 --directory "$W/srv"
	in_server_bg socat socat UDP6-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 80
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client curl -sS -g -o /dev/null "http://[$S6]/file"
	in_client $PY $LAB/tools/udp_client.py $S6 5005 3 0.2 >&2
	in_client ping -6 -n -c 2 -i 0.3 -W 1 $S6 >&2
	snapshot after-traffic
}
