DESC="tcp-pickup-after-expiry-v4: tools/tcp_server_first.py on port 7000, router nf_conntrack_tcp_timeout_established=2: hello/echo, then silence; the entry expires (DESTROY stamped at the 'expired' /proc read); the SERVER speaks first: a TCP keepalive probe (ACK-only, seq = snd_nxt-1) picks the connection up as a NEW entry with server->client as ORIGINAL (ESTABLISHED [UNREPLIED], timeout 2), the client's ACK gives a state-less UPDATE (reply seen), the server's data and the client's answer an UPDATE [ASSURED]; then the client closes (FIN_WAIT, LAST_ACK, TIME_WAIT seen from the reversed tuple)"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_tcp_timeout_established 2
	in_server_bg server $PY $LAB/tools/tcp_server_first.py server 4:7000 5 4
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_server_first.py client $S4 7000
	local c=$LAST_BG
	sleep 1; snapshot established
	sleep 2.3; snapshot expired
	sleep 1.2; snapshot after-keepalive
	wait $c
	sleep 0.3; snapshot after-close
}
