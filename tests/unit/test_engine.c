/* \summary: unit tests for the engine core, the UDP/ICMP/generic trackers and checksum sums */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/csum.h"
#include "ct/engine.h"
#include "ct/l4proto.h"
#include "ct/tuple.h"
#include "settings.h"
#include "testlib.h"
#include "tests.h"

#define SEC CT_NSEC_PER_SEC
#define MSEC 1000000LL
/* An arbitrary epoch second, on a jiffy boundary for every hz. */
#define T0 (1700000000LL * SEC)

/* ------------------------------------------------------------------ */
/* packet builder: real header bytes, correct checksums */

struct tpkt {
	uint8_t buf[512];
	struct ct_pkt pkt;
};

static uint64_t next_frame;

/*
 * Lay out an IPv4 (20-byte header) or IPv6 (40-byte header) packet around
 * the given L4 bytes and decode it into tp->pkt.  The L4 checksum is
 * computed (at csum_off, or not when csum_off < 0).
 */
static void build(struct tpkt *tp, const char *src, const char *dst,
		  uint8_t proto, const uint8_t *l4, uint32_t l4len,
		  int csum_off, ct_time ts)
{
	struct tl_l4 seg = { proto, l4, l4len, csum_off };
	uint8_t s[16], d[16];
	int fam = ct_addr_parse(src, s);
	uint32_t hl = fam == CT_L3_IPV6 ? TL_IPV6_HLEN : TL_IPV4_HLEN;
	uint32_t len;

	CU_ASSERT_FATAL(fam != 0 && ct_addr_parse(dst, d) == fam);
	CU_ASSERT_FATAL(hl + l4len <= sizeof(tp->buf));
	memset(tp, 0, sizeof(*tp));
	if (fam == CT_L3_IPV4)
		len = tl_build_ipv4(tp->buf, sizeof(tp->buf), s, d, 0, &seg);
	else
		len = tl_build_ipv6(tp->buf, sizeof(tp->buf), s, d, &seg);
	/* counted only when it fires, like the assertions it stands for */
	if (!tl_pkt_from_bytes(&tp->pkt, tp->buf, len, ++next_frame, ts))
		CU_FAIL_FATAL("a test packet did not decode as IP");
}

static void build_udp(struct tpkt *tp, const char *src, uint16_t sport,
		      const char *dst, uint16_t dport, uint32_t paylen,
		      ct_time ts)
{
	uint8_t l4[128];

	memset(l4, 0xab, sizeof(l4));
	tl_put16(l4, sport);
	tl_put16(l4 + 2, dport);
	tl_put16(l4 + 4, (uint16_t)(8 + paylen));
	build(tp, src, dst, 17, l4, 8 + paylen, 6, ts);
}

static void build_icmp(struct tpkt *tp, const char *src, const char *dst,
		       uint8_t type, uint8_t code, uint16_t id, ct_time ts)
{
	uint8_t l4[16] = { type, code, 0, 0, (uint8_t)(id >> 8), (uint8_t)id,
			   0, 1, 'p', 'i', 'n', 'g', 0, 0, 0, 0 };
	int v6 = strchr(src, ':') != NULL;

	build(tp, src, dst, v6 ? 58 : 1, l4, sizeof(l4), 2, ts);
}

/* ICMPv4 error quoting `quoted` (its IP header and first 8 L4 bytes). */
static void build_icmp_error(struct tpkt *tp, const char *src,
			     const char *dst, uint8_t type, uint8_t code,
			     const struct tpkt *quoted, ct_time ts)
{
	uint8_t l4[8 + 28];

	memset(l4, 0, sizeof(l4));
	l4[0] = type;
	l4[1] = code;
	memcpy(l4 + 8, quoted->buf, 28);
	build(tp, src, dst, 1, l4, sizeof(l4), 2, ts);
}

/* TCP header of 20 bytes, no options. */
static void build_tcp(struct tpkt *tp, const char *src, uint16_t sport,
		      const char *dst, uint16_t dport, uint32_t seq,
		      uint32_t ack, uint8_t flags, uint16_t win, ct_time ts)
{
	uint8_t l4[20];

	memset(l4, 0, sizeof(l4));
	tl_put16(l4, sport);
	tl_put16(l4 + 2, dport);
	tl_put32(l4 + 4, seq);
	tl_put32(l4 + 8, ack);
	l4[12] = 5 << 4;
	l4[13] = flags;
	tl_put16(l4 + 14, win);
	build(tp, src, dst, 6, l4, sizeof(l4), 16, ts);
}

/* ------------------------------------------------------------------ */
/* capturing sink */

static struct tl_rec rec;

static struct ct_engine *engine_with(const struct ct_settings *set)
{
	int rc = tl_rec_start_with(&rec, set);

	CU_ASSERT_FATAL(rec.eng != NULL);
	CU_ASSERT_EQUAL(rc, 0);
	/* a test must see every record: one that does not fit fails it */
	rec.strict = true;
	next_frame = 0;
	return rec.eng;
}

static struct ct_engine *engine_default(void)
{
	struct ct_settings set;

	ct_settings_init(&set);
	return engine_with(&set);
}

static const struct ct_conn *only_conn(struct ct_engine *eng)
{
	size_t n;
	const struct ct_conn *const *l = ct_engine_list(eng, &n);

	CU_ASSERT_EQUAL_FATAL(n, 1);
	return l[0];
}

/* ------------------------------------------------------------------ */
/* UDP */

/*
 * A UDP flow: one row per packet with what the kernel reports for it.
 * orig=1 sends client->server.  Event columns: expected message type (-1
 * none), its bits and timeout.
 */
static const struct {
	ct_time at;
	int orig;
	enum ct_ctstate state;
	int ev_type;
	uint32_t bits;
	uint32_t timeout;
} udp_rows[] = {
	{ 0, 1, CT_STATE_NEW, CT_EV_NEW, CT_IPCT_NEW, 30 },
	/* first reply: SEEN_REPLY set after the tracker, still 30 s */
	{ 100 * MSEC, 0, CT_STATE_ESTABLISHED, CT_EV_UPDATE, CT_IPCT_REPLY,
	  30 },
	{ 1 * SEC, 1, CT_STATE_ESTABLISHED, -1, 0, 0 },
	/* exactly 2 s after the first packet is not "after" */
	{ 2 * SEC, 0, CT_STATE_ESTABLISHED, -1, 0, 0 },
	/* one jiffy (4 ms at hz=250) later it is a stream */
	{ 2 * SEC + 4 * MSEC, 1, CT_STATE_ESTABLISHED, CT_EV_UPDATE,
	  CT_IPCT_ASSURED, 120 },
	{ 3 * SEC, 0, CT_STATE_ESTABLISHED, -1, 0, 0 },
};

