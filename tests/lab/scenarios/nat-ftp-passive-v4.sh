DESC="nat-ftp-passive-v4: FIREWALL=nft, passive FTP through NAT with the FTP NAT helper (nf_nat_ftp, built into this kernel): table inet fw holds an ftp ct helper object attached by 'tcp dport 21 counter ct helper set \"ftp-standard\"' (prerouting, priority filter), forward policy drop (invalid dropped, established and related accepted, NEW to port 21 from rc0 accepted); table ip nat: postrouting 'oifname \"rs0\" counter masquerade' and prerouting 'iif \"rc0\" ip daddr 10.77.1.1 tcp dport 21 counter dnat to 10.77.2.102' (FTP published on the router's address; the server also holds 10.77.2.102, pyftpdlib listens on every address, passive ports 30000-30009). Two downloads of a 3 KB file with curl --disable-epsv: (1) straight to 10.77.2.2 (masquerade only: the 227 reply names 10,77,2,2 and passes unchanged; the data connection to the passive port is RELATED and masqueraded like the control connection); (2) to 10.77.1.1 (DNAT to 10.77.2.102 plus masquerade): the server's 227 names 10,77,2,102 and the router rewrites it to 10,77,1,1 (2 bytes shorter: seqadj on the rest of the control connection), the expectation is for 10.77.1.1 and the client's data connection to 10.77.1.1 is RELATED and DNATed to 10.77.2.102"
HELPERS=ftp:tcp/21
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iif "rc0" ip daddr 10.77.1.1 tcp dport 21 counter dnat to 10.77.2.102
	}
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
	ip -n $NS_S addr add 10.77.2.102/24 dev eth0
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i 0.0.0.0 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS --disable-epsv -o /dev/null "ftp://$S4/file"
	snapshot after-transfer-1
	in_client curl -g -sS --disable-epsv -o /dev/null "ftp://$R4C/file"
	snapshot after-transfer-2
}
