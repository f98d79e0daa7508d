DESC="ping-v4: ping -c 3 -i 0.5 to the server with icmp_timeout shortened to 5 s; wait past expiry so DESTROY is recorded; observed: the DESTROY is stamped at the 'expired' /proc read (~1.5 s after the real expiry), not by the GC worker"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_icmp_timeout 5
}
scenario_run() {
	in_client ping -4 -n -c 3 -i 0.5 $S4
	snapshot after-ping
	sleep 6.5
	snapshot expired
	wait_event DESTROY 5 || true
}
