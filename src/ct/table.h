/* \summary: the conntrack hash table: both tuples of every entry, open addressing */
#ifndef CTREPLAY_CT_TABLE_H
#define CTREPLAY_CT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conn.h"
#include "pool.h"
#include "tuple.h"

/*
 * One slot: a tuple's hash next to the entry and direction it stands
 * for, so that a probe compares hashes in one cache line and touches only
 * the entry that matches.
 */
struct ct_table_slot {
	uint32_t hash;
	uint32_t ref;          /* 0: empty; else (pool index + 1) * 2 + dir */
};

/*
 * Both tuples of every entry in one linear-probing table of 2^slot_bits
 * slots, at most 3/4 full.  nbuckets is the kernel's bucket count
 * (nf_conntrack_htable_size; a bucket is hash * nbuckets >> 32, as
 * reciprocal_scale() spreads it): only early drop looks at buckets, and
 * the slots of one bucket are consecutive, since a hash's home slot is
 * its top bits.  The kernel chains entries in hlist_nulls buckets
 * (nf_conntrack_core.c); what is kept of it is the bucket each tuple
 * falls in, which early_drop() walks.
 */
struct ct_table {
	struct ct_table_slot *slots;
	uint32_t slot_bits;
	uint32_t slot_used;
	uint32_t nbuckets;
};

/* An empty table; false when out of memory.  `buckets` 0: the kernel's
 * default start. */
bool ct_table_init(struct ct_table *tab, uint32_t buckets);
void ct_table_free(struct ct_table *tab);

/* The kernel grows its default table with the entries; so does the
 * bucket count here (only early drop sees it). */
void ct_table_note_count(struct ct_table *tab, size_t count);

/*
 * The entry holding tuple t (hash h) and the direction t is in it, or
 * NULL.  A tuple is in the table at most once (confirmation refuses
 * clashes), except both tuples of an entry that talks to itself: its
 * original one was inserted first and stays first in the probe order.
 */
struct ct_conn *ct_table_lookup(const struct ct_table *tab,
				const struct ct_pool *pool,
				const struct ct_tuple *t, uint32_t h,
				enum ct_dir *dir);

/* Room for two more slots: grows when needed; false when there is none. */
bool ct_table_reserve(struct ct_table *tab);

/* Both tuples of ct, hashes h[dir]; after ct_table_reserve(). */
void ct_table_insert(struct ct_table *tab, const struct ct_conn *ct,
		     const uint32_t h[2]);
void ct_table_remove(struct ct_table *tab, const struct ct_conn *ct,
		     const uint32_t h[2]);

/* ct_tuple_equal() inlined: the lookup's inner loop compares with it. */
static inline bool ct_table_tuple_equal(const struct ct_tuple *a,
					const struct ct_tuple *b)
{
	uint64_t x[5], y[5];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		(x[3] ^ y[3]) | (x[4] ^ y[4])) == 0;
}

/* The bucket of a hash (reciprocal_scale()). */
static inline uint32_t ct_table_bucket(const struct ct_table *tab,
				       uint32_t hash)
{
	return (uint32_t)(((uint64_t)hash * tab->nbuckets) >> 32);
}

/*
 * Early drop's look at one bucket (nf_conntrack_core.c, early_drop_list()):
 * every confirmed entry of bucket b that is neither ASSURED nor dying,
 * each once, appended to *scratch (grown as needed, capacity *cap) in
 * slot order.  Returns how many.
 */
size_t ct_table_bucket_victims(const struct ct_table *tab,
			       const struct ct_pool *pool, uint32_t b,
			       struct ct_conn ***scratch, size_t *cap);

/* Prefetch the home slot of a hash; with the pool, the entry that a
 * matching slot names (every cache line it spans). */
void ct_table_prefetch_slot(const struct ct_table *tab, uint32_t hash);
void ct_table_prefetch_entry(const struct ct_table *tab,
			     const struct ct_pool *pool, uint32_t hash);

#endif
