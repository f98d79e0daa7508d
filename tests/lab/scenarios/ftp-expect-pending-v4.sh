DESC="ftp-expect-pending-v4: pyftpdlib anonymous FTP on 10.77.2.2:21 (passive ports 30000-30009); a python ftplib client logs in, sends PASV and waits 3 s before connecting the data channel and RETR of a 3 KB file, so the snapshot 'expect-pending' shows the helper's expectation in /proc/net/nf_conntrack_expect"
HELPERS=ftp:tcp/21
scenario_setup() {
	head -c 3000 /dev/zero | tr '\0' 'f' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/ftp_slow_client.py $S4 file 3
	local c=$LAST_BG
	sleep 1.5; snapshot expect-pending
	wait $c
	sleep 0.5; snapshot after-transfer
}
