DESC="nat-masq-udp-timeout-v4: FIREWALL=nft, a masqueraded UDP mapping that expires: table ip nat postrouting 'oifname \"rs0\" counter masquerade', nf_conntrack_udp_timeout=3; forward policy drop (invalid dropped, established,related and NEW from rc0 accepted); input policy accept and output with IPv4 counters. The client sends one datagram from 10.77.1.2:40000 to the server's 10.77.2.2:5005 (tools/udp_late_echo.py: answered at once, masqueraded as 10.77.2.1:40000); the entry expires (snapshot at +4.5 s: DESTROY); the server sends a late second echo to 10.77.2.1:40000 at +6 s: no entry any more, so it is not translated but a NEW connection to the router itself (input), which has no socket there and answers with ICMP port unreachable (output, RELATED to that entry); after that entry expired too (snapshot at +10 s) the client sends again from 40000: a NEW entry with the same mapping 10.77.2.1:40000, answered"
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
	chain input {
		type filter hook input priority filter; policy accept;
		ct state established,related counter accept
		meta nfproto ipv4 ct state new counter accept
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop
		ct state established,related counter accept
		iifname "rc0" ct state new counter accept
	}
	chain output {
		type filter hook output priority filter; policy accept;
		meta nfproto ipv4 counter
	}
}
NFT
}
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_udp_timeout 3
	in_server_bg lateecho $PY $LAB/tools/udp_late_echo.py $S4 5005 6
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/udp_sport.py $S4 5005 40000 first >&2
	sleep 4.5
	snapshot expired
	sleep 2.5
	snapshot after-late-echo
	sleep 3
	snapshot late-entry-expired
	in_client $PY $LAB/tools/udp_sport.py $S4 5005 40000 second >&2
}
