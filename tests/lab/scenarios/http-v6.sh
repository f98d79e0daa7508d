DESC="http-v6: python3 http.server on [$S6]:8080, curl fetches a 2 KB file 3 times over separate connections (HTTP/1.0, server closes first)"
HELPERS=-
scenario_setup() {
	head -c 2048 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S6 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	local i
	for i in 1 2 3; do
		in_client curl -g -sS -o /dev/null "http://[$S6]:8080/file"
		[ $i = 1 ] && snapshot after-first
		sleep 0.3
	done
}
