DESC="udp-closed-v6: one UDP datagram to closed port 9999 on the server; the server answers with ICMP port unreachable (RELATED reply, no entry update)"
HELPERS=-
scenario_run() {
	in_client $PY $LAB/tools/udp_client.py $S6 9999 1 0 1
	snapshot after-error
}
