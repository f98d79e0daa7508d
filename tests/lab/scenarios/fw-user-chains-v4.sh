DESC="fw-user-chains-v4: FIREWALL=nft, forward policy drop with user chains. Every packet first jumps to 'classify' (counts TCP SYNs, returns early with an explicit 'return' for TCP, falls off the end for the rest: both resume after the jump). ICMP 'goto icmp_in': small echo requests with TTL > 32 accepted, echo requests over 1000 bytes dropped there, anything else (ping -t 20) reaches icmp_in's final 'counter return', which after a goto ends the base chain: policy drop (the 'ip protocol icmp accept' after the goto is never reached: counter 0). TCP 8080 and 9000 'jump web': web jumps to 'count_new' for NEW packets (falls off the end, back into web), accepts NEW 8080 and returns for the rest; 9000 comes back and meets the reject-with-tcp-reset rule after the jump (reached). curl on 8080 works, nc -z to 9000 gets the router's RST, ping -c 2 works, ping -s 1200 -c 1 is dropped in icmp_in, ping -t 20 -c 1 is dropped by the policy"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain classify {
		tcp flags & (syn | ack) == syn counter
		meta l4proto tcp counter return
		counter
	}
	chain count_new {
		ct state new counter
	}
	chain web {
		ct state new counter jump count_new
		tcp dport 8080 ct state new counter accept
		counter return
	}
	chain icmp_in {
		ip length > 1000 counter drop
		icmp type echo-request ip ttl > 32 counter accept
		counter return
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		counter jump classify
		ct state established,related counter accept
		ip protocol icmp counter goto icmp_in
		ip protocol icmp counter accept
		tcp dport { 8080, 9000 } counter jump web
		tcp dport 9000 counter reject with tcp reset
	}
}
NFT
}
scenario_setup() {
	head -c 2048 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client nc -z -w 2 $S4 9000 && die "9000 should be rejected" || true
	snapshot after-tcp
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2
	in_client ping -4 -n -c 1 -W 1 -s 1200 $S4 >&2 && die "the big ping should be dropped" || true
	in_client ping -4 -n -c 1 -W 1 -t 20 $S4 >&2 && die "the TTL 20 ping should be dropped" || true
}
