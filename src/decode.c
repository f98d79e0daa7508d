/* \summary: decode one captured frame (L2..L4) into a bounds-checked packet view */
/*
 * The model: conntrack sits at PREROUTING, so a frame only reaches it after
 * the link layer has been stripped and the IP input checks (ip_rcv_core,
 * ip6_rcv_core) have passed.  Whatever those checks drop becomes
 * CT_PKT_NONE with a fixed reason; everything the IP layer lets through is
 * CT_PKT_IP, however broken its transport header, because judging that is
 * conntrack's job.
 *
 * One liberty is taken on purpose: the kernel drops an IP packet whose
 * length field exceeds the bytes received, but a capture only knows how
 * many bytes it kept.  Snap-length cuts are the norm, so lengths always
 * come from the IP header and the missing tail is simply not there
 * (l3cap/l4cap say how much is).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "ct/tuple.h"

/* libpcap link types, spelled out so the meaning does not depend on the
 * platform's <pcap/dlt.h> (DLT_RAW is 12 or 14, DLT_LOOP 12 or 108). */
#define LT_NULL       0
#define LT_EN10MB     1
#define LT_PPP        9
#define LT_PPP_SERIAL 50    /* LINKTYPE_PPP_HDLC */
#define LT_PPP_ETHER  51    /* PPPoE without the Ethernet header */
#define LT_C_HDLC     104
#define LT_RAW        12
#define LT_RAW_BSD    14
#define LT_RAW_LINK   101   /* LINKTYPE_RAW, if a reader hands it on unmapped */
#define LT_LOOP       108
#define LT_LINUX_SLL  113
#define LT_IPV4       228
#define LT_IPV6       229
#define LT_NFLOG      239
#define LT_LINUX_SLL2 276

#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86dd
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88a8
#define ETH_P_QINQ1   0x9100   /* pre-802.1ad QinQ, still seen */
#define ETH_P_PPP_SES 0x8864   /* PPPoE session */

/* PPP protocol numbers (RFC 1661, include/uapi/linux/ppp_defs.h) */
#define PPP_IP        0x0021
#define PPP_IPV6      0x0057
#define PPP_ADDRESS   0xff     /* HDLC-like framing, RFC 1662 */
#define PPP_CONTROL   0x03
#define CHDLC_UNICAST 0x0f     /* Cisco HDLC addresses */
#define CHDLC_BCAST   0x8f

#define SLL_OUTGOING  4        /* PACKET_OUTGOING */
#define ARPHRD_NETLINK 824     /* sll protocol is a netlink family there */

#define NH_HOP        0
#define NH_ROUTING    43
#define NH_FRAGMENT   44
#define NH_ESP        50
#define NH_AUTH       51
#define NH_NONE       59
#define NH_DEST       60

/* ip6_rcv_core's default for net.ipv6.max_hbh_opts_number. */
#define HBH_MAX_OPTS  8

/* Mark the frame as one conntrack never sees; false for the callers'
 * convenience (the decoders return true for an IP packet). */
static bool pkt_none(struct ct_pkt *pkt, const char *reason)
{
	pkt->kind = CT_PKT_NONE;
	pkt->reason = reason;
	return false;
}

/*
 * Reasons for non-IP frames.  The usual ethertypes get their own constant
 * string; anything else is formatted into the packet's own reason_buf.
 */
static const struct {
	uint16_t type;
	const char *reason;
} ethertype_reasons[] = {
	{ 0x0806, "not IP (ethertype 0x0806)" },  /* ARP */
	{ 0x8035, "not IP (ethertype 0x8035)" },  /* RARP */
	{ 0x809b, "not IP (ethertype 0x809b)" },  /* AppleTalk */
	{ 0x8137, "not IP (ethertype 0x8137)" },  /* IPX */
	{ 0x8847, "not IP (ethertype 0x8847)" },  /* MPLS */
	{ 0x8848, "not IP (ethertype 0x8848)" },  /* MPLS multicast */
	{ 0x8863, "not IP (PPPoE discovery)" },
	{ 0x888e, "not IP (ethertype 0x888e)" },  /* EAPOL */
	{ 0x88cc, "not IP (ethertype 0x88cc)" },  /* LLDP */
	{ 0x88e5, "not IP (ethertype 0x88e5)" },  /* MACsec */
	{ 0x88f7, "not IP (ethertype 0x88f7)" },  /* PTP */
	{ 0x8809, "not IP (ethertype 0x8809)" },  /* slow protocols (LACP) */
	{ 0x9000, "not IP (ethertype 0x9000)" },  /* loopback test */
};

