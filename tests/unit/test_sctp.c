/* \summary: CUnit suite for the SCTP, GRE and UDP-Lite trackers, through the engine */
/*
 * Every test builds real IPv4 packets (SCTP with a CRC32c computed here,
 * bit by bit, independently of src/ct/proto_sctp.c), feeds them to the
 * engine and checks what a reporter sees: verdicts, events, the table.
 *
 * The association test walks a table of steps typed in from the kernel's
 * rules (net/netfilter/nf_conntrack_proto_sctp.c: sctp_conntracks[] and
 * the vtag checks of nf_conntrack_sctp_packet()) and checked against the
 * Linux 6.18 lab recordings sctp-assoc-v4/-v6: chunk, direction,
 * verification tag, and the expected verdict, SCTP state, timeout,
 * ASSURED bit and event.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "common.h"
#include "ct/conn.h"
#include "ct/engine.h"
#include "ct/event.h"
#include "ct/l4proto.h"
#include "ct/tuple.h"
#include "decode.h"
#include "report/format.h"
#include "settings.h"
#include "testlib.h"
#include "tests.h"

#define MS (CT_NSEC_PER_SEC / 1000)
#define SEC CT_NSEC_PER_SEC
#define T0 ((ct_time)1700000000 * SEC)

/* client 10.0.0.1:5000, server 10.0.0.2:7200 */
#define CPORT 5000
#define SPORT 7200
/* initiate tags: what the PEER puts in its packets' vtag */
#define CTAG 0xc1c1c1c1u
#define STAG 0x5e5e5e5eu

/* chunk types */
#define C_DATA 0
#define C_INIT 1
#define C_INIT_ACK 2
#define C_SACK 3
#define C_HB 4
#define C_HB_ACK 5
#define C_ABORT 6
#define C_SHUT 7
#define C_SHUT_ACK 8
#define C_ERROR 9
#define C_ECHO 10
#define C_CACK 11
#define C_SHUT_COMP 14

static bool tt_start(struct tl_rec *t, bool checksum)
{
	struct ct_settings set;

	ct_settings_init(&set);
	set.checksum = checksum;
	if (tl_rec_start_with(t, &set) != 0)
		return false;
	t->now = T0;
	return true;
}

