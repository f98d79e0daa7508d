/* \summary: the conntrack hash table: both tuples of every entry, open addressing */
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* Buckets a fresh table starts with when no size was set. */
#define CT_TABLE_DEFAULT_BUCKETS 1024
#define CT_TABLE_INITIAL_BITS 11

static uint32_t slot_mask(const struct ct_table *tab)
{
	return (1u << tab->slot_bits) - 1;
}

/* Where a hash's probe starts: monotonic in the hash. */
static uint32_t slot_home(const struct ct_table *tab, uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash << tab->slot_bits) >> 32);
}

static uint32_t slot_ref(const struct ct_conn *ct, enum ct_dir dir)
{
	return (ct->pool_index + 1) * 2 + (uint32_t)dir;
}

static struct ct_conn *slot_conn(const struct ct_pool *pool,
				 const struct ct_table_slot *s)
{
	return ct_pool_at(pool, (s->ref >> 1) - 1);
}

bool ct_table_init(struct ct_table *tab, uint32_t buckets)
{
	memset(tab, 0, sizeof(*tab));
	tab->nbuckets = buckets ? buckets : CT_TABLE_DEFAULT_BUCKETS;
	tab->slot_bits = CT_TABLE_INITIAL_BITS;
	tab->slots = calloc((size_t)1 << tab->slot_bits, sizeof(*tab->slots));
	return tab->slots != NULL;
}

void ct_table_free(struct ct_table *tab)
{
	free(tab->slots);
	tab->slots = NULL;
}

void ct_table_note_count(struct ct_table *tab, size_t count)
{
	if (count > tab->nbuckets && tab->nbuckets <= UINT32_MAX / 2)
		tab->nbuckets *= 2;
}

struct ct_conn *ct_table_lookup(const struct ct_table *tab,
				const struct ct_pool *pool,
				const struct ct_tuple *t, uint32_t h,
				enum ct_dir *dir)
{
	uint32_t mask = slot_mask(tab), i = slot_home(tab, h);

	for (;; i = (i + 1) & mask) {
		const struct ct_table_slot *s = &tab->slots[i];
		struct ct_conn *ct;

		if (s->ref == 0)
			return NULL;
		if (s->hash != h)
			continue;
		ct = slot_conn(pool, s);
		if (ct_table_tuple_equal(&ct->tuple[s->ref & 1], t)) {
			*dir = (enum ct_dir)(s->ref & 1);
			return ct;
		}
	}
}

static void slot_put(struct ct_table *tab, uint32_t h, uint32_t ref)
{
	uint32_t mask = slot_mask(tab), i = slot_home(tab, h);

	while (tab->slots[i].ref != 0)
		i = (i + 1) & mask;
	tab->slots[i].hash = h;
	tab->slots[i].ref = ref;
	tab->slot_used++;
}

/* Remove a slot, shifting later ones of its cluster back (no tombstones;
 * slots of one hash keep their order). */
static void slot_del(struct ct_table *tab, uint32_t h, uint32_t ref)
{
	uint32_t mask = slot_mask(tab), i = slot_home(tab, h), j;

	while (tab->slots[i].ref != ref) {
		if (tab->slots[i].ref == 0)
			return;
		i = (i + 1) & mask;
	}
	for (j = i;;) {
		uint32_t k;

		j = (j + 1) & mask;
		if (tab->slots[j].ref == 0)
			break;
		k = slot_home(tab, tab->slots[j].hash);
		/* it may fill the hole unless its home lies in (i, j] */
		if (((j - k) & mask) >= ((j - i) & mask)) {
			tab->slots[i] = tab->slots[j];
			i = j;
		}
	}
	tab->slots[i].hash = 0;
	tab->slots[i].ref = 0;
	tab->slot_used--;
}

