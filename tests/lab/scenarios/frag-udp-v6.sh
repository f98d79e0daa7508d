DESC="frag-udp-v6: UDP echo (socat, port 5005) and fragmented datagrams from tools/frag_craft.py: a 4000-byte datagram fragmented by the client's kernel and echoed in fragments (40300); scapy fragments out of order with an exact duplicate, reassembled (40301); two overlapping fragments, then the same datagram fragmented correctly under a new fragment id (40302); an incomplete datagram (two of three fragments) followed by a small unfragmented one (40303)"
HELPERS=-
scenario_setup() {
	in_server_bg socat socat UDP6-LISTEN:5005,fork PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/frag_craft.py 6 >&2
	sleep 0.5
	snapshot after-frags
}
