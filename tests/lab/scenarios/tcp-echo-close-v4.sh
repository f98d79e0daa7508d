DESC="tcp-echo-close-v4: socat TCP echo on port 7000; the client sends three lines and closes normally (client closes first); snapshots mid-connection and after close"
HELPERS=-
scenario_setup() {
	in_server_bg socat socat TCP4-LISTEN:7000,reuseaddr,fork PIPE
	wait_port $NS_S tcp 7000
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_client.py $S4 7000 send:one sleep:0.3 send:two sleep:1.5 send:three
	local c=$LAST_BG
	sleep 1; snapshot established
	wait $c
	sleep 0.5; snapshot after-close
}
