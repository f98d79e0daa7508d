/* \summary: CUnit suite for expectations and the FTP and TFTP helpers */
/*
 * The parsers are checked against tables of payloads typed in from the
 * kernel's rules (net/netfilter/nf_conntrack_ftp.c: the search[] table,
 * find_pattern(), try_rfc959(), try_eprt(), try_epsv_response());
 * the rest drives the real engine with IPv4 TCP/UDP packets (valid
 * checksums) and looks at what reporters would see: verdicts, conntrack
 * and expectation events, counters, the table.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common.h"
#include "ct/conn.h"
#include "ct/engine.h"
#include "ct/event.h"
#include "ct/expect.h"
#include "ct/helper.h"
#include "ct/tuple.h"
#include "decode.h"
#include "settings.h"
#include "testlib.h"
#include "tests.h"

#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

#define MS (CT_NSEC_PER_SEC / 1000)
#define SEC CT_NSEC_PER_SEC
#define T0 ((ct_time)1700000000 * SEC)

#define MAX_REC 64

static const uint8_t CLI[4] = { 10, 0, 0, 1 };
static const uint8_t SRV[4] = { 10, 0, 0, 2 };

/* ------------------------------------------------------------------ */
/* FTP command parsing */

struct parse_case {
	const char *name;
	enum ct_dir dir;
	uint8_t l3num;
	const char *payload;
	enum ct_ftp_match want;
	const char *addr;      /* announced address when FOUND (NULL: sender) */
	uint16_t port;
};

