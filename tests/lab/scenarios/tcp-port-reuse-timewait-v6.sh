DESC="tcp-port-reuse-timewait-v6: tools/tcp_reuse.py: the client binds source port 40500 (SO_REUSEADDR), sends a line, the server echoes and closes first (FIN_WAIT, LAST_ACK, TIME_WAIT in conntrack); 0.5 s later the client connects again from the same port: the SYN hits the TIME_WAIT entry, which is destroyed at once (DESTROY TIME_WAIT) and a NEW entry created for the same tuple; the second connection closes the same way"
HELPERS=-
scenario_setup() {
	in_server_bg server $PY $LAB/tools/tcp_reuse.py server 6:7000
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client $PY $LAB/tools/tcp_reuse.py client $S6 7000 40500 first >&2
	sleep 0.5; snapshot time-wait
	in_client $PY $LAB/tools/tcp_reuse.py client $S6 7000 40500 second >&2
	sleep 0.5; snapshot after-reuse
}