static bool ethertype_none(struct ct_pkt *pkt, uint16_t type)
{
	size_t i;

	if (type < 0x0600)
		return pkt_none(pkt, "not IP (802.3 length field)");
	for (i = 0; i < CT_ARRAY_SIZE(ethertype_reasons); i++)
		if (ethertype_reasons[i].type == type)
			return pkt_none(pkt, ethertype_reasons[i].reason);
	snprintf(pkt->reason_buf, sizeof(pkt->reason_buf),
		 "not IP (ethertype 0x%04x)", type);
	return pkt_none(pkt, pkt->reason_buf);
}

/*
 * RFC 1071: a correct header's one's complement sum folds to 0xffff, that
 * is, its plain sum of big-endian words is a non-zero multiple of 0xffff.
 * Summing native 32-bit words instead keeps both properties: 2^16 is 1
 * modulo 0xffff, a byte swap multiplies by 256, which is prime to 0xffff
 * (RFC 1071 2(B)), and only zero bytes sum to zero.  So byte order does
 * not matter here.  len is 4 * IHL, at least 20 (the caller checked).
 */
static bool ipv4_header_csum_ok(const uint8_t *h, uint32_t len)
{
	/* the 20 bytes every header has without a loop, then any options */
	uint64_t sum = (uint64_t)bytes_load_ne32(h) + bytes_load_ne32(h + 4) +
		       bytes_load_ne32(h + 8) + bytes_load_ne32(h + 12) +
		       bytes_load_ne32(h + 16);
	uint32_t i;

	for (i = 20; i < len; i += 4)
		sum += bytes_load_ne32(h + i);
	return sum != 0 && sum % 0xffff == 0;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * The checks of ip_rcv_core(), in its order, except that a length field
 * larger than the captured bytes is believed (snap length, see top).
 * ip holds the header and what the capture kept after it.
 */
static bool decode_ipv4(struct bytes ip, struct ct_pkt *pkt)
{
	uint32_t ihl, tot;
	uint16_t fo;
	uint8_t vihl;

	if (!bytes_has(&ip, 0, 20))
		return pkt_none(pkt, "truncated IPv4 header");
	vihl = bytes_u8(&ip, 0);
	if ((vihl >> 4) != 4)
		return pkt_none(pkt, "bad IPv4 version");
	ihl = (uint32_t)(vihl & 0x0f) * 4;
	if (ihl < 20)
		return pkt_none(pkt, "bad IPv4 header length");
	if (!bytes_has(&ip, 0, ihl))
		return pkt_none(pkt, "truncated IPv4 header");
	if (!ipv4_header_csum_ok(bytes_ptr(&ip, 0), ihl))
		return pkt_none(pkt, "bad IPv4 header checksum");
	tot = bytes_be16(&ip, 2);
	if (tot < ihl)
		return pkt_none(pkt, "bad IPv4 total length");

	pkt->kind = CT_PKT_IP;
	pkt->l3num = CT_L3_IPV4;
	pkt->l4num = bytes_u8(&ip, 9);
	pkt->ttl = bytes_u8(&ip, 8);
	memcpy(pkt->src, bytes_ptr(&ip, 12), 4);
	memcpy(pkt->dst, bytes_ptr(&ip, 16), 4);
	pkt->l3 = bytes_ptr(&ip, 0);
	pkt->l3len = tot;
	pkt->l3cap = min_u32(ip.len, tot);
	pkt->l3hdrlen = ihl;
	pkt->l4 = bytes_ptr(&ip, ihl);
	pkt->l4len = tot - ihl;
	pkt->l4cap = pkt->l3cap - ihl;

	fo = bytes_be16(&ip, 6);
	pkt->frag_id = bytes_be16(&ip, 4);
	pkt->frag_more = (fo & 0x2000) != 0;
	pkt->frag_off = fo & 0x1fff;
	pkt->is_fragment = pkt->frag_more || pkt->frag_off != 0;
	return true;
}

static bool ipv6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

/*
 * ip6_parse_tlv() for the hop-by-hop header ip6_rcv_core() insists on
 * parsing: padding must really be padding, at most HBH_MAX_OPTS options,
 * a router alert carries 2 bytes, and an unknown option whose two high
 * bits ask for it (RFC 8200 4.2) gets the packet discarded.  h is the
 * whole header.  Returns the drop reason or NULL.  CALIPSO and IOAM
 * options are accepted unchecked.
 */
static const char *ipv6_hbh_check(struct bytes h)
{
	uint32_t padlen = 0, nopts = 0;
	struct bytes val;
	uint8_t type, vlen, b;

	if (!bytes_skip(&h, 2))           /* next header, length */
		return "bad IPv6 hop-by-hop options";
	while (bytes_get_u8(&h, &type)) {
		if (type == 0) {                  /* Pad1 */
			if (++padlen > 7)
				return "bad IPv6 hop-by-hop options";
			continue;
		}
		if (!bytes_get_u8(&h, &vlen) || !bytes_get_view(&h, vlen, &val))
			return "bad IPv6 hop-by-hop options";
		if (type == 1) {                  /* PadN */
			padlen += (uint32_t)vlen + 2;
			if (padlen > 7)
				return "bad IPv6 hop-by-hop options";
			while (bytes_get_u8(&val, &b))
				if (b != 0)
					return "bad IPv6 hop-by-hop options";
		} else {
			if (++nopts > HBH_MAX_OPTS)
				return "bad IPv6 hop-by-hop options";
			switch (type) {
			case 0x05:                /* router alert */
				if (vlen != 2)
					return "bad IPv6 hop-by-hop options";
				break;
			case 0xc2:                /* jumbo payload */
				return "jumbogram";
			case 0x07:                /* CALIPSO */
			case 0x31:                /* IOAM */
				break;
			default:
				if (type >> 6)
					return "unknown IPv6 hop-by-hop option";
				break;
			}
			padlen = 0;
		}
	}
	return NULL;
}

/*
 * ip6_rcv_core() checks, then the extension header walk of
 * ipv6_skip_exthdr().  Link-dependent checks (loopback addresses,
 * interface-local multicast) need to know the receiving device; they run
 * only when the link layer said it was not a loopback (loopback == 0).
 * ip holds the header and what the capture kept after it.
 *
 * Two lengths matter in the walk: the packet's (l3len, from the header),
 * which decides what the kernel sees, and the capture's (the view cap),
 * which decides what can be read.
 */
static bool decode_ipv6(struct bytes ip, int loopback, struct ct_pkt *pkt)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	const uint8_t *src, *dst;
	struct bytes cap, hbh;
	uint32_t l3len, off, plen;
	uint8_t nh;
	bool first = true;

	if (!bytes_has(&ip, 0, 40))
		return pkt_none(pkt, "truncated IPv6 header");
	if ((bytes_u8(&ip, 0) >> 4) != 6)
		return pkt_none(pkt, "bad IPv6 version");
	src = bytes_ptr(&ip, 8);
	dst = bytes_ptr(&ip, 24);
	if (loopback == 0) {
		if (!memcmp(src, lo6, 16) || !memcmp(dst, lo6, 16))
			return pkt_none(pkt, "IPv6 loopback address on the wire");
		if (ipv6_is_multicast(dst) && (dst[1] & 0x0f) == 1)
			return pkt_none(pkt, "IPv6 interface-local multicast on the wire");
	}
	if (ipv6_is_multicast(dst) && (dst[1] & 0x0f) == 0)
		return pkt_none(pkt, "IPv6 multicast destination with scope 0");
	if (ipv6_is_multicast(src))
		return pkt_none(pkt, "IPv6 multicast source address");
	nh = bytes_u8(&ip, 6);
	plen = bytes_be16(&ip, 4);
	if (plen == 0 && nh == NH_HOP)
		return pkt_none(pkt, "jumbogram");

	l3len = 40 + plen;
	cap = bytes_view(bytes_ptr(&ip, 0), min_u32(ip.len, l3len));
	pkt->kind = CT_PKT_IP;
	pkt->l3num = CT_L3_IPV6;
	pkt->ttl = bytes_u8(&ip, 7);
	memcpy(pkt->src, src, 16);
	memcpy(pkt->dst, dst, 16);
	pkt->l3 = cap.p;
	pkt->l3len = l3len;
	pkt->l3cap = cap.len;

	/* off <= l3len throughout (the loop leaves when it passes it) */
	off = 40;
	for (;;) {
		uint32_t hlen;

		if (nh != NH_HOP && nh != NH_ROUTING && nh != NH_FRAGMENT &&
		    nh != NH_AUTH && nh != NH_DEST)
			break;              /* transport, ESP or no-next-header */
		if (l3len - off < 2 || (nh == NH_FRAGMENT && l3len - off < 4)) {
			/* The real packet ends inside the chain:
			 * ipv6_skip_exthdr() fails, conntrack finds no
			 * protocol.  Say so the way a no-next-header does. */
			nh = NH_NONE;
			break;
		}
		if (nh == NH_FRAGMENT) {
			uint16_t fo;

			if (!bytes_has(&cap, off, 8))
				return pkt_none(pkt, "truncated IPv6 extension header");
			fo = bytes_be16(&cap, off + 2);
			if (pkt->is_fragment) {
				/* A second fragment header, inside the first
				 * one's datagram: defrag reassembles by the
				 * first (nf_ct_frag6_gather() looks for it
				 * with find_prev_fhdr()), and this one is
				 * for whoever reassembles the result.
				 * ipv6_skip_exthdr() steps over it when its
				 * offset is 0 and otherwise stops there, and
				 * get_l4proto() then finds no protocol: say
				 * so as for no next header. */
				if ((fo >> 3) != 0) {
					nh = NH_NONE;
					break;
				}
				nh = bytes_u8(&cap, off);
				off += 8;
				continue;
			}
			pkt->is_fragment = true;
			pkt->frag_off = fo >> 3;
			pkt->frag_more = (fo & 1) != 0;
			pkt->frag_id = bytes_be32(&cap, off + 4);
			nh = bytes_u8(&cap, off);
			off += 8;
			/* A later fragment has no transport header: the walk
			 * stops here, l4 is the fragment's data. */
			if (pkt->frag_off != 0)
				break;
			first = false;
			continue;
		}
		if (!bytes_has(&cap, off, 2))
			return pkt_none(pkt, "truncated IPv6 extension header");
		if (nh == NH_AUTH)
			hlen = ((uint32_t)bytes_u8(&cap, off + 1) + 2) * 4;
		else
			hlen = ((uint32_t)bytes_u8(&cap, off + 1) + 1) * 8;
		if (nh == NH_HOP && first) {
			/* ip6_rcv_core parses it before PREROUTING: it must
			 * lie within the packet and be well formed. */
			const char *why;

			if (l3len - off < hlen)
				return pkt_none(pkt, "bad IPv6 hop-by-hop options");
			if (!bytes_view_at(&cap, off, hlen, &hbh))
				return pkt_none(pkt, "truncated IPv6 extension header");
			why = ipv6_hbh_check(hbh);
			if (why)
				return pkt_none(pkt, why);
		} else if (l3len - off >= hlen && !bytes_has(&cap, off, hlen)) {
			return pkt_none(pkt, "truncated IPv6 extension header");
		}
		first = false;
		nh = bytes_u8(&cap, off);
		off += hlen;
		if (off > l3len)
			break;  /* header runs past the end: see below */
	}

	pkt->l4num = nh;
	pkt->l3hdrlen = off;
	if (off <= l3len) {
		/* within the capture too: every header up to off was
		 * captured, or the walk gave up above */
		pkt->l4 = cap.p + off;
		pkt->l4len = l3len - off;
		pkt->l4cap = cap.len - off;
	} else {
		/* ipv6_skip_exthdr() returns an offset past the end; every
		 * transport header read then fails.  Nothing to read. */
		pkt->l4 = cap.p + cap.len;
		pkt->l4len = 0;
		pkt->l4cap = 0;
	}
	return true;
}

