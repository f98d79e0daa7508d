/* \summary: CUnit suite for frame decoding (link types, IP checks) and reassembly */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tests.h"
#include "testlib.h"
#include "decode.h"
#include "defrag.h"
#include "ct/tuple.h"

/* Frame builders.  Everything is assembled byte by byte into buf. */
struct fb {
	uint8_t b[2048];
	uint32_t n;
};

static void fb_bytes(struct fb *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void fb_u8(struct fb *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void fb_be16(struct fb *f, uint16_t v)
{
	fb_u8(f, (uint8_t)(v >> 8));
	fb_u8(f, (uint8_t)v);
}

static void fb_zero(struct fb *f, uint32_t n)
{
	memset(f->b + f->n, 0, n);
	f->n += n;
}

static void fb_ether(struct fb *f, uint16_t type)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10 };

	fb_bytes(f, macs, 12);
	fb_be16(f, type);
}

static void ip4_csum(uint8_t *h, uint32_t ihl)
{
	h[10] = h[11] = 0;
	tl_put16(h + 10, tl_csum(h, ihl));
}

/* IPv4 header 10.0.0.1 -> 10.0.0.2 claiming tot bytes; returns its offset. */
static uint32_t fb_ip4(struct fb *f, uint8_t proto, uint16_t tot,
		       uint16_t id, uint16_t fragfield)
{
	uint32_t at = f->n;

	fb_u8(f, 0x45);
	fb_u8(f, 0);
	fb_be16(f, tot);
	fb_be16(f, id);
	fb_be16(f, fragfield);
	fb_u8(f, 64);
	fb_u8(f, proto);
	fb_be16(f, 0);
	fb_bytes(f, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	ip4_csum(f->b + at, 20);
	return at;
}

static void fb_udp(struct fb *f, uint16_t sport, uint16_t dport, uint16_t len)
{
	fb_be16(f, sport);
	fb_be16(f, dport);
	fb_be16(f, len);
	fb_be16(f, 0);
}

static const uint8_t v6src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void fb_ip6(struct fb *f, uint8_t nh, uint16_t plen)
{
	fb_u8(f, 0x60);
	fb_zero(f, 3);
	fb_be16(f, plen);
	fb_u8(f, nh);
	fb_u8(f, 55);
	fb_bytes(f, v6src, 16);
	fb_bytes(f, v6dst, 16);
}

/* A minimal IPv4/UDP datagram (28 bytes) appended to f. */
static void fb_ip4_udp(struct fb *f)
{
	fb_ip4(f, 17, 28, 1, 0);
	fb_udp(f, 1000, 53, 8);
}

/* A minimal IPv6/UDP datagram (48 bytes) appended to f. */
static void fb_ip6_udp(struct fb *f)
{
	fb_ip6(f, 17, 8);
	fb_udp(f, 1000, 53, 8);
}

static void decode_fb(int dlt, const struct fb *f, struct ct_pkt *p)
{
	ct_decode(dlt, f->b, f->n, 7, 42, p);
}

static void check_ip4_udp(const struct ct_pkt *p)
{
	CU_ASSERT_EQUAL_FATAL(p->kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p->l3num, CT_L3_IPV4);
	CU_ASSERT_EQUAL(p->l4num, 17);
	CU_ASSERT_EQUAL(p->l3len, 28);
	CU_ASSERT_EQUAL(p->l3hdrlen, 20);
	CU_ASSERT_EQUAL(p->l4len, 8);
	CU_ASSERT_EQUAL(p->l4cap, 8);
	CU_ASSERT_EQUAL(p->ttl, 64);
	CU_ASSERT(memcmp(p->src, "\x0a\x00\x00\x01", 4) == 0);
	CU_ASSERT(memcmp(p->dst, "\x0a\x00\x00\x02", 4) == 0);
	CU_ASSERT_EQUAL(p->l4[0], 1000 >> 8);
	CU_ASSERT_EQUAL(p->l4[3], 53);
	CU_ASSERT_FALSE(p->is_fragment);
	CU_ASSERT_EQUAL(p->frame, 7);
	CU_ASSERT_EQUAL(p->ts, 42);
}

static void check_ip6_udp(const struct ct_pkt *p)
{
	CU_ASSERT_EQUAL_FATAL(p->kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p->l3num, CT_L3_IPV6);
	CU_ASSERT_EQUAL(p->l4num, 17);
	CU_ASSERT_EQUAL(p->l3len, 48);
	CU_ASSERT_EQUAL(p->l3hdrlen, 40);
	CU_ASSERT_EQUAL(p->l4len, 8);
	CU_ASSERT_EQUAL(p->l4cap, 8);
	CU_ASSERT_EQUAL(p->ttl, 55);
	CU_ASSERT(memcmp(p->src, v6src, 16) == 0);
	CU_ASSERT(memcmp(p->dst, v6dst, 16) == 0);
}

/* ---- link types: one row per encapsulation ---- */

enum payload { P_IP4, P_IP6 };

struct lt_case {
	const char *name;
	int dlt;
	const uint8_t *hdr;     /* link header bytes before the IP packet */
	uint32_t hdrlen;
	enum payload payload;
	uint16_t vlan0, vlan1;
	uint8_t nvlan;
};

static const uint8_t eth4[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00 };
static const uint8_t eth6[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x86, 0xdd };
static const uint8_t vlan4[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				 0x81, 0x00, 0x20, 0x64, 0x08, 0x00 };
static const uint8_t qinq6[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				 0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00, 0x00, 0x64,
				 0x86, 0xdd };
static const uint8_t qinq3[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				 0x91, 0x00, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x0b,
				 0x81, 0x00, 0x00, 0x0c, 0x08, 0x00 };
/* SLL: packet type, ARPHRD, addr len, 8 address bytes, protocol */
static const uint8_t sll4[] = { 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0,
				0x08, 0x00 };
static const uint8_t sll_vlan6[] = { 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0,
				     0x81, 0x00, 0x00, 0x05, 0x86, 0xdd };
/* SLL2: protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr */
static const uint8_t sll2_6[] = { 0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6,
				  0, 1, 2, 3, 4, 5, 0, 0 };
static const uint8_t null_le4[] = { 2, 0, 0, 0 };
static const uint8_t null_be4[] = { 0, 0, 0, 2 };
static const uint8_t null_le30[] = { 30, 0, 0, 0 };
static const uint8_t null_le10[] = { 10, 0, 0, 0 };
static const uint8_t loop24[] = { 0, 0, 0, 24 };
static const uint8_t loop28[] = { 0, 0, 0, 28 };
static const uint8_t loop2[] = { 0, 0, 0, 2 };

/* PPPoE session (RFC 2516): ver/type 0x11, code 0, session 1, length of
 * the PPP frame (protocol + IP: 2 + 28 or 2 + 48), PPP protocol */
static const uint8_t pppoe4[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				  0x88, 0x64, 0x11, 0, 0, 1, 0, 30, 0x00, 0x21 };
static const uint8_t pppoe_vlan6[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				       0x81, 0x00, 0x00, 0x64, 0x88, 0x64,
				       0x11, 0, 0, 1, 0, 50, 0x00, 0x57 };
static const uint8_t pppoe_qinq4[] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				       0x88, 0xa8, 0x00, 0xc8, 0x81, 0x00,
				       0x00, 0x64, 0x88, 0x64,
				       0x11, 0, 0, 1, 0, 30, 0x00, 0x21 };
