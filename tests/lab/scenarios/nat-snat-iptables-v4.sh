DESC="nat-snat-iptables-v4: FIREWALL=iptables-nft, SNAT with a port range: nat POSTROUTING '-o rs0 -p tcp -j SNAT --to-source 10.77.2.1:20000-20009', the same for udp, '-o rs0 -p icmp -j SNAT --to-source 10.77.2.1'; filter FORWARD policy DROP, ctstate INVALID DROP, RELATED,ESTABLISHED ACCEPT, '-i rc0 -o rs0 -m conntrack --ctstate NEW -j ACCEPT'. A source port inside the range that is free is kept; one outside the range, or taken, is replaced by a port of the range found from a random starting offset (the events' reply dport says which). The range is small (10 ports, at most 32 attempts: nf_nat_used_tuple_harder), so a TCP SYN may also take a port whose only holder is a TIME_WAIT entry that has seen a reply, if its initial sequence number is past that connection's: the old entry is killed (DESTROY stamped with the new SYN) and the port reused. Traffic: curl --local-port 20005 first (kept: 20005), 3 curls from ephemeral ports to python3 http.server on 10.77.2.2:80 (mapped into 20000-20009), curl --local-port 20005 from the second client address 10.77.1.3 (20005 not free: another port of the range), udp_client.py 2 datagrams to a socat echo on 5005 (mapped into the range; UDP ports are separate from TCP ones), ping -c 1 (id kept)"
HELPERS=-
FIREWALL=iptables-nft
fw_rules() {
	ipt -t nat -A POSTROUTING -o rs0 -p tcp -j SNAT --to-source 10.77.2.1:20000-20009
	ipt -t nat -A POSTROUTING -o rs0 -p udp -j SNAT --to-source 10.77.2.1:20000-20009
	ipt -t nat -A POSTROUTING -o rs0 -p icmp -j SNAT --to-source 10.77.2.1
	ipt -P FORWARD DROP
	ipt -A FORWARD -m conntrack --ctstate INVALID -j DROP
	ipt -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	ipt -A FORWARD -i rc0 -o rs0 -m conntrack --ctstate NEW -j ACCEPT
}
scenario_setup() {
	ip -n $NS_C addr add 10.77.1.3/24 dev eth0
	head -c 512 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd $PY -m http.server 80 --bind $S4 --directory "$W/srv"
	in_server_bg socat socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 80
	wait_port $NS_S udp 5005
}
scenario_run() {
	local i
	in_client curl -sS -o /dev/null --local-port 20005 http://$S4/file
	for i in 1 2 3; do in_client curl -sS -o /dev/null http://$S4/file; done
	in_client curl -sS -o /dev/null --interface 10.77.1.3 --local-port 20005 http://$S4/file
	snapshot after-tcp
	in_client $PY $LAB/tools/udp_client.py $S4 5005 2 0.2 >&2
	in_client ping -4 -n -c 1 -W 1 $S4 >&2
}