/*
 * What PPP carries besides IP, by protocol number.  The kernel hands
 * only IP (and IPX, MPLS, AppleTalk) to the stack: ppp_receive_nonmp_frame()
 * gives control protocols (LCP, IPCP, authentication, CCP) to pppd.  Van
 * Jacobson compressed TCP/IP and CCP-compressed datagrams become IP inside
 * the kernel (slhc_uncompress(), the decompressor), which needs the state
 * of the link: ctreplay cannot rebuild them.
 */
static const struct {
	uint16_t proto;
	const char *reason;
} ppp_reasons[] = {
	{ 0xc021, "not IP (PPP LCP)" },
	{ 0x8021, "not IP (PPP IPCP)" },
	{ 0x8057, "not IP (PPP IPv6CP)" },
	{ 0xc023, "not IP (PPP PAP)" },
	{ 0xc223, "not IP (PPP CHAP)" },
	{ 0xc227, "not IP (PPP EAP)" },
	{ 0x80fd, "not IP (PPP CCP)" },
	{ 0xc025, "not IP (PPP LQR)" },
	{ 0x002b, "not IP (PPP IPX)" },
	{ 0x0281, "not IP (PPP MPLS)" },
	{ 0x003d, "PPP multilink fragment (not decoded)" },
	{ 0x00fd, "PPP compressed datagram (not decoded)" },
	{ 0x002d, "PPP VJ compressed TCP/IP (not decoded)" },
	{ 0x002f, "PPP VJ uncompressed TCP/IP (not decoded)" },
};