static const uint8_t ppp_ether6[] = { 0x11, 0, 0x12, 0x34, 0, 50, 0x00, 0x57 };
static const uint8_t ppp_ac4[] = { 0xff, 0x03, 0x00, 0x21 };
static const uint8_t ppp_pfc4[] = { 0xff, 0x03, 0x21 };
static const uint8_t ppp_bare6[] = { 0x00, 0x57 };
static const uint8_t chdlc6[] = { 0x0f, 0x00, 0x86, 0xdd };
static const uint8_t chdlc_bc4[] = { 0x8f, 0x00, 0x08, 0x00 };
/* cooked captures of a ppp device: ARPHRD_PPP (512), no address, the
 * ethertype ppp_generic.c sets */
static const uint8_t sll_ppp6[] = { 0, 0, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0x86, 0xdd };
static const uint8_t sll2_ppp4[] = { 0x08, 0x00, 0, 0, 0, 0, 0, 9, 0x02, 0x00,
				     0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

static const struct lt_case lt_cases[] = {
	{ "ethernet v4", 1, eth4, sizeof(eth4), P_IP4, 0, 0, 0 },
	{ "ethernet v6", 1, eth6, sizeof(eth6), P_IP6, 0, 0, 0 },
	{ "802.1Q", 1, vlan4, sizeof(vlan4), P_IP4, 100, 0, 1 },
	{ "802.1ad QinQ", 1, qinq6, sizeof(qinq6), P_IP6, 200, 100, 2 },
	{ "three tags", 1, qinq3, sizeof(qinq3), P_IP4, 10, 11, 2 },
	{ "sll v4", 113, sll4, sizeof(sll4), P_IP4, 0, 0, 0 },
	{ "sll vlan v6", 113, sll_vlan6, sizeof(sll_vlan6), P_IP6, 5, 0, 1 },
	{ "sll2 v6", 276, sll2_6, sizeof(sll2_6), P_IP6, 0, 0, 0 },
	{ "raw v4", 12, NULL, 0, P_IP4, 0, 0, 0 },
	{ "raw v6", 12, NULL, 0, P_IP6, 0, 0, 0 },
	{ "raw 14 v4", 14, NULL, 0, P_IP4, 0, 0, 0 },
	{ "raw 101 v6", 101, NULL, 0, P_IP6, 0, 0, 0 },
	{ "ipv4", 228, NULL, 0, P_IP4, 0, 0, 0 },
	{ "ipv6", 229, NULL, 0, P_IP6, 0, 0, 0 },
	{ "null le v4", 0, null_le4, 4, P_IP4, 0, 0, 0 },
	{ "null be v4", 0, null_be4, 4, P_IP4, 0, 0, 0 },
	{ "null darwin v6", 0, null_le30, 4, P_IP6, 0, 0, 0 },
	{ "null linux v6", 0, null_le10, 4, P_IP6, 0, 0, 0 },
	{ "loop v4", 108, loop2, 4, P_IP4, 0, 0, 0 },
	{ "loop openbsd v6", 108, loop24, 4, P_IP6, 0, 0, 0 },
	{ "loop freebsd v6", 108, loop28, 4, P_IP6, 0, 0, 0 },
	{ "pppoe v4", 1, pppoe4, sizeof(pppoe4), P_IP4, 0, 0, 0 },
	{ "pppoe vlan v6", 1, pppoe_vlan6, sizeof(pppoe_vlan6), P_IP6,
	  100, 0, 1 },
	{ "pppoe qinq v4", 1, pppoe_qinq4, sizeof(pppoe_qinq4), P_IP4,
	  200, 100, 2 },
	{ "sll pppoe v6", 113, NULL, 0, P_IP6, 0, 0, 0 },  /* built below */
	{ "ppp_ether v6", 51, ppp_ether6, sizeof(ppp_ether6), P_IP6, 0, 0, 0 },
	{ "ppp ff03 v4", 9, ppp_ac4, sizeof(ppp_ac4), P_IP4, 0, 0, 0 },
	{ "ppp compressed protocol v4", 9, ppp_pfc4, sizeof(ppp_pfc4), P_IP4,
	  0, 0, 0 },
	{ "ppp without address v6", 9, ppp_bare6, sizeof(ppp_bare6), P_IP6,
	  0, 0, 0 },
	{ "ppp_serial v4", 50, ppp_ac4, sizeof(ppp_ac4), P_IP4, 0, 0, 0 },
	{ "ppp_serial cisco v6", 50, chdlc6, sizeof(chdlc6), P_IP6, 0, 0, 0 },
	{ "c_hdlc v4", 104, chdlc_bc4, sizeof(chdlc_bc4), P_IP4, 0, 0, 0 },
	{ "sll ppp0 v6", 113, sll_ppp6, sizeof(sll_ppp6), P_IP6, 0, 0, 0 },
	{ "sll2 ppp0 v4", 276, sll2_ppp4, sizeof(sll2_ppp4), P_IP4, 0, 0, 0 },
};

/* SLL of the Ethernet device under a PPPoE link: protocol 0x8864 */
static const uint8_t sll_pppoe6[] = { 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0,
				      0x88, 0x64, 0x11, 0, 0, 1, 0, 50,
				      0x00, 0x57 };

static void test_linktypes(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(lt_cases); i++) {
		const struct lt_case *c = &lt_cases[i];
		struct ct_pkt p;
		struct fb f = { .n = 0 };

		uint32_t hdrlen = c->hdrlen;

		CU_ASSERT(ct_decode_linktype_supported(c->dlt));
		if (strcmp(c->name, "sll pppoe v6") == 0)
			fb_bytes(&f, sll_pppoe6, hdrlen = sizeof(sll_pppoe6));
		else if (c->hdrlen)
			fb_bytes(&f, c->hdr, c->hdrlen);
		if (c->payload == P_IP4)
			fb_ip4_udp(&f);
		else
			fb_ip6_udp(&f);
		decode_fb(c->dlt, &f, &p);
		if (p.kind != CT_PKT_IP)
			fprintf(stderr, "\n  case %s: %s\n", c->name,
				p.reason ? p.reason : "?");
		if (c->payload == P_IP4)
			check_ip4_udp(&p);
		else
			check_ip6_udp(&p);
		CU_ASSERT_EQUAL(p.nvlan, c->nvlan);
		CU_ASSERT_EQUAL(p.vlan[0], c->vlan0);
		CU_ASSERT_EQUAL(p.vlan[1], c->vlan1);
		CU_ASSERT_PTR_EQUAL(p.l3, f.b + hdrlen);
		CU_ASSERT_FALSE(p.is_nflog);
	}
	CU_ASSERT_FALSE(ct_decode_linktype_supported(105));
	CU_ASSERT_FALSE(ct_decode_linktype_supported(127));
}