/* CRC32c bit by bit (no table), so the test does not share the tracker's. */
static uint32_t crc32c_bits(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

static const uint8_t CLI[4] = { 10, 0, 0, 1 };
static const uint8_t SRV[4] = { 10, 0, 0, 2 };

/* Wrap l4 bytes in an IPv4 header and feed the packet to the engine. */
static void tt_ip(struct tl_rec *t, bool from_server, uint8_t proto,
		  const uint8_t *l4, uint32_t l4len)
{
	static uint8_t buf[2048];
	struct tl_l4 l = { proto, l4, l4len, TL_NO_CSUM };
	uint32_t total;

	total = tl_build_ipv4(buf, sizeof(buf), from_server ? SRV : CLI,
			      from_server ? CLI : SRV, (uint16_t)(t->frame + 1),
			      &l);
	CU_ASSERT_FATAL(total != 0);
	tl_rec_feed(t, buf, total);
	t->now += 100 * MS;
}

/* ------------------------------------------------------------------ */
/* SCTP */

struct chunk {
	uint8_t type;
	uint8_t flags;
	uint32_t init_tag;     /* INIT / INIT_ACK */
	uint16_t len;          /* 0: natural length */
};

/* An SCTP packet with up to 3 chunks; bad_crc flips the checksum. */
static void tt_sctp(struct tl_rec *t, bool from_server, uint32_t vtag,
		    const struct chunk *chunks, int n, bool bad_crc)
{
	uint8_t l4[256];
	uint32_t off = 12, crc, clen;
	int i;

	memset(l4, 0, sizeof(l4));
	tl_put16(l4, from_server ? SPORT : CPORT);
	tl_put16(l4 + 2, from_server ? CPORT : SPORT);
	tl_put32(l4 + 4, vtag);
	for (i = 0; i < n; i++) {
		const struct chunk *c = &chunks[i];

		switch (c->type) {
		case C_INIT:
		case C_INIT_ACK:
			clen = 20;
			tl_put32(l4 + off + 4, c->init_tag);
			tl_put32(l4 + off + 8, 65535);
			tl_put16(l4 + off + 12, 1);
			tl_put16(l4 + off + 14, 1);
			tl_put32(l4 + off + 16, 1000);
			break;
		case C_DATA:
			clen = 16 + 4;
			break;
		case C_SACK:
			clen = 16;
			break;
		case C_HB:
		case C_HB_ACK:
			clen = 4 + 12;
			tl_put16(l4 + off + 4, 1);
			tl_put16(l4 + off + 6, 12);
			break;
		case C_SHUT:
			clen = 8;
			break;
		default:
			clen = 4;
			break;
		}
		l4[off] = c->type;
		l4[off + 1] = c->flags;
		tl_put16(l4 + off + 2, c->len ? c->len : (uint16_t)clen);
		off += (clen + 3) & ~3u;
	}
	crc = crc32c_bits(l4, off);
	if (bad_crc)
		crc ^= 0x01010101u;
	/* the CRC goes on the wire least significant byte first */
	l4[8] = (uint8_t)crc;
	l4[9] = (uint8_t)(crc >> 8);
	l4[10] = (uint8_t)(crc >> 16);
	l4[11] = (uint8_t)(crc >> 24);
	tt_ip(t, from_server, 132, l4, off);
}

static void tt_chunk(struct tl_rec *t, bool from_server, uint32_t vtag,
		     uint8_t type, uint8_t flags, uint32_t init_tag)
{
	struct chunk c = { type, flags, init_tag, 0 };

	tt_sctp(t, from_server, vtag, &c, 1, false);
}

static const struct ct_conn *only_conn(struct tl_rec *t)
{
	size_t n;
	const struct ct_conn *const *l = ct_engine_list(t->eng, &n);

	return n == 1 ? l[0] : NULL;
}

static uint32_t remaining(struct tl_rec *t, const struct ct_conn *ct)
{
	return ct_conn_remaining(ct, ct_engine_now(t->eng), t->set.hz);
}

enum { O = 0, R = 1 };  /* direction: client (original) or server */

struct sctp_step {
	const char *what;
	int from;
	uint32_t vtag;
	uint8_t type;
	uint8_t flags;
	uint32_t init_tag;
	enum ct_ctstate verdict;
	uint8_t state;         /* SCTP state after */
	uint32_t timeout;      /* seconds shown right after */
	bool assured;
	int ev_type;           /* -1: no event for this packet */
	uint32_t ev_bits;
};

#define PI CT_IPCT_PROTOINFO

/* The rows every association starts with: INIT and INIT_ACK (the
 * verification tags exchanged), then COOKIE_ECHO and COOKIE_ACK. */
#define STEPS_INIT \
	{ "INIT", O, 0, C_INIT, 0, CTAG, CT_STATE_NEW, CT_SCTP_CLOSED, 10, \
	  false, CT_EV_NEW, CT_IPCT_NEW | PI }, \
	{ "INIT_ACK", R, CTAG, C_INIT_ACK, 0, STAG, CT_STATE_ESTABLISHED, \
	  CT_SCTP_COOKIE_WAIT, 3, false, CT_EV_UPDATE, CT_IPCT_REPLY | PI }
#define STEPS_COOKIE \
	{ "COOKIE_ECHO", O, STAG, C_ECHO, 0, 0, CT_STATE_ESTABLISHED, \
	  CT_SCTP_COOKIE_ECHOED, 3, false, CT_EV_UPDATE, PI }, \
	{ "COOKIE_ACK", R, CTAG, C_CACK, 0, 0, CT_STATE_ESTABLISHED, \
	  CT_SCTP_ESTABLISHED, 210, true, CT_EV_UPDATE, \
	  PI | CT_IPCT_ASSURED }

static const struct sctp_step assoc_steps[] = {
	STEPS_INIT, STEPS_COOKIE,
	{ "DATA", O, STAG, C_DATA, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "SACK", R, CTAG, C_SACK, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "HEARTBEAT", O, STAG, C_HB, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "HEARTBEAT_ACK", R, CTAG, C_HB_ACK, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "DATA wrong vtag", O, 0xdeadbeef, C_DATA, 0, 0, CT_STATE_INVALID,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "COOKIE_ECHO wrong vtag", O, 0xdeadbeef, C_ECHO, 0, 0,
	  CT_STATE_INVALID, CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "INIT with a vtag", O, STAG, C_INIT, 0, CTAG, CT_STATE_INVALID,
	  CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
	{ "SHUTDOWN", O, STAG, C_SHUT, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_SHUTDOWN_SENT, 3, true, CT_EV_UPDATE, PI },
	{ "SHUTDOWN_ACK", R, CTAG, C_SHUT_ACK, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_SHUTDOWN_ACK_SENT, 3, true, CT_EV_UPDATE, PI },
	{ "SHUTDOWN_COMPLETE wrong vtag", O, CTAG, C_SHUT_COMP, 0, 0,
	  CT_STATE_INVALID, CT_SCTP_SHUTDOWN_ACK_SENT, 3, true, -1, 0 },
	{ "SHUTDOWN_COMPLETE", O, STAG, C_SHUT_COMP, 0, 0,
	  CT_STATE_ESTABLISHED, CT_SCTP_CLOSED, 10, true, CT_EV_UPDATE, PI },
};

static void run_steps(const struct sctp_step *steps, size_t n)
{
	struct tl_rec t;
	const struct ct_conn *ct;
	size_t i;
	int nev;

	CU_ASSERT_FATAL(tt_start(&t, true));
	for (i = 0; i < n; i++) {
		const struct sctp_step *s = &steps[i];

		nev = t.nev;
		tt_chunk(&t, s->from == R, s->vtag, s->type, s->flags,
			 s->init_tag);
		CU_ASSERT_EQUAL_FATAL(t.nv, (int)i + 1);
		if (t.v[i].state != s->verdict)
			fprintf(stderr, "\nstep %s: verdict %s (%s)\n", s->what,
				ct_ctstate_name(t.v[i].state), t.v[i].reason);
		CU_ASSERT_EQUAL(t.v[i].state, s->verdict);
		ct = only_conn(&t);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
		if (ct->proto.sctp.state != s->state)
			fprintf(stderr, "\nstep %s: state %s\n", s->what,
				ct_sctp_state_text(ct->proto.sctp.state));
		CU_ASSERT_EQUAL(ct->proto.sctp.state, s->state);
		CU_ASSERT_EQUAL(ct->timeout, s->timeout);
		CU_ASSERT_EQUAL(!!(ct->status & CT_IPS_ASSURED), s->assured);
		if (s->ev_type < 0) {
			CU_ASSERT_EQUAL(t.nev, nev);
		} else {
			CU_ASSERT_EQUAL_FATAL(t.nev, nev + 1);
			CU_ASSERT_EQUAL(t.ev[nev].type,
					(enum ct_ev_type)s->ev_type);
			CU_ASSERT_EQUAL(t.ev[nev].bits, s->ev_bits);
			CU_ASSERT_EQUAL(t.ev[nev].timeout, s->timeout);
			CU_ASSERT_TRUE(t.ev[nev].has_protoinfo);
			CU_ASSERT_EQUAL(t.ev[nev].sctp_state, s->state);
		}
	}
	/* the entry expires after its last timeout, with a DESTROY that
	 * shows the state */
	ct_engine_advance(t.eng, t.now + (ct_time)steps[n - 1].timeout * SEC);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
	CU_ASSERT_EQUAL(t.ev[t.nev - 1].type, CT_EV_DESTROY);
	CU_ASSERT_TRUE(t.ev[t.nev - 1].has_protoinfo);
	tl_rec_stop(&t);
}

static void test_sctp_assoc(void)
{
	run_steps(assoc_steps, sizeof(assoc_steps) / sizeof(assoc_steps[0]));
}

/* The reply side shuts down: SHUTDOWN_RECD; early drop allowed there. */
static const struct sctp_step reply_shutdown_steps[] = {
	STEPS_INIT, STEPS_COOKIE,
	{ "SHUTDOWN (reply)", R, CTAG, C_SHUT, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_SHUTDOWN_RECD, 3, true, CT_EV_UPDATE, PI },
	{ "SHUTDOWN_ACK", O, STAG, C_SHUT_ACK, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_SHUTDOWN_ACK_SENT, 3, true, CT_EV_UPDATE, PI },
	{ "SHUTDOWN_COMPLETE", R, CTAG, C_SHUT_COMP, 0, 0,
	  CT_STATE_ESTABLISHED, CT_SCTP_CLOSED, 10, true, CT_EV_UPDATE, PI },
};

static void test_sctp_reply_shutdown(void)
{
	run_steps(reply_shutdown_steps, sizeof(reply_shutdown_steps) /
					sizeof(reply_shutdown_steps[0]));
}

/* ABORT: own tag without T, the peer's tag with T; a wrong one INVALID. */
static const struct sctp_step abort_steps[] = {
	STEPS_INIT,
	{ "ABORT T-bit with the wrong tag", O, STAG, C_ABORT, 1, 0,
	  CT_STATE_INVALID, CT_SCTP_COOKIE_WAIT, 3, false, -1, 0 },
	{ "ABORT T-bit with its own tag", O, CTAG, C_ABORT, 1, 0,
	  CT_STATE_ESTABLISHED, CT_SCTP_CLOSED, 10, false, CT_EV_UPDATE, PI },
};

static void test_sctp_abort(void)
{
	run_steps(abort_steps, sizeof(abort_steps) / sizeof(abort_steps[0]));
}

/* An entry opened by a HEARTBEAT (secondary path) and its ACK. */
static const struct sctp_step heartbeat_steps[] = {
	{ "HEARTBEAT", O, STAG, C_HB, 0, 0, CT_STATE_NEW,
	  CT_SCTP_HEARTBEAT_SENT, 30, false, CT_EV_NEW, CT_IPCT_NEW | PI },
	{ "HEARTBEAT again", O, STAG, C_HB, 0, 0, CT_STATE_NEW,
	  CT_SCTP_HEARTBEAT_SENT, 30, false, -1, 0 },
	{ "HEARTBEAT_ACK", R, CTAG, C_HB_ACK, 0, 0, CT_STATE_ESTABLISHED,
	  CT_SCTP_ESTABLISHED, 210, true, CT_EV_UPDATE,
	  CT_IPCT_REPLY | PI | CT_IPCT_ASSURED },
	{ "DATA with the learnt tag", R, CTAG, C_DATA, 0, 0,
	  CT_STATE_ESTABLISHED, CT_SCTP_ESTABLISHED, 210, true, -1, 0 },
};

static void test_sctp_heartbeat_entry(void)
{
	run_steps(heartbeat_steps,
		  sizeof(heartbeat_steps) / sizeof(heartbeat_steps[0]));
}

/* First packets that may not open an entry, and malformed chunk lists. */
static void test_sctp_invalid_new(void)
{
	static const struct {
		const char *what;
		uint32_t vtag;
		struct chunk c[2];
		int n;
		bool bad_crc;
		const char *reason;   /* substring */
	} rows[] = {
		{ "lone DATA", STAG, { { C_DATA, 0, 0, 0 } }, 1, false,
		  "cannot start" },
		{ "lone SACK", STAG, { { C_SACK, 0, 0, 0 } }, 1, false,
		  "cannot start" },
		{ "lone ABORT", STAG, { { C_ABORT, 0, 0, 0 } }, 1, false,
		  "without an entry" },
		{ "lone COOKIE_ACK", STAG, { { C_CACK, 0, 0, 0 } }, 1, false,
		  "without an entry" },
		{ "lone SHUTDOWN_COMPLETE", STAG, { { C_SHUT_COMP, 0, 0, 0 } },
		  1, false, "without an entry" },
		{ "INIT with a vtag", STAG, { { C_INIT, 0, CTAG, 0 } }, 1, false,
		  "vtag" },
		{ "INIT bundled with DATA", 0,
		  { { C_INIT, 0, CTAG, 0 }, { C_DATA, 0, 0, 0 } }, 2, false,
		  "bundled" },
		{ "DATA then COOKIE_ECHO", STAG,
		  { { C_DATA, 0, 0, 0 }, { C_ECHO, 0, 0, 0 } }, 2, false,
		  "bundled" },
		{ "INIT with a bad CRC", 0, { { C_INIT, 0, CTAG, 0 } }, 1, true,
		  "CRC" },
	};
	struct tl_rec t;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct chunk c[2];

		CU_ASSERT_FATAL(tt_start(&t, true));
		memcpy(c, rows[i].c, sizeof(c));
		tt_sctp(&t, false, rows[i].vtag, c, rows[i].n, rows[i].bad_crc);
		CU_ASSERT_EQUAL(t.nv, 1);
		if (t.v[0].state != CT_STATE_INVALID)
			fprintf(stderr, "\nrow %s: %s\n", rows[i].what,
				ct_ctstate_name(t.v[0].state));
		CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_INVALID);
		CU_ASSERT_PTR_NOT_NULL(strstr(t.v[0].reason, rows[i].reason));
		CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
		CU_ASSERT_EQUAL(t.nev, 0);
		tl_rec_stop(&t);
	}
}

