DESC="tcp-zero-window-v4: tools/tcp_zero_window.py: the server (SO_RCVBUF 2048, no window scaling on its side) does not read for 2 s while the client sends 64 KB: the server advertises window 0, the client sends zero-window probes (ACK, seq = snd_una-1); then the server reads everything, window reopens, normal close; no INVALID"
HELPERS=-
scenario_setup() {
	in_server_bg server $PY $LAB/tools/tcp_zero_window.py server 7000 2048 2
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_zero_window.py client $S4 7000 65536
	local c=$LAST_BG
	sleep 1; snapshot zero-window
	wait $c
}