/* ---- frames conntrack never sees ---- */

struct none_case {
	const char *name;
	int dlt;
	uint8_t hdr[24];
	uint32_t hdrlen;
	int payload;            /* 4, 6 or 0 (none) */
	const char *reason;
};

static const struct none_case none_cases[] = {
	{ "arp", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x06 }, 14, 0,
	  "not IP (ethertype 0x0806)" },
	{ "odd ethertype", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x12, 0x34 },
	  14, 0, "not IP (ethertype 0x1234)" },
	{ "802.3", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x00, 0x26 }, 14, 0,
	  "not IP (802.3 length field)" },
	{ "short ethernet", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08 }, 13, 0,
	  "truncated Ethernet header" },
	{ "short vlan", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x81, 0, 0, 1 },
	  16, 0, "truncated VLAN tag" },
	{ "sll outgoing", 113, { 0, 4, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0, 0x08, 0 },
	  16, 4, "outgoing copy" },
	{ "sll2 outgoing", 276, { 0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 4, 6,
				  0, 1, 2, 3, 4, 5, 0, 0 }, 20, 6,
	  "outgoing copy" },
	{ "sll arp", 113, { 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5, 0, 0, 0x08, 6 },
	  16, 0, "not IP (ethertype 0x0806)" },
	{ "short sll", 113, { 0, 0, 0, 1, 0, 6 }, 6, 0, "truncated cooked header" },
	{ "null af 7", 0, { 7, 0, 0, 0 }, 4, 4, "not IP (address family)" },
	{ "raw version 5", 12, { 0x50 }, 1, 0, "not IP (unknown IP version)" },
	{ "ipv4 dlt with v6", 228, { 0 }, 0, 6, "bad IPv4 version" },
	{ "ipv6 dlt with v4", 229, { 0 }, 0, 4, "truncated IPv6 header" },
	{ "pppoe discovery", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x88, 0x63,
				  0x11, 0x09, 0, 0, 0, 0 }, 20, 0,
	  "not IP (PPPoE discovery)" },
	{ "pppoe lcp", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x88, 0x64,
			    0x11, 0, 0, 1, 0, 10, 0xc0, 0x21, 9, 1 }, 24, 0,
	  "not IP (PPP LCP)" },
	{ "pppoe ipcp", 51, { 0x11, 0, 0, 1, 0, 6, 0x80, 0x21, 1, 1 }, 10, 0,
	  "not IP (PPP IPCP)" },
	{ "pppoe ipv6cp", 51, { 0x11, 0, 0, 1, 0, 6, 0x80, 0x57, 1, 1 }, 10, 0,
	  "not IP (PPP IPv6CP)" },
	{ "pppoe version 2", 51, { 0x21, 0, 0, 1, 0, 30, 0x00, 0x21 }, 8, 4,
	  "bad PPPoE header" },
	{ "pppoe code", 51, { 0x11, 0x07, 0, 1, 0, 30, 0x00, 0x21 }, 8, 4,
	  "bad PPPoE header" },
	{ "short pppoe", 1, { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x88, 0x64,
			      0x11, 0 }, 16, 0, "truncated PPPoE header" },
	{ "pppoe length 0", 51, { 0x11, 0, 0, 1, 0, 0, 0x00, 0x21 }, 8, 4,
	  "truncated PPP header" },
	{ "ppp other protocol", 9, { 0xff, 0x03, 0x12, 0x34 }, 4, 0,
	  "not IP (PPP proto 0x1234)" },
	{ "ppp vj compressed", 9, { 0x00, 0x2d, 0x20 }, 3, 0,
	  "PPP VJ compressed TCP/IP (not decoded)" },
	{ "ppp_serial bad address", 50, { 0x42, 0x03, 0x00, 0x21 }, 4, 4,
	  "not IP (bad HDLC address)" },
	{ "ppp_serial bad control", 50, { 0xff, 0x5f, 0x00, 0x21 }, 4, 4,
	  "not IP (bad HDLC control)" },
	{ "cisco slarp", 104, { 0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 0 }, 8, 0,
	  "not IP (Cisco SLARP)" },
	{ "short cisco hdlc", 50, { 0x0f, 0x00, 0x08 }, 3, 0,
	  "truncated Cisco HDLC header" },
	{ "nflog version 1", 239, { 2, 1, 0, 0 }, 4, 0, "not IP (NFLOG version)" },
	{ "nflog no payload", 239, { 2, 0, 0, 0 }, 4, 0,
	  "NFLOG message without a packet" },
	{ "short nflog", 239, { 2, 0, 0 }, 3, 0, "truncated NFLOG header" },
};

static void test_not_seen(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(none_cases); i++) {
		const struct none_case *c = &none_cases[i];
		struct ct_pkt p;
		struct fb f = { .n = 0 };

		fb_bytes(&f, c->hdr, c->hdrlen);
		if (c->payload == 4)
			fb_ip4_udp(&f);
		else if (c->payload == 6)
			fb_ip6_udp(&f);
		decode_fb(c->dlt, &f, &p);
		CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.reason);
		if (strcmp(p.reason, c->reason) != 0)
			fprintf(stderr, "\n  case %s: got \"%s\"\n", c->name,
				p.reason);
		CU_ASSERT_STRING_EQUAL(p.reason, c->reason);
	}
}

