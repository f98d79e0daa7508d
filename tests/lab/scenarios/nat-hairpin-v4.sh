DESC="nat-hairpin-v4: FIREWALL=nft, hairpin NAT: 10.77.1.1:8080 (the router's address on rc0, the 'public' side) is forwarded to the server 10.77.2.2:80 by 'ip daddr 10.77.1.1 tcp dport 8080 counter dnat to 10.77.2.2:80' (table ip nat prerouting, any input interface), and postrouting masquerades what the DNAT sends back out of the interface it came from ('iifname \"rs0\" oifname \"rs0\" ct status dnat counter masquerade'), so the server's answers return through the router. ICMP redirects are off (send_redirects=0 on all interfaces, the lab default). Traffic: a normal client curl to 10.77.1.1:8080 (DNAT only: the server sees 10.77.1.2), then from the server side curl to 10.77.1.1:8080 from 10.77.2.2 itself and from a second server address 10.77.2.3: DNAT and masquerade in one entry (events: orig src=10.77.2.x dst=10.77.1.1 dport=8080, reply src=10.77.2.2 sport=80 dst=10.77.2.1); in and out on rs0 (the frames appear in in.pcap and out.pcap on rs0 only). Forward policy drop: invalid dropped, established,related and 'ct status dnat' accepted"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.77.1.1 tcp dport 8080 counter dnat to 10.77.2.2:80
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		iifname "rs0" oifname "rs0" ct status dnat counter masquerade
	}
}
table inet fw {
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
	set_sysctl net.ipv4.conf.all.send_redirects 0
	set_sysctl net.ipv4.conf.rs0.send_redirects 0
	ip -n $NS_S addr add 10.77.2.3/24 dev eth0
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --directory "$W/srv"
	wait_port $NS_S tcp 80
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$R4C:8080/file
	snapshot after-client
	in_server curl -sS -o /dev/null http://$R4C:8080/file
	in_server curl -sS -o /dev/null --interface 10.77.2.3 http://$R4C:8080/file
	snapshot after-hairpin
}
