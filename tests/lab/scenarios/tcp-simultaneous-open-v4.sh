DESC="tcp-simultaneous-open-v4: both ends scripted by tools/tcp_play.py (raw sockets; the endpoint kernels drop ports 7100-7199 on input, so they never answer); simultaneous open between ports 7104 and 7105: client SYN (NEW SYN_SENT), crossing server SYN (SYN_SENT2), server SYN/ACK (SYN_RECV), client SYN/ACK (no event), ACKs (ESTABLISHED ASSURED), data both ways, normal close; no INVALID"
HELPERS=-
scenario_setup() {
	silence_play_ports
}
scenario_run() {
	run_play simopen 4
}
