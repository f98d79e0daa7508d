/* \summary: unit tests for NAT: packet rewriting and its checksums, tuple choice through the hooks, iptables NAT targets */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/engine.h"
#include "ct/hook.h"
#include "ct/l4proto.h"
#include "ct/nat.h"
#include "ct/tuple.h"
#include "fw/natrule.h"
#include "settings.h"
#include "testlib.h"
#include "tests.h"

#define SEC CT_NSEC_PER_SEC

static void addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	CU_ASSERT_FATAL(ct_addr_parse(s, out) != 0);
}

/* A transport header of proto with ports (ICMP: echo request id `sp`)
 * and a few payload bytes; its length. */
static uint32_t l4_bytes(uint8_t *b, uint8_t proto, uint16_t sp, uint16_t dp)
{
	memset(b, 0, 40);
	if (proto == 1 || proto == 58) {
		b[0] = proto == 1 ? 8 : 128;
		tl_put16(b + 4, sp);
		tl_put16(b + 6, 7);
		memcpy(b + 8, "pingpong", 8);
		return 16;
	}
	tl_put16(b, sp);
	tl_put16(b + 2, dp);
	if (proto == 6) {
		tl_put32(b + 4, 0x01020304);
		b[12] = 0x50;
		b[13] = 0x18;
		tl_put16(b + 14, 512);
		memcpy(b + 20, "data", 4);
		return 24;
	}
	tl_put16(b + 4, 12);
	memcpy(b + 8, "data", 4);
	return 12;
}

static int csum_off(uint8_t proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 2;
}

/* Build a bare IP packet into buf; its length. */
static uint32_t build(uint8_t *buf, size_t cap, const char *src, uint16_t sp,
		      const char *dst, uint16_t dp, uint8_t proto, bool nocsum)
{
	uint8_t s[16], d[16], l4[64];
	struct tl_l4 seg;

	addr(src, s);
	addr(dst, d);
	seg.proto = proto;
	seg.bytes = l4;
	seg.len = l4_bytes(l4, proto, sp, dp);
	seg.csum_off = nocsum ? TL_NO_CSUM : csum_off(proto);
	if (strchr(src, ':'))
		return tl_build_ipv6(buf, (uint32_t)cap, s, d, &seg);
	return tl_build_ipv4(buf, (uint32_t)cap, s, d, 0x1234, &seg);
}

static void tuple_of(struct ct_tuple *t, const char *src, uint16_t sp,
		     const char *dst, uint16_t dp, uint8_t proto)
{
	memset(t, 0, sizeof(*t));
	addr(src, t->src);
	addr(dst, t->dst);
	t->l3num = strchr(src, ':') ? CT_L3_IPV6 : CT_L3_IPV4;
	t->l4num = proto;
	if (proto == 1 || proto == 58)
		ct_tuple_set_icmp(t, proto == 1 ? 8 : 128, 0, sp);
	else {
		t->sport = sp;
		t->dport = dp;
	}
}

/*
 * nf_nat_packet() on real bytes: a packet of an entry translated to
 * (nsrc:nsp -> ndst:ndp) leaves NAT byte for byte as the same packet
 * built with those addresses, checksums included (incremental updates
 * equal a full recomputation).
 */