static bool ppp_proto_none(struct ct_pkt *pkt, uint16_t proto)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(ppp_reasons); i++)
		if (ppp_reasons[i].proto == proto)
			return pkt_none(pkt, ppp_reasons[i].reason);
	snprintf(pkt->reason_buf, sizeof(pkt->reason_buf),
		 "not IP (PPP proto 0x%04x)", proto);
	return pkt_none(pkt, pkt->reason_buf);
}

/*
 * A PPP frame from its protocol field on (RFC 1661 section 2): one byte
 * when the peer compresses it (an odd first byte, ppp_receive_frame()
 * then expands it), two otherwise.  The device is ppp0, no loopback.
 */
static bool decode_ppp_proto(struct bytes *r, struct ct_pkt *pkt)
{
	uint8_t b0, b1;
	uint16_t proto;

	if (!bytes_get_u8(r, &b0))
		return pkt_none(pkt, "truncated PPP header");
	if (b0 & 1) {
		proto = b0;
	} else {
		if (!bytes_get_u8(r, &b1))
			return pkt_none(pkt, "truncated PPP header");
		proto = (uint16_t)(b0 << 8 | b1);
	}
	if (proto == PPP_IP)
		return decode_ipv4(bytes_rest(r), pkt);
	if (proto == PPP_IPV6)
		return decode_ipv6(bytes_rest(r), 0, pkt);
	return ppp_proto_none(pkt, proto);
}

