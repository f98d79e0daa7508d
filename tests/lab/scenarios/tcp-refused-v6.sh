DESC="tcp-refused-v6: nc -z to closed TCP port 9999 on the server; the server answers the SYN with RST/ACK"
HELPERS=-
scenario_run() {
	in_client nc -6 -z -w 2 $S6 9999 || true
}