/* One NFLOG TLV: length and type in the host's order (as libpcap hands
 * them over), the value, padding to 4 bytes. */
static void fb_tlv(struct fb *f, uint16_t type, const void *v, uint16_t n)
{
	uint16_t len = (uint16_t)(4 + n);

	fb_bytes(f, &len, 2);
	fb_bytes(f, &type, 2);
	fb_bytes(f, v, n);
	fb_zero(f, (4u - (len & 3u)) & 3u);
}

/*
 * DLT_NFLOG: the packet from NFULA_PAYLOAD, with the prefix (odd length:
 * the next attribute starts after padding), hook, devices and mark the
 * message carried; unknown attributes are skipped.
 */
static void test_nflog(void)
{
	static const uint8_t hdr[] = { 0x08, 0x00, 2 /* forward */, 0 };
	static const uint8_t mark[] = { 0, 0, 0x01, 0x2a };
	static const uint8_t indev[] = { 0, 0, 0, 3 };
	static const uint8_t outdev[] = { 0, 0, 0, 4 };
	static const uint8_t uid[] = { 0, 0, 0, 0 };
	struct fb f = { .n = 0 }, ip = { .n = 0 };
	struct ct_pkt p;

	fb_ip4_udp(&ip);
	fb_bytes(&f, "\x02\x00\x00\x05", 4);
	fb_tlv(&f, 1, hdr, sizeof(hdr));
	fb_tlv(&f, 2, mark, sizeof(mark));
	fb_tlv(&f, 4, indev, sizeof(indev));
	fb_tlv(&f, 5, outdev, sizeof(outdev));
	fb_tlv(&f, 10, "dns-in: ", 9);
	fb_tlv(&f, 11, uid, sizeof(uid));
	fb_tlv(&f, 9, ip.b, (uint16_t)ip.n);
	decode_fb(239, &f, &p);
	check_ip4_udp(&p);
	CU_ASSERT_TRUE(p.is_nflog);
	CU_ASSERT_EQUAL(p.nflog.group, 5);
	CU_ASSERT_TRUE(p.nflog.has_hook);
	CU_ASSERT_EQUAL(p.nflog.hook, CT_PKT_HOOK_FORWARD);
	CU_ASSERT_STRING_EQUAL(ct_pkt_hook_name(p.nflog.hook), "forward");
	CU_ASSERT_TRUE(p.nflog.has_mark);
	CU_ASSERT_EQUAL(p.nflog.mark, 0x12a);
	CU_ASSERT_EQUAL(p.ifindex, 3);
	CU_ASSERT_EQUAL(p.nflog.outdev, 4);
	CU_ASSERT_EQUAL_FATAL(p.nflog.prefix_len, 8);
	CU_ASSERT(memcmp(p.nflog.prefix, "dns-in: ", 8) == 0);

	/* IPv6 payload, no prefix, no header: nothing invented */
	f.n = 0;
	ip.n = 0;
	fb_ip6_udp(&ip);
	fb_bytes(&f, "\x0a\x00\x00\x00", 4);
	fb_tlv(&f, 9, ip.b, (uint16_t)ip.n);
	decode_fb(239, &f, &p);
	check_ip6_udp(&p);
	CU_ASSERT_FALSE(p.nflog.has_hook);
	CU_ASSERT_FALSE(p.nflog.has_mark);
	CU_ASSERT_PTR_NULL(p.nflog.prefix);

	/* a TLV claiming more than the frame holds */
	f.n = 0;
	fb_bytes(&f, "\x02\x00\x00\x00", 4);
	fb_tlv(&f, 9, ip.b, (uint16_t)ip.n);
	decode_fb(239, &f, &p);
	f.n -= 10;
	decode_fb(239, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated NFLOG attribute");
	/* a TLV shorter than its own header */
	f.n = 0;
	fb_bytes(&f, "\x02\x00\x00\x00\x02\x00\x09\x00", 8);
	decode_fb(239, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated NFLOG attribute");
}

/*
 * Decode keeps nothing between frames: the text of a rare ethertype's
 * reason lives in the packet it was decoded into, so decoding a second
 * frame (on this thread or another) leaves the first one's reason alone.
 */
static void test_reason_reentrant(void)
{
	static const uint16_t types[] = { 0x1234, 0xabcd, 0x0806, 0xffff };
	struct ct_pkt p[CT_ARRAY_SIZE(types)];
	char want[CT_PKT_REASON_MAX];
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(types); i++) {
		struct fb f = { .n = 0 };

		fb_ether(&f, types[i]);
		decode_fb(1, &f, &p[i]);
	}
	for (i = 0; i < CT_ARRAY_SIZE(types); i++) {
		snprintf(want, sizeof(want), "not IP (ethertype 0x%04x)",
			 types[i]);
		CU_ASSERT_EQUAL(p[i].kind, CT_PKT_NONE);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i].reason);
		CU_ASSERT_STRING_EQUAL(p[i].reason, want);
		/* not in the frame, not in anything shared */
		CU_ASSERT_TRUE(p[i].reason == p[i].reason_buf ||
			       types[i] == 0x0806);
	}
}

/* ---- IPv4 header checks and lengths ---- */

