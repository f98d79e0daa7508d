DESC="tcp-refused-v4: nc -z to closed TCP port 9999 on the server; the server answers the SYN with RST/ACK"
HELPERS=-
scenario_run() {
	in_client nc -4 -z -w 2 $S4 9999 || true
}
