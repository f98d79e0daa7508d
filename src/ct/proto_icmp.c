/* \summary: ICMP and ICMPv6 trackers (nf_conntrack_proto_icmp, _icmpv6) */
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "core.h"
#include "csum.h"
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

/* First half of nf_conntrack_icmpv4_error(): the message's own checks. */
static bool icmp_check(struct ct_pctx *ctx)
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
static bool icmpv6_check(struct ct_pctx *ctx)
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

/* ------------------------------------------------------------------ */
/* error messages (nf_conntrack_proto_icmp.c, nf_conntrack_inet_error()) */

static bool ipv6_is_ext_header(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 59 ||
	       nh == 60;
}

/*
 * Tuple of the packet quoted inside an ICMP error, `off` bytes into the
 * ICMP message (nf_ct_get_tuplepr on the inner header).  Like the kernel
 * it fails for a quoted non-first fragment or missing L4 bytes; only the
 * first bytes of the quoted transport header are needed.
 */
static bool icmp_inner_tuple(const struct ct_pkt *pkt, uint32_t off,
			     struct ct_tuple *t)
{
	struct bytes l4 = ct_pkt_l4(pkt), q;
	uint32_t len, hlen;
	uint8_t proto;
	struct ct_pkt inner;
	struct ct_pctx ictx;

	/* the quote: what was captured of it, and its claimed length */
	if (!bytes_view_at(&l4, off, bytes_left(&l4) >= off ?
				     bytes_left(&l4) - off : 0, &q) ||
	    off > pkt->l4len)
		return false;
	len = pkt->l4len - off;

	memset(&inner, 0, sizeof(inner));
	inner.kind = CT_PKT_IP;
	inner.l3num = pkt->l3num;
	if (pkt->l3num == CT_L3_IPV4) {
		if (!bytes_has(&q, 0, 20))
			return false;
		if ((bytes_be16(&q, 6) & 0x1fff) != 0)
			return false;
		/* like ipv4_get_l4proto, only "past the end" is refused */
		hlen = (uint32_t)(bytes_u8(&q, 0) & 0x0f) * 4;
		if (hlen > len)
			return false;
		proto = bytes_u8(&q, 9);
		memcpy(inner.src, bytes_ptr(&q, 12), 4);
		memcpy(inner.dst, bytes_ptr(&q, 16), 4);
	} else {
		if (!bytes_has(&q, 0, 40))
			return false;
		memcpy(inner.src, bytes_ptr(&q, 8), 16);
		memcpy(inner.dst, bytes_ptr(&q, 24), 16);
		proto = bytes_u8(&q, 6);
		hlen = 40;
		while (ipv6_is_ext_header(proto)) {
			uint32_t elen;

			if (proto == 59 || !bytes_has(&q, hlen, 8))
				return false;
			if (proto == 44) {
				if ((bytes_be16(&q, hlen + 2) & 0xfff8) != 0)
					return false;
				elen = 8;
			} else if (proto == 51) {
				elen = ((uint32_t)bytes_u8(&q, hlen + 1) + 2) * 4;
			} else {
				elen = ((uint32_t)bytes_u8(&q, hlen + 1) + 1) * 8;
			}
			proto = bytes_u8(&q, hlen);
			hlen += elen;
		}
		if (hlen > len)
			return false;
	}
	inner.l4num = proto;
	inner.l3hdrlen = hlen;
	inner.l4 = bytes_ptr(&q, hlen < q.len ? hlen : q.len);
	inner.l4len = len - hlen;
	inner.l4cap = hlen < q.len ? q.len - hlen : 0;
	if (inner.l4cap > inner.l4len)
		inner.l4cap = inner.l4len;

	ct_l4_tuple_from_pkt(t, &inner);
	memset(&ictx, 0, sizeof(ictx));
	ictx.pkt = &inner;
	return ct_l4proto_of_tuple(t)->pkt_to_tuple(&ictx, t);
}

static bool icmpv6_untracked_type(uint8_t type)
{
	switch (type) {
	case 130: case 131: case 132:  /* MLD */
	case 133: case 134: case 135: case 136:  /* router/neighbour disc. */
	case 143:  /* MLDv2 report */
	case 151: case 152: case 153:  /* multicast router discovery */
		return true;
	default:
		return false;
	}
}

