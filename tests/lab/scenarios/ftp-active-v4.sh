DESC="ftp-active-v4: pyftpdlib anonymous FTP server on $S4:21 (passive ports 30000-30009), curl -P - --disable-eprt downloads a 3 KB file; router assigns the ftp helper via nft ct helper; active mode with PORT 10.77.1.2, the server connects back (RELATED)"
HELPERS=ftp:tcp/21
scenario_setup() {
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS -P - --disable-eprt -o /dev/null "ftp://$S4/file"
	snapshot after-transfer
}
