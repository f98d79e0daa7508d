/* \summary: shared helpers of the unit tests: byte writers, checksums, packet builders, a recording sink */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/conn.h"
#include "testlib.h"

/* Raw IP link type: the decoder tells IPv4 from IPv6 by the version. */
#define TL_DLT_RAW 12

void tl_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void tl_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t tl_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ------------------------------------------------------------------ */
/* checksums: kept apart from src/ct/csum.c (see testlib.h) */

uint32_t tl_csum_add(uint32_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)(p[len - 1] << 8);
	return acc;
}

uint16_t tl_csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint32_t tl_csum_pseudo(uint8_t l3num, const uint8_t *src, const uint8_t *dst,
			uint8_t proto, uint32_t l4len)
{
	size_t alen = l3num == CT_L3_IPV6 ? 16 : 4;
	uint32_t acc;

	acc = tl_csum_add(0, src, alen);
	acc = tl_csum_add(acc, dst, alen);
	acc += proto;
	/* IPv4 has a 16-bit length field, IPv6 a 32-bit one */
	acc += l4len >> 16;
	acc += l4len & 0xffff;
	return acc;
}

uint16_t tl_csum(const uint8_t *p, size_t len)
{
	return tl_csum_fold(tl_csum_add(0, p, len));
}

/* ------------------------------------------------------------------ */
/* packets */

/* Copy the L4 bytes behind the header and fill their checksum. */
static void tl_put_l4(uint8_t *l4p, uint8_t l3num, const uint8_t *src,
		      const uint8_t *dst, const struct tl_l4 *l4)
{
	uint32_t acc = 0;

	if (l4->len)
		memmove(l4p, l4->bytes, l4->len);
	if (l4->csum_off < 0)
		return;
	tl_put16(l4p + l4->csum_off, 0);
	/* RFC 792: ICMP over IPv4 sums the message alone */
	if (!(l3num == CT_L3_IPV4 && l4->proto == 1))
		acc = tl_csum_pseudo(l3num, src, dst, l4->proto, l4->len);
	tl_put16(l4p + l4->csum_off,
		 tl_csum_fold(tl_csum_add(acc, l4p, l4->len)));
}

uint32_t tl_build_ipv4(uint8_t *buf, uint32_t cap, const uint8_t *src,
		       const uint8_t *dst, uint16_t id, const struct tl_l4 *l4)
{
	uint32_t total = TL_IPV4_HLEN + l4->len;

	if (total > cap || total > 0xffff)
		return 0;
	tl_put_l4(buf + TL_IPV4_HLEN, CT_L3_IPV4, src, dst, l4);
	memset(buf, 0, TL_IPV4_HLEN);
	buf[0] = 0x45;
	tl_put16(buf + 2, (uint16_t)total);
	tl_put16(buf + 4, id);
	buf[8] = 64;
	buf[9] = l4->proto;
	memcpy(buf + 12, src, 4);
	memcpy(buf + 16, dst, 4);
	tl_put16(buf + 10, tl_csum(buf, TL_IPV4_HLEN));
	return total;
}

uint32_t tl_build_ipv6(uint8_t *buf, uint32_t cap, const uint8_t *src,
		       const uint8_t *dst, const struct tl_l4 *l4)
{
	uint32_t total = TL_IPV6_HLEN + l4->len;

	if (total > cap || l4->len > 0xffff)
		return 0;
	tl_put_l4(buf + TL_IPV6_HLEN, CT_L3_IPV6, src, dst, l4);
	memset(buf, 0, TL_IPV6_HLEN);
	buf[0] = 0x60;
	tl_put16(buf + 4, (uint16_t)l4->len);
	buf[6] = l4->proto;
	buf[7] = 64;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	return total;
}

bool tl_pkt_from_bytes(struct ct_pkt *pkt, const uint8_t *bytes, uint32_t len,
		       uint64_t frame, ct_time ts)
{
	ct_decode(TL_DLT_RAW, bytes, len, frame, ts, pkt);
	return pkt->kind == CT_PKT_IP;
}

/* ------------------------------------------------------------------ */
/* recording sink */

/* Whether one more record fits after n; a strict recorder fails the test
 * (one assertion per record) where another would drop the record. */
static bool tl_rec_room(const struct tl_rec *r, int n)
{
	if (r->strict)
		CU_ASSERT_FATAL(n < TL_MAX_REC);
	return n < TL_MAX_REC;
}

static void tl_rec_event(void *ctx, const struct ct_event *ev)
{
	struct tl_rec *r = ctx;
	struct tl_event *e;

	if (!tl_rec_room(r, r->nev))
		return;
	e = &r->ev[r->nev++];
	e->type = ev->type;
	e->bits = ev->bits;
	e->ts = ev->ts;
	e->frame = ev->frame;
	e->has_timeout = ev->has_timeout;
	e->timeout = ev->timeout;
	e->has_protoinfo = ev->has_protoinfo;
	e->cause = ev->cause;
	e->id = ev->ct->id;
	e->status = ev->ct->status;
	e->tcp_state = ev->ct->proto.tcp.state;
	e->sctp_state = ev->ct->proto.sctp.state;
	e->orig = ev->ct->tuple[CT_DIR_ORIGINAL];
}

static void tl_rec_verdict(void *ctx, const struct ct_verdict *v)
{
	struct tl_rec *r = ctx;
	struct tl_verdict *d;

	if (!tl_rec_room(r, r->nv))
		return;
	d = &r->v[r->nv++];
	d->frame = v->frame;
	d->state = v->state;
	d->dir = v->dir;
	d->ct = v->ct;
	d->id = v->ct ? v->ct->id : 0;
	d->action = v->action;
	d->hook = v->hook;
	d->helper_drop = v->helper_drop;
	snprintf(d->reason, sizeof(d->reason), "%s",
		 v->reason ? v->reason : "");
	snprintf(d->explain, sizeof(d->explain), "%s",
		 v->explain ? v->explain : "");
}

int tl_rec_start_with(struct tl_rec *r, const struct ct_settings *set)
{
	struct ct_sink sink;

	memset(r, 0, sizeof(*r));
	r->set = *set;
	r->eng = ct_engine_create(&r->set);
	if (r->eng == NULL)
		return -1;
	memset(&sink, 0, sizeof(sink));
	sink.ctx = r;
	sink.event = tl_rec_event;
	sink.verdict = tl_rec_verdict;
	if (ct_engine_add_sink(r->eng, &sink) != 0)
		return -2;
	return 0;
}

int tl_rec_start(struct tl_rec *r, void (*tweak)(struct ct_settings *set))
{
	struct ct_settings set;

	ct_settings_init(&set);
	if (tweak)
		tweak(&set);
	return tl_rec_start_with(r, &set);
}

void tl_rec_stop(struct tl_rec *r)
{
	ct_engine_destroy(r->eng);
	r->eng = NULL;
}

void tl_rec_feed(struct tl_rec *r, const uint8_t *bytes, uint32_t len)
{
	struct ct_pkt pkt;

	/* CU_FAIL only counts when it fires, so a passing run's assertion
	 * count does not depend on how many packets a test sends */
	if (!tl_pkt_from_bytes(&pkt, bytes, len, ++r->frame, r->now))
		CU_FAIL_FATAL("a test packet did not decode as IP");
	ct_engine_packet(r->eng, &pkt);
}
