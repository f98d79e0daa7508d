DESC="ftp-passive-v4: pyftpdlib anonymous FTP server on $S4:21 (passive ports 30000-30009), curl --disable-epsv downloads a 3 KB file; router assigns the ftp helper via nft ct helper; PASV / 227 reply, passive data connection is RELATED"
HELPERS=ftp:tcp/21
scenario_setup() {
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client curl -g -sS --disable-epsv -o /dev/null "ftp://$S4/file"
	snapshot after-transfer
}