static void test_ipv4_checks(void)
{
	struct ct_pkt p;
	struct fb f = { .n = 0 };
	uint32_t ip;

	/* Bad header checksum: ip_rcv drops it. */
	ip = fb_ip4(&f, 17, 28, 1, 0);
	fb_udp(&f, 1, 2, 8);
	f.b[ip + 11] ^= 1;
	decode_fb(12, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "bad IPv4 header checksum");

	/* IHL below 5. */
	f.n = 0;
	ip = fb_ip4(&f, 17, 28, 1, 0);
	fb_udp(&f, 1, 2, 8);
	f.b[ip] = 0x44;
	ip4_csum(f.b + ip, 20);
	decode_fb(12, &f, &p);
	CU_ASSERT_STRING_EQUAL(p.reason, "bad IPv4 header length");

	/* Total length shorter than the header. */
	f.n = 0;
	ip = fb_ip4(&f, 17, 19, 1, 0);
	decode_fb(12, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "bad IPv4 total length");

	/* Header cut by the capture. */
	f.n = 0;
	fb_ether(&f, 0x0800);
	fb_ip4(&f, 6, 40, 1, 0);
	f.n = 14 + 12;
	decode_fb(1, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated IPv4 header");

	/* Options: IHL 6 with the option bytes cut off. */
	f.n = 0;
	ip = fb_ip4(&f, 6, 44, 1, 0);
	f.b[ip] = 0x46;
	decode_fb(12, &f, &p);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated IPv4 header");

	/* Options present and captured. */
	f.n = 0;
	ip = fb_ip4(&f, 17, 32, 1, 0);
	f.b[ip] = 0x46;
	fb_bytes(&f, "\x01\x01\x01\x00", 4);   /* NOP NOP NOP EOL */
	ip4_csum(f.b + ip, 24);
	fb_udp(&f, 1, 2, 8);
	decode_fb(12, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l3hdrlen, 24);
	CU_ASSERT_EQUAL(p.l4len, 8);
	CU_ASSERT_PTR_EQUAL(p.l4, f.b + 24);

	/* Fragment fields: MF set, offset 185 (1480 bytes), id 0x1234. */
	f.n = 0;
	fb_ip4(&f, 17, 28, 0x1234, 0x2000 | 185);
	fb_udp(&f, 1, 2, 8);
	decode_fb(12, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT(p.is_fragment);
	CU_ASSERT(p.frag_more);
	CU_ASSERT_EQUAL(p.frag_off, 185);
	CU_ASSERT_EQUAL(p.frag_id, 0x1234);

	/* DF alone is not a fragment. */
	f.n = 0;
	fb_ip4(&f, 17, 28, 1, 0x4000);
	fb_udp(&f, 1, 2, 8);
	decode_fb(12, &f, &p);
	CU_ASSERT_FALSE(p.is_fragment);
}

/*
 * The header checksum against testlib's own sum over random headers of
 * every IHL: some fixed up to verify (either zero of one's complement),
 * some off by one bit, some left random, and the header at offsets 0,
 * 14 and 18 of the frame so its words are loaded unaligned too.
 */
static void test_ipv4_csum_random(void)
{
	uint64_t rng = 0x2545f4914f6cdd1du;
	size_t i, bad = 0;

	for (i = 0; i < 30000; i++) {
		struct ct_pkt p;
		struct fb f = { .n = 0 };
		uint32_t ihl, at, k;
		int dlt = 12;
		bool want;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if (i % 3 == 1) {
			fb_ether(&f, 0x0800);
			dlt = 1;
		} else if (i % 3 == 2) {
			fb_ether(&f, 0x8100);
			fb_be16(&f, 5);
			fb_be16(&f, 0x0800);
			dlt = 1;
		}
		at = f.n;
		ihl = 4 * (5 + (uint32_t)(rng % 11));
		for (k = 0; k < ihl; k++)
			fb_u8(&f, i % 7 == 0 ? 0xff : (uint8_t)(rng >> (k % 56)));
		f.b[at] = (uint8_t)(0x40 | ihl / 4);
		tl_put16(f.b + at + 2, (uint16_t)(ihl + 8));
		fb_zero(&f, 8);
		switch (i % 4) {
		case 0:         /* correct */
			ip4_csum(f.b + at, ihl);
			break;
		case 1:         /* correct, with the other zero */
			ip4_csum(f.b + at, ihl);
			if (tl_get16(f.b + at + 10) == 0)
				tl_put16(f.b + at + 10, 0xffff);
			else if (tl_get16(f.b + at + 10) == 0xffff)
				tl_put16(f.b + at + 10, 0);
			break;
		case 2:         /* one bit off */
			ip4_csum(f.b + at, ihl);
			f.b[at + 10 + (rng >> 60) % 2] ^=
				(uint8_t)(1u << (rng >> 61));
			break;
		default:        /* whatever was drawn */
			break;
		}
		want = tl_csum(f.b + at, ihl) == 0;
		decode_fb(dlt, &f, &p);
		if (want ? p.kind != CT_PKT_IP || p.l3hdrlen != ihl :
			   p.kind != CT_PKT_NONE ||
			   strcmp(p.reason, "bad IPv4 header checksum") != 0) {
			if (bad++ == 0)
				fprintf(stderr, "\n  header %zu (IHL %u): "
					"decoded %s\n", i, ihl / 4,
					p.kind == CT_PKT_IP ? "as IP" : p.reason);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_lengths(void)
{
	struct ct_pkt p;
	struct fb f = { .n = 0 };

	/* Ethernet padding after a 28-byte datagram is not part of it. */
	fb_ether(&f, 0x0800);
	fb_ip4_udp(&f);
	fb_zero(&f, 60 - f.n);
	decode_fb(1, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l3len, 28);
	CU_ASSERT_EQUAL(p.l3cap, 28);
	CU_ASSERT_EQUAL(p.l4len, 8);
	CU_ASSERT_EQUAL(p.l4cap, 8);

	/* Snap length cut: lengths come from the header, cap says what's there. */
	f.n = 0;
	fb_ether(&f, 0x0800);
	fb_ip4(&f, 6, 1500, 1, 0x4000);
	fb_zero(&f, 40);
	decode_fb(1, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l3len, 1500);
	CU_ASSERT_EQUAL(p.l3cap, 60);
	CU_ASSERT_EQUAL(p.l4len, 1480);
	CU_ASSERT_EQUAL(p.l4cap, 40);

	/* Same for IPv6. */
	f.n = 0;
	fb_ether(&f, 0x86dd);
	fb_ip6(&f, 6, 1460);
	fb_zero(&f, 20);
	decode_fb(1, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l3len, 1500);
	CU_ASSERT_EQUAL(p.l3cap, 60);
	CU_ASSERT_EQUAL(p.l4len, 1460);
	CU_ASSERT_EQUAL(p.l4cap, 20);

	/* Version checked once 40 bytes are there. */
	f.n = 0;
	fb_ip6_udp(&f);
	f.b[0] = 0x40;
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "bad IPv6 version");

	/* Truncated IPv6 header. */
	f.n = 0;
	fb_ip6(&f, 6, 20);
	f.n = 39;
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated IPv6 header");
}

/* ---- IPv6 extension headers ---- */

static void test_ipv6_exthdr(void)
{
	struct ct_pkt p;
	struct fb f = { .n = 0 };

	/* HBH (router alert + PadN) -> dest opts -> routing -> AH -> TCP */
	fb_ip6(&f, 0, 8 + 8 + 24 + 16 + 20);
	fb_bytes(&f, "\x3c\x00\x05\x02\x00\x00\x01\x00", 8);   /* HBH */
	fb_bytes(&f, "\x2b\x00\x01\x04\x00\x00\x00\x00", 8);   /* dstopts */
	fb_bytes(&f, "\x33\x02\x00\x01", 4);                   /* routing */
	fb_zero(&f, 20);
	fb_bytes(&f, "\x06\x02\x00\x00", 4);                   /* AH (2+2)*4 */
	fb_zero(&f, 12);
	fb_zero(&f, 20);                                       /* TCP */
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l4num, 6);
	CU_ASSERT_EQUAL(p.l3hdrlen, 40 + 8 + 8 + 24 + 16);
	CU_ASSERT_EQUAL(p.l4len, 20);
	CU_ASSERT_PTR_EQUAL(p.l4, f.b + 96);
	CU_ASSERT_FALSE(p.is_fragment);

	/* First fragment: the walk continues past the fragment header. */
	f.n = 0;
	fb_ip6(&f, 44, 8 + 8);
	fb_bytes(&f, "\x11\x00\x00\x01\xde\xad\xbe\xef", 8);   /* off 0, M */
	fb_udp(&f, 1, 2, 100);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT(p.is_fragment);
	CU_ASSERT(p.frag_more);
	CU_ASSERT_EQUAL(p.frag_off, 0);
	CU_ASSERT_EQUAL(p.frag_id, 0xdeadbeef);
	CU_ASSERT_EQUAL(p.l4num, 17);
	CU_ASSERT_EQUAL(p.l3hdrlen, 48);

	/* Later fragment: the walk stops, l4 is fragment data. */
	f.n = 0;
	fb_ip6(&f, 44, 8 + 16);
	fb_bytes(&f, "\x11\x00\x05\xa8\x00\x00\x00\x07", 8);   /* off 181, last */
	fb_zero(&f, 16);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT(p.is_fragment);
	CU_ASSERT_FALSE(p.frag_more);
	CU_ASSERT_EQUAL(p.frag_off, 181);
	CU_ASSERT_EQUAL(p.l4len, 16);

	/* ESP and no-next-header stop the walk. */
	f.n = 0;
	fb_ip6(&f, 60, 8 + 8);
	fb_bytes(&f, "\x32\x00\x01\x04\x00\x00\x00\x00", 8);
	fb_zero(&f, 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.l4num, 50);
	CU_ASSERT_EQUAL(p.l3hdrlen, 48);
	f.n = 0;
	fb_ip6(&f, 59, 0);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l4num, 59);
	CU_ASSERT_EQUAL(p.l3len, 40);

	/* The real packet ends inside the chain: no protocol (59). */
	f.n = 0;
	fb_ip6(&f, 60, 1);
	fb_u8(&f, 6);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l4num, 59);

	/* A header longer than the packet: offset past the end, nothing left. */
	f.n = 0;
	fb_ip6(&f, 60, 8);
	fb_bytes(&f, "\x06\x03\x01\x04\x00\x00\x00\x00", 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l4num, 6);
	CU_ASSERT_EQUAL(p.l4len, 0);
	CU_ASSERT_EQUAL(p.l4cap, 0);

	/* The capture ends inside the chain (snap length): not decodable. */
	f.n = 0;
	fb_ip6(&f, 60, 64);
	fb_bytes(&f, "\x06\x01\x01\x04\x00\x00\x00\x00", 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "truncated IPv6 extension header");

	/* Unknown hop-by-hop option with "discard" action bits. */
	f.n = 0;
	fb_ip6(&f, 0, 8 + 8);
	fb_bytes(&f, "\x11\x00\x4f\x04\x00\x00\x00\x00", 8);
	fb_udp(&f, 1, 2, 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "unknown IPv6 hop-by-hop option");
	/* ... while "skip" action bits are fine. */
	f.b[42] = 0x0f;
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.l4num, 17);

	/* Jumbogram. */
	f.n = 0;
	fb_ip6(&f, 0, 0);
	fb_bytes(&f, "\x11\x00\xc2\x04\x00\x01\x00\x00", 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
	CU_ASSERT_STRING_EQUAL(p.reason, "jumbogram");

	/* Multicast source: ip6_rcv_core drops it. */
	f.n = 0;
	fb_ip6_udp(&f);
	f.b[8] = 0xff;
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.kind, CT_PKT_NONE);
}

