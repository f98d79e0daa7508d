DESC="fw-firewalld-v4: FIREWALL=firewalld (firewalld 1.3, nftables backend, in the router namespace on a private D-Bus, its own copy of /etc/firewalld; table inet firewalld, rules without counters): zone lan (rc0) with service ssh, zone dmz (rs0), policy lan-to-dmz (ingress lan, egress dmz, target REJECT, port 8080/tcp), LogDenied=all (log rules before the rejects). IPv6_rpfilter's fib saddr . mark . iif oif missing drop sees the IPv6 neighbour discovery and MLD of the capture. Traffic: ping -c 2 the router (the zone accepts icmp), curl the server on 8080 (the policy), ping -c 2 the server (the policy has no icmp: logged, rejected with icmpx admin-prohibited), nc -z to the router's port 22 (ssh: RST from the router) and 23 (logged, rejected with icmpx admin-prohibited by zone lan), nc -z to the server's port 9000 (logged, rejected by the policy), and from the server nc -z to the client's port 7000 (dmz to lan: no policy, rejected in filter_FORWARD)"
HELPERS=-
FIREWALL=firewalld
fw_setup() {
	fwd_offline --new-zone=lan
	fwd_offline --zone=lan --add-interface=rc0
	fwd_offline --zone=lan --add-service=ssh
	fwd_offline --zone=dmz --add-interface=rs0
	fwd_offline --new-policy=lan-to-dmz
	fwd_offline --policy=lan-to-dmz --add-ingress-zone=lan
	fwd_offline --policy=lan-to-dmz --add-egress-zone=dmz
	fwd_offline --policy=lan-to-dmz --set-target=REJECT
	fwd_offline --policy=lan-to-dmz --add-port=8080/tcp
	fwd_offline --set-log-denied=all
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $R4C >&2
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client ping -4 -n -c 2 -i 0.3 -W 1 $S4 >&2 || true
	snapshot after-http
	in_client nc -z -w 1 $R4C 22 && die "nothing listens on the router's port 22" || true
	in_client nc -z -w 1 $R4C 23 && die "router port 23 should be rejected" || true
	in_client nc -z -w 1 $S4 9000 && die "server port 9000 should be rejected" || true
	in_server nc -z -w 1 $C4 7000 && die "client port 7000 should be rejected" || true
}