static void test_udp_lifecycle(void)
{
	struct ct_engine *eng = engine_default();
	const struct ct_conn *ct;
	size_t i;
	int nev = 0;

	for (i = 0; i < CT_ARRAY_SIZE(udp_rows); i++) {
		struct tpkt p;

		if (udp_rows[i].orig)
			build_udp(&p, "10.0.0.1", 40000, "10.0.0.2", 53, 20,
				  T0 + udp_rows[i].at);
		else
			build_udp(&p, "10.0.0.2", 53, "10.0.0.1", 40000, 60,
				  T0 + udp_rows[i].at);
		ct_engine_packet(eng, &p.pkt);
		CU_ASSERT_EQUAL(rec.nv, (int)i + 1);
		CU_ASSERT_EQUAL(rec.v[i].state, udp_rows[i].state);
		CU_ASSERT_EQUAL(rec.v[i].dir, udp_rows[i].orig
					       ? CT_DIR_ORIGINAL
					       : CT_DIR_REPLY);
		CU_ASSERT_EQUAL(rec.v[i].id, 1);
		if (udp_rows[i].ev_type < 0) {
			CU_ASSERT_EQUAL(rec.nev, nev);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rec.nev, nev + 1);
		CU_ASSERT_EQUAL(rec.ev[nev].type, udp_rows[i].ev_type);
		CU_ASSERT_EQUAL(rec.ev[nev].bits, udp_rows[i].bits);
		CU_ASSERT(rec.ev[nev].has_timeout);
		CU_ASSERT_EQUAL(rec.ev[nev].timeout, udp_rows[i].timeout);
		CU_ASSERT_FALSE(rec.ev[nev].has_protoinfo);
		CU_ASSERT_EQUAL(rec.ev[nev].frame, i + 1);
		CU_ASSERT_EQUAL(rec.ev[nev].ts, T0 + udp_rows[i].at);
		nev++;
	}
	ct = only_conn(eng);
	CU_ASSERT(ct->status & CT_IPS_ASSURED);
	CU_ASSERT(ct->status & CT_IPS_SEEN_REPLY);
	CU_ASSERT_EQUAL(ct->timeout, 120);
	CU_ASSERT_EQUAL(ct->packets[CT_DIR_ORIGINAL], 3);
	CU_ASSERT_EQUAL(ct->packets[CT_DIR_REPLY], 3);
	CU_ASSERT_EQUAL(ct->bytes[CT_DIR_ORIGINAL], 3 * (20 + 8 + 20));
	CU_ASSERT_EQUAL(ct->bytes[CT_DIR_REPLY], 3 * (20 + 8 + 60));

	/* the last packet (3 s) set 120 s: alive 1 ns before, dead at it */
	ct_engine_advance(eng, T0 + 123 * SEC - 1);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 1);
	CU_ASSERT_EQUAL(rec.nev, nev);
	ct_engine_advance(eng, T0 + 123 * SEC);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 0);
	CU_ASSERT_EQUAL_FATAL(rec.nev, nev + 1);
	CU_ASSERT_EQUAL(rec.ev[nev].type, CT_EV_DESTROY);
	CU_ASSERT_EQUAL(rec.ev[nev].cause, CT_DC_EXPIRED);
	CU_ASSERT_EQUAL(rec.ev[nev].ts, T0 + 123 * SEC);
	CU_ASSERT_EQUAL(rec.ev[nev].frame, 0);
	CU_ASSERT_FALSE(rec.ev[nev].has_timeout);
	CU_ASSERT_FALSE(rec.ev[nev].has_protoinfo);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->insert, 0); /* as 6.x */
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->found, 5);
	ct_engine_destroy(eng);
}

/* A DNS-like pair never becomes ASSURED and lives 30 s after the reply. */
static void test_udp_request_response(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_udp(&p, "10.0.0.1", 5000, "10.0.0.2", 53, 30, T0);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.2", 53, "10.0.0.1", 5000, 90, T0 + 5 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_FALSE(only_conn(eng)->status & CT_IPS_ASSURED);
	CU_ASSERT_EQUAL(ct_conn_expires(only_conn(eng)), T0 + 35 * SEC);
	ct_engine_destroy(eng);
}

/* After expiry the same tuple makes a new entry: DESTROY, then NEW. */
static void test_expiry_then_new(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_udp(&p, "10.0.0.1", 40000, "10.0.0.2", 9999, 1, T0);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.1", 40000, "10.0.0.2", 9999, 1,
		  T0 + 30 * SEC - 1);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.nev, 1);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(rec.v[1].id, 1);

	/* refreshed at 30 s - 1 ns: dies at 60 s - 1 ns */
	build_udp(&p, "10.0.0.1", 40000, "10.0.0.2", 9999, 1,
		  T0 + 60 * SEC - 1);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 3);
	CU_ASSERT_EQUAL(rec.ev[1].type, CT_EV_DESTROY);
	CU_ASSERT_EQUAL(rec.ev[1].id, 1);
	CU_ASSERT_EQUAL(rec.ev[1].frame, 0);
	CU_ASSERT_EQUAL(rec.ev[1].ts, T0 + 60 * SEC - 1);
	CU_ASSERT_EQUAL(rec.ev[2].type, CT_EV_NEW);
	/* ids are the creating frame's number */
	CU_ASSERT_EQUAL(rec.ev[2].id, 3);
	CU_ASSERT_EQUAL(rec.ev[2].frame, 3);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(rec.v[2].id, 3);
	ct_engine_destroy(eng);
}

