/* \summary: pick the L4 tracker for a protocol number (nf_ct_l4proto_find) */
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