static void test_rewrite(void)
{
	static const struct {
		const char *src, *dst, *nsrc, *ndst;
		uint16_t sp, dp, nsp, ndp;
		uint8_t proto;
		enum ct_nat_manip m;
		bool nocsum;
	} cases[] = {
		{ "10.0.0.1", "192.0.2.9", "198.51.100.1", "192.0.2.9",
		  40000, 80, 40000, 80, 6, CT_NAT_MANIP_SRC, false },
		{ "10.0.0.1", "192.0.2.9", "198.51.100.1", "192.0.2.9",
		  40000, 80, 1025, 80, 6, CT_NAT_MANIP_SRC, false },
		{ "10.0.0.1", "192.0.2.9", "10.0.0.1", "172.16.0.5",
		  40000, 8080, 40000, 80, 6, CT_NAT_MANIP_DST, false },
		{ "10.0.0.1", "192.0.2.9", "198.51.100.1", "192.0.2.9",
		  5353, 53, 61000, 53, 17, CT_NAT_MANIP_SRC, false },
		/* IPv4 UDP without a checksum keeps none */
		{ "10.0.0.1", "192.0.2.9", "198.51.100.1", "192.0.2.9",
		  5353, 53, 5353, 53, 17, CT_NAT_MANIP_SRC, true },
		{ "10.0.0.1", "192.0.2.9", "198.51.100.1", "192.0.2.9",
		  777, 0, 778, 0, 1, CT_NAT_MANIP_SRC, false },
		{ "fd00::1", "2001:db8::9", "2001:db8:1::1", "2001:db8::9",
		  40000, 443, 40001, 443, 6, CT_NAT_MANIP_SRC, false },
		{ "fd00::1", "2001:db8::9", "2001:db8:1::1", "2001:db8::9",
		  777, 0, 999, 0, 58, CT_NAT_MANIP_SRC, false },
		{ "fd00::1", "2001:db8::9", "fd00::1", "fd00:2::5",
		  50000, 53, 50000, 5353, 17, CT_NAT_MANIP_DST, false },
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(cases); i++) {
		uint8_t in[256], want[256];
		uint32_t n, nw;
		struct ct_pkt pkt;
		const struct ct_pkt *out;
		struct ct_conn ct;
		struct ct_tuple xlated;
		struct ct_nat *nat = ct_nat_create();

		CU_ASSERT_FATAL(nat != NULL);
		n = build(in, sizeof(in), cases[i].src, cases[i].sp,
			  cases[i].dst, cases[i].dp, cases[i].proto,
			  cases[i].nocsum);
		nw = build(want, sizeof(want), cases[i].nsrc, cases[i].nsp,
			   cases[i].ndst, cases[i].ndp, cases[i].proto,
			   cases[i].nocsum);
		CU_ASSERT_FATAL(n == nw);
		CU_ASSERT_FATAL(tl_pkt_from_bytes(&pkt, in, n, 1, 0));
		memset(&ct, 0, sizeof(ct));
		tuple_of(&ct.tuple[CT_DIR_ORIGINAL], cases[i].src, cases[i].sp,
			 cases[i].dst, cases[i].dp, cases[i].proto);
		tuple_of(&xlated, cases[i].nsrc, cases[i].nsp, cases[i].ndst,
			 cases[i].ndp, cases[i].proto);
		CU_ASSERT_FATAL(ct_l4_invert(&ct.tuple[CT_DIR_REPLY], &xlated));
		ct.status = cases[i].m == CT_NAT_MANIP_SRC ? CT_IPS_SRC_NAT
							   : CT_IPS_DST_NAT;
		/* the other manipulation leaves it alone */
		out = ct_nat_packet(nat, &pkt, &ct, CT_DIR_ORIGINAL,
				    cases[i].m == CT_NAT_MANIP_SRC
					    ? CT_NAT_MANIP_DST
					    : CT_NAT_MANIP_SRC);
		CU_ASSERT_PTR_EQUAL(out, &pkt);
		out = ct_nat_packet(nat, &pkt, &ct, CT_DIR_ORIGINAL,
				    cases[i].m);
		CU_ASSERT_PTR_NOT_EQUAL(out, &pkt);
		CU_ASSERT(out->l3cap == n);
		if (memcmp(out->l3, want, n) != 0) {
			fprintf(stderr, "case %zu: rewritten packet differs\n",
				i);
			CU_FAIL("rewritten packet differs");
		}
		CU_ASSERT(memcmp(out->src, xlated.src, 16) == 0);
		CU_ASSERT(memcmp(out->dst, xlated.dst, 16) == 0);
		/* the original bytes are left as they were */
		CU_ASSERT(memcmp(in, want, n) != 0 ||
			  (cases[i].nsp == cases[i].sp &&
			   strcmp(cases[i].src, cases[i].nsrc) == 0));
		ct_nat_destroy(nat);
	}
}

/* ------------------------------------------------------------------ */
/* through the hooks: a firewall that masquerades everything leaving */

static bool fake_run(void *ctx, enum ct_hook hook, int32_t lo, int32_t hi,
		     struct ct_hookpkt *hp)
{
	(void)ctx;
	(void)hook;
	(void)lo;
	(void)hi;
	(void)hp;
	return true;
}

static void fake_route(void *ctx, struct ct_hookpkt *hp)
{
	(void)ctx;
	hp->local = false;
	memcpy(hp->oifname, "wan0", 5);
}

