/* \summary: what the L4 trackers share: lookup (nf_ct_l4proto_find), tuples and their inverse, --explain notes */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "l4proto.h"

const struct ct_l4proto *ct_l4proto_find(uint8_t l3num, uint8_t l4num)
{
	switch (l4num) {
	case 6:
		return &ct_l4proto_tcp;
	case 17:
		return &ct_l4proto_udp;
	case 47:
		return &ct_l4proto_gre;
	case 132:
		return &ct_l4proto_sctp;
	case 136:
		return &ct_l4proto_udplite;
	case 1:
		/* ICMP carried over IPv6 (or ICMPv6 over IPv4) has no tracker:
		 * the engine rejects it before asking. */
		if (l3num == CT_L3_IPV4)
			return &ct_l4proto_icmp;
		break;
	case 58:
		if (l3num == CT_L3_IPV6)
			return &ct_l4proto_icmpv6;
		break;
	default:
		break;
	}
	return &ct_l4proto_generic;
}

bool ct_l4_ports_to_tuple(struct ct_pctx *ctx, struct ct_tuple *t,
			  const char *short_reason,
			  const char *uncaptured_reason)
{
	const struct ct_pkt *pkt = ctx->pkt;
	struct bytes l4 = ct_pkt_l4(pkt);

	if (pkt->l4len < 4) {
		ctx->reason = short_reason;
		return false;
	}
	if (!bytes_has(&l4, 0, 4)) {
		ctx->reason = uncaptured_reason;
		return false;
	}
	t->sport = bytes_be16(&l4, 0);
	t->dport = bytes_be16(&l4, 2);
	return true;
}

bool ct_l4_ports_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	inv->sport = orig->dport;
	inv->dport = orig->sport;
	return true;
}

const struct ct_l4proto *ct_l4proto_of_tuple(const struct ct_tuple *t)
{
	if (t->l4num == 1)
		return &ct_l4proto_icmp;
	if (t->l4num == 58)
		return &ct_l4proto_icmpv6;
	return ct_l4proto_find(t->l3num, t->l4num);
}

bool ct_l4_invert(struct ct_tuple *inv, const struct ct_tuple *orig)
{
	size_t alen = ct_tuple_addr_len(orig);

	memset(inv, 0, sizeof(*inv));
	inv->l3num = orig->l3num;
	inv->l4num = orig->l4num;
	inv->zone = orig->zone;
	memcpy(inv->src, orig->dst, alen);
	memcpy(inv->dst, orig->src, alen);
	return ct_l4proto_of_tuple(orig)->invert(inv, orig);
}

void ct_vexplain(struct ct_pctx *ctx, const char *fmt, va_list ap)
{
	size_t used = strlen(ctx->explain);

	if (!ctx->want_explain || used + 1 >= sizeof(ctx->explain))
		return;
	if (used > 0) {
		/* "; " separates notes (the --explain report splits there) */
		if (used + 3 >= sizeof(ctx->explain))
			return;
		ctx->explain[used++] = ';';
		ctx->explain[used++] = ' ';
		ctx->explain[used] = '\0';
	}
	vsnprintf(ctx->explain + used, sizeof(ctx->explain) - used, fmt, ap);
}

void ct_explain(struct ct_pctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ct_vexplain(ctx, fmt, ap);
	va_end(ap);
}
