DESC="fw-ipt-legacy-v4: FIREWALL=iptables-legacy (iptables 1.8 legacy x_tables backend, the same rules as fw-ipt-basic-v4; nothing in nft: nft-after.json is not written, the nft file is empty). mangle PREROUTING: CONNMARK --restore-mark, then udp 5005 -j MARK --set-mark 2 and -j CONNMARK --save-mark (connmark-style). filter FORWARD policy DROP: ctstate INVALID DROP; udp with mark 2 '-m statistic --mode nth --every 2 --packet 0 -j DROP' (every other packet of the marked flow, requests and echoes counted together) then mark 2 ACCEPT; icmp echo-request -m limit --limit 5/second --limit-burst 5 ACCEPT, then LOG --log-prefix 'ipt-icmp: ' --log-level info and DROP (before the ESTABLISHED rule, which would let the later requests of one ping through); ESTABLISHED,RELATED ACCEPT; jump to user chain 'checks' (-m comment, tcp 9000 -j RETURN early, an ICMP echo-request counter rule, falls off the end); tcp 8080 ctstate NEW ACCEPT; tcp multiport 9443,9444 REJECT --reject-with tcp-reset; -j LOG --log-prefix 'ipt-drop: ' for what is left (then the policy drops it). Traffic: curl 8080, nc -z to 9443 and 9444 (RSTs from the router), nc -z -w 2 to 9000 (logged and dropped twice), UDP echo on 5005 with 6 datagrams 0.2 s apart (nth matches the 1st, 3rd, ... marked packet: it drops the first request, so the second creates the entry, and then every echo; the UPDATE for the dropped first echo comes out with the next request that passes), ping -c 20 -i 0.01 (the burst of 5 and about one more pass, the rest logged with ipt-icmp and dropped)"
HELPERS=-
FIREWALL=iptables-legacy
fw_rules() {
	ipt -t mangle -A PREROUTING -m comment --comment "restore the connection mark" -j CONNMARK --restore-mark
	ipt -t mangle -A PREROUTING -p udp --dport 5005 -m mark --mark 0 -j MARK --set-mark 2
	ipt -t mangle -A PREROUTING -m mark ! --mark 0 -j CONNMARK --save-mark
	ipt -P FORWARD DROP
	ipt -N checks
	ipt -A checks -p tcp --dport 9000 -m comment --comment "back to FORWARD" -j RETURN
	ipt -A checks -p icmp --icmp-type echo-request
	ipt -A FORWARD -m conntrack --ctstate INVALID -j DROP
	ipt -A FORWARD -p udp -m mark --mark 2 -m statistic --mode nth --every 2 --packet 0 -j DROP
	ipt -A FORWARD -p udp -m mark --mark 2 -j ACCEPT
	ipt -A FORWARD -p icmp --icmp-type echo-request -m limit --limit 5/second --limit-burst 5 -j ACCEPT
	ipt -A FORWARD -p icmp --icmp-type echo-request -j LOG --log-prefix "ipt-icmp: " --log-level info
	ipt -A FORWARD -p icmp --icmp-type echo-request -j DROP
	ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	ipt -A FORWARD -j checks
	ipt -A FORWARD -p tcp --dport 8080 -m conntrack --ctstate NEW -m comment --comment "web" -j ACCEPT
	ipt -A FORWARD -p tcp -m multiport --dports 9443,9444 -j REJECT --reject-with tcp-reset
	ipt -A FORWARD -j LOG --log-prefix "ipt-drop: "
}
scenario_setup() {
	head -c 1024 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 8080
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client curl -sS -o /dev/null http://$S4:8080/file
	in_client nc -z -w 1 $S4 9443 && die "9443 should be rejected" || true
	in_client nc -z -w 1 $S4 9444 && die "9444 should be rejected" || true
	in_client nc -z -w 2 $S4 9000 && die "9000 should be dropped" || true
	snapshot after-tcp
	in_client $PY $LAB/tools/udp_client.py $S4 5005 6 0.2 0.15 >&2
	in_client ping -4 -n -q -c 20 -i 0.01 -W 1 $S4 >&2 || true
}