/* "masquerade" to 192.0.2.1 in postrouting */
static bool fake_run_nat(void *ctx, enum ct_hook hook, struct ct_hookpkt *hp)
{
	struct ct_nat_range r;

	(void)ctx;
	if (hook != CT_HOOK_POSTROUTING)
		return true;
	memset(&r, 0, sizeof(r));
	r.flags = CT_NAT_MAP_IPS;
	addr("192.0.2.1", r.min_addr);
	memcpy(r.max_addr, r.min_addr, 16);
	return hp->nat_setup(hp->nat_ctx, hp, &r, CT_NAT_MANIP_SRC);
}

static void feed_syn(struct tl_rec *rec, const char *src, uint16_t sp,
		     const char *dst, uint16_t dp, uint8_t flags)
{
	uint8_t b[128], l4[20], s[16], d[16];
	struct tl_l4 seg = { 6, l4, 20, 16 };
	uint32_t n;

	memset(l4, 0, sizeof(l4));
	tl_put16(l4, sp);
	tl_put16(l4 + 2, dp);
	tl_put32(l4 + 4, 1000);
	tl_put32(l4 + 8, flags & 0x10 ? 1001 : 0);
	l4[12] = 0x50;
	l4[13] = flags;
	tl_put16(l4 + 14, 1000);
	addr(src, s);
	addr(dst, d);
	n = tl_build_ipv4(b, sizeof(b), s, d, 1, &seg);
	tl_rec_feed(rec, b, n);
	rec->now += SEC / 100;
}

/*
 * get_unique_tuple() as the NAT core runs it: the first connection keeps
 * its port; a second one from another client with the same port to the
 * same server is moved into 1024-65535 (a guess, the kernel's is random);
 * that client's next connection elsewhere reuses its mapping
 * (find_appropriate_src()); the server's answer to the translated
 * address finds its entry.
 */
static void test_masquerade_clash(void)
{
	struct tl_rec rec;
	struct ct_firewall fw;
	const struct ct_tuple *r1, *r2, *r3;

	CU_ASSERT_FATAL(tl_rec_start(&rec, NULL) == 0);
	memset(&fw, 0, sizeof(fw));
	fw.run = fake_run;
	fw.route = fake_route;
	fw.run_nat = fake_run_nat;
	fw.nat4 = true;
	ct_engine_set_firewall(rec.eng, &fw);
	rec.now = 1700000000LL * SEC;

	feed_syn(&rec, "10.0.0.1", 40000, "198.51.100.7", 80, 0x02);
	feed_syn(&rec, "10.0.0.2", 40000, "198.51.100.7", 80, 0x02);
	feed_syn(&rec, "10.0.0.2", 40000, "198.51.100.8", 80, 0x02);
	CU_ASSERT_FATAL(rec.nv == 3);
	CU_ASSERT_FATAL(rec.v[0].ct && rec.v[1].ct && rec.v[2].ct);
	r1 = &rec.v[0].ct->tuple[CT_DIR_REPLY];
	r2 = &rec.v[1].ct->tuple[CT_DIR_REPLY];
	r3 = &rec.v[2].ct->tuple[CT_DIR_REPLY];
	CU_ASSERT(r1->dst[0] == 192 && r1->dst[3] == 1 && r1->dport == 40000);
	CU_ASSERT(r2->dst[0] == 192 && r2->dport != 40000 &&
		  r2->dport >= 1024);
	CU_ASSERT(r3->dport == r2->dport);
	CU_ASSERT(rec.v[0].ct->status & CT_IPS_SRC_NAT);
	CU_ASSERT(rec.v[1].ct->status & CT_IPS_SRC_NAT_DONE);

	/* the SYN/ACK to the first mapping */
	feed_syn(&rec, "198.51.100.7", 80, "192.0.2.1", 40000, 0x12);
	CU_ASSERT_FATAL(rec.nv == 4);
	CU_ASSERT(rec.v[3].ct == rec.v[0].ct);
	CU_ASSERT(rec.v[3].dir == CT_DIR_REPLY);
	CU_ASSERT(rec.v[3].state == CT_STATE_ESTABLISHED);
	tl_rec_stop(&rec);
}

/* ------------------------------------------------------------------ */
/* iptables NAT targets */

