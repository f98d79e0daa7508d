# Self-test scenario (not a golden): a burst that overflows a small capture
# ring. Run by tests/lab/selftest-drops.sh, never by a plain record.sh.
DESC="capture-overflow: 3000 UDP datagrams of 1000 bytes sent back to back to a port the server discards (nft drop in the server, no ICMP)"
HELPERS=-
scenario_setup() {
	in_server nft -f - <<'NFT' || die "nft failed in the server"
table inet sink {
	chain input {
		type filter hook input priority filter; policy accept;
		udp dport 5009 counter drop
	}
}
NFT
}
scenario_run() {
	in_client $PY -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("10.77.2.2", 5009))
for i in range(3000):
    s.send(b"x" * 1000)
'
}
