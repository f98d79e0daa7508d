DESC="frag6-atomic-empty: scapy atomic IPv6 fragments (offset 0, M=0) to the UDP echo on 5005 (tools/frag6_odd.py atomic): one with nothing after the fragment header and next header UDP (payload length 8, id 0x5a01), one with nothing after it and next header 59 (id 0x5a02), one carrying a whole UDP datagram (40401), then a plain datagram (40402)"
HELPERS=-
scenario_setup() {
	in_server_bg socat socat UDP6-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/frag6_odd.py atomic >&2
	sleep 0.5
	snapshot after-frags
}
