DESC="nat-docker-v4: FIREWALL=iptables-nft, the rules Docker (libnetwork's bridge driver, versions 18.09 to 27.x, before the DOCKER-FORWARD / DOCKER-CT / DOCKER-BRIDGE rework of 28.0) writes for the default bridge with one container publishing 8080->80, with docker0 -> rs0, 172.17.0.0/16 -> 10.77.2.0/24 and the container -> the server 10.77.2.2 (rc0 is the outside). nat: PREROUTING '-m addrtype --dst-type LOCAL -j DOCKER', OUTPUT '! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER', POSTROUTING '-s 10.77.2.0/24 ! -o rs0 -j MASQUERADE' and the per-port '-s 10.77.2.2/32 -d 10.77.2.2/32 -p tcp --dport 80 -j MASQUERADE', DOCKER '-i rs0 -j RETURN' and '! -i rs0 -p tcp --dport 8080 -j DNAT --to-destination 10.77.2.2:80'. filter: FORWARD policy DROP, -j DOCKER-USER (-j RETURN), -j DOCKER-ISOLATION-STAGE-1 (-i rs0 ! -o rs0 -j DOCKER-ISOLATION-STAGE-2, which drops -o rs0; then RETURN), '-o rs0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-o rs0 -j DOCKER' (DOCKER: '-d 10.77.2.2/32 ! -i rs0 -o rs0 -p tcp --dport 80 -j ACCEPT'), '-i rs0 ! -o rs0 -j ACCEPT', '-i rs0 -o rs0 -j ACCEPT'. Traffic: the client curls the published port 10.77.1.1:8080 (DNAT to 10.77.2.2:80, no source NAT); the container (server) curls an http.server on the client 10.77.1.2:8000 and pings it (masqueraded to 10.77.1.1: outbound container traffic); the client connects straight to 10.77.2.2:80 (routed, not DNATed: accepted by the DOCKER chain's rule, as on pre-28 Docker) and to 10.77.2.2:22 (not published: SYN and retransmit dropped by the FORWARD policy); the container connects to 10.77.1.1:8080 (the DOCKER chain RETURNs for -i rs0: no DNAT, the router itself answers with a RST)"
HELPERS=-
FIREWALL=iptables-nft
fw_rules() {
	# Shape of Docker's generated rules (libnetwork iptables, 18.09-27.x):
	# docker0 -> rs0, 172.17.0.0/16 -> 10.77.2.0/24, container 172.17.0.2
	# -> 10.77.2.2 publishing host port 8080 -> container port 80.
	ipt -t nat -N DOCKER
	ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	ipt -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
	ipt -t nat -A POSTROUTING -s 10.77.2.0/24 ! -o rs0 -j MASQUERADE
	ipt -t nat -A POSTROUTING -s 10.77.2.2/32 -d 10.77.2.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
	ipt -t nat -A DOCKER -i rs0 -j RETURN
	ipt -t nat -A DOCKER ! -i rs0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.77.2.2:80
	ipt -N DOCKER
	ipt -N DOCKER-ISOLATION-STAGE-1
	ipt -N DOCKER-ISOLATION-STAGE-2
	ipt -N DOCKER-USER
	ipt -P FORWARD DROP
	ipt -A FORWARD -j DOCKER-USER
	ipt -A FORWARD -j DOCKER-ISOLATION-STAGE-1
	ipt -A FORWARD -o rs0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ipt -A FORWARD -o rs0 -j DOCKER
	ipt -A FORWARD -i rs0 ! -o rs0 -j ACCEPT
	ipt -A FORWARD -i rs0 -o rs0 -j ACCEPT
	ipt -A DOCKER -d 10.77.2.2/32 ! -i rs0 -o rs0 -p tcp -m tcp --dport 80 -j ACCEPT
	ipt -A DOCKER-ISOLATION-STAGE-1 -i rs0 ! -o rs0 -j DOCKER-ISOLATION-STAGE-2
	ipt -A DOCKER-ISOLATION-STAGE-1 -j RETURN
	ipt -A DOCKER-ISOLATION-STAGE-2 -o rs0 -j DROP
	ipt -A DOCKER-ISOLATION-STAGE-2 -j RETURN
	ipt -A DOCKER-USER -j RETURN
}
scenario_setup() {
	mkdir -p "$W/srv/client"
	head -c 1024 /dev/zero | tr '\0' 'c' >"$W/srv/client/file"
	head -c 2048 /dev/zero | tr '\0' 's' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_client_bg httpd-client $PY -m http.server 8000 --bind $C4 --directory "$W/srv/client"
	wait_port $NS_S tcp 80
	wait_port $NS_C tcp 8000
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$R4C:8080/file
	snapshot after-published
	in_server curl -sS -o /dev/null http://$C4:8000/file
	in_server ping -4 -n -c 2 -i 0.3 -W 1 $C4 >&2
	snapshot after-outbound
	in_client nc -z -w 1 $S4 80 || die "direct 10.77.2.2:80 should be accepted (DOCKER chain)"
	in_client nc -z -w 2 $S4 22 && die "10.77.2.2:22 should be dropped" || true
	in_server nc -z -w 1 $R4C 8080 && die "10.77.1.1:8080 from the container should be refused" || true
}
