DESC="fw-helper-rule-v4: FIREWALL=nft, FTP through a forward policy drop: the ftp helper is attached by a rule ('tcp dport 21 ct helper set \"ftp-standard\"' in prerouting, an nft ct helper object), forward accepts established, 'ct state related' (the passive data connection, expected by the helper from the 227 reply) and NEW to port 21 only. curl --disable-epsv downloads a 3 KB file from pyftpdlib (passive ports 30000-30009): the data connection is RELATED and passes; then nc -z -w 1 to passive port 30005 with no expectation (NEW, dropped by the policy)"
HELPERS=ftp:tcp/21
FIREWALL=nft
fw_ruleset() {
	cat <<'NFT'
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
		ct state established counter accept
		ct state related counter accept
		tcp dport 21 ct state new counter accept
	}
}
NFT
}
scenario_setup() {
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS --disable-epsv -o /dev/null "ftp://$S4/file"
	snapshot after-transfer
	in_client nc -z -w 1 $S4 30005 && die "30005 should be dropped" || true
}
