/* \summary: which shard (--shard, -j) a frame belongs to: its address pair */
#include <string.h>

#include "../bytes.h"
#include "engine.h"
#include "l4proto.h"

/*
 * The address pair an ICMP error is about: the quoted header's.  Only the
 * addresses are needed, so a quote too short for them keeps the outer
 * pair (the engine will call such a frame INVALID in any shard).
 */
static void shard_pair(const struct ct_pkt *pkt, const uint8_t **a,
		       const uint8_t **b, size_t *alen)
{
	struct bytes l4 = ct_pkt_l4(pkt);

	*a = pkt->src;
	*b = pkt->dst;
	*alen = pkt->l3num == CT_L3_IPV6 ? 16 : 4;
	if ((pkt->is_fragment && pkt->frag_off != 0) || !bytes_has(&l4, 0, 1))
		return;
	if (pkt->l3num == CT_L3_IPV4 && pkt->l4num == 1 &&
	    bytes_has(&l4, 8, 20) && ct_icmp_is_error_type(bytes_u8(&l4, 0))) {
		*a = bytes_ptr(&l4, 8 + 12);
		*b = bytes_ptr(&l4, 8 + 16);
	} else if (pkt->l3num == CT_L3_IPV6 && pkt->l4num == 58 &&
		   bytes_has(&l4, 8, 40) && bytes_u8(&l4, 0) < 128) {
		*a = bytes_ptr(&l4, 8 + 8);
		*b = bytes_ptr(&l4, 8 + 24);
	} else if (pkt->l3num == CT_L3_IPV6 && pkt->l4num == 58 &&
		   bytes_has(&l4, 48, 40) && bytes_u8(&l4, 0) == 137 &&
		   bytes_u8(&l4, 40) == 4) {
		/* redirect: the redirected header option */
		*a = bytes_ptr(&l4, 48 + 8);
		*b = bytes_ptr(&l4, 48 + 24);
	}
}

uint32_t ct_engine_shard_of(const struct ct_pkt *pkt, uint32_t nshards)
{
	const uint8_t *a, *b, *lo, *hi;
	uint32_t h = 2166136261u;
	size_t alen, i;

	/* a host's own packets (outgoing copies, decoded for the firewall's
	 * OUTPUT path) go with the flow they belong to */
	if (nshards <= 1 || (pkt->kind != CT_PKT_IP && !pkt->outgoing))
		return 0;
	shard_pair(pkt, &a, &b, &alen);
	if (memcmp(a, b, alen) <= 0) {
		lo = a;
		hi = b;
	} else {
		lo = b;
		hi = a;
	}
	/* FNV-1a then a final mix, as for tuples */
	for (i = 0; i < alen; i++) {
		h = (h ^ lo[i]) * 16777619u;
		h = (h ^ hi[i]) * 16777619u;
	}
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	h *= 0x846ca68bu;
	h ^= h >> 16;
	return (uint32_t)(((uint64_t)h * nshards) >> 32);
}