/* Several entries expire in deadline order, each at its own deadline. */
static void test_expiry_order(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_udp(&p, "10.0.0.1", 1, "10.0.0.2", 7, 1, T0);
	ct_engine_packet(eng, &p.pkt);
	build_icmp(&p, "10.0.0.1", "10.0.0.3", 8, 0, 77, T0 + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	build(&p, "10.0.0.1", "10.0.0.4", 50, (const uint8_t *)"espespes", 8,
	      -1, T0 + 2 * SEC);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.1", 1, "10.0.0.2", 7, 1, T0 + 10 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.nev, 3);

	ct_engine_advance(eng, T0 + 1000 * SEC);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 6);
	/* icmp (31 s), udp (40 s), generic (602 s) */
	CU_ASSERT_EQUAL(rec.ev[3].id, 2);
	CU_ASSERT_EQUAL(rec.ev[3].ts, T0 + 31 * SEC);
	CU_ASSERT_EQUAL(rec.ev[4].id, 1);
	CU_ASSERT_EQUAL(rec.ev[4].ts, T0 + 40 * SEC);
	CU_ASSERT_EQUAL(rec.ev[5].id, 3);
	CU_ASSERT_EQUAL(rec.ev[5].ts, T0 + 602 * SEC);
	CU_ASSERT_EQUAL(ct_engine_now(eng), T0 + 1000 * SEC);
	/* the clock never goes back */
	ct_engine_advance(eng, T0);
	CU_ASSERT_EQUAL(ct_engine_now(eng), T0 + 1000 * SEC);
	ct_engine_destroy(eng);
}

/*
 * The timers against a model, over a few thousand packets: generic (600
 * s) and one-way UDP (30 s) flows refreshed at random, TCP connections
 * established (5 days) or reset after the handshake (10 s: a deadline
 * pulled in), with small steps, gaps of hours (more than a turn of the
 * wheel) and of days.  Every entry must be destroyed exactly at its
 * deadline, all in (deadline, id) order.
 */
#define TW_FLOWS 200
#define TW_MAX 8192

struct tw_entry {
	uint64_t id;
	ct_time deadline;
};

static struct tw_entry tw_got[TW_MAX], tw_want[TW_MAX];
static size_t tw_ngot, tw_nwant, tw_nnew;

static void tw_event(void *ctx, const struct ct_event *ev)
{
	(void)ctx;
	if (ev->type == CT_EV_NEW)
		tw_nnew++;
	if (ev->type != CT_EV_DESTROY || tw_ngot >= TW_MAX)
		return;
	tw_got[tw_ngot].id = ev->ct->id;
	tw_got[tw_ngot].deadline = ev->ts;
	tw_ngot++;
}

static int tw_cmp(const void *a, const void *b)
{
	const struct tw_entry *x = a, *y = b;

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static uint32_t tw_rand(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static void timer_model_run(ct_time start)
{
	struct ct_settings set;
	struct ct_engine *eng;
	struct ct_sink sink = { NULL, tw_event, NULL };
	struct {
		bool alive;
		size_t entry;          /* index in tw_want */
	} flow[TW_FLOWS];
	struct tpkt p;
	uint32_t seed = 12345;
	ct_time t = start;
	char src[32];
	int step;
	size_t i;

	ct_settings_init(&set);
	eng = ct_engine_create(&set);
	CU_ASSERT_FATAL(eng != NULL);
	CU_ASSERT_FATAL(ct_engine_add_sink(eng, &sink) == 0);
	next_frame = 0;
	tw_ngot = tw_nwant = tw_nnew = 0;
	memset(flow, 0, sizeof(flow));

	for (step = 0; step < 3000 && tw_nwant < TW_MAX; step++) {
		uint32_t r = tw_rand(&seed) % 1000, f;
		int kind;
		struct tw_entry *e;

		if (r == 0)
			t += (ct_time)(1 + tw_rand(&seed) % 6) * 86400 * SEC;
		else if (r < 6)
			t += (ct_time)(3600 + tw_rand(&seed) % 10800) * SEC;
		else
			t += (ct_time)(tw_rand(&seed) % 3000) * MSEC;
		f = tw_rand(&seed) % TW_FLOWS;
		kind = (int)(f % 4);
		snprintf(src, sizeof(src), "10.0.%u.%u", f / 100, f % 100 + 1);
		e = flow[f].alive ? &tw_want[flow[f].entry] : NULL;
		if (e && e->deadline <= t)
			e = NULL;      /* expired: this packet starts anew */
		if (kind == 0 || kind == 1) {
			ct_time timeout = kind == 0 ? 600 * SEC : 30 * SEC;

			if (kind == 0)
				build(&p, src, "10.9.0.1", 50,
				      (const uint8_t *)"espespes", 8, -1, t);
			else
				build_udp(&p, src, 4000, "10.9.0.1", 53, 4, t);
			ct_engine_packet(eng, &p.pkt);
			if (!e) {
				flow[f].alive = true;
				flow[f].entry = tw_nwant++;
				e = &tw_want[flow[f].entry];
				e->id = next_frame;
			}
			e->deadline = t + timeout;
			continue;
		}
		if (e)
			continue;      /* a TCP connection is set up once */
		build_tcp(&p, src, 40000, "10.9.0.1", 80, 1000, 0, 0x02, 64240,
			  t);
		ct_engine_packet(eng, &p.pkt);
		flow[f].alive = true;
		flow[f].entry = tw_nwant++;
		e = &tw_want[flow[f].entry];
		e->id = next_frame;
		build_tcp(&p, "10.9.0.1", 80, src, 40000, 5000, 1001, 0x12,
			  64240, t + 1 * MSEC);
		ct_engine_packet(eng, &p.pkt);
		build_tcp(&p, src, 40000, "10.9.0.1", 80, 1001, 5001, 0x10,
			  64240, t + 2 * MSEC);
		ct_engine_packet(eng, &p.pkt);
		e->deadline = t + 2 * MSEC + 432000 * SEC;
		t += 2 * MSEC;
		if (kind == 3) {
			/* RST: the 5-day deadline comes in to 10 s */
			t += 1 * MSEC;
			build_tcp(&p, src, 40000, "10.9.0.1", 80, 1001, 5001,
				  0x14, 64240, t);
			ct_engine_packet(eng, &p.pkt);
			e->deadline = t + 10 * SEC;
		}
	}
	ct_engine_advance(eng, t + 7 * 86400 * SEC);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 0);
	CU_ASSERT_EQUAL(tw_nnew, tw_nwant);
	CU_ASSERT_EQUAL_FATAL(tw_ngot, tw_nwant);
	qsort(tw_want, tw_nwant, sizeof(tw_want[0]), tw_cmp);
	for (i = 0; i < tw_nwant; i++) {
		if (tw_got[i].id == tw_want[i].id &&
		    tw_got[i].deadline == tw_want[i].deadline)
			continue;
		CU_FAIL("an entry expired out of order or off its deadline");
		break;
	}
	ct_engine_destroy(eng);
}

/* From an ordinary epoch, and from before 1970 through zero (a capture's
 * stamps can be negative; a fuzzed one found the wheel assumed not). */
static void test_timer_model(void)
{
	timer_model_run(T0);
	timer_model_run(-3 * 86400 * SEC - 7 * MSEC);
}

/* Bad, zero and unverifiable UDP checksums; short and lying headers. */
static void test_udp_invalid(void)
{
	struct ct_settings set;
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 2000, 10, T0);
	p.buf[20 + 6] ^= 0x01;
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[0].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[0].reason, "bad checksum");
	CU_ASSERT_EQUAL(ct_engine_count(eng), 0);
	CU_ASSERT_EQUAL(rec.nev, 0);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->invalid, 1);

	/* cut by the snap length: cannot be verified, accepted */
	p.pkt.l4cap = 12;
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_NEW);

	/* zero checksum means "none" */
	build_udp(&p, "10.0.0.1", 1001, "10.0.0.2", 2000, 10, T0);
	p.buf[20 + 6] = p.buf[20 + 7] = 0;
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_NEW);

	/* UDP length larger than the IP payload */
	build_udp(&p, "10.0.0.1", 1002, "10.0.0.2", 2000, 10, T0);
	tl_put16(p.buf + 20 + 4, 200);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[3].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[3].reason, "truncated/malformed packet");

	/* 6 bytes: ports but no full header */
	build(&p, "10.0.0.1", "10.0.0.2", 17,
	      (const uint8_t[]){ 0, 1, 0, 2, 0, 6 }, 6, -1, T0);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[4].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[4].reason, "short packet");
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->invalid, 3);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 2);
	ct_engine_destroy(eng);

	/* nf_conntrack_checksum=0 accepts the bad one */
	ct_settings_init(&set);
	set.checksum = false;
	eng = engine_with(&set);
	build_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 2000, 10, T0);
	p.buf[20 + 6] ^= 0x01;
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[0].state, CT_STATE_NEW);
	ct_engine_destroy(eng);
}

