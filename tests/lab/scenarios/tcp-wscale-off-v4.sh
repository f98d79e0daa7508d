DESC="tcp-wscale-off-v4: curl downloads 300 KB from python3 http.server on port 8080 with net.ipv4.tcp_window_scaling=0 in the client namespace: no window scale option in the SYN, so neither side scales (windows <= 65535); HTTP/1.0, server closes first"
HELPERS=-
scenario_setup() {
	head -c 307200 /dev/urandom >"$W/srv/big"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
	in_client sysctl -q -w net.ipv4.tcp_window_scaling=0
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/big
}