/* A chunk length of 0 must be INVALID (and must not loop forever). */
static void test_sctp_zero_length_chunk(void)
{
	struct tl_rec t;
	uint8_t l4[32];
	uint32_t crc;

	CU_ASSERT_FATAL(tt_start(&t, true));
	memset(l4, 0, sizeof(l4));
	tl_put16(l4, CPORT);
	tl_put16(l4 + 2, SPORT);
	l4[12] = C_DATA;       /* length field stays 0 */
	crc = crc32c_bits(l4, 16);
	l4[8] = (uint8_t)crc;
	l4[9] = (uint8_t)(crc >> 8);
	l4[10] = (uint8_t)(crc >> 16);
	l4[11] = (uint8_t)(crc >> 24);
	tt_ip(&t, false, 132, l4, 16);
	CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.v[0].reason, "zero-length"));
	/* a header alone (no chunk at all) is INVALID too */
	tt_ip(&t, false, 132, l4, 12);
	CU_ASSERT_EQUAL(t.v[1].state, CT_STATE_INVALID);
	/* shorter than the common header */
	tt_ip(&t, false, 132, l4, 8);
	CU_ASSERT_EQUAL(t.v[2].state, CT_STATE_INVALID);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
	tl_rec_stop(&t);
}

/* Bad CRC on an established association: INVALID, entry untouched; with
 * nf_conntrack_checksum=0 nobody looks at the CRC. */
