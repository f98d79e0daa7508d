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
#define LT_RAW        12
#define LT_RAW_BSD    14
#define LT_RAW_LINK   101   /* LINKTYPE_RAW, if a reader hands it on unmapped */
#define LT_LOOP       108
#define LT_LINUX_SLL  113
#define LT_IPV4       228
#define LT_IPV6       229
#define LT_LINUX_SLL2 276

#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86dd
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88a8
#define ETH_P_QINQ1   0x9100   /* pre-802.1ad QinQ, still seen */

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
	{ 0x8863, "not IP (ethertype 0x8863)" },  /* PPPoE discovery */
	{ 0x8864, "not IP (ethertype 0x8864)" },  /* PPPoE session */
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
 * Linux cooked captures.  A frame the host sent (PACKET_OUTGOING) was
 * already tracked when it came in (or at LOCAL_OUT): replaying the copy
 * would count it twice.  hatype tells whether the device is a loopback.
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
	default:
		pkt_none(pkt, "unsupported link type");
		break;
	}
}
