/* \summary: work on a frame ahead of tracking: checksum verdict, tuple hash, cache warming */
#include "../bytes.h"
#include "csum.h"
#include "engine_int.h"

/* The original tuple of a TCP or UDP frame, as its lookup will build it;
 * false for any other frame. */
static bool prefetch_tuple(const struct ct_engine *eng,
			   const struct ct_pkt *pkt, struct ct_tuple *t)
{
	struct bytes l4 = ct_pkt_l4(pkt);

	if (pkt->kind != CT_PKT_IP || pkt->is_fragment ||
	    (pkt->l4num != 6 && pkt->l4num != 17) || !bytes_has(&l4, 0, 4))
		return false;
	ct_l4_tuple_from_pkt(t, pkt);
	t->zone = ct_engine_pkt_zone(eng, pkt);
	t->sport = bytes_be16(&l4, 0);
	t->dport = bytes_be16(&l4, 2);
	return true;
}

/* The hash of a TCP or UDP frame's lookup tuple, 1 standing for 0; 0 for
 * any other frame. */
static uint32_t engine_pkt_hash(const struct ct_engine *eng,
				const struct ct_pkt *pkt)
{
	struct ct_tuple t;
	uint32_t hash;

	if (!prefetch_tuple(eng, pkt, &t))
		return 0;
	hash = ct_tuple_hash(&t, CT_ENGINE_HASH_SEED);
	return hash ? hash : 1;
}

uint32_t ct_engine_prepare(const struct ct_engine *eng, struct ct_pkt *pkt)
{
	if (pkt->kind != CT_PKT_IP || pkt->is_fragment)
		return 0;
	/* the trackers that verify with ct_l4_csum_ok() */
	if (eng->set.checksum &&
	    (pkt->l4num == 6 || pkt->l4num == 17 || pkt->l4num == 1 ||
	     pkt->l4num == 58))
		ct_l4_csum_note(pkt);
	return engine_pkt_hash(eng, pkt);
}

void ct_engine_prefetch_slot(const struct ct_engine *eng, uint32_t hash)
{
	if (hash != 0)
		ct_table_prefetch_slot(&eng->table, hash);
}

uint32_t ct_engine_prefetch(const struct ct_engine *eng,
			    const struct ct_pkt *pkt, uint32_t hash)
{
	if (hash == 0) {
		hash = engine_pkt_hash(eng, pkt);
		ct_engine_prefetch_slot(eng, hash);
		return hash;
	}
	ct_table_prefetch_entry(&eng->table, &eng->pool, hash);
	return hash;
}

void ct_engine_packet_hashed(struct ct_engine *eng, const struct ct_pkt *pkt,
			     uint32_t hash)
{
	/* 1 also stands for a hash of 0: unknown then.  Any tuple hashed
	 * while tracking that equals this one (byte for byte, as hashed)
	 * takes the known hash: the same value, one computation fewer. */
	eng->hint = hash > 1 && prefetch_tuple(eng, pkt, &eng->hint_tuple);
	eng->hint_hash = hash;
	ct_engine_packet(eng, pkt);
	eng->hint = false;
}