/* ---- reassembly ---- */

/* Build the IPv4 fragment carrying payload bytes [off, off+len) of a UDP
 * datagram whose payload byte i is (uint8_t)i. */
static void v4_frag(struct ct_pkt *p, struct fb *f, uint32_t off, uint32_t len,
		    bool more, uint16_t id, ct_time ts)
{
	uint32_t i;

	f->n = 0;
	fb_ip4(f, 17, (uint16_t)(20 + len), id,
	       (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	for (i = 0; i < len; i++)
		fb_u8(f, (uint8_t)(off + i));
	ct_decode(12, f->b, f->n, 100 + off, ts, p);
}

static void check_v4_whole(const struct ct_pkt *o, uint32_t len)
{
	uint32_t i;

	CU_ASSERT_EQUAL_FATAL(o->kind, CT_PKT_IP);
	CU_ASSERT_FALSE(o->is_fragment);
	CU_ASSERT_EQUAL(o->l3len, 20 + len);
	CU_ASSERT_EQUAL(o->l4len, len);
	CU_ASSERT_EQUAL_FATAL(o->l4cap, len);
	for (i = 0; i < len; i++)
		if (o->l4[i] != (uint8_t)i)
			break;
	CU_ASSERT_EQUAL(i, len);
	CU_ASSERT_EQUAL(o->l3[6] & 0x3f, 0);            /* no MF, offset 0 */
	/* the rebuilt header's checksum verifies: summing it gives 0 */
	CU_ASSERT_EQUAL(tl_csum(o->l3, 20), 0);
}

static void test_defrag_v4(void)
{
	struct ct_defrag *d = ct_defrag_create();
	struct ct_pkt p, o;
	struct fb f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);

	/* Not a fragment: passes through. */
	f.n = 0;
	fb_ip4_udp(&f);
	ct_decode(12, f.b, f.n, 1, 0, &p);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_PTR_EQUAL(o.l3, p.l3);

	/* In order. */
	v4_frag(&p, &f, 0, 16, true, 1, 10);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 16, 16, true, 1, 11);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 1);
	v4_frag(&p, &f, 32, 5, false, 1, 12);
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	check_v4_whole(&o, 37);
	CU_ASSERT_EQUAL(o.ts, 12);
	CU_ASSERT_EQUAL(o.frame, 132);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* Out of order, with a duplicate in the middle. */
	v4_frag(&p, &f, 32, 5, false, 2, 20);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 16, 16, true, 2, 21);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 16, 16, true, 2, 21);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	CU_ASSERT_STRING_EQUAL(ct_defrag_reason(d), "duplicate fragment");
	v4_frag(&p, &f, 0, 16, true, 2, 22);
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	check_v4_whole(&o, 37);
	CU_ASSERT_EQUAL(o.ts, 22);

	/* Overlap discards the datagram; a late fragment starts over. */
	v4_frag(&p, &f, 0, 16, true, 3, 30);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 8, 16, true, 3, 31);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), -1);
	CU_ASSERT_STRING_EQUAL(ct_defrag_reason(d), "overlapping fragment");
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);
	v4_frag(&p, &f, 16, 5, false, 3, 32);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 1);

	/* Timeout: 30 s after the queue's first fragment it is gone. */
	ct_defrag_expire(d, 32 + 30 * CT_NSEC_PER_SEC - 1);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 1);
	v4_frag(&p, &f, 0, 16, true, 3, 32 + 30 * CT_NSEC_PER_SEC);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);   /* a fresh queue */
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 1);
	ct_defrag_expire(d, 32 + 60 * CT_NSEC_PER_SEC);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* The kernel compares with runs of fragments appended in order: a
	 * fragment inside one run is a duplicate ... */
	v4_frag(&p, &f, 0, 8, true, 6, 33);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 8, 8, true, 6, 33);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 16, 8, true, 6, 33);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 0, 16, true, 6, 33);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	CU_ASSERT_STRING_EQUAL(ct_defrag_reason(d), "duplicate fragment");
	v4_frag(&p, &f, 24, 3, false, 6, 34);
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	check_v4_whole(&o, 27);
	/* ... but one spanning two runs placed out of order overlaps. */
	v4_frag(&p, &f, 16, 8, true, 7, 35);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 0, 8, true, 7, 35);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 8, 8, true, 7, 35);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 0, 16, true, 7, 35);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), -1);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* Two different last fragments: the datagram is discarded. */
	v4_frag(&p, &f, 16, 8, false, 4, 40);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 24, 8, false, 4, 41);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), -1);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* Snap-length cut in the last fragment: full length, short cap. */
	v4_frag(&p, &f, 0, 16, true, 5, 50);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v4_frag(&p, &f, 16, 40, false, 5, 51);
	p.l3cap -= 30;
	p.l4cap -= 30;
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_EQUAL(o.l3len, 76);
	CU_ASSERT_EQUAL(o.l4len, 56);
	CU_ASSERT_EQUAL(o.l4cap, 26);

	ct_defrag_destroy(d);
}

