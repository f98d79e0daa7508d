DESC="udp-stream-v4: socat UDP echo server on port 5005; the client sends a datagram every 0.5 s for 4 s from one socket (crosses the 2-second ASSURED rule)"
HELPERS=-
scenario_setup() {
	in_server_bg socat socat UDP4-LISTEN:5005 PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/udp_client.py $S4 5005 9 0.5 1
	local c=$LAST_BG
	sleep 1.2; snapshot before-2s
	sleep 1.5; snapshot after-2s
	wait $c
}
