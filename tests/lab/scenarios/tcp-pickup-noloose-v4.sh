DESC="tcp-pickup-noloose-v4: as tcp-pickup-after-expiry-v4 (established timeout 2, server speaks first after the entry expired) but with nf_conntrack_tcp_loose=0: the server's keepalive probe, its data and its retransmissions, and both ends' final RST/ACK aborts are all INVALID (dropped, no events): nothing after the expiry DESTROY"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_tcp_timeout_established 2
	set_sysctl net.netfilter.nf_conntrack_tcp_loose 0
	in_server_bg server $PY $LAB/tools/tcp_server_first.py server 4:7000 5 4
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_server_first.py client $S4 7000
	local c=$LAST_BG
	sleep 1; snapshot established
	sleep 2.3; snapshot expired
	sleep 1.2; snapshot after-keepalive
	wait $c; sleep 1.5
	sleep 0.3; snapshot after-close
}
