DESC="fw-sets-vmap-v4: FIREWALL=nft, forward policy drop with sets and a verdict map. The client has extra addresses 10.77.1.110 (in the interval set 'clients' through its range 10.77.1.100-10.77.1.120) and 10.77.1.50 (in no element: dropped by 'ip saddr != @clients drop'); 10.77.1.2 is in its prefix 10.77.1.0/28. Named set web_ports {8080, 8081} counts NEW web connections; vmap on tcp dport: 8080 accept, 9000 drop, 9001 jump svc_check (concatenated set ip daddr . tcp dport {10.77.2.2 . 9001, 10.77.2.2 . 9002}: accept, else reject with tcp reset); 8081 is in web_ports but not in the map: falls through to the policy. Traffic: curl 8080 from 10.77.1.2 and from 10.77.1.110 (work), curl 8080 from 10.77.1.50 (dropped), nc -z to 9000 (map drop), socat to 9001 (jump, set match, accepted, line echoed), nc -z to 8081 (policy drop); anonymous set for ICMP types: ping -c 1"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	set web_ports {
		type inet_service
		elements = { 8080, 8081 }
	}
	set clients {
		type ipv4_addr
		flags interval
		elements = { 10.77.1.0/28, 10.77.1.100-10.77.1.120 }
	}
	set svc {
		type ipv4_addr . inet_service
		elements = { 10.77.2.2 . 9001, 10.77.2.2 . 9002 }
	}
	map port_verdict {
		type inet_service : verdict
		elements = { 8080 : accept, 9000 : drop, 9001 : jump svc_check }
	}
	chain svc_check {
		ip daddr . tcp dport @svc counter accept
		counter reject with tcp reset
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		iifname "rc0" ip saddr != @clients counter drop
		tcp dport @web_ports ct state new counter
		counter tcp dport vmap @port_verdict
		icmp type { echo-request, echo-reply } counter accept
	}
}
NFT
}
scenario_setup() {
	ip -n $NS_C addr add 10.77.1.110/24 dev eth0
	ip -n $NS_C addr add 10.77.1.50/24 dev eth0
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat TCP4-LISTEN:9001,fork PIPE
	wait_port $NS_S tcp 8080
	wait_port $NS_S tcp 9001
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client curl -sS -o /dev/null --interface 10.77.1.110 http://$S4:8080/file
	in_client curl -sS -o /dev/null -m 2 --interface 10.77.1.50 http://$S4:8080/file && die "10.77.1.50 should be dropped" || true
	snapshot after-http
	in_client nc -z -w 2 $S4 9000 && die "9000 should be dropped" || true
	in_client $PY $LAB/tools/tcp_client.py $S4 9001 send:hello >&2
	in_client nc -z -w 2 $S4 8081 && die "8081 should be dropped" || true
	in_client ping -4 -n -c 1 -W 1 $S4 >&2
}