static void test_sctp_crc(void)
{
	struct tl_rec t;
	struct chunk data = { C_DATA, 0, 0, 0 };
	struct chunk init = { C_INIT, 0, 0, 0 };
	const struct ct_conn *ct;
	uint32_t i;

	CU_ASSERT_FATAL(tt_start(&t, true));
	tt_chunk(&t, false, 0, C_INIT, 0, CTAG);
	tt_chunk(&t, true, CTAG, C_INIT_ACK, 0, STAG);
	ct = only_conn(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
	tt_sctp(&t, false, STAG, &data, 1, true);
	CU_ASSERT_EQUAL(t.v[2].state, CT_STATE_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.v[2].reason, "CRC"));
	CU_ASSERT_EQUAL(ct->proto.sctp.state, CT_SCTP_COOKIE_WAIT);
	CU_ASSERT_EQUAL(ct->packets[CT_DIR_ORIGINAL], 1);
	tl_rec_stop(&t);

	CU_ASSERT_FATAL(tt_start(&t, false));
	init.init_tag = CTAG;
	tt_sctp(&t, false, 0, &init, 1, true);
	CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 1);
	tl_rec_stop(&t);

	/* the tracker's table (a constant) against the bitwise CRC: 256
	 * INITs of different tags look up every one of its entries many
	 * times over, and each must verify */
	CU_ASSERT_FATAL(tt_start(&t, true));
	for (i = 0; i < 256; i++) {
		t.nv = 0;
		tt_chunk(&t, false, 0, C_INIT, 0, 0x9e3779b9u * (i + 1));
		CU_ASSERT_EQUAL(t.nv, 1);
		if (t.v[0].state != CT_STATE_NEW) {
			CU_FAIL("an INIT with a right CRC32c was refused");
			break;
		}
	}
	tl_rec_stop(&t);
}

