/* \summary: ICMP and ICMPv6 trackers (nf_conntrack_proto_icmp, _icmpv6) */
#include <stdio.h>

#include "../bytes.h"
#include "csum.h"
#include "engine.h"
#include "l4proto.h"

#define ICMP_HDRLEN 8
/* RFC 1122 3.2.2: types above 18 are unknown and must be discarded. */
#define ICMP_MAX_TYPE 18

/*
 * Query types and their answers (RFC 792, RFC 950; RFC 4443 and RFC 4620
 * for ICMPv6).  Only the query side may create an entry; the id and code
 * are carried over unchanged into the reply tuple.
 */
struct icmp_pair {
	uint8_t query;
	uint8_t answer;
};

static const struct icmp_pair icmp_pairs[] = {
	{ 8, 0 },      /* echo */
	{ 13, 14 },    /* timestamp */
	{ 15, 16 },    /* information */
	{ 17, 18 },    /* address mask */
};

static const struct icmp_pair icmpv6_pairs[] = {
	{ 128, 129 },  /* echo */
	{ 139, 140 },  /* node information */
};

/* Reply type for `type`, or -1 when the type has no answer. */
static int icmp_reply_type(const struct icmp_pair *pairs, size_t n,
			   uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (pairs[i].query == type)
			return pairs[i].answer;
		if (pairs[i].answer == type)
			return pairs[i].query;
	}
	return -1;
}

static bool icmp_is_query(const struct icmp_pair *pairs, size_t n,
			  uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pairs[i].query == type)
			return true;
	return false;
}

static bool icmp_header_present(struct ct_pctx *ctx)
{
	struct bytes ih = ct_pkt_l4(ctx->pkt);

	if (ctx->pkt->l4len < ICMP_HDRLEN) {
		ctx->reason = "short packet";
		return false;
	}
	if (!bytes_has(&ih, 0, ICMP_HDRLEN)) {
		ctx->reason = "icmp header not captured";
		return false;
	}
	return true;
}

/* First half of nf_conntrack_icmpv4_error(); the engine matches errors. */
static bool icmp_error(struct ct_pctx *ctx)
{
	struct bytes ih = ct_pkt_l4(ctx->pkt);

	if (!icmp_header_present(ctx))
		return false;
	if (ctx->set->checksum && !ct_l4_csum_ok(ctx->pkt)) {
		ctx->reason = "bad hw icmp checksum";
		return false;
	}
	if (bytes_u8(&ih, 0) > ICMP_MAX_TYPE) {
		ctx->reason = "invalid icmp type";
		return false;
	}
	return true;
}

/* First half of nf_conntrack_icmpv6_error(). */
static bool icmpv6_error(struct ct_pctx *ctx)
{
	if (!icmp_header_present(ctx))
		return false;
	if (ctx->set->checksum && !ct_l4_csum_ok(ctx->pkt)) {
		ctx->reason = "ICMPv6 checksum failed";
		return false;
	}
	return true;
}

/* Type and code make dport, the echo id (bytes 4-5) sport, for any type. */
static bool icmp_pkt_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t)
{
	struct bytes ih = ct_pkt_l4(ctx->pkt);

	if (ctx->pkt->l4len < ICMP_HDRLEN || !bytes_has(&ih, 0, ICMP_HDRLEN)) {
		ctx->reason = "short packet";
		return false;
	}
	ct_tuple_set_icmp(t, bytes_u8(&ih, 0), bytes_u8(&ih, 1),
			  bytes_be16(&ih, 4));
	return true;
}

static bool icmp_invert_with(const struct icmp_pair *pairs, size_t n,
			     struct ct_tuple *inv, const struct ct_tuple *orig)
{
	int rtype = icmp_reply_type(pairs, n, ct_tuple_icmp_type(orig));

	if (rtype < 0)
		return false;
	ct_tuple_set_icmp(inv, (uint8_t)rtype, ct_tuple_icmp_code(orig),
			  orig->sport);
	return true;
}

static bool icmp_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	return icmp_invert_with(icmp_pairs, CT_ARRAY_SIZE(icmp_pairs), inv,
				orig);
}

static bool icmpv6_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	return icmp_invert_with(icmpv6_pairs, CT_ARRAY_SIZE(icmpv6_pairs), inv,
				orig);
}

/* An answer (echo reply ...) without an entry has nothing to answer. */
static bool icmp_new_with(const struct icmp_pair *pairs, size_t n,
			  struct ct_conn *ct, struct ct_pctx *ctx)
{
	uint8_t type = ct_tuple_icmp_type(&ct->tuple[CT_DIR_ORIGINAL]);

	if (icmp_is_query(pairs, n, type))
		return true;
	snprintf(ctx->reason_buf, sizeof(ctx->reason_buf),
		 "icmp type %u cannot create a connection", type);
	ctx->reason = ctx->reason_buf;
	return false;
}

static bool icmp_new(struct ct_conn *ct, struct ct_pctx *ctx)
{
	return icmp_new_with(icmp_pairs, CT_ARRAY_SIZE(icmp_pairs), ct, ctx);
}

static bool icmpv6_new(struct ct_conn *ct, struct ct_pctx *ctx)
{
	return icmp_new_with(icmpv6_pairs, CT_ARRAY_SIZE(icmpv6_pairs), ct,
			     ctx);
}

/*
 * Every accepted packet, request or answer, refreshes the timeout.  The
 * entry is kept after the answer (duplicated replies stay ESTABLISHED)
 * and is never ASSURED.
 */
static enum ct_l4_verdict icmp_packet(struct ct_conn *ct, struct ct_pctx *ctx)
{
	ct_engine_refresh(ctx->eng, ct, ctx, ctx->set->icmp_timeout);
	return CT_L4_ACCEPT;
}

static enum ct_l4_verdict icmpv6_packet(struct ct_conn *ct,
					struct ct_pctx *ctx)
{
	ct_engine_refresh(ctx->eng, ct, ctx, ctx->set->icmpv6_timeout);
	return CT_L4_ACCEPT;
}

const struct ct_l4proto ct_l4proto_icmp = {
	.l4num = 1,
	.name = "icmp",
	.error = icmp_error,
	.pkt_to_tuple = icmp_pkt_to_tuple,
	.invert = icmp_invert,
	.new = icmp_new,
	.packet = icmp_packet,
	.state_name = NULL,
	.can_early_drop = NULL,
};

const struct ct_l4proto ct_l4proto_icmpv6 = {
	.l4num = 58,
	.name = "icmpv6",
	.error = icmpv6_error,
	.pkt_to_tuple = icmp_pkt_to_tuple,
	.invert = icmpv6_invert,
	.new = icmpv6_new,
	.packet = icmpv6_packet,
	.state_name = NULL,
	.can_early_drop = NULL,
};
