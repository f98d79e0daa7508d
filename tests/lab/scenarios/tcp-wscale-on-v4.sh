DESC="tcp-wscale-on-v4: curl downloads 300 KB from python3 http.server on port 8080 with default settings: both SYNs carry wscale 10 (large scaled windows), for contrast with tcp-wscale-off-v4"
HELPERS=-
scenario_setup() {
	head -c 307200 /dev/urandom >"$W/srv/big"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/big
}
