/* \summary: pick the L4 tracker for a protocol number (nf_ct_l4proto_find) */
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
