DESC="nat-masq-v4: FIREWALL=nft, source NAT by masquerade on the router: table ip nat, postrouting (priority srcnat) 'oifname \"rs0\" counter masquerade'; forward (policy drop) accepts established,related and NEW from rc0, drops invalid. The server sees every connection from the router's rs0 address 10.77.2.1 and answers it; the router translates the replies back (events: reply tuple dst=10.77.2.1, the client's source port and ICMP id kept because nothing clashes). curl fetches a 2 KB file from python3 http.server on 80, udp_client.py sends 3 datagrams to a socat UDP echo on 5005 (same socket), ping -c 2; a snapshot after the traffic (/proc shows the translated reply tuples)"
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
	head -c 2048 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 80
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4/file
	in_client $PY $LAB/tools/udp_client.py $S4 5005 3 0.2 >&2
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2
	snapshot after-traffic
}