bool ct_icmp_is_error_type(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

bool ct_icmp_pkt_is_error(const struct ct_pkt *pkt)
{
	struct bytes l4 = ct_pkt_l4(pkt);

	if (!bytes_has(&l4, 0, 1))
		return false;
	if (pkt->l3num == CT_L3_IPV4 && pkt->l4num == 1)
		return ct_icmp_is_error_type(bytes_u8(&l4, 0));
	return pkt->l3num == CT_L3_IPV6 && pkt->l4num == 58 &&
	       bytes_u8(&l4, 0) < 128;
}

static enum ct_l4_error icmp_invalid(struct ct_pctx *ctx, const char *reason)
{
	ctx->reason = reason;
	return CT_L4_ERR_INVALID;
}

/*
 * nf_conntrack_inet_error(): the quoted packet travelled the other way,
 * so its inverted tuple names the entry; the error must be addressed to
 * that tuple's destination.  A match is RELATED and changes nothing in
 * the entry: no refresh, no counters, no event.
 */
static enum ct_l4_error icmp_inet_error(struct ct_pctx *ctx,
					uint32_t inner_off)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct ct_tuple quoted, inv;
	struct ct_conn *ct;
	enum ct_dir dir;

	if (!icmp_inner_tuple(pkt, inner_off, &quoted))
		return icmp_invalid(ctx,
			"icmp error: no tuple in the quoted packet");
	quoted.zone = ctx->zone;
	if (!ct_l4_invert(&inv, &quoted))
		return icmp_invalid(ctx,
			"icmp error: quoted tuple cannot be inverted");
	ct = ct_engine_find(ctx->eng, &inv, &dir);
	if (!ct)
		return icmp_invalid(ctx, "icmp error: no matching connection");
	ctx->related = ct;
	ctx->dir = dir;
	if (memcmp(pkt->dst, ct->tuple[dir].dst,
		   ct_tuple_addr_len(&ct->tuple[dir])) != 0)
		return icmp_invalid(ctx, "outer daddr != inner");
	ctx->ctinfo = dir == CT_DIR_REPLY ? CT_INFO_RELATED_REPLY
					  : CT_INFO_RELATED;
	return CT_L4_ERR_RELATED;
}

/* The ICMPv6 redirect carries the packet it redirects in an option
 * (nf_conntrack_proto_icmpv6.c, ndisc_redirect handling). */
static enum ct_l4_error icmpv6_redirect(struct ct_pctx *ctx)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes l4 = ct_pkt_l4(pkt);
	const uint32_t rd_len = 40;  /* header, target, destination */

	if (pkt->l4len < rd_len)
		return icmp_invalid(ctx, "short redirect");
	if (bytes_u8(&l4, 1) != 0)
		return CT_L4_ERR_NONE;
	if (pkt->ttl != 255 ||
	    !(pkt->src[0] == 0xfe && (pkt->src[1] & 0xc0) == 0x80))
		return icmp_invalid(ctx,
			"invalid saddr or hoplimit for redirect");
	/* the first option's type and length */
	if (pkt->l4len < rd_len + 2 ||
	    (bytes_has(&l4, rd_len, 2) && bytes_u8(&l4, rd_len + 1) == 0))
		return icmp_invalid(ctx, "redirect without options");
	if (!bytes_has(&l4, rd_len, 2))
		return icmp_invalid(ctx, "redirect option not captured");
	if (bytes_u8(&l4, rd_len) != 4)  /* not "redirected header" */
		return CT_L4_ERR_NONE;
	return icmp_inet_error(ctx, rd_len + 8);
}

/* nf_conntrack_icmpv4_error(). */
static enum ct_l4_error icmp_error(struct ct_pctx *ctx)
{
	if (!icmp_check(ctx))
		return CT_L4_ERR_INVALID;
	/* icmp_check() saw the header */
	if (!ct_icmp_is_error_type(ctx->pkt->l4[0]))
		return CT_L4_ERR_NONE;
	return icmp_inet_error(ctx, 8);
}

/* nf_conntrack_icmpv6_error(). */
static enum ct_l4_error icmpv6_error(struct ct_pctx *ctx)
{
	uint8_t type;

	if (!icmpv6_check(ctx))
		return CT_L4_ERR_INVALID;
	type = ctx->pkt->l4[0];
	if (icmpv6_untracked_type(type)) {
		ctx->ctinfo = CT_INFO_UNTRACKED;
		return CT_L4_ERR_UNTRACKED;
	}
	if (type == 137)
		return icmpv6_redirect(ctx);
	if (type >= 128)
		return CT_L4_ERR_NONE;
	return icmp_inet_error(ctx, 8);
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
};