/* ------------------------------------------------------------------ */
/* ct_csum_add() against the definition */

/*
 * The contract of ct_csum_add() spelled out word by word: big-endian
 * 16-bit words, an odd last byte padded with zero, carries above 32 bits
 * folded back in.  Unlike tl_csum_add() it keeps those carries, so long
 * runs of 0xff on top of a large running sum are compared exactly too.
 */
static uint32_t ref_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)(p[len - 1] << 8);
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

/* xorshift64: the same "random" buffers on every run and platform */
static uint64_t csum_rng = 0x9e3779b97f4a7c15u;

static uint32_t csum_rand(void)
{
	csum_rng ^= csum_rng << 13;
	csum_rng ^= csum_rng >> 7;
	csum_rng ^= csum_rng << 17;
	return (uint32_t)(csum_rng >> 32);
}

/* Running sums to start from: none, every carry, and random ones. */
static uint32_t csum_start(size_t i)
{
	static const uint32_t fixed[] = { 0, 0xffffffffu, 0xffff, 0x10000 };

	return i < CT_ARRAY_SIZE(fixed) ? fixed[i] : csum_rand();
}

/* One sum against the reference; the first mismatch is printed. */
static void csum_check(uint32_t sum, const uint8_t *p, size_t len,
		       size_t fill, size_t *bad)
{
	if (ct_csum_add(sum, p, len) != ref_csum_add(sum, p, len) &&
	    (*bad)++ == 0)
		fprintf(stderr, "ct_csum_add: fill %zu len %zu\n", fill, len);
}

/*
 * Every length 0..2000 at every offset 0..7 (the fast path loads 8 bytes
 * at a time, unaligned), over random bytes, all-0xff (the most any lane
 * of its accumulators can take) and all-zero bytes; then lengths around
 * the fast path's block size and a 64 KiB datagram; then sums chained
 * over chunks of even lengths, as the pseudo-header and the data are.
 */
static void test_csum_add(void)
{
	static uint8_t buf[65536 + 8];
	static const size_t longer[] = { 2031, 2032, 2033, 2047, 2048, 4063,
					 4064, 4065, 6111, 65535, 65536 };
	size_t fill, len, off, i, bad = 0, n = 0;

	for (fill = 0; fill < 3; fill++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = fill == 0 ? (uint8_t)csum_rand() :
				 fill == 1 ? 0xff : 0;
		for (len = 0; len <= 2000; len++)
			for (off = 0; off < 8; off++)
				csum_check(csum_start(n++ % 8), buf + off, len,
					   fill, &bad);
		for (i = 0; i < CT_ARRAY_SIZE(longer); i++)
			for (off = 0; off < 8; off += 3)
				csum_check(csum_start(i % 4), buf + off,
					   longer[i], fill, &bad);
	}
	CU_ASSERT_EQUAL(bad, 0);

	/* chained: only the last chunk may have an odd length */
	for (i = 0; i < 20000; i++) {
		size_t total = csum_rand() % 2001, pos = 0;
		uint32_t sum = csum_start(i % 8), want, got = sum;

		off = csum_rand() % 8;
		for (len = 0; len < total; len++)
			buf[off + len] = i % 5 == 0 ? 0xff : (uint8_t)csum_rand();
		want = ref_csum_add(sum, buf + off, total);
		do {
			size_t chunk = (csum_rand() % 80) * 2;

			if (chunk > total - pos)
				chunk = total - pos;
			got = ct_csum_add(got, buf + off + pos, chunk);
			pos += chunk;
		} while (pos < total);
		if (got != want && bad++ == 0)
			fprintf(stderr, "ct_csum_add: chained, %zu bytes at "
				"offset %zu\n", total, off);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ct_csum_pseudo(): the IPv6 pseudo-header summed as the bytes it is. */
/*
 * ct_engine_prepare(): notes the checksum verdict (when the settings
 * verify checksums) that ct_l4_csum_ok() then answers without reading the
 * bytes, and returns the hash ct_engine_prefetch() would.
 */
static void test_prepare(void)
{
	struct ct_settings set;
	struct ct_engine *eng;
	struct tpkt p;
	uint8_t *l4;

	ct_settings_init(&set);
	eng = ct_engine_create(&set);
	CU_ASSERT_FATAL(eng != NULL);
	build_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 53, 8, T0);
	CU_ASSERT_EQUAL(p.pkt.csum, 0);
	CU_ASSERT_EQUAL(ct_engine_prepare(eng, &p.pkt),
			ct_engine_prefetch(eng, &p.pkt, 0));
	CU_ASSERT_EQUAL(p.pkt.csum, 1);
	/* a byte changed after the note: the noted verdict stands */
	l4 = (uint8_t *)(uintptr_t)p.pkt.l4;
	l4[9] ^= 0x55;
	CU_ASSERT_TRUE(ct_l4_csum_ok(&p.pkt));
	p.pkt.csum = 0;
	CU_ASSERT_FALSE(ct_l4_csum_ok(&p.pkt));
	ct_l4_csum_note(&p.pkt);
	CU_ASSERT_EQUAL(p.pkt.csum, -1);
	ct_engine_destroy(eng);

	/* checksums off: nothing noted; no tuple, no hash */
	set.checksum = false;
	eng = ct_engine_create(&set);
	CU_ASSERT_FATAL(eng != NULL);
	build_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 53, 8, T0);
	CU_ASSERT_NOT_EQUAL(ct_engine_prepare(eng, &p.pkt), 0);
	CU_ASSERT_EQUAL(p.pkt.csum, 0);
	build(&p, "10.0.0.1", "10.0.0.4", 50, (const uint8_t *)"espespes", 8,
	      -1, T0);
	CU_ASSERT_EQUAL(ct_engine_prepare(eng, &p.pkt), 0);
	ct_engine_destroy(eng);
}