/*
 * DLT_PPP: the PPP header, with or without the RFC 1662 address and
 * control bytes in front (libpcap says both occur; 0xff 0x03 is never a
 * protocol number, whose first byte is even).
 */
static bool decode_ppp(struct bytes r, struct ct_pkt *pkt)
{
	uint16_t ac;

	if (bytes_get_be16_at(&r, 0, &ac) &&
	    ac == (PPP_ADDRESS << 8 | PPP_CONTROL))
		bytes_skip(&r, 2);
	return decode_ppp_proto(&r, pkt);
}

/*
 * Cisco HDLC from the control byte on: control (0), then an ethertype
 * (tcpdump's chdlc_print()).  SLARP keepalives are 0x8035.
 */
static bool decode_chdlc_rest(struct bytes *r, struct ct_pkt *pkt)
{
	uint16_t type;

	if (!bytes_skip(r, 1) || !bytes_get_be16(r, &type))
		return pkt_none(pkt, "truncated Cisco HDLC header");
	if (type == ETH_P_IP)
		return decode_ipv4(bytes_rest(r), pkt);
	if (type == ETH_P_IPV6)
		return decode_ipv6(bytes_rest(r), 0, pkt);
	if (type == 0x8035)
		return pkt_none(pkt, "not IP (Cisco SLARP)");
	return ethertype_none(pkt, type);
}

/*
 * DLT_PPP_SERIAL: PPP in HDLC-like framing (0xff 0x03, then the protocol)
 * or, on the same link type, Cisco HDLC (address 0x0f or 0x8f), told
 * apart by the first byte as libpcap's LINKTYPE_PPP_HDLC and tcpdump's
 * ppp_hdlc_if_print() do.
 */
static bool decode_ppp_serial(struct bytes r, struct ct_pkt *pkt)
{
	uint8_t addr, ctl;

	if (!bytes_get_u8(&r, &addr))
		return pkt_none(pkt, "truncated PPP header");
	if (addr == CHDLC_UNICAST || addr == CHDLC_BCAST)
		return decode_chdlc_rest(&r, pkt);
	if (addr != PPP_ADDRESS)
		return pkt_none(pkt, "not IP (bad HDLC address)");
	if (!bytes_get_u8(&r, &ctl))
		return pkt_none(pkt, "truncated PPP header");
	if (ctl != PPP_CONTROL)
		return pkt_none(pkt, "not IP (bad HDLC control)");
	return decode_ppp_proto(&r, pkt);
}

/* DLT_C_HDLC: address, control, ethertype. */
static bool decode_chdlc(struct bytes r, struct ct_pkt *pkt)
{
	if (!bytes_skip(&r, 1))
		return pkt_none(pkt, "truncated Cisco HDLC header");
	return decode_chdlc_rest(&r, pkt);
}

/*
 * A PPPoE session frame (RFC 2516) from its 6-byte header on: version and
 * type 1, code 0, session id, the length of the PPP frame that follows.
 * pppoe_rcv() drops a frame shorter than that length and trims the
 * Ethernet padding after it, then ppp_input() hands the PPP frame to the
 * ppp device, where conntrack sees the IP packet with no link header.
 */