/* An INIT retransmitted in CLOSED is accepted but does not refresh. */
static void test_sctp_init_retransmit(void)
{
	struct tl_rec t;
	const struct ct_conn *ct;
	int nev;

	CU_ASSERT_FATAL(tt_start(&t, true));
	tt_chunk(&t, false, 0, C_INIT, 0, CTAG);
	ct = only_conn(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
	CU_ASSERT_EQUAL(ct->timeout, 10);
	t.now += 4 * SEC;
	nev = t.nev;
	tt_chunk(&t, false, 0, C_INIT, 0, CTAG);
	CU_ASSERT_EQUAL(t.v[1].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(t.nev, nev);
	/* ~5.9 s left of the first INIT's 10 s, not 10 */
	CU_ASSERT_EQUAL(remaining(&t, ct), 5);
	/* not counted either: the kernel skips nf_ct_refresh_acct */
	CU_ASSERT_EQUAL(ct->packets[CT_DIR_ORIGINAL], 1);
	ct_engine_advance(t.eng, T0 + 10 * SEC);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
	tl_rec_stop(&t);
}

/* /proc and events print the SCTP state; early drop in shutdown only. */
static void test_sctp_text(void)
{
	struct tl_rec t;
	const struct ct_conn *ct;
	struct report_line l;

	CU_ASSERT_STRING_EQUAL(ct_sctp_state_text(CT_SCTP_COOKIE_ECHOED),
			       "COOKIE_ECHOED");
	CU_ASSERT_STRING_EQUAL(ct_sctp_state_text(CT_SCTP_HEARTBEAT_SENT),
			       "HEARTBEAT_SENT");
	CU_ASSERT_STRING_EQUAL(ct_sctp_state_text(99), "?");
	CU_ASSERT_FATAL(tt_start(&t, true));
	tt_chunk(&t, false, 0, C_INIT, 0, CTAG);
	tt_chunk(&t, true, CTAG, C_INIT_ACK, 0, STAG);
	tt_chunk(&t, false, STAG, C_ECHO, 0, 0);
	tt_chunk(&t, true, CTAG, C_CACK, 0, 0);
	ct = only_conn(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
	report_line_init(&l);
	report_fmt_proc(&l, ct, ct->refreshed, t.set.hz);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"ipv4     2 sctp     132 210 ESTABLISHED src=10.0.0.1 "
		"dst=10.0.0.2 sport=5000 dport=7200 src=10.0.0.2 dst=10.0.0.1 "
		"sport=7200 dport=5000 [ASSURED] mark=0 zone=0 use=2");
	tl_rec_stop(&t);
}

/* ------------------------------------------------------------------ */
/* GRE */

static void tt_gre(struct tl_rec *t, bool from_server, uint16_t flags_ver,
		   uint16_t proto, uint16_t call_id, uint32_t len)
{
	uint8_t l4[64];

	memset(l4, 0x45, sizeof(l4));
	tl_put16(l4, flags_ver);
	tl_put16(l4 + 2, proto);
	tl_put16(l4 + 4, 20);
	tl_put16(l4 + 6, call_id);
	tt_ip(t, from_server, 47, l4, len);
}

static void test_gre_v0(void)
{
	struct tl_rec t;
	const struct ct_conn *ct;
	struct report_line l;

	CU_ASSERT_FATAL(tt_start(&t, true));
	tt_gre(&t, false, 0x0000, 0x0800, 0, 40);
	ct = only_conn(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
	CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(ct->tuple[0].sport, 0);
	CU_ASSERT_EQUAL(ct->tuple[0].dport, 0);
	CU_ASSERT_EQUAL(ct->timeout, 30);
	report_line_init(&l);
	report_fmt_proc(&l, ct, ct->refreshed, t.set.hz);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"ipv4     2 gre      47 30 timeout=30, stream_timeout=180 "
		"src=10.0.0.1 dst=10.0.0.2 srckey=0x0 dstkey=0x0 [UNREPLIED] "
		"src=10.0.0.2 dst=10.0.0.1 srckey=0x0 dstkey=0x0 mark=0 "
		"zone=0 use=2");
	/* the NEW event has no state (ctnetlink sends no GRE protoinfo) */
	CU_ASSERT_EQUAL(t.ev[0].type, CT_EV_NEW);
	CU_ASSERT_FALSE(t.ev[0].has_protoinfo);
	/* the first reply: still 30 s (SEEN_REPLY comes after the tracker) */
	tt_gre(&t, true, 0x0000, 0x0800, 0, 40);
	CU_ASSERT_EQUAL(t.v[1].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ct->timeout, 30);
	CU_ASSERT_FALSE(ct->status & CT_IPS_ASSURED);
	CU_ASSERT_EQUAL(t.ev[1].bits, CT_IPCT_REPLY);
	/* any packet after that: 180 s and ASSURED, at once (no 2 s rule);
	 * a key in a version 0 header changes nothing */
	tt_gre(&t, false, 0x2000, 0x0800, 0, 44);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 1);
	CU_ASSERT_EQUAL(ct->timeout, 180);
	CU_ASSERT_TRUE(ct->status & CT_IPS_ASSURED);
	CU_ASSERT_EQUAL(t.ev[2].bits, CT_IPCT_ASSURED);
	/* the configured values at creation are what /proc keeps showing */
	CU_ASSERT_EQUAL(ct->proto.gre.timeout, 30);
	CU_ASSERT_EQUAL(ct->proto.gre.stream_timeout, 180);
	tl_rec_stop(&t);
}

static void test_gre_pptp(void)
{
	struct tl_rec t;
	size_t n;
	const struct ct_conn *const *list;

	CU_ASSERT_FATAL(tt_start(&t, true));
	/* client -> server with the server's call id 0x1234 */
	tt_gre(&t, false, 0x3001, 0x880b, 0x1234, 40);
	list = ct_engine_list(t.eng, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(list[0]->tuple[CT_DIR_ORIGINAL].sport, 0);
	CU_ASSERT_EQUAL(list[0]->tuple[CT_DIR_ORIGINAL].dport, 0x1234);
	CU_ASSERT_EQUAL(list[0]->tuple[CT_DIR_REPLY].sport, 0x1234);
	CU_ASSERT_EQUAL(list[0]->tuple[CT_DIR_REPLY].dport, 0);
	/* without a PPTP helper the server's packets (call id 0x5678) are
	 * a flow of their own */
	tt_gre(&t, true, 0x3001, 0x880b, 0x5678, 40);
	CU_ASSERT_EQUAL(t.v[1].state, CT_STATE_NEW);
	list = ct_engine_list(t.eng, &n);
	CU_ASSERT_EQUAL(n, 2);
	/* nor is a server packet with call id 0: the reply tuple wants
	 * srckey 0x1234, which only the PPTP helper's keymap could supply */
	tt_gre(&t, true, 0x3001, 0x880b, 0, 40);
	CU_ASSERT_EQUAL(t.v[2].state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 3);
	/* version 1 with another protocol than PPP: no tuple, INVALID */
	tt_gre(&t, false, 0x2001, 0x0800, 0x1234, 40);
	CU_ASSERT_EQUAL(t.v[3].state, CT_STATE_INVALID);
	CU_ASSERT_PTR_NOT_NULL(strstr(t.v[3].reason, "not PPP"));
	/* version 1 too short for a call id: keys 0/0, so from the client
	 * it is the reply of the server's call-id-0 entry */
	tt_gre(&t, false, 0x2001, 0x0800, 0, 4);
	CU_ASSERT_EQUAL(t.v[4].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 3);
	/* other versions are keyless too */
	tt_gre(&t, false, 0x0002, 0x0800, 0x1234, 40);
	CU_ASSERT_EQUAL(t.v[5].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 3);
	tl_rec_stop(&t);
}

/* ------------------------------------------------------------------ */
/* UDP-Lite */

/*
 * A UDP-Lite datagram of `paylen` bytes; the checksum covers cscov bytes
 * (0 = all) with a pseudo-header naming protocol pseudo_proto; check
 * overrides the field when not -1.
 */
static void tt_udplite(struct tl_rec *t, bool from_server, uint16_t sport,
		       uint16_t dport, uint16_t cscov, uint32_t paylen,
		       uint8_t pseudo_proto, int check)
{
	const uint8_t *src = from_server ? SRV : CLI;
	const uint8_t *dst = from_server ? CLI : SRV;
	uint8_t l4[128];
	uint32_t len = 8 + paylen, cov, acc;
	uint16_t ck;

	memset(l4, 'u', sizeof(l4));
	tl_put16(l4, sport);
	tl_put16(l4 + 2, dport);
	tl_put16(l4 + 4, cscov);
	tl_put16(l4 + 6, 0);
	cov = cscov == 0 ? len : (cscov > len ? len : cscov);
	acc = tl_csum_pseudo(CT_L3_IPV4, src, dst, pseudo_proto, len);
	ck = tl_csum_fold(tl_csum_add(acc, l4, cov));
	if (ck == 0)
		ck = 0xffff;
	tl_put16(l4 + 6, check >= 0 ? (uint16_t)check : ck);
	tt_ip(t, from_server, 136, l4, len);
}

/* what the kernel's nf_checksum_partial() puts in the pseudo-header */
#define KERNEL_PSEUDO 17

static void test_udplite(void)
{
	struct tl_rec t;
	const struct ct_conn *ct;

	CU_ASSERT_FATAL(tt_start(&t, true));
	tt_udplite(&t, false, 6000, 7300, 0, 6, KERNEL_PSEUDO, -1);
	CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_NEW);
	ct = only_conn(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ct);
	CU_ASSERT_STRING_EQUAL(ct->l4->name, "udplite");
	CU_ASSERT_EQUAL(ct->timeout, 30);
	tt_udplite(&t, true, 7300, 6000, 0, 6, KERNEL_PSEUDO, -1);
	CU_ASSERT_EQUAL(t.v[1].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ct->timeout, 30);
	CU_ASSERT_FALSE(ct->status & CT_IPS_ASSURED);
	/* 100 ms later: stream timeout and ASSURED (no 2-second rule) */
	tt_udplite(&t, false, 6000, 7300, 8, 6, KERNEL_PSEUDO, -1);
	CU_ASSERT_EQUAL(t.v[2].state, CT_STATE_ESTABLISHED);
	CU_ASSERT_EQUAL(ct->timeout, 120);
	CU_ASSERT_TRUE(ct->status & CT_IPS_ASSURED);
	CU_ASSERT_EQUAL(t.ev[2].bits, CT_IPCT_ASSURED);
	tl_rec_stop(&t);
}

static void test_udplite_invalid(void)
{
	static const struct {
		const char *what;
		uint16_t cscov;
		uint32_t paylen;
		uint8_t pseudo;
		int check;
		bool checksum_sysctl;
		const char *reason;    /* NULL: accepted */
	} rows[] = {
		{ "coverage 0 = whole", 0, 10, KERNEL_PSEUDO, -1, true, NULL },
		{ "coverage 8 = header", 8, 10, KERNEL_PSEUDO, -1, true, NULL },
		{ "coverage = length", 18, 10, KERNEL_PSEUDO, -1, true, NULL },
		{ "coverage 4", 4, 10, KERNEL_PSEUDO, -1, true,
		  "invalid checksum coverage" },
		{ "coverage 7", 7, 10, KERNEL_PSEUDO, -1, true,
		  "invalid checksum coverage" },
		{ "coverage beyond the end", 19, 10, KERNEL_PSEUDO, -1, true,
		  "invalid checksum coverage" },
		{ "checksum zero", 0, 10, KERNEL_PSEUDO, 0, true,
		  "checksum missing" },
		{ "checksum zero, checks off", 0, 10, KERNEL_PSEUDO, 0, false,
		  "checksum missing" },
		{ "wrong checksum", 0, 10, KERNEL_PSEUDO, 0x1234, true,
		  "bad checksum" },
		{ "wrong checksum, checks off", 0, 10, KERNEL_PSEUDO, 0x1234,
		  false, NULL },
		{ "RFC 3828 pseudo-header", 0, 10, 136, -1, true,
		  "bad checksum" },
	};
	struct tl_rec t;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CU_ASSERT_FATAL(tt_start(&t, rows[i].checksum_sysctl));
		tt_udplite(&t, false, 6000, 7300, rows[i].cscov,
			   rows[i].paylen, rows[i].pseudo, rows[i].check);
		if ((t.v[0].state == CT_STATE_INVALID) != (rows[i].reason != NULL))
			fprintf(stderr, "\nrow %s: %s %s\n", rows[i].what,
				ct_ctstate_name(t.v[0].state), t.v[0].reason);
		if (rows[i].reason) {
			CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_INVALID);
			CU_ASSERT_STRING_EQUAL(t.v[0].reason, rows[i].reason);
			CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
		} else {
			CU_ASSERT_EQUAL(t.v[0].state, CT_STATE_NEW);
			CU_ASSERT_EQUAL(ct_engine_count(t.eng), 1);
		}
		tl_rec_stop(&t);
	}
}

