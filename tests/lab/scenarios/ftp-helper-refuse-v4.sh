DESC="ftp-helper-refuse-v4: pyftpdlib on $S4:21, ftp helper assigned by the router's nft; tools/ftp_refuse.py logs in and sends EPRT |1|10.77.1.2| (no port: the helper's partial match, NF_DROP at confirm time, after the forward chain counted it established); the client retransmits it for 1.5 s, then resets the connection"
HELPERS=ftp:tcp/21
scenario_setup() {
	mkdir -p "$W/srv"; chmod 755 "$W/srv"
	in_server_bg ftpd $PY -m pyftpdlib -i $S4 -p 21 -d "$W/srv" -r 30000-30009
	wait_port $NS_S tcp 21
}
scenario_run() {
	in_client $PY $LAB/tools/ftp_refuse.py $S4 >&2
	sleep 0.5
	snapshot after-refuse
}