static bool decode_pppoe(struct bytes *r, struct ct_pkt *pkt)
{
	struct bytes ppp;
	uint16_t len;
	uint8_t vt, code;

	if (!bytes_get_u8(r, &vt) || !bytes_get_u8(r, &code) ||
	    !bytes_skip(r, 2) || !bytes_get_be16(r, &len))
		return pkt_none(pkt, "truncated PPPoE header");
	if (vt != 0x11 || code != 0)
		return pkt_none(pkt, "bad PPPoE header");
	/* a length past the captured bytes is believed (the snap length cut
	 * the frame), as IP lengths are */
	if (!bytes_view_at(r, r->off, min_u32(len, bytes_left(r)), &ppp))
		return pkt_none(pkt, "truncated PPPoE header");
	pkt->maclen = 0;       /* ppp0 has no link header */
	return decode_ppp_proto(&ppp, pkt);
}

/* Dispatch on an ethertype after any number of VLAN tags. */
static bool decode_ethertype(struct bytes *r, uint16_t type, int loopback,
			     struct ct_pkt *pkt)
{
	while (type == ETH_P_8021Q || type == ETH_P_8021AD ||
	       type == ETH_P_QINQ1) {
		uint16_t tci;

		if (!bytes_get_be16(r, &tci) || !bytes_get_be16(r, &type))
			return pkt_none(pkt, "truncated VLAN tag");
		if (pkt->nvlan < CT_ARRAY_SIZE(pkt->vlan))
			pkt->vlan[pkt->nvlan++] = tci & 0x0fff;
	}
	if (type == ETH_P_IP)
		return decode_ipv4(bytes_rest(r), pkt);
	if (type == ETH_P_IPV6)
		return decode_ipv6(bytes_rest(r), loopback, pkt);
	if (type == ETH_P_PPP_SES)
		return decode_pppoe(r, pkt);
	return ethertype_none(pkt, type);
}

static bool decode_raw(struct bytes r, int loopback, struct ct_pkt *pkt)
{
	uint8_t v;

	if (!bytes_get_u8_at(&r, 0, &v))
		return pkt_none(pkt, "truncated IP header");
	switch (v >> 4) {
	case 4:
		return decode_ipv4(r, pkt);
	case 6:
		return decode_ipv6(r, loopback, pkt);
	default:
		return pkt_none(pkt, "not IP (unknown IP version)");
	}
}

/*
 * DLT_NULL stores the address family in the capturing host's byte order,
 * DLT_LOOP in network order; a family never exceeds 16 bits, so a value
 * with high bits set is the other byte order (as tcpdump reasons).
 */
static bool decode_null(struct bytes r, struct ct_pkt *pkt)
{
	uint32_t af;

	if (!bytes_get_be32(&r, &af))
		return pkt_none(pkt, "truncated loopback header");
	if (af & 0xffff0000u)
		af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) |
		     ((af >> 8) & 0xff00) | (af >> 24);
	switch (af) {
	case 2:
		return decode_ipv4(bytes_rest(&r), pkt);
	case 10:   /* Linux */
	case 24:   /* NetBSD, OpenBSD */
	case 28:   /* FreeBSD, DragonFly */
	case 30:   /* Darwin */
		return decode_ipv6(bytes_rest(&r), -1, pkt);
	default:
		return pkt_none(pkt, "not IP (address family)");
	}
}

/*
 * DLT_NFLOG: what nfnetlink_log sent for a log rule (nft "log group N",
 * iptables NFLOG), as libpcap's Linux NFLOG capture writes it: a 4-byte
 * header (address family, version 0, resource id = the group, big
 * endian), then the message's attributes as TLVs, each a length (header
 * included) and a type, both in the byte order of the host reading the
 * capture (libpcap's swap_nflog_header() swaps them when the file came
 * from the other order), padded to 4 bytes (NLA_ALIGN).  The values are
 * as __nfulnl_log_packet() (net/netfilter/nfnetlink_log.c) puts them:
 * network order (nla_put_be32(), the packet header struct).
 *
 * NFULA_PAYLOAD is the packet from its network header on, as the rule saw
 * it (cut at the group's copy range, which then reads like a snap
 * length).  The packet is replayed as if conntrack met it coming in on
 * the input device NFULA_IFINDEX_INDEV names.
 */
#define NFULA_PACKET_HDR      1
#define NFULA_MARK            2
#define NFULA_IFINDEX_INDEV   4
#define NFULA_IFINDEX_OUTDEV  5
#define NFULA_PAYLOAD         9
#define NFULA_PREFIX          10
#define NLA_TYPE_MASK         0x3fff   /* less NLA_F_NESTED, _NET_BYTEORDER */
#define NF_AF_INET            2
#define NF_AF_INET6           10

