DESC="ping-frag-v4: ping -s 3000 -c 2 (each echo request/reply fragmented on the 1500-byte links; the router defragments for conntrack and refragments on output)"
HELPERS=-
scenario_run() {
	in_client ping -4 -n -c 2 -i 0.5 -s 3000 $S4
}
