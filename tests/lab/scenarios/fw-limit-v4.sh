DESC="fw-limit-v4: FIREWALL=nft, forward policy accept: 'icmp type echo-request limit rate 5/second burst 5 packets counter accept', then 'icmp type echo-request counter drop' (the limit rules come before the established rule, which would otherwise let the later requests of one ping through). ping -c 30 -i 0.01 (bounded flood, 10 ms apart): the first burst passes, then about one request in 20 (5/s); 1.5 s pause (the bucket refills to at most the burst); a second ping -c 10 -i 0.01"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		icmp type echo-request limit rate 5/second burst 5 packets counter accept
		icmp type echo-request counter drop
		ct state established,related counter accept
		counter accept
	}
}
NFT
}
scenario_run() {
	in_client ping -4 -n -q -c 30 -i 0.01 -W 1 $S4 >&2 || true
	snapshot after-flood
	sleep 1.5
	in_client ping -4 -n -q -c 10 -i 0.01 -W 1 $S4 >&2 || true
}