static bool decode_nflog(struct bytes r, struct ct_pkt *pkt)
{
	struct bytes payload = bytes_view(NULL, 0), v;
	bool have_payload = false;
	uint16_t group, tlen, ttype;
	uint32_t off;
	uint8_t family, version;

	if (!bytes_get_u8(&r, &family) || !bytes_get_u8(&r, &version) ||
	    !bytes_get_be16(&r, &group))
		return pkt_none(pkt, "truncated NFLOG header");
	if (version != 0)
		return pkt_none(pkt, "not IP (NFLOG version)");
	pkt->is_nflog = true;
	pkt->nflog.group = group;
	for (off = r.off; bytes_get_ne16_at(&r, off, &tlen) &&
	     bytes_get_ne16_at(&r, off + 2, &ttype); ) {
		if (tlen < 4 || !bytes_view_at(&r, off + 4, tlen - 4u, &v))
			return pkt_none(pkt, "truncated NFLOG attribute");
		switch (ttype & NLA_TYPE_MASK) {
		case NFULA_PACKET_HDR:
			/* hw_protocol (be16), hook, padding */
			if (bytes_has(&v, 0, 3)) {
				pkt->nflog.has_hook = true;
				pkt->nflog.hook = bytes_u8(&v, 2);
			}
			break;
		case NFULA_MARK:
			if (bytes_get_be32_at(&v, 0, &pkt->nflog.mark))
				pkt->nflog.has_mark = true;
			break;
		case NFULA_IFINDEX_INDEV:
			bytes_get_be32_at(&v, 0, &pkt->ifindex);
			break;
		case NFULA_IFINDEX_OUTDEV:
			bytes_get_be32_at(&v, 0, &pkt->nflog.outdev);
			break;
		case NFULA_PREFIX: {
			/* a C string: up to its NUL, or the attribute's end */
			uint32_t n = 0;

			while (n < v.len && bytes_u8(&v, n) != 0)
				n++;
			pkt->nflog.prefix = bytes_ptr(&v, 0);
			pkt->nflog.prefix_len = (uint16_t)min_u32(n, 0xffff);
			break;
		}
		case NFULA_PAYLOAD:
			payload = v;
			have_payload = true;
			break;
		default:
			break;
		}
		/* the next attribute starts 4-aligned; the last may end
		 * without its padding */
		off += ((uint32_t)tlen + 3u) & ~3u;
	}
	if (!have_payload)
		return pkt_none(pkt, "NFLOG message without a packet");
	switch (family) {
	case NF_AF_INET:
		return decode_ipv4(payload, pkt);
	case NF_AF_INET6:
		return decode_ipv6(payload, -1, pkt);
	default:
		return decode_raw(payload, -1, pkt);
	}
}

/*
 * Linux cooked captures.  A frame the host sent (PACKET_OUTGOING) was
 * already tracked when it came in (or at LOCAL_OUT): replaying the copy
 * would count it twice.  hatype tells whether the device is a loopback.
 *
 * A ppp device (ARPHRD_PPP, pppd's ppp0 over a serial line or PPPoE)
 * needs nothing of its own: ppp_receive_nonmp_frame()
 * (drivers/net/ppp/ppp_generic.c) strips the PPP protocol, sets
 * skb->protocol to the matching ethertype (npindex_to_ethertype[]: 0x0800,
 * 0x86dd) and resets the MAC header to the IP header, so the capture has
 * that ethertype in its protocol field, no address, and the IP packet
 * right after the cooked header.  The PPPoE session frames of the
 * Ethernet device under it (protocol 0x8864) are decoded as in Ethernet
 * captures.
 */
