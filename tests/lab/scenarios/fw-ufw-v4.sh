DESC="fw-ufw-v4: FIREWALL=ufw (ufw 0.36 in the router namespace, its own copy of /etc/ufw and /etc/default; ufw writes iptables-nft rules, IPv4 and IPv6): default deny incoming, allow outgoing, deny routed (FORWARD policy DROP), ufw allow 22/tcp (the router: nothing listens, so its kernel answers with a RST that goes through OUTPUT), ufw route allow in on rc0 out on rs0 to the server port 8080/tcp, logging low ([UFW BLOCK] lines, -m limit 3/min burst 10). Traffic: ping -c 2 the router (ufw-before-input accepts echo requests; the replies go out through OUTPUT), curl the server on 8080 (route allow), ping -c 2 the server (ufw-before-forward accepts echo requests), nc -z to the router's port 22 (RST from the router) and 23 (dropped by the INPUT policy after ufw-not-local's -m addrtype --dst-type LOCAL, logged), nc -z -w 2 to the server's port 9000 (dropped by the FORWARD policy, logged), a UDP datagram to the client subnet's broadcast 10.77.1.255 (-m addrtype --dst-type BROADCAST: ufw-not-local returns, then dropped without a log line by ufw-after-input's broadcast rule)"
HELPERS=-
FIREWALL=ufw
fw_setup() {
	ufw_r default deny incoming
	ufw_r default allow outgoing
	ufw_r default deny routed
	ufw_r allow 22/tcp
	ufw_r route allow in on rc0 out on rs0 to $S4 port 8080 proto tcp
	ufw_r logging low
	ufw_r --force enable
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $R4C >&2
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2
	snapshot after-http
	in_client nc -z -w 1 $R4C 22 && die "nothing listens on the router's port 22" || true
	in_client nc -z -w 2 $R4C 23 && die "router port 23 should be dropped" || true
	in_client nc -z -w 2 $S4 9000 && die "server port 9000 should be dropped" || true
	in_client socat -u - UDP4-DATAGRAM:10.77.1.255:9999,broadcast <<<"hello" || true
}