static const struct parse_case parse_cases[] = {
	{ "PORT", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,117,48\r\n", CT_FTP_FOUND, "10.0.0.1", 30000 },
	{ "port lower case", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "port 10,0,0,1,117,48\r\n", CT_FTP_FOUND, "10.0.0.1", 30000 },
	{ "PORT port 0", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,0,0\r\n", CT_FTP_FOUND, "10.0.0.1", 0 },
	{ "PORT numbers bleed (no range check)", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,257,1,256\r\n", CT_FTP_FOUND, "10.0.1.1", 256 },
	{ "PORT several spaces", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT  10,0,0,1,1,2\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "PORT without CR", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,117,48\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "PORT five numbers", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,117\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "PORT seven numbers", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,117,48,9\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "PORT cut short", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORT 10,0,0,1,117,4", CT_FTP_PARTIAL, NULL, 0 },
	{ "PORT no space at all", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PORTS\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "prefix only", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "PO", CT_FTP_PARTIAL, NULL, 0 },
	{ "pattern only", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "port", CT_FTP_PARTIAL, NULL, 0 },
	{ "other command", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "USER anonymous\r\n", CT_FTP_NONE, NULL, 0 },
	{ "PORT not at the start", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  " PORT 10,0,0,1,1,2\r\n", CT_FTP_NONE, NULL, 0 },
	{ "reply pattern in original dir", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "227 (10,0,0,2,1,2)\r\n", CT_FTP_NONE, NULL, 0 },
	{ "EPRT v4", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |1|10.0.0.1|30002|\r\n", CT_FTP_FOUND, "10.0.0.1", 30002 },
	{ "eprt other delimiter", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "eprt !1!10.0.0.1!30002!\r\n", CT_FTP_FOUND, "10.0.0.1", 30002 },
	{ "EPRT v6", CT_DIR_ORIGINAL, CT_L3_IPV6,
	  "EPRT |2|fd77:1::2|40001|\r\n", CT_FTP_FOUND, "fd77:1::2", 40001 },
	{ "EPRT v6 in an IPv4 connection", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |2|fd77:1::2|40001|\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "EPRT digit delimiter", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT 515105.0.0.15300025\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "EPRT mixed delimiters", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |1!10.0.0.1|30002|\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "EPRT port 0", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |1|10.0.0.1|0|\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "EPRT port 65536 wraps to 0", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |1|10.0.0.1|65536|\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "EPRT three octets", CT_DIR_ORIGINAL, CT_L3_IPV4,
	  "EPRT |1|10.0.1|30002|\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "227 with text", CT_DIR_REPLY, CT_L3_IPV4,
	  "227 Entering Passive Mode (10,0,0,2,117,52).\r\n", CT_FTP_FOUND,
	  "10.0.0.2", 30004 },
	{ "227 without parentheses", CT_DIR_REPLY, CT_L3_IPV4,
	  "227 =10,0,0,2,117,52\r\n", CT_FTP_FOUND, "10.0.0.2", 30004 },
	{ "227 no numbers", CT_DIR_REPLY, CT_L3_IPV4,
	  "227 Entering Passive Mode\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "227 numbers to the end", CT_DIR_REPLY, CT_L3_IPV4,
	  "227 (10,0,0,2,117,52", CT_FTP_PARTIAL, NULL, 0 },
	{ "227 needs its space", CT_DIR_REPLY, CT_L3_IPV4,
	  "227-(10,0,0,2,117,52)\r\n", CT_FTP_NONE, NULL, 0 },
	{ "229", CT_DIR_REPLY, CT_L3_IPV4,
	  "229 Entering Extended Passive Mode (|||30008|)\r\n", CT_FTP_FOUND,
	  NULL, 30008 },
	{ "229 other delimiter", CT_DIR_REPLY, CT_L3_IPV6,
	  "229 ok (###30008#)\r\n", CT_FTP_FOUND, NULL, 30008 },
	{ "229 port 0", CT_DIR_REPLY, CT_L3_IPV4,
	  "229 (|||0|)\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "229 two delimiters", CT_DIR_REPLY, CT_L3_IPV4,
	  "229 (||30008|)\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "229 no parenthesis", CT_DIR_REPLY, CT_L3_IPV4,
	  "229 Entering Extended Passive Mode\r\n", CT_FTP_PARTIAL, NULL, 0 },
	{ "reply prefix", CT_DIR_REPLY, CT_L3_IPV4,
	  "22", CT_FTP_PARTIAL, NULL, 0 },
	{ "other reply", CT_DIR_REPLY, CT_L3_IPV4,
	  "230 Login successful.\r\n", CT_FTP_NONE, NULL, 0 },
	{ "command in reply dir", CT_DIR_REPLY, CT_L3_IPV4,
	  "PORT 10,0,0,1,1,2\r\n", CT_FTP_NONE, NULL, 0 },
};

static void test_ftp_parse(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct ct_ftp_cmd cmd;
		uint8_t sender[16], want[16];
		enum ct_ftp_match m;

		memset(&cmd, 0, sizeof(cmd));
		memset(sender, 0, sizeof(sender));
		if (c->l3num == CT_L3_IPV4)
			memcpy(sender, c->dir == CT_DIR_ORIGINAL ? CLI : SRV, 4);
		else
			CU_ASSERT_FATAL(ct_addr_parse("fd77:2::2", sender) ==
					CT_L3_IPV6);
		cmd.l3num = c->l3num;
		memcpy(cmd.addr, sender, sizeof(cmd.addr));
		m = ct_ftp_parse((const uint8_t *)c->payload,
				 strlen(c->payload), c->dir, &cmd, NULL);
		if (m != c->want)
			fprintf(stderr, "\n  %s: got %d, want %d\n", c->name,
				(int)m, (int)c->want);
		CU_ASSERT_EQUAL(m, c->want);
		if (m != CT_FTP_FOUND || c->want != CT_FTP_FOUND)
			continue;
		CU_ASSERT_EQUAL(cmd.port, c->port);
		memcpy(want, sender, sizeof(want));
		if (c->addr) {
			memset(want, 0, sizeof(want));
			CU_ASSERT_FATAL(ct_addr_parse(c->addr, want) != 0);
			/* an IPv4 number only replaces the first 4 bytes */
			if (c->l3num == CT_L3_IPV6 && !strchr(c->addr, ':'))
				memcpy(want + 4, sender + 4, 12);
		}
		if (memcmp(cmd.addr, want, sizeof(want)) != 0)
			fprintf(stderr, "\n  %s: wrong address\n", c->name);
		CU_ASSERT(memcmp(cmd.addr, want, sizeof(want)) == 0);
	}
}

/* The kernel's in6_pton with '|' as delimiter. */
static void test_ftp_in6_pton(void)
{
	static const struct {
		const char *text;
		int used;          /* -1: refused */
		const char *addr;
	} cases[] = {
		{ "::1|", 3, "::1" },
		{ "fd77:1::2|", 9, "fd77:1::2" },
		{ "1:2:3:4:5:6:7:8|", 15, "1:2:3:4:5:6:7:8" },
		{ "::ffff:10.0.0.1|", 15, "::ffff:10.0.0.1" },
		{ "FD77:1::2|", 9, "fd77:1::2" },
		{ "::|", 2, "::" },
		{ "0001:2::|", 8, "1:2::" },
		{ "1:2|", -1, NULL },
		{ "12345::|", -1, NULL },
		{ "g::1|", -1, NULL },
		{ "1:2:3:4:5:6:7:8:9|", -1, NULL },
		{ "1:::2|", -1, NULL },
		{ "", -1, NULL },
		{ "::1", 3, "::1" },   /* the end of the data ends it too */
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(cases); i++) {
		uint8_t got[16], want[16];
		int n;

		memset(got, 0xee, sizeof(got));
		n = ct_ftp_in6_pton((const uint8_t *)cases[i].text,
				    strlen(cases[i].text), '|', got);
		if (n != cases[i].used)
			fprintf(stderr, "\n  in6_pton(%s) = %d, want %d\n",
				cases[i].text, n, cases[i].used);
		CU_ASSERT_EQUAL(n, cases[i].used);
		if (n < 0 || !cases[i].addr)
			continue;
		CU_ASSERT_FATAL(ct_addr_parse(cases[i].addr, want) ==
				CT_L3_IPV6);
		CU_ASSERT(memcmp(got, want, 16) == 0);
	}
}

static void test_ftp_seq_tracking(void)
{
	struct ct_ftp_help h;

	memset(&h, 0, sizeof(h));
	/* nothing is a line start before a newline was seen */
	CU_ASSERT_FALSE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 0));
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 100);
	CU_ASSERT_TRUE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 100));
	CU_ASSERT_FALSE(ct_ftp_seq_is_line_start(&h, CT_DIR_REPLY, 100));
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 200);
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 200);
	CU_ASSERT_EQUAL(h.seq_aft_nl_num[CT_DIR_ORIGINAL], 2);
	/* a third replaces the older of the two */
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 300);
	CU_ASSERT_FALSE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 100));
	CU_ASSERT_TRUE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 200));
	CU_ASSERT_TRUE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 300));
	/* an older position never replaces a newer one */
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 150);
	CU_ASSERT_FALSE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 150));
	/* sequence numbers wrap */
	ct_ftp_seq_update(&h, CT_DIR_ORIGINAL, 5);
	CU_ASSERT_TRUE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 300));
	CU_ASSERT_TRUE(ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 200) ^
		       ct_ftp_seq_is_line_start(&h, CT_DIR_ORIGINAL, 5));
}

