DESC="udp-once-expire-v4: one request/response UDP pair (socat echo on 5005) with nf_conntrack_udp_timeout=5; snapshots before and after expiry so DESTROY is seen; observed: the DESTROY is stamped at the 'expired' /proc read (~2 s after the real expiry), not by the GC worker"
HELPERS=-
scenario_setup() {
	set_sysctl net.netfilter.nf_conntrack_udp_timeout 5
	in_server_bg socat socat UDP4-LISTEN:5005 PIPE
	wait_port $NS_S udp 5005
}
scenario_run() {
	in_client $PY $LAB/tools/udp_client.py $S4 5005 1 0 1
	snapshot replied
	sleep 7
	snapshot expired
	wait_event DESTROY 5 || true
}
