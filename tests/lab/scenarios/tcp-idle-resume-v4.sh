DESC="tcp-idle-resume-v4: socat TCP echo on port 7000, router nf_conntrack_tcp_timeout_established=5; client sends a line, idles 8 s (the entry expires), sends again (mid-stream pickup, tcp_loose) and closes normally; observed: the expired entry's DESTROY (no timeout field) is stamped at the 'idle' /proc read that killed it, ~2.5 s after the real expiry; the pickup entry starts NEW ESTABLISHED [UNREPLIED] with timeout 5 (the established timeout in force), then two state-less UPDATEs (REPLY, then ASSURED)"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_tcp_timeout_established 5
	in_server_bg socat socat TCP4-LISTEN:7000,reuseaddr,fork PIPE
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_client.py $S4 7000 send:hello sleep:8 send:again
	local c=$LAST_BG
	sleep 1; snapshot established
	sleep 6.5; snapshot idle
	wait $c
	sleep 0.5; snapshot after-close
}
