DESC="nat-clash-v4: FIREWALL=nft, masquerade port clashes: the client has 10.77.1.2 and 10.77.1.3, both masqueraded to 10.77.2.1 ('oifname \"rs0\" counter masquerade', table ip nat). tools/nat_clash.py: (1) TCP from 10.77.1.2:40000 to the socat echo 10.77.2.2:5000 stays open while 10.77.1.3:40000 connects to the same server port: the first keeps 40000, the second's reply tuple would be taken, so the kernel picks another source port (random in 1024-65535 for masquerade without a port range: nf_nat_l4proto_unique_tuple starts at a random offset for source NAT; see the events' reply dport and out.pcap); (2) the same with UDP sockets bound to both :40000 to the socat UDP echo on 5005; (3) ICMP echo requests with the same id 1234 from both addresses (raw sockets): the second gets a new id; (4) TCP from 10.77.1.2:40001 closed (its entry is in TIME_WAIT), then 10.77.1.3:40001: the TIME_WAIT entry still holds the tuple, so the new connection is moved to another port too. Forward policy drop: invalid dropped, established,related and NEW from rc0 accepted"
HELPERS=-
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "rs0" counter masquerade
	}
}
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop
		ct state established,related counter accept
		iifname "rc0" ct state new counter accept
	}
}
NFT
}
scenario_setup() {
	ip -n $NS_C addr add 10.77.1.3/24 dev eth0
	in_server_bg tcpecho socat TCP4-LISTEN:5000,fork,reuseaddr PIPE
	in_server_bg udpecho socat UDP4-LISTEN:5005,fork PIPE
	wait_port $NS_S tcp 5000
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/nat_clash.py $S4 $C4 10.77.1.3 >&2
	snapshot after-clashes
}