/* Room for two more slots at most 3/4 full: double when needed. */
bool ct_table_reserve(struct ct_table *tab)
{
	uint32_t oldn = 1u << tab->slot_bits, i;
	struct ct_table_slot *old = tab->slots, *fresh;

	if ((uint64_t)(tab->slot_used + 2) * 4 <= (uint64_t)oldn * 3)
		return true;
	if (tab->slot_bits >= 31)
		return tab->slot_used + 2 < oldn;
	fresh = calloc((size_t)oldn * 2, sizeof(*fresh));
	if (!fresh)
		return tab->slot_used + 2 < oldn;
	tab->slots = fresh;
	tab->slot_bits++;
	tab->slot_used = 0;
	for (i = 0; i < oldn; i++)
		if (old[i].ref != 0)
			slot_put(tab, old[i].hash, old[i].ref);
	free(old);
	return true;
}

void ct_table_insert(struct ct_table *tab, const struct ct_conn *ct,
		     const uint32_t h[2])
{
	slot_put(tab, h[CT_DIR_ORIGINAL], slot_ref(ct, CT_DIR_ORIGINAL));
	slot_put(tab, h[CT_DIR_REPLY], slot_ref(ct, CT_DIR_REPLY));
}

void ct_table_remove(struct ct_table *tab, const struct ct_conn *ct,
		     const uint32_t h[2])
{
	int d;

	for (d = CT_DIR_ORIGINAL; d <= CT_DIR_REPLY; d++)
		slot_del(tab, h[d], slot_ref(ct, (enum ct_dir)d));
}

size_t ct_table_bucket_victims(const struct ct_table *tab,
			       const struct ct_pool *pool, uint32_t b,
			       struct ct_conn ***scratch, size_t *cap)
{
	/* the bucket's hashes [lo, hi) have consecutive home slots
	 * first..last; its slots lie between first and the first empty
	 * slot at or after last */
	uint64_t nb = tab->nbuckets;
	uint64_t lo = (((uint64_t)b << 32) + nb - 1) / nb;
	uint64_t hi = (((uint64_t)(b + 1) << 32) + nb - 1) / nb;
	uint32_t mask = slot_mask(tab), first, span, pos, step;
	size_t n = 0, k;

	if (lo >= hi)
		return 0;
	first = slot_home(tab, (uint32_t)lo);
	span = slot_home(tab, (uint32_t)(hi - 1)) - first;
	for (step = 0, pos = first; step <= mask;
	     step++, pos = (pos + 1) & mask) {
		const struct ct_table_slot *sl = &tab->slots[pos];
		struct ct_conn *ct;
		bool dup = false;

		if (sl->ref == 0) {
			if (step >= span)
				break;
			continue;
		}
		if (sl->hash < lo || sl->hash >= hi)
			continue;
		ct = slot_conn(pool, sl);
		if (ct->status & (CT_IPS_ASSURED | CT_IPS_DYING))
			continue;
		for (k = 0; k < n; k++)
			dup = dup || (*scratch)[k] == ct;
		if (dup)
			continue;
		if (n == *cap) {
			size_t c = n ? n * 2 : 16;
			struct ct_conn **sc = realloc(*scratch,
						      c * sizeof(*sc));

			if (!sc)
				break;
			*scratch = sc;
			*cap = c;
		}
		(*scratch)[n++] = ct;
	}
	return n;
}

void ct_table_prefetch_slot(const struct ct_table *tab, uint32_t hash)
{
	__builtin_prefetch(&tab->slots[slot_home(tab, hash)]);
}

void ct_table_prefetch_entry(const struct ct_table *tab,
			     const struct ct_pool *pool, uint32_t hash)
{
	uint32_t mask = slot_mask(tab), i;

	for (i = slot_home(tab, hash);; i = (i + 1) & mask) {
		const struct ct_table_slot *s = &tab->slots[i];

		if (s->ref == 0)
			return;
		if (s->hash == hash) {
			const char *ct = (const char *)slot_conn(pool, s);
			size_t off;

			/* every line the entry spans: it is not aligned to
			 * them, and the tracker touches all of it */
			for (off = 0; off < sizeof(struct ct_conn); off += 64)
				__builtin_prefetch(ct + off);
			__builtin_prefetch(ct + sizeof(struct ct_conn) - 1);
			return;
		}
	}
}