/* ------------------------------------------------------------------ */
/* engine harness */

struct rec_exp {
	enum ct_exp_ev_type type;
	enum ct_exp_destroy_cause cause;
	uint32_t timeout;
	struct ct_tuple tuple;
	ct_time ts;
};

struct ht {
	struct tl_rec r;
	struct rec_exp xe[MAX_REC];
	int nxe;
	uint32_t cseq, sseq;   /* next sequence number of the control flow */
	uint8_t ttl;           /* of the packets sent; 0: the builder's 64 */
};

static void ht_exp_event(void *ctx, const struct ct_exp_event *ev)
{
	struct ht *t = ctx;
	struct rec_exp *r;

	if (t->nxe >= MAX_REC)
		return;
	r = &t->xe[t->nxe++];
	r->type = ev->type;
	r->cause = ev->cause;
	r->timeout = ev->timeout;
	r->tuple = ev->exp->tuple;
	r->ts = ev->ts;
}

static bool ht_start(struct ht *t, const char *helper)
{
	struct ct_settings set;
	struct ct_exp_sink xsink;
	char errbuf[CT_ERRBUF_SIZE];

	memset(t, 0, sizeof(*t));
	ct_settings_init(&set);
	if (ct_settings_add_helper(&set, helper, errbuf) != 0)
		return false;
	if (tl_rec_start_with(&t->r, &set) != 0)
		return false;
	memset(&xsink, 0, sizeof(xsink));
	xsink.ctx = t;
	xsink.event = ht_exp_event;
	if (ct_engine_add_expect_sink(t->r.eng, &xsink) != 0)
		return false;
	t->r.now = T0;
	t->cseq = 1000;
	t->sseq = 5000;
	return true;
}

static void ht_stop(struct ht *t)
{
	tl_rec_stop(&t->r);
}

/* One IPv4 packet, TCP (flags, seq, ack) or UDP, with a payload. */
struct hpkt {
	uint8_t proto;
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	const void *payload;
	uint32_t paylen;
};

/* Feed `p` to the engine; returns its verdict. */
static enum ct_ctstate ht_send(struct ht *t, const struct hpkt *p)
{
	static uint8_t buf[2048];
	uint32_t l4hl = p->proto == 6 ? 20 : 8;
	uint32_t total = TL_IPV4_HLEN + l4hl + p->paylen;
	uint8_t *l4 = buf + TL_IPV4_HLEN;
	struct tl_l4 seg = { p->proto, l4, l4hl + p->paylen,
			     p->proto == 6 ? 16 : 6 };
	int before = t->r.nv;