static bool decode_sll(struct bytes r, bool v2, struct ct_pkt *pkt)
{
	uint16_t ptype, hatype, proto;

	if (v2) {
		uint8_t t8, alen;
		uint32_t ifindex;
		struct bytes addr;

		/* protocol, reserved, interface index, ARPHRD type, packet
		 * type, address length, 8 bytes of the sender's address */
		if (!bytes_get_be16(&r, &proto) || !bytes_skip(&r, 2) ||
		    !bytes_get_be32(&r, &ifindex) ||
		    !bytes_get_be16(&r, &hatype) || !bytes_get_u8(&r, &t8) ||
		    !bytes_get_u8(&r, &alen) || !bytes_get_view(&r, 8, &addr))
			return pkt_none(pkt, "truncated cooked header");
		ptype = t8;
		pkt->ifindex = ifindex;
		pkt->pkttype = t8;
		if (hatype == 1 /* ARPHRD_ETHER */ && alen == 6) {
			/* the sender's address; the destination was the
			 * interface's own (or broadcast: not known here) */
			memcpy(pkt->mac + 6, bytes_ptr(&addr, 0), 6);
			pkt->mac[12] = (uint8_t)(proto >> 8);
			pkt->mac[13] = (uint8_t)proto;
			pkt->maclen = 14;
		}
	} else {
		if (!bytes_get_be16(&r, &ptype) || !bytes_get_be16(&r, &hatype) ||
		    !bytes_skip(&r, 10) || !bytes_get_be16(&r, &proto))
			return pkt_none(pkt, "truncated cooked header");
	}
	if (ptype == SLL_OUTGOING) {
		/* conntrack saw it when it came in (or at LOCAL_OUT):
		 * replaying the copy would count it twice.  Its fields stay
		 * decoded for the firewall's OUTPUT path. */
		if (hatype != ARPHRD_NETLINK)
			decode_ethertype(&r, proto, hatype == 772, pkt);
		pkt->outgoing = pkt->kind == CT_PKT_IP;
		pkt->maclen = 0;
		return pkt_none(pkt, "outgoing copy");
	}
	if (hatype == ARPHRD_NETLINK)
		return pkt_none(pkt, "not IP (netlink)");
	return decode_ethertype(&r, proto, hatype == 772 /* ARPHRD_LOOPBACK */,
				pkt);
}

bool ct_decode_linktype_supported(int dlt)
{
	switch (dlt) {
	case LT_NULL:
	case LT_EN10MB:
	case LT_PPP:
	case LT_PPP_SERIAL:
	case LT_PPP_ETHER:
	case LT_C_HDLC:
	case LT_NFLOG:
	case LT_RAW:
	case LT_RAW_BSD:
	case LT_RAW_LINK:
	case LT_LOOP:
	case LT_LINUX_SLL:
	case LT_IPV4:
	case LT_IPV6:
	case LT_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

const char *ct_decode_linktypes_text(void)
{
	return "EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP, "
	       "PPP, PPP_SERIAL, PPP_ETHER, C_HDLC, NFLOG";
}

const char *ct_pkt_hook_name(uint8_t hook)
{
	static const char *const names[] = {
		"prerouting", "input", "forward", "output", "postrouting",
	};

	return hook < CT_ARRAY_SIZE(names) ? names[hook] : "unknown";
}

void ct_decode(int dlt, const uint8_t *data, uint32_t caplen, uint64_t frame,
	       ct_time ts, struct ct_pkt *pkt)
{
	struct bytes r = bytes_view(data, caplen);
	uint16_t type;

	/* reason_buf is written only when reason points to it */
	memset(pkt, 0, offsetof(struct ct_pkt, reason_buf));
	pkt->frame = frame;
	pkt->ts = ts;
	pkt->kind = CT_PKT_NONE;

	switch (dlt) {
	case LT_EN10MB:
		if (!bytes_skip(&r, 12) || !bytes_get_be16(&r, &type)) {
			pkt_none(pkt, "truncated Ethernet header");
			break;
		}
		memcpy(pkt->mac, data, 14);
		pkt->maclen = 14;
		pkt->mac_dst_known = true;
		/* eth_type_trans(): a group address is broadcast or
		 * multicast; anything else is taken as ours (PACKET_HOST) */
		if (data[0] & 1)
			pkt->pkttype = memcmp(data, "\xff\xff\xff\xff\xff\xff",
					      6) == 0 ? 1 : 2;
		/* Ethernet does not say whether the device is a loopback
		 * (Linux lo is Ethernet): skip the device-dependent checks. */
		decode_ethertype(&r, type, -1, pkt);
		break;
	case LT_LINUX_SLL:
	case LT_LINUX_SLL2:
		decode_sll(r, dlt == LT_LINUX_SLL2, pkt);
		break;
	case LT_RAW:
	case LT_RAW_BSD:
	case LT_RAW_LINK:
		decode_raw(r, -1, pkt);
		break;
	case LT_IPV4:
		decode_ipv4(r, pkt);
		break;
	case LT_IPV6:
		decode_ipv6(r, -1, pkt);
		break;
	case LT_NULL:
	case LT_LOOP:
		decode_null(r, pkt);
		break;
	case LT_PPP:
		decode_ppp(r, pkt);
		break;
	case LT_PPP_SERIAL:
		decode_ppp_serial(r, pkt);
		break;
	case LT_PPP_ETHER:
		decode_pppoe(&r, pkt);
		break;
	case LT_C_HDLC:
		decode_chdlc(r, pkt);
		break;
	case LT_NFLOG:
		decode_nflog(r, pkt);
		break;
	default:
		pkt_none(pkt, "unsupported link type");
		break;
	}
}
