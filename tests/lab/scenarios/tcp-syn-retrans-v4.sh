DESC="tcp-syn-retrans-v4: a real client (tools/tcp_client.py) connects to socat on port 7000 while the server namespace drops incoming SYNs (nft) for 2 s: the SYN is retransmitted twice by the kernel (t=0, 1, 3 s; no events; the retransmissions do not refresh the SYN_SENT timeout: snapshot syn-retransmitted, 1.5 s after the first SYN and 0.5 s after the second, shows 118, not 119), the third gets through; then both ends scripted by tools/tcp_play.py (raw sockets; the endpoint kernels drop ports 7100-7199 on input, so they never answer): 40400: SYN, identical retransmission 1.5 s later (again no refresh: snapshot syn-sent shows 118), then a SYN with a new higher ISN while in SYN_SENT (accepted; the SYN/ACK for the new ISN establishes); 40401: SYN then a SYN with a LOWER ISN; the SYN/ACK acking the lower ISN only sets reply-seen (state-less UPDATE, stays SYN_SENT), the client's ACK is INVALID and its RST changes nothing (entry stays SYN_SENT); 40402: after a new ISN, a SYN/ACK acking the OLD ISN (state-less UPDATE, stays SYN_SENT), then the SYN/ACK for the new ISN (SYN_RECV), ACK (ESTABLISHED), RST (CLOSE); observed: 1 INVALID"
HELPERS=-
scenario_setup() {
	silence_play_ports
	in_server_bg socat socat TCP4-LISTEN:7000,reuseaddr,fork PIPE
	wait_port $NS_S tcp 7000
	in_server nft -f - <<'NFT'
table inet synblock {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 7000 tcp flags syn counter drop
	}
}
NFT
}
scenario_run() {
	in_client_bg client $PY $LAB/tools/tcp_client.py $S4 7000 send:hello
	local c=$LAST_BG
	sleep 1.5; snapshot syn-retransmitted
	sleep 0.5; in_server nft delete table inet synblock
	wait $c
	sleep 0.3
	run_play syn-newisn 4
}