static void test_csum_pseudo(void)
{
	uint8_t ph[40], ph4[12];
	size_t i, bad = 0;

	for (i = 0; i < 5000; i++) {
		uint32_t l4len = i % 7 == 0 ? 0xffffffffu : csum_rand();
		uint8_t nh = (uint8_t)csum_rand();
		size_t k;

		for (k = 0; k < 32; k++)
			ph[k] = i % 3 == 0 ? 0xff : (uint8_t)csum_rand();
		tl_put32(ph + 32, l4len);
		tl_put32(ph + 36, nh);
		if (ct_csum_pseudo(CT_L3_IPV6, ph, ph + 16, nh, l4len) !=
		    ref_csum_add(0, ph, sizeof(ph)))
			bad++;

		memcpy(ph4, ph, 8);
		ph4[8] = 0;
		ph4[9] = nh;
		tl_put16(ph4 + 10, (uint16_t)l4len);
		if (ct_csum_pseudo(CT_L3_IPV4, ph4, ph4 + 4, nh, l4len) !=
		    ref_csum_add(0, ph4, sizeof(ph4)))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------------ */
/* timeouts as shown */

static const struct {
	ct_time refreshed;     /* offset from T0 */
	ct_time now;
	uint32_t timeout;
	uint32_t hz;
	uint32_t shown;
} remaining_rows[] = {
	{ 0, 0, 30, 250, 30 },                     /* same instant */
	{ 0, 4 * MSEC - 1, 30, 250, 30 },          /* same jiffy */
	{ 0, 4 * MSEC, 30, 250, 29 },              /* next jiffy */
	{ 2 * MSEC, 4 * MSEC, 30, 250, 29 },       /* jiffy edge crossed */
	{ 1 * MSEC, 3 * MSEC, 30, 250, 30 },       /* still inside it */
	{ 0, 1 * SEC, 30, 250, 29 },
	{ 0, 1 * SEC - 1, 30, 250, 29 },
	{ 0, 30 * SEC - 4 * MSEC, 30, 250, 0 },    /* last jiffy */
	{ 0, 30 * SEC, 30, 250, 0 },
	{ 0, 31 * SEC, 30, 250, 0 },               /* never negative */
	{ 0, 1 * MSEC, 432000, 1000, 431999 },
	{ 0, 1 * MSEC - 1, 432000, 1000, 432000 },
	{ 0, 10 * MSEC, 120, 100, 119 },
};

static void test_remaining(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(remaining_rows); i++) {
		struct ct_conn ct;

		memset(&ct, 0, sizeof(ct));
		ct.timeout = remaining_rows[i].timeout;
		ct.refreshed = T0 + remaining_rows[i].refreshed;
		CU_ASSERT_EQUAL(ct_conn_remaining(&ct,
						  T0 + remaining_rows[i].now,
						  remaining_rows[i].hz),
				remaining_rows[i].shown);
	}
}

/* ------------------------------------------------------------------ */
/* ICMP */

static void test_icmp_echo(void)
{
	struct ct_engine *eng = engine_default();
	const struct ct_conn *ct;
	struct tpkt p;

	build_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 0, 4660, T0);
	ct_engine_packet(eng, &p.pkt);
	build_icmp(&p, "10.0.0.2", "10.0.0.1", 0, 0, 4660, T0 + 1 * MSEC);
	ct_engine_packet(eng, &p.pkt);
	build_icmp(&p, "10.0.0.2", "10.0.0.1", 0, 0, 4660, T0 + 5 * SEC);
	ct_engine_packet(eng, &p.pkt);
	build_icmp(&p, "10.0.0.1", "10.0.0.2", 8, 0, 4660, T0 + 10 * SEC);
	ct_engine_packet(eng, &p.pkt);

	CU_ASSERT_EQUAL(rec.v[0].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(rec.v[1].dir, CT_DIR_REPLY);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(rec.v[3].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 2);
	CU_ASSERT_EQUAL(rec.ev[0].type, CT_EV_NEW);
	CU_ASSERT_EQUAL(rec.ev[0].timeout, 30);
	CU_ASSERT_FALSE(rec.ev[0].status & CT_IPS_SEEN_REPLY);
	CU_ASSERT_EQUAL(rec.ev[1].type, CT_EV_UPDATE);
	CU_ASSERT_EQUAL(rec.ev[1].bits, CT_IPCT_REPLY);

	ct = only_conn(eng);
	CU_ASSERT_FALSE(ct->status & CT_IPS_ASSURED);
	CU_ASSERT_EQUAL(ct_tuple_icmp_type(&ct->tuple[CT_DIR_REPLY]), 0);
	CU_ASSERT_EQUAL(ct->tuple[CT_DIR_REPLY].sport, 4660);
	CU_ASSERT_EQUAL(ct_conn_expires(ct), T0 + 40 * SEC);
	ct_engine_destroy(eng);
}

/* What a lone ICMP message of each type gets. */
static const struct {
	uint8_t type;
	enum ct_ctstate state;
	const char *reason;
} icmp_lone_rows[] = {
	{ 8, CT_STATE_NEW, "" },
	{ 13, CT_STATE_NEW, "" },
	{ 0, CT_STATE_INVALID, "icmp type 0 cannot create a connection" },
	{ 14, CT_STATE_INVALID, "icmp type 14 cannot create a connection" },
	{ 9, CT_STATE_INVALID, "icmp packet without a reply tuple" },
	{ 19, CT_STATE_INVALID, "invalid icmp type" },
	/* an error quoting nothing we know */
	{ 3, CT_STATE_INVALID, "icmp error: no tuple in the quoted packet" },
};

static void test_icmp_lone(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(icmp_lone_rows); i++) {
		struct ct_engine *eng = engine_default();
		struct tpkt p;

		build_icmp(&p, "10.0.0.1", "10.0.0.2", icmp_lone_rows[i].type,
			   0, 1, T0);
		ct_engine_packet(eng, &p.pkt);
		CU_ASSERT_EQUAL(rec.v[0].state, icmp_lone_rows[i].state);
		CU_ASSERT_STRING_EQUAL(rec.v[0].reason,
				       icmp_lone_rows[i].reason);
		CU_ASSERT_EQUAL(ct_engine_count(eng),
				icmp_lone_rows[i].state == CT_STATE_NEW ? 1u
									: 0u);
		ct_engine_destroy(eng);
	}
}

