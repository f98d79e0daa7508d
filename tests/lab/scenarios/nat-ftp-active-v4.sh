DESC="nat-ftp-active-v4: FIREWALL=nft, active FTP through masquerade with the FTP NAT helper: table inet fw holds an ftp ct helper object attached by 'tcp dport 21 counter ct helper set \"ftp-standard\"' (prerouting, priority filter), forward policy drop (invalid dropped, established and related accepted, NEW to port 21 from rc0 accepted); table ip nat postrouting 'oifname \"rs0\" counter masquerade'. nf_nat_ftp is built into this kernel (CONFIG_NF_NAT_FTP=y): the client's PORT command leaves the router with the router's address (out.pcap: PORT 10,77,2,1,...), the expectation is for 10.77.2.1 and the server's data connection from port 20 to 10.77.2.1 is RELATED and DNATed back to the client (events: orig dst=10.77.2.1, reply dst=the client). Two downloads of a 3 KB file from pyftpdlib with curl -P - --disable-eprt: from 10.77.1.2 (PORT 10,77,1,2 rewritten to 10,77,2,1: same length) and from a second client address 10.77.1.102 (PORT 10,77,1,102,... rewritten 2 bytes shorter: the router adjusts the sequence numbers of the client's later segments and the acknowledgements of the server's, seqadj)"
HELPERS=ftp:tcp/21
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
	ct helper ftp-standard {
		type "ftp" protocol tcp
		l3proto inet
	}
	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		tcp dport 21 counter ct helper set "ftp-standard"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop
		ct state established counter accept
		ct state related counter accept
		iifname "rc0" tcp dport 21 ct state new counter accept
	}
}
NFT
}
scenario_setup() {
	ip -n $NS_C addr add 10.77.1.102/24 dev eth0
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS -P - --disable-eprt -o /dev/null "ftp://$S4/file"
	snapshot after-transfer-1
	in_client curl -g -sS -P - --disable-eprt --interface 10.77.1.102 -o /dev/null "ftp://$S4/file"
	snapshot after-transfer-2
}