/* IPv6 fragment: optional dest-options header before the fragment header. */
static void v6_frag(struct ct_pkt *p, struct fb *f, uint32_t off, uint32_t len,
		    bool more, bool dstopts, ct_time ts)
{
	uint32_t i;

	f->n = 0;
	fb_ip6(f, dstopts ? 60 : 44, (uint16_t)((dstopts ? 8 : 0) + 8 + len));
	if (dstopts)
		fb_bytes(f, "\x2c\x00\x01\x04\x00\x00\x00\x00", 8);
	fb_u8(f, 17);
	fb_u8(f, 0);
	fb_be16(f, (uint16_t)(off | (more ? 1 : 0)));
	fb_bytes(f, "\x00\x00\x00\x09", 4);
	for (i = 0; i < len; i++)
		fb_u8(f, (uint8_t)(off + i));
	ct_decode(229, f->b, f->n, 200 + off, ts, p);
}

/* An IPv6 header (plen), then a fragment header: next header nh, offset
 * in 8-byte units, M, id. */
static void fb_ip6_frag(struct fb *f, uint16_t plen, uint8_t nh, uint16_t off8,
			bool more, uint32_t id)
{
	fb_ip6(f, 44, plen);
	fb_u8(f, nh);
	fb_u8(f, 0);
	fb_be16(f, (uint16_t)(off8 << 3 | (more ? 1 : 0)));
	fb_be16(f, (uint16_t)(id >> 16));
	fb_be16(f, (uint16_t)id);
}

/*
 * Fragment headers conntrack cannot use, as Linux 6.18 handles them:
 * a first fragment that ends before its transport header is handed on
 * unqueued (ipv6frag_thdr_truncated()) and conntrack finds no tuple; an
 * empty atomic fragment without a transport protocol is dropped by
 * defrag; a datagram carrying a second fragment header is reassembled by
 * the first, and the second is then conntrack's to judge.
 */