/* Port unreachable for a UDP flow: RELATED, and nothing changes. */
static void test_icmp_error_related(void)
{
	struct ct_engine *eng = engine_default();
	const struct ct_conn *ct;
	struct tpkt q, p;
	ct_time exp;

	build_udp(&q, "10.0.0.1", 1234, "10.0.0.2", 53, 10, T0);
	ct_engine_packet(eng, &q.pkt);
	ct = only_conn(eng);
	exp = ct_conn_expires(ct);

	/* the server answers with port unreachable quoting the query */
	build_icmp_error(&p, "10.0.0.2", "10.0.0.1", 3, 3, &q, T0 + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_RELATED);
	CU_ASSERT_EQUAL(rec.v[1].dir, CT_DIR_REPLY);
	CU_ASSERT_EQUAL(rec.v[1].id, 1);
	CU_ASSERT_EQUAL(rec.nev, 1);
	ct = only_conn(eng);
	CU_ASSERT_EQUAL(ct_conn_expires(ct), exp);
	CU_ASSERT_EQUAL(ct->packets[CT_DIR_REPLY], 0);
	CU_ASSERT_FALSE(ct->status & CT_IPS_SEEN_REPLY);

	/* a router on the way reports it instead: outer dst = client */
	build_icmp_error(&p, "192.0.2.1", "10.0.0.1", 11, 0, &q,
			 T0 + 2 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_RELATED);

	/* addressed to someone else than the flow's peer */
	build_icmp_error(&p, "10.0.0.2", "10.0.0.9", 3, 3, &q, T0 + 3 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[3].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[3].reason, "outer daddr != inner");

	/* quoting a flow that does not exist */
	build_udp(&q, "10.0.0.1", 4321, "10.0.0.2", 53, 10, T0);
	build_icmp_error(&p, "10.0.0.2", "10.0.0.1", 3, 3, &q, T0 + 4 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[4].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[4].reason,
			       "icmp error: no matching connection");

	CU_ASSERT_EQUAL(rec.nev, 1);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 1);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->icmp_error, 2);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->invalid, 0);
	ct_engine_destroy(eng);
}

/* ICMPv6: ND/MLD untracked, echo tracked, wrong family invalid. */
static void test_icmpv6(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_icmp(&p, "fe80::1", "ff02::1:ff00:2", 135, 0, 0, T0);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[0].state, CT_STATE_UNTRACKED);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 0);

	build_icmp(&p, "fd77:1::2", "fd77:2::2", 128, 0, 7, T0 + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 1);
	CU_ASSERT_EQUAL(rec.ev[0].timeout, 30);
	CU_ASSERT_EQUAL(ct_tuple_icmp_type(
		&only_conn(eng)->tuple[CT_DIR_REPLY]), 129);

	build_icmp(&p, "fd77:2::2", "fd77:1::2", 129, 0, 7, T0 + 2 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_ESTABLISHED);

	/* a bad ICMPv6 checksum */
	build_icmp(&p, "fd77:1::2", "fd77:2::2", 128, 0, 8, T0 + 3 * SEC);
	p.buf[40 + 2] ^= 0x10;
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[3].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[3].reason, "ICMPv6 checksum failed");

	/* destination unreachable quoting a UDP flow: RELATED */
	{
		struct tpkt q;
		uint8_t l4[8 + 48];

		build_udp(&q, "fd77:1::2", 5353, "fd77:2::2", 53, 4,
			  T0 + 3 * SEC);
		ct_engine_packet(eng, &q.pkt);
		memset(l4, 0, sizeof(l4));
		l4[0] = 1;
		l4[1] = 4;
		memcpy(l4 + 8, q.buf, 48);
		build(&p, "fd77:2::2", "fd77:1::2", 58, l4, sizeof(l4), 2,
		      T0 + 3 * SEC);
		ct_engine_packet(eng, &p.pkt);
		CU_ASSERT_EQUAL(rec.v[5].state, CT_STATE_RELATED);
		CU_ASSERT_EQUAL(rec.v[5].dir, CT_DIR_REPLY);
		CU_ASSERT_EQUAL(rec.v[5].id, rec.v[4].frame);
	}

	/* ICMP (protocol 1) inside IPv6 */
	build(&p, "fd77:1::2", "fd77:2::2", 1,
	      (const uint8_t[]){ 8, 0, 0, 0, 0, 1, 0, 1 }, 8, -1,
	      T0 + 4 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[6].state, CT_STATE_INVALID);
	CU_ASSERT_STRING_EQUAL(rec.v[6].reason, "icmp in wrong family");
	CU_ASSERT_EQUAL(ct_engine_count(eng), 2);
	ct_engine_destroy(eng);
}

