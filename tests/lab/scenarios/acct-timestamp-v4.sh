DESC="acct-timestamp-v4: nf_conntrack_acct=1 and nf_conntrack_timestamp=1 in the router (packets=/bytes= per direction in /proc and in DESTROY events, delta-time= in /proc), with tcp_timeout_time_wait=3 and icmp_timeout=5 so both entries end within the recording: one curl fetch of a 4 KB file from python3 http.server on 8080, then ping -c 3 -i 0.5; snapshots right after, ~2 s later and after both expired. Client and server are pinned to CPU 0 (taskset) so the router handles every packet on one CPU: the near-simultaneous FINs of the close otherwise race on two CPUs and the kernel can merge their cached events (FIN_WAIT not reported)"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_acct 1
	set_sysctl net.netfilter.nf_conntrack_timestamp 1
	set_sysctl net.netfilter.nf_conntrack_tcp_timeout_time_wait 3
	set_sysctl net.netfilter.nf_conntrack_icmp_timeout 5
	head -c 4096 /dev/zero | tr '\0' 'a' >"$W/srv/file"
	in_server_bg httpd taskset -c 0 $PY -m http.server 8080 --bind $S4 --directory "$W/srv"
	wait_port $NS_S tcp 8080
}
scenario_run() {
	in_client taskset -c 0 curl -sS -o /dev/null http://$S4:8080/file
	in_client taskset -c 0 ping -4 -n -c 3 -i 0.5 $S4 >&2
	snapshot after-traffic
	sleep 2.2
	snapshot later
	sleep 4.5
	snapshot expired
	wait_event 'DESTROY.*icmp' 5 || true
}
