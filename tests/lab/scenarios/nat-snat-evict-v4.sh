DESC="nat-snat-evict-v4: FIREWALL=nft, SNAT to a 2-port range that runs out: table ip nat postrouting 'oifname \"rs0\" tcp dport 80 counter snat to 10.77.2.1:21000-21001'; forward policy drop (invalid dropped, established,related and NEW from rc0 accepted). Four curls one after the other (curl -m 4) to python3 http.server on 10.77.2.2:80: the first two get 21000 and 21001 (in the order a random starting offset gives) and end in TIME_WAIT; for the third and fourth both ports are held by TIME_WAIT entries. With so few ports (fewer than 32 attempts) the kernel's nf_nat_used_tuple_harder may kill a TIME_WAIT entry that has seen a reply when the new SYN's sequence number is past the old connection's (DESTROY stamped with the new SYN, port reused); a SYN for which no port can be freed keeps a clashing tuple, its entry cannot be inserted at confirmation and the SYN is dropped (the client retransmits). Which of these happened is in events / out.pcap"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "rs0" tcp dport 80 counter snat to 10.77.2.1:21000-21001
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
	head -c 512 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 80
}
scenario_run() {
	local i
	for i in 1 2 3 4; do
		in_client curl -sS -m 4 -o /dev/null http://$S4/file || log "curl $i failed"
		sleep 0.1
	done
	stats_snapshot after-curls
}
