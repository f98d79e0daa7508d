DESC="frag6-nested: scapy IPv6 datagrams in two fragments whose first fragment carries a second fragment header after the first (tools/frag6_odd.py nested): inner header atomic (40411), inner header with M=1 (40412), then a plain datagram (40413), to the UDP echo on 5005"
HELPERS=-
scenario_setup() {
	in_server_bg socat socat UDP6-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/frag6_odd.py nested >&2
	sleep 0.5
	snapshot after-frags
}
