DESC="ftp-active-v6: pyftpdlib anonymous FTP server on [$S6]:21 (passive ports 30000-30009), curl -P - downloads a 3 KB file; router assigns the ftp helper via nft ct helper; active mode with EPRT |2|fd77:1::2|port| over IPv6"
HELPERS=ftp:tcp/21
scenario_setup() {
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S6 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS -P - -o /dev/null "ftp://[$S6]/file"
	snapshot after-transfer
}
