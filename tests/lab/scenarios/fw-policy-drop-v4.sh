DESC="fw-policy-drop-v4: FIREWALL=nft, forward policy drop: ct state established,related accept; tcp dport 8080 ct state new accept; tcp dport 9443 reject with tcp reset. curl fetches a 2 KB file from python3 http.server on 8080 (works), nc -z -w 2 to 9000 (SYN and its 1 s retransmit dropped by the policy: no conntrack entry, no event), nc -z to 9443 (the router answers the SYN with a RST as if from the server; the SYN never reaches the server), ping -c 2 (echo requests are NEW and not accepted: dropped by the policy)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		tcp dport 8080 ct state new counter accept
		tcp dport 9443 counter reject with tcp reset
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
	snapshot after-http
	in_client nc -z -w 2 $S4 9000 && die "9000 should be dropped" || true
	in_client nc -z -w 2 $S4 9443 && die "9443 should be rejected" || true
	snapshot after-rejects
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2 && die "ping should be dropped" || true
}