	CU_ASSERT_FATAL(total <= sizeof(buf));
	/* the segment is written in place, then wrapped */
	memset(l4, 0, l4hl);
	tl_put16(l4, p->sport);
	tl_put16(l4 + 2, p->dport);
	if (p->proto == 6) {
		tl_put32(l4 + 4, p->seq);
		tl_put32(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = p->flags;
		tl_put16(l4 + 14, 65535);
	} else {
		tl_put16(l4 + 4, (uint16_t)(8 + p->paylen));
	}
	if (p->paylen)
		memcpy(l4 + l4hl, p->payload, p->paylen);
	total = tl_build_ipv4(buf, sizeof(buf), p->src, p->dst,
			      (uint16_t)(t->r.frame + 1), &seg);
	if (t->ttl != 0) {
		buf[8] = t->ttl;
		tl_put16(buf + 10, 0);
		tl_put16(buf + 10, tl_csum(buf, TL_IPV4_HLEN));
	}
	tl_rec_feed(&t->r, buf, total);
	t->r.now += MS;
	CU_ASSERT_FATAL(t->r.nv == before + 1);
	return t->r.v[t->r.nv - 1].state;
}

/* Control connection 10.0.0.1:40000 -> 10.0.0.2:21: the handshake. */
static void ftp_handshake(struct ht *t)
{
	struct hpkt p = { 6, CLI, SRV, 40000, 21, F_SYN, 0, 0, NULL, 0 };

	p.seq = t->cseq++;
	CU_ASSERT_EQUAL(ht_send(t, &p), CT_STATE_NEW);
	p = (struct hpkt){ 6, SRV, CLI, 21, 40000, F_SYN | F_ACK, 0, 0,
			   NULL, 0 };
	p.seq = t->sseq++;
	p.ack = t->cseq;
	CU_ASSERT_EQUAL(ht_send(t, &p), CT_STATE_ESTABLISHED);
	p = (struct hpkt){ 6, CLI, SRV, 40000, 21, F_ACK, 0, 0, NULL, 0 };
	p.seq = t->cseq;
	p.ack = t->sseq;
	CU_ASSERT_EQUAL(ht_send(t, &p), CT_STATE_ESTABLISHED);
}

/* One line (or any bytes) on the control connection; returns the verdict.
 * A dropped segment does not advance the sender's sequence number (it is
 * sent again). */
static enum ct_ctstate ftp_say(struct ht *t, bool from_server,
			       const char *text)
{
	struct hpkt p;
	enum ct_ctstate v;
	uint32_t len = (uint32_t)strlen(text);

	memset(&p, 0, sizeof(p));
	p.proto = 6;
	p.src = from_server ? SRV : CLI;
	p.dst = from_server ? CLI : SRV;
	p.sport = from_server ? 21 : 40000;
	p.dport = from_server ? 40000 : 21;
	p.flags = F_ACK | F_PSH;
	p.seq = from_server ? t->sseq : t->cseq;
	p.ack = from_server ? t->cseq : t->sseq;
	p.payload = text;
	p.paylen = len;
	v = ht_send(t, &p);
	if (t->r.v[t->r.nv - 1].action != CT_ACT_DROP) {
		if (from_server)
			t->sseq += len;
		else
			t->cseq += len;
	}
	return v;
}

static const struct ct_conn *find_conn(struct ht *t, uint16_t dport)
{
	const struct ct_conn *const *list;
	size_t n, i;

	list = ct_engine_list(t->r.eng, &n);
	for (i = 0; i < n; i++)
		if (list[i]->tuple[CT_DIR_ORIGINAL].dport == dport)
			return list[i];
	return NULL;
}

static size_t exp_count(struct ht *t)
{
	return ct_expect_count(ct_engine_expectations(t->r.eng));
}

/* ------------------------------------------------------------------ */
/* FTP through the engine */

/* Active FTP: PORT opens S:* -> C:30000, consumed by the data SYN. */
static void test_ftp_active(void)
{
	struct ht t;
	struct hpkt p;
	const struct ct_conn *master, *child;
	const struct ct_stats *st;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	/* first payload of each direction: never parsed */
	CU_ASSERT_EQUAL(ftp_say(&t, true, "220 ready\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	/* the next line starts right after a newline: parsed */
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(exp_count(&t), 1);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 1);
	CU_ASSERT_EQUAL(t.xe[0].type, CT_EXP_EV_NEW);
	CU_ASSERT_EQUAL(t.xe[0].timeout, 300);
	CU_ASSERT(memcmp(t.xe[0].tuple.src, SRV, 4) == 0);
	CU_ASSERT(memcmp(t.xe[0].tuple.dst, CLI, 4) == 0);
	CU_ASSERT_EQUAL(t.xe[0].tuple.sport, 0);
	CU_ASSERT_EQUAL(t.xe[0].tuple.dport, 30000);
	CU_ASSERT_EQUAL(t.xe[0].tuple.l4num, 6);

	/* /proc counts the time left in jiffies: 1.5 s later, 298 */
	t.r.now += 1500 * MS;
	ct_engine_advance(t.r.eng, t.r.now);
	CU_ASSERT_EQUAL(ct_expect_remaining(
		ct_expect_first(ct_engine_expectations(t.r.eng)), t.r.now,
		t.r.set.hz), 298);

	/* the server connects back from port 20: RELATED until answered */
	p = (struct hpkt){ 6, SRV, CLI, 20, 30000, F_SYN, 9000, 0, NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_RELATED);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 2);
	CU_ASSERT_EQUAL(t.xe[1].type, CT_EXP_EV_DESTROY);
	CU_ASSERT_EQUAL(t.xe[1].cause, CT_EXP_DC_MATCHED);
	CU_ASSERT_EQUAL(t.xe[1].timeout, 298);
	CU_ASSERT_EQUAL(t.r.ev[t.r.nev - 1].type, CT_EV_NEW);
	CU_ASSERT(t.r.ev[t.r.nev - 1].bits & CT_IPCT_RELATED);
	CU_ASSERT_FALSE(t.r.ev[t.r.nev - 1].bits & CT_IPCT_NEW);
	CU_ASSERT(t.r.ev[t.r.nev - 1].status & CT_IPS_EXPECTED);
	p = (struct hpkt){ 6, SRV, CLI, 20, 30000, F_SYN, 9000, 0, NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_RELATED);
	p = (struct hpkt){ 6, CLI, SRV, 30000, 20, F_SYN | F_ACK, 7000, 9001,
			   NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_ESTABLISHED);

	master = find_conn(&t, 21);
	child = find_conn(&t, 30000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(master);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_EQUAL(ct_conn_master(child), master);
	CU_ASSERT_EQUAL(ct_conn_use(master), 1);      /* /proc: use=3 */
	CU_ASSERT_EQUAL(ct_conn_use(child), 0);       /* /proc: use=2 */
	CU_ASSERT_PTR_NULL(ct_conn_helper(child));
	st = ct_engine_stats(t.r.eng);
	CU_ASSERT_EQUAL(st->expect_create, 1);
	CU_ASSERT_EQUAL(st->expect_new, 1);
	CU_ASSERT_EQUAL(st->expect_delete, 1);

	/* the child goes (RST): its reference on the master goes with it */
	p = (struct hpkt){ 6, SRV, CLI, 20, 30000, F_RST | F_ACK, 9001, 7001,
			   NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_ESTABLISHED);
	t.r.now += 20 * SEC;
	ct_engine_advance(t.r.eng, t.r.now);
	CU_ASSERT_PTR_NULL(find_conn(&t, 30000));
	master = find_conn(&t, 21);
	CU_ASSERT_PTR_NOT_NULL_FATAL(master);
	CU_ASSERT_EQUAL(ct_conn_use(master), 0);
	ht_stop(&t);
}

/* Passive FTP: 227 from the server opens C:* -> S:port. */
static void test_ftp_passive(void)
{
	struct ht t;
	struct hpkt p;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, true, "220 ready\r\n");
	ftp_say(&t, false, "USER anonymous\r\n");
	ftp_say(&t, false, "PASV\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_EQUAL(ftp_say(&t, true,
				"227 Entering Passive Mode (10,0,0,2,117,52).\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL_FATAL(exp_count(&t), 1);
	CU_ASSERT(memcmp(t.xe[0].tuple.src, CLI, 4) == 0);
	CU_ASSERT(memcmp(t.xe[0].tuple.dst, SRV, 4) == 0);
	CU_ASSERT_EQUAL(t.xe[0].tuple.dport, 30004);
	p = (struct hpkt){ 6, CLI, SRV, 50000, 30004, F_SYN, 100, 0, NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_RELATED);
	/* consumed: a second data connection to the same port is NEW */
	p = (struct hpkt){ 6, CLI, SRV, 50001, 30004, F_SYN, 100, 0, NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_NEW);
	ht_stop(&t);
}

/*
 * A partial command is dropped and leaves the line tracking alone.  The
 * helper runs at confirmation, after the filter chains: they matched the
 * segment as ESTABLISHED, and the verdict keeps that state, adding that
 * the helper dropped it (action drop at POSTROUTING, helper and reason).
 */
static void test_ftp_partial_drop(void)
{
	const struct tl_verdict *v;
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,1,117"),
			CT_STATE_ESTABLISHED);
	v = &t.r.v[t.r.nv - 1];
	CU_ASSERT_EQUAL(v->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(v->hook, CT_HOOK_POSTROUTING);
	CU_ASSERT_PTR_NOT_NULL(v->ct);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v->helper_drop);
	CU_ASSERT_STRING_EQUAL(v->helper_drop, "ftp");
	CU_ASSERT_STRING_EQUAL(v->reason,
			       "nf_ct_ftp: partial matching of `PORT'");
	/* a helper's drop is not conntrack's: -S "drop" stays */
	CU_ASSERT_EQUAL(ct_engine_stats(t.r.eng)->drop, 0);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	/* sent again whole, at the same sequence number: parsed */
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	ht_stop(&t);
}

/* A line split over segments: the second part does not start a line. */
static void test_ftp_split_line(void)
{
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	CU_ASSERT_EQUAL(ftp_say(&t, false, "NOOP"), CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ftp_say(&t, false, "\r\nPORT 10,0,0,1,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	/* ... but the segment after it does */
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	ht_stop(&t);
}

/* loose=0: an address other than the sender's opens nothing. */
static void test_ftp_address_mismatch(void)
{
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	/* a third host: accepted, but no hole opened for it */
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,9,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_EQUAL(t.nxe, 0);
	ht_stop(&t);
}

/*
 * A PORT whose TTL runs out on the router: ip_forward() drops it before
 * the FORWARD hook, so nf_confirm() and with it the helper never run for
 * it: no expectation.  The same command sent again with a TTL that lets
 * it through creates one.
 */
static void test_ftp_ttl_runs_out(void)
{
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, true, "220 ready\r\n");
	ftp_say(&t, false, "USER x\r\n");
	t.ttl = 1;
	ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_STRING_EQUAL(t.r.v[t.r.nv - 1].reason,
			       "TTL runs out in forwarding: entry not "
			       "confirmed");
	t.ttl = 0;
	t.cseq -= (uint32_t)strlen("PORT 10,0,0,1,117,48\r\n");
	ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	ht_stop(&t);
}

/*
 * --explain: the helper's note comes after the TCP tracker's notes of the
 * same frame, which it once overwrote; and neither writes any for a frame
 * --explain does not ask about.
 */
static void test_ftp_explain_notes(void)
{
	const struct tl_verdict *v;
	const char *tcp, *ftp;
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,9,117,48\r\n"),
			CT_STATE_ESTABLISHED);
	v = &t.r.v[t.r.nv - 1];
	tcp = strstr(v->explain, "window check: ");
	ftp = strstr(v->explain, "; ftp: PORT names another address");
	CU_ASSERT_PTR_NOT_NULL(tcp);
	CU_ASSERT_PTR_NOT_NULL(ftp);
	CU_ASSERT(tcp != NULL && ftp != NULL && tcp < ftp);

	/* only the frame after next is explained */
	ct_engine_set_explain(t.r.eng, t.r.frame + 2);
	CU_ASSERT_EQUAL(ftp_say(&t, false, "PORT 10,0,0,9,117,49\r\n"),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_STRING_EQUAL(t.r.v[t.r.nv - 1].explain, "");
	ftp_say(&t, true, "200 ok\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(t.r.v[t.r.nv - 1].explain,
				      "window check: "));
	ht_stop(&t);
}

/* max_expected 1: a second PORT evicts the first; the same one again
 * replaces it. */
static void test_ftp_max_expected(void)
{
	struct ht t;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n");
	ftp_say(&t, false, "PORT 10,0,0,1,117,49\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 3);
	CU_ASSERT_EQUAL(t.xe[1].type, CT_EXP_EV_DESTROY);
	CU_ASSERT_EQUAL(t.xe[1].cause, CT_EXP_DC_EVICTED);
	CU_ASSERT_EQUAL(t.xe[1].tuple.dport, 30000);
	CU_ASSERT_EQUAL(t.xe[2].type, CT_EXP_EV_NEW);
	CU_ASSERT_EQUAL(t.xe[2].tuple.dport, 30001);
	ftp_say(&t, false, "PORT 10,0,0,1,117,49\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 5);
	CU_ASSERT_EQUAL(t.xe[3].cause, CT_EXP_DC_REPLACED);
	CU_ASSERT_EQUAL(t.xe[4].type, CT_EXP_EV_NEW);
	CU_ASSERT_EQUAL(ct_engine_stats(t.r.eng)->expect_create, 3);
	CU_ASSERT_EQUAL(ct_engine_stats(t.r.eng)->expect_delete, 2);
	ht_stop(&t);
}

/* An unused expectation expires after 300 s, stamped at its deadline. */
static void test_expect_expiry(void)
{
	struct ht t;
	ct_time created;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	created = t.r.now;
	ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n");
	/* acknowledged, so the master is not on the 300 s unacked timeout */
	ftp_say(&t, true, "200 PORT command successful\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	ct_engine_advance(t.r.eng, created + 300 * SEC - 1);
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	ct_engine_advance(t.r.eng, created + 300 * SEC);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 2);
	CU_ASSERT_EQUAL(t.xe[1].type, CT_EXP_EV_DESTROY);
	CU_ASSERT_EQUAL(t.xe[1].cause, CT_EXP_DC_EXPIRED);
	CU_ASSERT_EQUAL(t.xe[1].timeout, 0);
	CU_ASSERT_EQUAL(t.xe[1].ts, created + 300 * SEC);
	/* the master is still there */
	CU_ASSERT_PTR_NOT_NULL(find_conn(&t, 21));
	ht_stop(&t);
}

/* The master's end takes its pending expectations with it. */
static void test_expect_removed_with_master(void)
{
	struct ht t;
	struct hpkt p;

	CU_ASSERT_FATAL(ht_start(&t, "ftp:tcp/21"));
	ftp_handshake(&t);
	ftp_say(&t, false, "USER x\r\n");
	ftp_say(&t, false, "PORT 10,0,0,1,117,48\r\n");
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	p = (struct hpkt){ 6, CLI, SRV, 40000, 21, F_RST | F_ACK, 0, 0, NULL,
			   0 };
	p.seq = t.cseq;
	p.ack = t.sseq;
	ht_send(&t, &p);
	t.r.now += 20 * SEC;
	ct_engine_advance(t.r.eng, t.r.now);
	CU_ASSERT_PTR_NULL(find_conn(&t, 21));
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 2);
	CU_ASSERT_EQUAL(t.xe[1].cause, CT_EXP_DC_MASTER_GONE);
	/* and the port stays closed */
	p = (struct hpkt){ 6, SRV, CLI, 20, 30000, F_SYN, 9000, 0, NULL, 0 };
	CU_ASSERT_EQUAL(ht_send(&t, &p), CT_STATE_NEW);
	ht_stop(&t);
}

/* ------------------------------------------------------------------ */
/* TFTP */

static enum ct_ctstate tftp_send(struct ht *t, bool from_server,
				 uint16_t sport, uint16_t dport,
				 const uint8_t *payload, uint32_t len)
{
	struct hpkt p;

	memset(&p, 0, sizeof(p));
	p.proto = 17;
	p.src = from_server ? SRV : CLI;
	p.dst = from_server ? CLI : SRV;
	p.sport = sport;
	p.dport = dport;
	p.payload = payload;
	p.paylen = len;
	return ht_send(t, &p);
}

static void test_tftp_opcodes(void)
{
	static const struct {
		uint8_t payload[6];
		uint32_t len;
		bool expects;
	} cases[] = {
		{ { 0, 1, 'f', 0, 'o', 0 }, 6, true },    /* RRQ */
		{ { 0, 2, 'f', 0, 'o', 0 }, 6, true },    /* WRQ */
		{ { 0, 3, 0, 1, 'x', 'y' }, 6, false },   /* DATA */
		{ { 0, 4, 0, 1 }, 4, false },             /* ACK */
		{ { 0, 5, 0, 1, 'e', 0 }, 6, false },     /* ERROR */
		{ { 1, 1 }, 2, false },                   /* opcode 257 */
		{ { 0 }, 1, false },                      /* too short */
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(cases); i++) {
		struct ht t;

		CU_ASSERT_FATAL(ht_start(&t, "tftp:udp/69"));
		CU_ASSERT_EQUAL(tftp_send(&t, false, 41000, 69,
					  cases[i].payload, cases[i].len),
				CT_STATE_NEW);
		CU_ASSERT_EQUAL(exp_count(&t), cases[i].expects ? 1u : 0u);
		ht_stop(&t);
	}
}

static void test_tftp_flow(void)
{
	static const uint8_t rrq[] = { 0, 1, 'f', 0, 'o', 'c', 't', 'e', 't',
				       0 };
	static const uint8_t data[] = { 0, 3, 0, 1, 'h', 'i' };
	static const uint8_t ack[] = { 0, 4, 0, 1 };
	struct ht t;
	const struct ct_conn *master, *child;

	CU_ASSERT_FATAL(ht_start(&t, "tftp:udp/69"));
	/* the very first packet already creates the expectation */
	CU_ASSERT_EQUAL(tftp_send(&t, false, 41000, 69, rrq, sizeof(rrq)),
			CT_STATE_NEW);
	CU_ASSERT_EQUAL_FATAL(t.nxe, 1);
	CU_ASSERT(memcmp(t.xe[0].tuple.src, SRV, 4) == 0);
	CU_ASSERT(memcmp(t.xe[0].tuple.dst, CLI, 4) == 0);
	CU_ASSERT_EQUAL(t.xe[0].tuple.sport, 0);
	CU_ASSERT_EQUAL(t.xe[0].tuple.dport, 41000);
	CU_ASSERT_EQUAL(t.xe[0].tuple.l4num, 17);
	/* a retransmitted request replaces it */
	CU_ASSERT_EQUAL(tftp_send(&t, false, 41000, 69, rrq, sizeof(rrq)),
			CT_STATE_NEW);
	CU_ASSERT_EQUAL(exp_count(&t), 1);
	CU_ASSERT_EQUAL(t.nxe, 3);
	/* the server answers from a new port: RELATED, then ESTABLISHED */
	CU_ASSERT_EQUAL(tftp_send(&t, true, 50000, 41000, data, sizeof(data)),
			CT_STATE_RELATED);
	CU_ASSERT_EQUAL(tftp_send(&t, false, 41000, 50000, ack, sizeof(ack)),
			CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(exp_count(&t), 0);
	master = find_conn(&t, 69);
	child = find_conn(&t, 41000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(master);
	CU_ASSERT_PTR_NOT_NULL_FATAL(child);
	CU_ASSERT_PTR_EQUAL(ct_conn_master(child), master);
	CU_ASSERT(child->status & CT_IPS_EXPECTED);
	CU_ASSERT_EQUAL(ct_conn_use(master), 1);
	CU_ASSERT_FALSE(master->status & CT_IPS_SEEN_REPLY);
	ht_stop(&t);
}

int test_helpers_register(void)
{
	CU_pSuite s = CU_add_suite("helpers", NULL, NULL);

	if (s == NULL)
		return (int)CU_get_error();
	if (!CU_add_test(s, "FTP command parsing", test_ftp_parse) ||
	    !CU_add_test(s, "EPRT IPv6 addresses (in6_pton)",
			 test_ftp_in6_pton) ||
	    !CU_add_test(s, "FTP newline tracking", test_ftp_seq_tracking) ||
	    !CU_add_test(s, "FTP active (PORT)", test_ftp_active) ||
	    !CU_add_test(s, "FTP passive (227)", test_ftp_passive) ||
	    !CU_add_test(s, "FTP partial command dropped",
			 test_ftp_partial_drop) ||
	    !CU_add_test(s, "FTP line split over segments",
			 test_ftp_split_line) ||
	    !CU_add_test(s, "FTP announced address must be the sender's",
			 test_ftp_address_mismatch) ||
	    !CU_add_test(s, "FTP max_expected 1", test_ftp_max_expected) ||
	    !CU_add_test(s, "FTP command whose TTL runs out",
			 test_ftp_ttl_runs_out) ||
	    !CU_add_test(s, "FTP notes after TCP's in --explain",
			 test_ftp_explain_notes) ||
	    !CU_add_test(s, "expectation expiry", test_expect_expiry) ||
	    !CU_add_test(s, "expectations die with their master",
			 test_expect_removed_with_master) ||
	    !CU_add_test(s, "TFTP opcodes", test_tftp_opcodes) ||
	    !CU_add_test(s, "TFTP transfer", test_tftp_flow))
		return (int)CU_get_error();
	return 0;
}