static void test_defrag_v6_odd(void)
{
	struct ct_defrag *d = ct_defrag_create();
	struct ct_pkt p, o;
	struct tl_rec r;
	struct fb f, g;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);

	/* atomic fragment, next header UDP, nothing after it */
	f.n = 0;
	fb_ip6_frag(&f, 8, 17, 0, false, 0x5a01);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT(p.is_fragment);
	CU_ASSERT_EQUAL(p.l4num, 17);
	CU_ASSERT_EQUAL(p.l4len, 0);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_PTR_EQUAL(o.l3, p.l3);          /* as it came */
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* the same with next header 59: queued, empty, dropped */
	f.n = 0;
	fb_ip6_frag(&f, 8, 59, 0, false, 0x5a02);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), -1);
	CU_ASSERT_STRING_EQUAL(ct_defrag_reason(d), "empty fragment");

	/* a first fragment with 16 of TCP's 20 header bytes: handed on;
	 * with the 20 it is queued */
	n = ct_defrag_pending(d);
	f.n = 0;
	fb_ip6_frag(&f, 8 + 16, 6, 0, true, 0x5a03);
	fb_zero(&f, 16);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), n);
	f.n = 0;
	fb_ip6_frag(&f, 8 + 24, 6, 0, true, 0x5a04);
	fb_zero(&f, 24);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), n + 1);

	/* nested: the outer header (id 0x5b01) decides reassembly, the
	 * inner atomic one (id 0x5b02, offset 0) is stepped over */
	f.n = 0;
	fb_ip6_frag(&f, 8 + 8 + 16, 44, 0, true, 0x5b01);
	fb_bytes(&f, "\x11\x00\x00\x00\x00\x00\x5b\x02", 8);
	fb_udp(&f, 1000, 53, 8 + 16);
	fb_zero(&f, 8);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL_FATAL(p.kind, CT_PKT_IP);
	CU_ASSERT_EQUAL(p.frag_id, 0x5b01);
	CU_ASSERT(p.frag_more);
	CU_ASSERT_EQUAL(p.l4num, 17);
	CU_ASSERT_EQUAL(p.l3hdrlen, 56);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	g.n = 0;
	fb_ip6_frag(&g, 8 + 8, 44, 3, false, 0x5b01);
	fb_zero(&g, 8);
	decode_fb(229, &g, &p);
	CU_ASSERT_EQUAL(p.frag_id, 0x5b01);
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_EQUAL_FATAL(o.kind, CT_PKT_IP);
	CU_ASSERT(o.is_fragment);                 /* the inner header */
	CU_ASSERT_EQUAL(o.frag_id, 0x5b02);
	CU_ASSERT_EQUAL(o.frag_off, 0);
	CU_ASSERT_EQUAL(o.l4num, 17);
	CU_ASSERT_EQUAL(o.l3hdrlen, 48);
	CU_ASSERT_EQUAL(o.l4len, 24);

	/* an inner header with an offset: no protocol once reassembled */
	f.n = 0;
	fb_ip6_frag(&f, 8 + 8 + 16, 44, 0, true, 0x5b03);
	fb_bytes(&f, "\x11\x00\x00\x08\x00\x00\x5b\x04", 8);
	fb_zero(&f, 16);
	decode_fb(229, &f, &p);
	CU_ASSERT_EQUAL(p.frag_id, 0x5b03);
	CU_ASSERT_EQUAL(p.l4num, 59);
	ct_defrag_destroy(d);

	/* what conntrack says: the truncated atomic fragment and a
	 * reassembled datagram whose inner fragment is not the first are
	 * INVALID (the golden recordings frag6-atomic-empty and frag6-nested
	 * show the rest against the kernel) */
	CU_ASSERT_EQUAL_FATAL(tl_rec_start(&r, NULL), 0);
	f.n = 0;
	fb_ip6_frag(&f, 8, 17, 0, false, 0x5a01);
	tl_rec_feed(&r, f.b, f.n);
	CU_ASSERT_EQUAL(r.v[r.nv - 1].state, CT_STATE_INVALID);
	f.n = 0;
	fb_ip6_frag(&f, 8 + 8 + 16, 44, 0, true, 0x5b03);
	fb_bytes(&f, "\x11\x00\x00\x08\x00\x00\x5b\x04", 8);
	fb_zero(&f, 16);
	tl_rec_feed(&r, f.b, f.n);
	CU_ASSERT_EQUAL(r.v[r.nv - 1].state, CT_STATE_NONE);   /* held */
	g.n = 0;
	fb_ip6_frag(&g, 8 + 8, 44, 3, false, 0x5b03);
	fb_zero(&g, 8);
	tl_rec_feed(&r, g.b, g.n);
	CU_ASSERT_EQUAL(r.v[r.nv - 1].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(r.v[r.nv - 1].reason, "non-first fragment");
	tl_rec_stop(&r);
}

static void test_defrag_v6(void)
{
	struct ct_defrag *d = ct_defrag_create();
	struct ct_pkt p, o;
	struct fb f;
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);

	/* Out of order, with a destination options header in front. */
	v6_frag(&p, &f, 24, 10, false, true, 5);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v6_frag(&p, &f, 0, 24, true, true, 6);
	CU_ASSERT_EQUAL_FATAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT_EQUAL_FATAL(o.kind, CT_PKT_IP);
	CU_ASSERT_FALSE(o.is_fragment);
	CU_ASSERT_EQUAL(o.l4num, 17);
	CU_ASSERT_EQUAL(o.l3hdrlen, 48);
	CU_ASSERT_EQUAL(o.l3len, 48 + 34);
	CU_ASSERT_EQUAL(o.l3[4] << 8 | o.l3[5], 8 + 34);   /* payload length */
	CU_ASSERT_EQUAL(o.l3[40], 17);                     /* dstopts -> UDP */
	CU_ASSERT_EQUAL_FATAL(o.l4cap, 34);
	for (i = 0; i < 34; i++)
		if (o.l4[i] != (uint8_t)i)
			break;
	CU_ASSERT_EQUAL(i, 34);
	CU_ASSERT_EQUAL(o.ts, 6);

	/* Overlap discards. */
	v6_frag(&p, &f, 0, 24, true, false, 10);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	v6_frag(&p, &f, 16, 16, false, false, 11);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), -1);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	/* A non-last fragment not a multiple of 8 goes through untouched. */
	v6_frag(&p, &f, 0, 20, true, false, 20);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 1);
	CU_ASSERT(o.is_fragment);
	CU_ASSERT_PTR_EQUAL(o.l3, p.l3);

	/* IPv6 queues live 60 s. */
	v6_frag(&p, &f, 8, 8, false, false, 0);
	CU_ASSERT_EQUAL(ct_defrag_feed(d, &p, &o), 0);
	ct_defrag_expire(d, 59 * CT_NSEC_PER_SEC);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 1);
	ct_defrag_expire(d, 60 * CT_NSEC_PER_SEC);
	CU_ASSERT_EQUAL(ct_defrag_pending(d), 0);

	ct_defrag_destroy(d);
}

int test_decode_register(void)
{
	CU_pSuite s = CU_add_suite("decode", NULL, NULL);

	if (!s)
		return CU_get_error();
	if (!CU_add_test(s, "link types", test_linktypes) ||
	    !CU_add_test(s, "frames conntrack never sees", test_not_seen) ||
	    !CU_add_test(s, "NFLOG messages", test_nflog) ||
	    !CU_add_test(s, "reasons kept in the packet", test_reason_reentrant) ||
	    !CU_add_test(s, "IPv4 input checks", test_ipv4_checks) ||
	    !CU_add_test(s, "IPv4 header checksum", test_ipv4_csum_random) ||
	    !CU_add_test(s, "lengths from the IP header", test_lengths) ||
	    !CU_add_test(s, "IPv6 extension headers", test_ipv6_exthdr) ||
	    !CU_add_test(s, "IPv4 reassembly", test_defrag_v4) ||
	    !CU_add_test(s, "IPv6 reassembly", test_defrag_v6) ||
	    !CU_add_test(s, "IPv6 fragment headers conntrack cannot use",
			 test_defrag_v6_odd))
		return CU_get_error();
	return 0;
}
