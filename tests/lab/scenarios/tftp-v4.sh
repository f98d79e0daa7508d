DESC="tftp-v4: in.tftpd (tftpd-hpa, foreground) on 10.77.2.2:69, tftp-hpa client gets a 2000-byte file (4 blocks); router assigns the tftp helper via nft ct helper, the data flow from the server's new port is RELATED"
HELPERS=tftp:udp/69
scenario_setup() {
	head -c 2000 /dev/zero | tr '\0' 't' >"$W/srv/file"
	chmod 755 "$W/srv"; chmod 644 "$W/srv/file"
	in_server_bg tftpd in.tftpd -L -u nobody -a $S4:69 -s "$W/srv"
	wait_port $NS_S udp 69
}
scenario_run() {
	in_client tftp -m octet $S4 -c get file "$W/tftp-got"
	cmp -s "$W/tftp-got" "$W/srv/file" || log "warning: tftp transfer mismatch"
	snapshot after-transfer
}