/* ------------------------------------------------------------------ */
/* generic, helpers, TCP kill */

static void test_generic(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	/* ESP: no tracker in Linux 6.x */
	build(&p, "10.0.0.1", "10.0.0.2", 50, (const uint8_t *)"espespes", 8,
	      -1, T0);
	ct_engine_packet(eng, &p.pkt);
	build(&p, "10.0.0.2", "10.0.0.1", 50, (const uint8_t *)"espespes", 8,
	      -1, T0 + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 2);
	CU_ASSERT_EQUAL(rec.ev[0].timeout, 600);
	CU_ASSERT_EQUAL(rec.ev[0].orig.l4num, 50);
	CU_ASSERT_EQUAL(rec.ev[1].bits, CT_IPCT_REPLY);
	CU_ASSERT_STRING_EQUAL(only_conn(eng)->l4->name, "unknown");
	CU_ASSERT_FALSE(only_conn(eng)->status & CT_IPS_ASSURED);
	ct_engine_destroy(eng);
}

static void test_helper_assignment(void)
{
	struct ct_settings set;
	struct ct_engine *eng;
	char err[CT_ERRBUF_SIZE];
	struct tpkt p;

	ct_settings_init(&set);
	CU_ASSERT_EQUAL_FATAL(ct_settings_add_helper(&set, "tftp:udp/69", err),
			      0);
	eng = engine_with(&set);
	build_udp(&p, "10.0.0.1", 3000, "10.0.0.2", 69, 20, T0);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.1", 3001, "10.0.0.2", 70, 20, T0);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 2);
	CU_ASSERT_EQUAL(rec.ev[0].bits, CT_IPCT_NEW | CT_IPCT_HELPER);
	CU_ASSERT(rec.ev[0].status & CT_IPS_HELPER);
	CU_ASSERT_EQUAL(rec.ev[1].bits, CT_IPCT_NEW);
	CU_ASSERT_FALSE(rec.ev[1].status & CT_IPS_HELPER);
	ct_engine_destroy(eng);
}

/* A refused TCP connection: the RST kills the entry with time left. */
static void test_tcp_refused_kill(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;

	build_tcp(&p, "10.0.0.1", 53144, "10.0.0.2", 9999, 1000, 0, 0x02,
		  64240, T0);
	ct_engine_packet(eng, &p.pkt);
	build_tcp(&p, "10.0.0.2", 9999, "10.0.0.1", 53144, 0, 1001, 0x14, 0,
		  T0 + 35000);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL_FATAL(rec.nev, 2);
	CU_ASSERT_EQUAL(rec.ev[0].type, CT_EV_NEW);
	CU_ASSERT(rec.ev[0].has_protoinfo);
	CU_ASSERT_EQUAL(rec.ev[0].timeout, 120);
	CU_ASSERT_EQUAL(rec.ev[1].type, CT_EV_DESTROY);
	CU_ASSERT_EQUAL(rec.ev[1].cause, CT_DC_KILLED);
	CU_ASSERT_EQUAL(rec.ev[1].frame, 2);
	CU_ASSERT(rec.ev[1].has_timeout);
	CU_ASSERT_EQUAL(rec.ev[1].timeout, 120);
	CU_ASSERT(rec.ev[1].has_protoinfo);
	CU_ASSERT_EQUAL(rec.v[1].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(rec.v[1].id, 1);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 0);
	ct_engine_destroy(eng);
}

/*
 * A SYN reusing the tuple of a connection in TIME_WAIT: the tracker kills
 * the old entry (DESTROY, reopened) and the engine looks the packet up
 * again, creating a new entry (NEW) in the same frame.
 */
static const struct {
	int orig;
	uint32_t seq, ack;
	uint8_t flags;
} tcp_close_rows[] = {
	{ 1, 100, 0, 0x02 },      /* SYN */
	{ 0, 500, 101, 0x12 },    /* SYN/ACK */
	{ 1, 101, 501, 0x10 },    /* ACK */
	{ 1, 101, 501, 0x11 },    /* FIN/ACK */
	{ 0, 501, 102, 0x11 },    /* FIN/ACK */
	{ 1, 102, 502, 0x10 },    /* ACK: TIME_WAIT */
};

