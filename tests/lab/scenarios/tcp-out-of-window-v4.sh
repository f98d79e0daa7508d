DESC="tcp-out-of-window-v4: both ends scripted by tools/tcp_play.py (raw sockets; the endpoint kernels drop ports 7100-7199 on input, so they never answer), no window scaling, server window 2000; after 4x1000 bytes: client data 1000000 beyond the window (INVALID, SEQ over upper bound), a client ACK for 100000 bytes never sent (INVALID, ACK over upper bound), a retransmission of the first 1000-byte segment (under the lower bound: forwarded, no state change), a server ACK under the lower bound (forwarded, ignored), a client RST 1000000 beyond the window and then a server RST/ACK 1000000 beyond (both INVALID); a second connection (port 40101) sends 100 bytes starting 100 bytes past the server's window edge (accepted: the kernel's 'sender exceeded the window' workaround) and fills the hole; both close normally; observed: 4 INVALID; the second out-of-window RST (opposite direction to the first, ASSURED entry) silently lowers the timeout from 432000 to 300 (snapshot after-oow-rsts; the next valid packet restores 432000); the beyond-the-edge segment leaves the entry at 300 (unacknowledged data) until the hole is acked"
HELPERS=-
scenario_setup() {
	silence_play_ports
}
scenario_run() {
	run_play out-of-window 4
}