int test_sctp_register(void)
{
	CU_pSuite s = CU_add_suite("sctp, gre, udplite trackers", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	if (!CU_add_test(s, "SCTP association setup, data, shutdown",
			 test_sctp_assoc) ||
	    !CU_add_test(s, "SCTP shutdown from the reply side",
			 test_sctp_reply_shutdown) ||
	    !CU_add_test(s, "SCTP ABORT and its T bit", test_sctp_abort) ||
	    !CU_add_test(s, "SCTP entry opened by a HEARTBEAT",
			 test_sctp_heartbeat_entry) ||
	    !CU_add_test(s, "SCTP packets that may not open an entry",
			 test_sctp_invalid_new) ||
	    !CU_add_test(s, "SCTP zero-length chunk, no chunk, short",
			 test_sctp_zero_length_chunk) ||
	    !CU_add_test(s, "SCTP CRC32c", test_sctp_crc) ||
	    !CU_add_test(s, "SCTP INIT retransmit does not refresh",
			 test_sctp_init_retransmit) ||
	    !CU_add_test(s, "SCTP /proc text and early drop",
			 test_sctp_text) ||
	    !CU_add_test(s, "GRE version 0", test_gre_v0) ||
	    !CU_add_test(s, "GRE PPTP call ids", test_gre_pptp) ||
	    !CU_add_test(s, "UDP-Lite stream", test_udplite) ||
	    !CU_add_test(s, "UDP-Lite coverage and checksum",
			 test_udplite_invalid))
		return CU_get_error();
	return 0;
}
