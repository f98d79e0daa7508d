DESC="tcp-rst-inexact-v4: both ends scripted by tools/tcp_play.py (raw sockets; the endpoint kernels drop ports 7100-7199 on input, so they never answer); A (40200): a client RST in the window but 1000 past the expected sequence: the entry stays ESTABLISHED with the 10 s CLOSE timeout (snapshot after-inexact-rst shows 9), the next valid packets restore it (300: the RST's sequence counts as unacknowledged data), then the exact RST gives CLOSE 10; B (40201): the server sends data and at once a RST/ACK at the data's end before it was acked (RST 'train': accepted as exact, CLOSE); C (40202): an inexact RST/ACK from the server (ESTABLISHED, timeout 10, snapshot) then the exact one (CLOSE); no INVALID"
HELPERS=-
scenario_setup() {
	silence_play_ports
}
scenario_run() {
	run_play rst-inexact 4
}
