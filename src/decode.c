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
#include <stdio.h>
#include <string.h>

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

/*
 * Bounds-checked reader.  Every getter fails (and leaves the value alone)
 * rather than read past len, so a short frame can never be over-read.
 */
struct rd {
	const uint8_t *p;
	uint32_t len;
	uint32_t off;
};

static void rd_init(struct rd *r, const uint8_t *p, uint32_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static uint32_t rd_left(const struct rd *r)
{
	return r->len - r->off;
}

static bool rd_skip(struct rd *r, uint32_t n)
{
	if (rd_left(r) < n)
		return false;
	r->off += n;
	return true;
}

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (rd_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static bool rd_be16(struct rd *r, uint16_t *v)
{
	if (rd_left(r) < 2)
		return false;
	*v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
	r->off += 2;
	return true;
}

static bool rd_be32(struct rd *r, uint32_t *v)
{
	if (rd_left(r) < 4)
		return false;
	*v = ((uint32_t)r->p[r->off] << 24) | ((uint32_t)r->p[r->off + 1] << 16) |
	     ((uint32_t)r->p[r->off + 2] << 8) | r->p[r->off + 3];
	r->off += 4;
	return true;
}

static uint16_t be16_at(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t be32_at(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/* Four bytes as the host orders them, wherever they lie. */
static uint32_t ne32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

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
 * string; anything else is formatted into one buffer, which (like the
 * frame's data) stays valid until the next ct_decode() call.
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

static char ethertype_buf[48];

static const char *ethertype_reason(uint16_t type)
{
	size_t i;

	if (type < 0x0600)
		return "not IP (802.3 length field)";
	for (i = 0; i < CT_ARRAY_SIZE(ethertype_reasons); i++)
		if (ethertype_reasons[i].type == type)
			return ethertype_reasons[i].reason;
	snprintf(ethertype_buf, sizeof(ethertype_buf),
		 "not IP (ethertype 0x%04x)", type);
	return ethertype_buf;
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
	uint64_t sum = (uint64_t)ne32_at(h) + ne32_at(h + 4) + ne32_at(h + 8) +
		       ne32_at(h + 12) + ne32_at(h + 16);
	uint32_t i;

	for (i = 20; i < len; i += 4)
		sum += ne32_at(h + i);
	return sum != 0 && sum % 0xffff == 0;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * The checks of ip_rcv_core(), in its order, except that a length field
 * larger than the captured bytes is believed (snap length, see top).
 */
static bool decode_ipv4(const uint8_t *d, uint32_t len, struct ct_pkt *pkt)
{
	uint32_t ihl, tot;
	uint16_t fo;

	if (len < 20)
		return pkt_none(pkt, "truncated IPv4 header");
	if ((d[0] >> 4) != 4)
		return pkt_none(pkt, "bad IPv4 version");
	ihl = (uint32_t)(d[0] & 0x0f) * 4;
	if (ihl < 20)
		return pkt_none(pkt, "bad IPv4 header length");
	if (len < ihl)
		return pkt_none(pkt, "truncated IPv4 header");
	if (!ipv4_header_csum_ok(d, ihl))
		return pkt_none(pkt, "bad IPv4 header checksum");
	tot = be16_at(d + 2);
	if (tot < ihl)
		return pkt_none(pkt, "bad IPv4 total length");

	pkt->kind = CT_PKT_IP;
	pkt->l3num = CT_L3_IPV4;
	pkt->l4num = d[9];
	pkt->ttl = d[8];
	memcpy(pkt->src, d + 12, 4);
	memcpy(pkt->dst, d + 16, 4);
	pkt->l3 = d;
	pkt->l3len = tot;
	pkt->l3cap = min_u32(len, tot);
	pkt->l3hdrlen = ihl;
	pkt->l4 = d + ihl;
	pkt->l4len = tot - ihl;
	pkt->l4cap = pkt->l3cap - ihl;

	fo = be16_at(d + 6);
	pkt->frag_id = be16_at(d + 4);
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
 * bits ask for it (RFC 8200 4.2) gets the packet discarded.  Returns the
 * drop reason or NULL.  CALIPSO and IOAM options are accepted unchecked.
 */
static const char *ipv6_hbh_check(const uint8_t *h, uint32_t hlen)
{
	uint32_t off = 2, padlen = 0, nopts = 0;

	while (off < hlen) {
		uint8_t type = h[off];
		uint32_t optlen, i;

		if (type == 0) {                  /* Pad1 */
			if (++padlen > 7)
				return "bad IPv6 hop-by-hop options";
			off++;
			continue;
		}
		if (hlen - off < 2)
			return "bad IPv6 hop-by-hop options";
		optlen = (uint32_t)h[off + 1] + 2;
		if (optlen > hlen - off)
			return "bad IPv6 hop-by-hop options";
		if (type == 1) {                  /* PadN */
			padlen += optlen;
			if (padlen > 7)
				return "bad IPv6 hop-by-hop options";
			for (i = 2; i < optlen; i++)
				if (h[off + i] != 0)
					return "bad IPv6 hop-by-hop options";
		} else {
			if (++nopts > HBH_MAX_OPTS)
				return "bad IPv6 hop-by-hop options";
			switch (type) {
			case 0x05:                /* router alert */
				if (optlen != 4)
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
		off += optlen;
	}
	return NULL;
}

/*
 * ip6_rcv_core() checks, then the extension header walk of
 * ipv6_skip_exthdr().  Link-dependent checks (loopback addresses,
 * interface-local multicast) need to know the receiving device; they run
 * only when the link layer said it was not a loopback (loopback == 0).
 */
static bool decode_ipv6(const uint8_t *d, uint32_t len, int loopback,
			struct ct_pkt *pkt)
{
	static const uint8_t lo6[16] = { [15] = 1 };
	uint32_t l3len, l3cap, off;
	uint8_t nh;
	bool first = true;

	if (len < 40)
		return pkt_none(pkt, "truncated IPv6 header");
	if ((d[0] >> 4) != 6)
		return pkt_none(pkt, "bad IPv6 version");
	if (loopback == 0) {
		if (!memcmp(d + 8, lo6, 16) || !memcmp(d + 24, lo6, 16))
			return pkt_none(pkt, "IPv6 loopback address on the wire");
		if (ipv6_is_multicast(d + 24) && (d[25] & 0x0f) == 1)
			return pkt_none(pkt, "IPv6 interface-local multicast on the wire");
	}
	if (ipv6_is_multicast(d + 24) && (d[25] & 0x0f) == 0)
		return pkt_none(pkt, "IPv6 multicast destination with scope 0");
	if (ipv6_is_multicast(d + 8))
		return pkt_none(pkt, "IPv6 multicast source address");
	nh = d[6];
	if (be16_at(d + 4) == 0 && nh == NH_HOP)
		return pkt_none(pkt, "jumbogram");

	l3len = 40 + (uint32_t)be16_at(d + 4);
	l3cap = min_u32(len, l3len);
	pkt->kind = CT_PKT_IP;
	pkt->l3num = CT_L3_IPV6;
	pkt->ttl = d[7];
	memcpy(pkt->src, d + 8, 16);
	memcpy(pkt->dst, d + 24, 16);
	pkt->l3 = d;
	pkt->l3len = l3len;
	pkt->l3cap = l3cap;

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

			if (l3cap - off < 8)
				return pkt_none(pkt, "truncated IPv6 extension header");
			fo = be16_at(d + off + 2);
			pkt->is_fragment = true;
			pkt->frag_off = fo >> 3;
			pkt->frag_more = (fo & 1) != 0;
			pkt->frag_id = be32_at(d + off + 4);
			nh = d[off];
			off += 8;
			/* A later fragment has no transport header: the walk
			 * stops here, l4 is the fragment's data. */
			if (pkt->frag_off != 0)
				break;
			first = false;
			continue;
		}
		if (l3cap - off < 2)
			return pkt_none(pkt, "truncated IPv6 extension header");
		if (nh == NH_AUTH)
			hlen = ((uint32_t)d[off + 1] + 2) * 4;
		else
			hlen = ((uint32_t)d[off + 1] + 1) * 8;
		if (nh == NH_HOP && first) {
			/* ip6_rcv_core parses it before PREROUTING: it must
			 * lie within the packet and be well formed. */
			const char *why;

			if (l3len - off < hlen)
				return pkt_none(pkt, "bad IPv6 hop-by-hop options");
			if (l3cap - off < hlen)
				return pkt_none(pkt, "truncated IPv6 extension header");
			why = ipv6_hbh_check(d + off, hlen);
			if (why)
				return pkt_none(pkt, why);
		} else if (l3len - off >= hlen && l3cap - off < hlen) {
			return pkt_none(pkt, "truncated IPv6 extension header");
		}
		first = false;
		nh = d[off];
		off += hlen;
		if (off > l3len)
			break;  /* header runs past the end: see below */
	}

	pkt->l4num = nh;
	pkt->l3hdrlen = off;
	if (off <= l3len) {
		pkt->l4 = d + off;
		pkt->l4len = l3len - off;
		pkt->l4cap = l3cap - off;
	} else {
		/* ipv6_skip_exthdr() returns an offset past the end; every
		 * transport header read then fails.  Nothing to read. */
		pkt->l4 = d + l3cap;
		pkt->l4len = 0;
		pkt->l4cap = 0;
	}
	return true;
}

/* Dispatch on an ethertype after any number of VLAN tags. */
static bool decode_ethertype(struct rd *r, uint16_t type, int loopback,
			     struct ct_pkt *pkt)
{
	while (type == ETH_P_8021Q || type == ETH_P_8021AD ||
	       type == ETH_P_QINQ1) {
		uint16_t tci;

		if (!rd_be16(r, &tci) || !rd_be16(r, &type))
			return pkt_none(pkt, "truncated VLAN tag");
		if (pkt->nvlan < CT_ARRAY_SIZE(pkt->vlan))
			pkt->vlan[pkt->nvlan++] = tci & 0x0fff;
	}
	if (type == ETH_P_IP)
		return decode_ipv4(r->p + r->off, rd_left(r), pkt);
	if (type == ETH_P_IPV6)
		return decode_ipv6(r->p + r->off, rd_left(r), loopback, pkt);
	return pkt_none(pkt, ethertype_reason(type));
}

static bool decode_raw(const uint8_t *d, uint32_t len, int loopback,
		       struct ct_pkt *pkt)
{
	if (len < 1)
		return pkt_none(pkt, "truncated IP header");
	switch (d[0] >> 4) {
	case 4:
		return decode_ipv4(d, len, pkt);
	case 6:
		return decode_ipv6(d, len, loopback, pkt);
	default:
		return pkt_none(pkt, "not IP (unknown IP version)");
	}
}

/*
 * DLT_NULL stores the address family in the capturing host's byte order,
 * DLT_LOOP in network order; a family never exceeds 16 bits, so a value
 * with high bits set is the other byte order (as tcpdump reasons).
 */
static bool decode_null(const uint8_t *d, uint32_t len, struct ct_pkt *pkt)
{
	struct rd r;
	uint32_t af;

	rd_init(&r, d, len);
	if (!rd_be32(&r, &af))
		return pkt_none(pkt, "truncated loopback header");
	if (af & 0xffff0000u)
		af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) |
		     ((af >> 8) & 0xff00) | (af >> 24);
	switch (af) {
	case 2:
		return decode_ipv4(d + 4, len - 4, pkt);
	case 10:   /* Linux */
	case 24:   /* NetBSD, OpenBSD */
	case 28:   /* FreeBSD, DragonFly */
	case 30:   /* Darwin */
		return decode_ipv6(d + 4, len - 4, -1, pkt);
	default:
		return pkt_none(pkt, "not IP (address family)");
	}
}

/*
 * Linux cooked captures.  A frame the host sent (PACKET_OUTGOING) was
 * already tracked when it came in (or at LOCAL_OUT): replaying the copy
 * would count it twice.  hatype tells whether the device is a loopback.
 */
static bool decode_sll(const uint8_t *d, uint32_t len, bool v2,
		       struct ct_pkt *pkt)
{
	struct rd r;
	uint16_t ptype, hatype, proto;

	rd_init(&r, d, len);
	if (v2) {
		uint8_t t8;

		if (!rd_be16(&r, &proto) || !rd_skip(&r, 6) ||
		    !rd_be16(&r, &hatype) || !rd_u8(&r, &t8) ||
		    !rd_skip(&r, 9))
			return pkt_none(pkt, "truncated cooked header");
		ptype = t8;
	} else {
		if (!rd_be16(&r, &ptype) || !rd_be16(&r, &hatype) ||
		    !rd_skip(&r, 10) || !rd_be16(&r, &proto))
			return pkt_none(pkt, "truncated cooked header");
	}
	if (ptype == SLL_OUTGOING)
		return pkt_none(pkt, "outgoing copy");
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
	struct rd r;
	uint16_t type;

	memset(pkt, 0, sizeof(*pkt));
	pkt->frame = frame;
	pkt->ts = ts;
	pkt->kind = CT_PKT_NONE;
	if (!data)
		caplen = 0;

	switch (dlt) {
	case LT_EN10MB:
		rd_init(&r, data, caplen);
		if (!rd_skip(&r, 12) || !rd_be16(&r, &type)) {
			pkt_none(pkt, "truncated Ethernet header");
			break;
		}
		/* Ethernet does not say whether the device is a loopback
		 * (Linux lo is Ethernet): skip the device-dependent checks. */
		decode_ethertype(&r, type, -1, pkt);
		break;
	case LT_LINUX_SLL:
	case LT_LINUX_SLL2:
		decode_sll(data, caplen, dlt == LT_LINUX_SLL2, pkt);
		break;
	case LT_RAW:
	case LT_RAW_BSD:
	case LT_RAW_LINK:
		decode_raw(data, caplen, -1, pkt);
		break;
	case LT_IPV4:
		decode_ipv4(data, caplen, pkt);
		break;
	case LT_IPV6:
		decode_ipv6(data, caplen, -1, pkt);
		break;
	case LT_NULL:
	case LT_LOOP:
		decode_null(data, caplen, pkt);
		break;
	default:
		pkt_none(pkt, "unsupported link type");
		break;
	}
}
