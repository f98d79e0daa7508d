/* \summary: decode one captured frame (L2..L4) into a bounds-checked packet view */
#ifndef CTREPLAY_DECODE_H
#define CTREPLAY_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "bytes.h"
#include "common.h"

/* "not IP (ethertype 0x1234)" and its NUL */
#define CT_PKT_REASON_MAX 28

/* netfilter's hooks, as NFULA_PACKET_HDR numbers them (NF_INET_*). */
enum ct_pkt_hook {
	CT_PKT_HOOK_PREROUTING = 0,
	CT_PKT_HOOK_INPUT,
	CT_PKT_HOOK_FORWARD,
	CT_PKT_HOOK_OUTPUT,
	CT_PKT_HOOK_POSTROUTING,
};

/*
 * What a DLT_NFLOG message says besides the packet (nfnetlink_log's TLVs,
 * include/uapi/linux/netfilter/nfnetlink_log.h).  The prefix points into
 * the frame, like the packet's own pointers, and is not NUL-terminated.
 */
struct ct_pkt_nflog {
	const uint8_t *prefix; /* NFULA_PREFIX without its NUL; NULL: none */
	uint16_t prefix_len;
	uint16_t group;        /* the header's resource id (nflog group) */
	bool has_hook;
	uint8_t hook;          /* enum ct_pkt_hook, from NFULA_PACKET_HDR */
	bool has_mark;
	uint32_t mark;         /* NFULA_MARK: the packet's mark when logged */
	uint32_t outdev;       /* NFULA_IFINDEX_OUTDEV, 0: none (the input
				* device is ct_pkt.ifindex) */
};

/* What conntrack can do with a frame. */
enum ct_pkt_kind {
	CT_PKT_NONE = 0,   /* never reaches conntrack: not IP (ARP, STP...), an
			    * outgoing copy, or an IP header the stack's own
			    * input checks reject before PREROUTING; reason says */
	CT_PKT_IP,         /* an IPv4/IPv6 packet conntrack sees */
};

/*
 * The packet as conntrack sees it.  All pointers point into the capture
 * buffer and are valid until the next frame is read.  Lengths follow the
 * kernel: l3len is the IP header's own length (not the captured length),
 * l4len is what the IP header says follows the network headers, and l4cap
 * is how much of that is actually in the capture (less when the snap
 * length cut the frame).
 *
 * Where the kernel's own view is odd, the packet says so rather than
 * guess: for IPv6, l4num is 59 (no next header) both for a real
 * no-next-header and when the packet ends inside its extension header
 * chain -- ipv6_skip_exthdr() fails in either case and conntrack calls
 * the packet INVALID; an extension header longer than the packet leaves
 * l4len = l4cap = 0, so every transport header read fails as it does in
 * the kernel.  For a fragment other than the first (frag_off != 0, which
 * conntrack calls INVALID unless defrag reassembled it) l4 is the
 * fragment's data and l4num the protocol its header names.
 */
struct ct_pkt {
	uint64_t frame;        /* frame number, from 1 across all inputs */
	ct_time ts;            /* capture time, already made monotonic */
	enum ct_pkt_kind kind;
	const char *reason;    /* why kind == CT_PKT_NONE: a static string,
				* or for a rare ethertype reason_buf (below):
				* a copy of the struct points into the
				* original, as its data pointers point into
				* the original frame */

	uint8_t l3num;         /* CT_L3_IPV4 / CT_L3_IPV6 */
	uint8_t l4num;         /* protocol after IPv6 extension headers */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t ttl;           /* TTL or hop limit */
	uint32_t l3len;        /* IPv4 total length / IPv6 40 + payload length */
	uint32_t l3hdrlen;     /* bytes of network headers before l4 */

	const uint8_t *l3;     /* start of the IP header */
	uint32_t l3cap;        /* captured bytes from l3 (capped at l3len) */
	const uint8_t *l4;     /* start of the transport header */
	uint32_t l4len;        /* l3len - l3hdrlen */
	uint32_t l4cap;        /* captured bytes from l4 (<= l4len) */

	/* Fragmentation (IPv4 flags/offset, IPv6 fragment header). */
	bool is_fragment;      /* MF set or offset != 0 */
	uint16_t frag_off;     /* in 8-byte units */
	bool frag_more;
	uint32_t frag_id;

	/* Link layer facts reporters and --zone-from may use. */
	uint16_t vlan[2];      /* outermost first */
	uint8_t nvlan;
	/* The interface and packet type the capture says the frame came
	 * with (LINUX_SLL2: ifindex and PACKET_HOST 0 ... OUTGOING 4);
	 * ifindex 0: not known. */
	uint32_t ifindex;
	uint8_t pkttype;
	/* A copy of a frame the host sent (LINUX_SLL PACKET_OUTGOING): kind
	 * is CT_PKT_NONE, but its IP fields are decoded, for a firewall that
	 * replays what the host itself sent (ifindex: the output device). */
	bool outgoing;
	/* The link header as the input interface had it (Ethernet:
	 * destination, source, ethertype); a LINUX_SLL2 capture knows the
	 * source only (mac_dst_known false).  maclen 0: none. */
	uint8_t mac[14];
	uint8_t maclen;
	bool mac_dst_known;

	/* The frame is an NFLOG message (DLT_NFLOG): nflog says what the
	 * log rule added to the packet. */
	bool is_nflog;
	struct ct_pkt_nflog nflog;

	/* The L4 checksum's verdict once computed ahead of tracking
	 * (ct_l4_csum_note()): 0 not yet, 1 good, -1 bad. */
	int8_t csum;

	/* Last, and not cleared by ct_decode(): the text reason points to
	 * when no static string says it.  Being in the packet, it is the
	 * decoding thread's own (decode keeps no state between frames). */
	char reason_buf[CT_PKT_REASON_MAX];
};

/*
 * The transport bytes the capture holds (l4cap, never more than the l4len
 * the IP header announces), as a view to read them through.
 */
static inline struct bytes ct_pkt_l4(const struct ct_pkt *pkt)
{
	return bytes_view(pkt->l4,
			  pkt->l4cap < pkt->l4len ? pkt->l4cap : pkt->l4len);
}

/* The network header and what follows it, as captured (l3cap). */
static inline struct bytes ct_pkt_l3(const struct ct_pkt *pkt)
{
	return bytes_view(pkt->l3, pkt->l3cap);
}

/*
 * Whether ctreplay can decode libpcap link type `dlt`.
 */
bool ct_decode_linktype_supported(int dlt);

/* The link types ctreplay decodes, by their libpcap names, for a message
 * about one it cannot ("EN10MB, LINUX_SLL, ..."). */
const char *ct_decode_linktypes_text(void);

/* The name of a netfilter hook as nft spells it ("input"). */
const char *ct_pkt_hook_name(uint8_t hook);

/*
 * Decode one frame of link type dlt.  Never fails: a frame conntrack would
 * not see gets kind CT_PKT_NONE with a reason; a truncated or lying IP
 * header is CT_PKT_NONE too (the kernel's ip_rcv drops it before
 * conntrack).  Transport-level damage is left to the trackers, which give
 * INVALID with the kernel's reason.  frame and ts are copied as given.
 * Reentrant: everything it writes is in *pkt, so threads may decode
 * frames side by side.
 */
void ct_decode(int dlt, const uint8_t *data, uint32_t caplen, uint64_t frame,
	       ct_time ts, struct ct_pkt *pkt);

#endif
