DESC="fw-two-chains-v4: FIREWALL=nft, two base chains on the forward hook: fwd_early (priority -10) and fwd_late (priority 10), plus fwd_mid in a second table (table ip fw2, priority filter = 0). An accept ends only its own chain: the packet goes on to the next base chain of the hook; a drop ends the hook at once. fwd_early accepts tcp 8080 and 9000 and established,related, drops udp 5007 (later chains never see it); fwd_mid counts everything it sees; fwd_late drops tcp 9000 (accepted by fwd_early, dropped here) and udp 5006, accepts the rest. curl on 8080 works, nc -z -w 2 to 9000 (dropped in fwd_late), one datagram each to 5006 (dropped in fwd_late) and 5007 (dropped in fwd_early), ping -c 1 works"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain fwd_early {
		type filter hook forward priority -10; policy accept;
		tcp dport { 8080, 9000 } counter accept
		ct state established,related counter accept
		udp dport 5007 counter drop
		counter
	}
	chain fwd_late {
		type filter hook forward priority 10; policy accept;
		tcp dport 9000 counter drop
		udp dport 5006 counter drop
		counter accept
	}
}
table ip fw2 {
	chain fwd_mid {
		type filter hook forward priority filter; policy accept;
		counter
	}
}
NFT
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client nc -z -w 2 $S4 9000 && die "9000 should be dropped" || true
	in_client $PY $LAB/tools/udp_client.py $S4 5006 1 0 0.5 >&2
	in_client $PY $LAB/tools/udp_client.py $S4 5007 1 0 0.5 >&2
	in_client ping -4 -n -c 1 -W 1 $S4 >&2
}
