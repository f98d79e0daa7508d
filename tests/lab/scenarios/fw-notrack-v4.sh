DESC="fw-notrack-v4: FIREWALL=nft, a raw-priority prerouting chain (priority raw, -300, before conntrack at -200) with 'udp dport 5006 notrack' and 'udp sport 5006 notrack' (both directions untracked: no entry, no event); forward policy drop with 'ct state untracked accept', established,related accept and 'udp dport 5005 ct state new accept'. socat UDP echo servers on 5005 (tracked: NEW/UPDATE events) and 5006 (untracked), 3 datagrams each; one datagram to 5007 (tracked, NEW, dropped by the policy: no entry is confirmed, no event)"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table inet fw {
	chain raw_pre {
		type filter hook prerouting priority raw; policy accept;
		udp dport 5006 counter notrack
		udp sport 5006 counter notrack
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state untracked counter accept
		ct state established,related counter accept
		udp dport 5005 ct state new counter accept
	}
}
NFT
}
scenario_setup() {
	in_server_bg socat5 socat UDP4-LISTEN:5005,fork PIPE
	in_server_bg socat6 socat UDP4-LISTEN:5006,fork PIPE
	wait_port $NS_S udp 5005
	wait_port $NS_S udp 5006
}
scenario_run() {
	in_client $PY $LAB/tools/udp_client.py $S4 5005 3 0.2 1 >&2
	in_client $PY $LAB/tools/udp_client.py $S4 5006 3 0.2 1 >&2
	in_client $PY $LAB/tools/udp_client.py $S4 5007 1 0 0.5 >&2
	snapshot after-udp
}
