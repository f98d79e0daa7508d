DESC="tcp-bad-checksum-v6: both ends scripted by tools/tcp_play.py (raw sockets; the endpoint kernels drop ports 7100-7199 on input, so they never answer); an established connection (40300) gets a data segment, an ACK, a FIN/ACK and a RST/ACK with corrupted TCP checksums (each INVALID, no state change; the good copies follow), then closes normally; a second connection (40301) starts with a bad-checksum SYN (INVALID, no entry), the good SYN (NEW), a bad-checksum SYN/ACK (INVALID), the good SYN/ACK, ACK, close; observed: 6 INVALID"
HELPERS=-
scenario_setup() {
	silence_play_ports
}
scenario_run() {
	run_play bad-checksum 6
}