static void test_tcp_reopen(void)
{
	struct ct_engine *eng = engine_default();
	struct tpkt p;
	size_t i;
	int n;

	for (i = 0; i < CT_ARRAY_SIZE(tcp_close_rows); i++) {
		ct_time at = T0 + (ct_time)i * MSEC;

		if (tcp_close_rows[i].orig)
			build_tcp(&p, "10.0.0.1", 40000, "10.0.0.2", 80,
				  tcp_close_rows[i].seq, tcp_close_rows[i].ack,
				  tcp_close_rows[i].flags, 65535, at);
		else
			build_tcp(&p, "10.0.0.2", 80, "10.0.0.1", 40000,
				  tcp_close_rows[i].seq, tcp_close_rows[i].ack,
				  tcp_close_rows[i].flags, 65535, at);
		ct_engine_packet(eng, &p.pkt);
	}
	CU_ASSERT_EQUAL_FATAL(only_conn(eng)->proto.tcp.state,
			      CT_TCP_TIME_WAIT);
	n = rec.nev;
	build_tcp(&p, "10.0.0.1", 40000, "10.0.0.2", 80, 90000, 0, 0x02,
		  65535, T0 + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL_FATAL(rec.nev, n + 2);
	CU_ASSERT_EQUAL(rec.ev[n].type, CT_EV_DESTROY);
	CU_ASSERT_EQUAL(rec.ev[n].cause, CT_DC_REOPENED);
	CU_ASSERT_EQUAL(rec.ev[n].id, 1);
	CU_ASSERT_EQUAL(rec.ev[n].frame, 7);
	CU_ASSERT(rec.ev[n].has_protoinfo);
	CU_ASSERT_EQUAL(rec.ev[n + 1].type, CT_EV_NEW);
	CU_ASSERT_EQUAL(rec.ev[n + 1].id, 7);
	CU_ASSERT_EQUAL(rec.ev[n + 1].timeout, 120);
	CU_ASSERT_EQUAL(rec.v[6].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(rec.v[6].id, 7);
	CU_ASSERT_EQUAL(only_conn(eng)->proto.tcp.state, CT_TCP_SYN_SENT);
	ct_engine_destroy(eng);
}

/* ------------------------------------------------------------------ */
/* table full */

static void assure_udp(struct ct_engine *eng, const char *cli, uint16_t port,
		       ct_time at)
{
	struct tpkt p;

	build_udp(&p, cli, port, "10.0.0.2", 5004, 10, at);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.2", 5004, cli, port, 10, at + 1 * SEC);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, cli, port, "10.0.0.2", 5004, 10, at + 3 * SEC);
	ct_engine_packet(eng, &p.pkt);
}

static void test_table_full(void)
{
	struct ct_settings set;
	struct ct_engine *eng;
	struct tpkt p;
	int i, drops = 0, first;

	ct_settings_init(&set);
	set.max = 2;
	set.buckets = 1;
	eng = engine_with(&set);
	build_udp(&p, "10.0.0.1", 1, "10.0.0.2", 53, 10, T0);
	ct_engine_packet(eng, &p.pkt);
	build_udp(&p, "10.0.0.1", 2, "10.0.0.2", 53, 10, T0 + 1);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 2);
	first = rec.nev;
	build_udp(&p, "10.0.0.1", 3, "10.0.0.2", 53, 10, T0 + 2);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[2].state, CT_STATE_NEW);
	for (i = first; i < rec.nev; i++) {
		if (rec.ev[i].type != CT_EV_DESTROY)
			break;
		CU_ASSERT_EQUAL(rec.ev[i].cause, CT_DC_EARLY_DROP);
		CU_ASSERT_EQUAL(rec.ev[i].frame, 3);
		CU_ASSERT(rec.ev[i].has_timeout);
		drops++;
	}
	CU_ASSERT(drops >= 1);
	CU_ASSERT_EQUAL_FATAL(rec.nev, first + drops + 1);
	CU_ASSERT_EQUAL(rec.ev[first + drops].type, CT_EV_NEW);
	CU_ASSERT_EQUAL(rec.ev[first + drops].id, 3);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->early_drop, (uint64_t)drops);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 3 - (size_t)drops);
	ct_engine_destroy(eng);

	/* only ASSURED entries: nothing can go, the packet is dropped */
	eng = engine_with(&set);
	assure_udp(eng, "10.0.0.1", 10, T0);
	assure_udp(eng, "10.0.0.3", 11, T0 + 10 * SEC);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 2);
	first = rec.nev;
	build_udp(&p, "10.0.0.1", 12, "10.0.0.2", 53, 10, T0 + 20 * SEC);
	ct_engine_packet(eng, &p.pkt);
	CU_ASSERT_EQUAL(rec.v[rec.nv - 1].state, CT_STATE_DROP);
	CU_ASSERT_STRING_EQUAL(rec.v[rec.nv - 1].reason, "table full");
	CU_ASSERT_EQUAL(rec.nev, first);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->drop, 1);
	CU_ASSERT_EQUAL(ct_engine_stats(eng)->early_drop, 0);
	CU_ASSERT_EQUAL(ct_engine_count(eng), 2);
	ct_engine_destroy(eng);
}

/* Entries listed in creation order; frames conntrack never sees. */
static void test_list_and_none(void)
{
	struct ct_engine *eng = engine_default();
	const struct ct_conn *const *l;
	struct ct_pkt none;
	struct tpkt p;
	size_t n, i;

	for (i = 0; i < 5; i++) {
		build_udp(&p, "10.0.0.1", (uint16_t)(100 + i), "10.0.0.2", 53,
			  1, T0 + (ct_time)(5 - i) * MSEC);
		ct_engine_packet(eng, &p.pkt);
	}
	l = ct_engine_list(eng, &n);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(l[i]->id, i + 1);

	memset(&none, 0, sizeof(none));
	none.frame = 99;
	none.ts = T0 + 1 * SEC;
	none.kind = CT_PKT_NONE;
	none.reason = "not IP";
	ct_engine_packet(eng, &none);
	CU_ASSERT_EQUAL(rec.v[5].state, CT_STATE_NONE);
	CU_ASSERT_STRING_EQUAL(rec.v[5].reason, "not IP");
	CU_ASSERT_STRING_EQUAL(ct_ctstate_name(CT_STATE_NONE), "-");
	CU_ASSERT_STRING_EQUAL(ct_ctstate_name(CT_STATE_DROP), "DROP");
	ct_engine_destroy(eng);
}

int test_engine_register(void)
{
	CU_pSuite s = CU_add_suite("engine", NULL, NULL);

	if (!s)
		return CU_get_error();
	if (!CU_add_test(s, "udp lifecycle", test_udp_lifecycle) ||
	    !CU_add_test(s, "udp request/response", test_udp_request_response) ||
	    !CU_add_test(s, "expiry then new", test_expiry_then_new) ||
	    !CU_add_test(s, "expiry order", test_expiry_order) ||
	    !CU_add_test(s, "timers against a model", test_timer_model) ||
	    !CU_add_test(s, "udp invalid", test_udp_invalid) ||
	    !CU_add_test(s, "checksum sums", test_csum_add) ||
	    !CU_add_test(s, "pseudo-header sums", test_csum_pseudo) ||
	    !CU_add_test(s, "prepare ahead", test_prepare) ||
	    !CU_add_test(s, "remaining timeout", test_remaining) ||
	    !CU_add_test(s, "icmp echo", test_icmp_echo) ||
	    !CU_add_test(s, "icmp lone types", test_icmp_lone) ||
	    !CU_add_test(s, "icmp error related", test_icmp_error_related) ||
	    !CU_add_test(s, "icmpv6", test_icmpv6) ||
	    !CU_add_test(s, "generic", test_generic) ||
	    !CU_add_test(s, "helper assignment", test_helper_assignment) ||
	    !CU_add_test(s, "tcp refused kill", test_tcp_refused_kill) ||
	    !CU_add_test(s, "tcp reopen", test_tcp_reopen) ||
	    !CU_add_test(s, "table full", test_table_full) ||
	    !CU_add_test(s, "list and none", test_list_and_none))
		return CU_get_error();
	return 0;
}