static void test_ipt_targets(void)
{
	static const struct {
		const char *target, *opts;
		int family;
		int rc;
		const char *lo, *hi;
		uint16_t pmin, pmax;
		uint32_t flags;
	} cases[] = {
		{ "DNAT", "--to-destination 10.0.0.2:80", 4, 0, "10.0.0.2",
		  "10.0.0.2", 80, 80, 0 },
		{ "DNAT", "--to-destination 10.0.0.2", 4, 0, "10.0.0.2",
		  "10.0.0.2", 0, 0, 0 },
		{ "SNAT", "--to-source 10.0.0.1-10.0.0.3:1024-2047 --persistent",
		  4, 0, "10.0.0.1", "10.0.0.3", 1024, 2047, CT_NAT_PERSISTENT },
		{ "SNAT", "--to-source :5000", 4, 0, NULL, NULL, 5000, 5000, 0 },
		{ "MASQUERADE", "--to-ports 1000-2000 --random-fully", 4, 0,
		  NULL, NULL, 1000, 2000, CT_NAT_PROTO_RANDOM_FULLY },
		{ "MASQUERADE", "", 4, 0, NULL, NULL, 0, 0, 0 },
		{ "REDIRECT", "--to-ports 3128 --random", 4, 0, NULL, NULL,
		  3128, 3128, CT_NAT_PROTO_RANDOM },
		{ "DNAT", "--to-destination [fd00::2]:8080", 6, 0, "fd00::2",
		  "fd00::2", 8080, 8080, 0 },
		{ "DNAT", "--to-destination [fd00::2]-[fd00::4]", 6, 0,
		  "fd00::2", "fd00::4", 0, 0, 0 },
		{ "DNAT", "--to-destination 10.0.0.2:99999", 4, -1, NULL, NULL,
		  0, 0, 0 },
		{ "DNAT", "--to-destination", 4, -1, NULL, NULL, 0, 0, 0 },
		{ "SNAT", "--to-source 10.0.0.1 --bogus", 4, -1, NULL, NULL, 0,
		  0, 0 },
		{ "TPROXY", "", 4, -1, NULL, NULL, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(cases); i++) {
		struct fw_expr x;
		uint8_t a[16];
		int rc;

		memset(&x, 0, sizeof(x));
		rc = fw_nat_parse_ipt(&x, cases[i].target, cases[i].opts,
				      cases[i].family);
		CU_ASSERT(rc == cases[i].rc);
		if (rc != 0 || cases[i].rc != 0)
			continue;
		CU_ASSERT(x.port_min == cases[i].pmin);
		CU_ASSERT(x.port_max == cases[i].pmax);
		CU_ASSERT(x.code == cases[i].flags);
		CU_ASSERT(x.nat_family == cases[i].family);
		if (cases[i].lo) {
			addr(cases[i].lo, a);
			CU_ASSERT(x.val.len == (cases[i].family == 6 ? 16 : 4));
			CU_ASSERT(memcmp(x.val.b, a, x.val.len) == 0);
			addr(cases[i].hi, a);
			CU_ASSERT(memcmp(x.hi.b, a, x.val.len) == 0);
		} else {
			CU_ASSERT(x.val.len == 0);
		}
	}
}

/* lookup3's hashword(): the empty key hashes to its start value. */
static void test_jhash2(void)
{
	static const uint32_t k[4] = { 0x0100000a, 0, 0, 0 };

	CU_ASSERT(ct_nat_jhash2(k, 0, 0) == 0xdeadbeefu);
	CU_ASSERT(ct_nat_jhash2(k, 0, 1) == 0xdeadbef0u);
	/* one word changes the result, the initial value too */
	CU_ASSERT(ct_nat_jhash2(k, 4, 0) != ct_nat_jhash2(k, 4, 1));
	CU_ASSERT(ct_nat_jhash2(k, 4, 7) == ct_nat_jhash2(k, 4, 7));
}

int test_nat_register(void)
{
	CU_pSuite s = CU_add_suite("nat", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "packet rewrite and checksums", test_rewrite) ||
	    !CU_add_test(s, "masquerade: clash, source mapping, reply",
			 test_masquerade_clash) ||
	    !CU_add_test(s, "iptables NAT targets", test_ipt_targets) ||
	    !CU_add_test(s, "jhash2", test_jhash2))
		return -1;
	return 0;
}
