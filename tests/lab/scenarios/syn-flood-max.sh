DESC="syn-flood-max: 300 TCP SYNs (scapy, source ports 20000-20299, 5 ms apart) to port 8080, which the server drops silently, with nf_conntrack_max lowered to 64 (global in 6.18: set on the host for the duration of the recording and restored afterwards); conntrack -S before and after in the optional file stats"
HELPERS=-
scenario_setup() {
	local n
	n=$(cat /proc/sys/net/netfilter/nf_conntrack_count)
	[ "$n" -lt 16 ] || die "syn-flood-max: the host tracks $n connections; nf_conntrack_max=64 would hurt it"
	in_server nft -f - <<'NFT' || die "nft failed in the server"
table inet drop8080 {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 8080 counter drop
	}
}
NFT
	set_global_sysctl net.netfilter.nf_conntrack_max 64
}
scenario_run() {
	stats_snapshot before
	in_client $PY $LAB/tools/syn_flood.py $S4 8080 300 >&2
	snapshot after-flood
	stats_snapshot after-flood
	sleep 5
	snapshot later
	stats_snapshot end
}
