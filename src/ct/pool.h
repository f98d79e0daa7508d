/* \summary: storage of entries and their extensions, in chunks (no allocation per connection) */
#ifndef CTREPLAY_CT_POOL_H
#define CTREPLAY_CT_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define CT_POOL_CHUNK 1024
#define CT_POOL_EXT_CHUNK 64

/* tslot of an entry no timer holds (timer.h owns the other values). */
#define CT_TSLOT_NONE 0x7fffffffu

struct ct_pool_ext_chunk;

/*
 * Entries live in chunks of CT_POOL_CHUNK entries of `stride` bytes
 * (without the counters' tail unless kept: conn.h), each found by its
 * pool index, which the table and the timers store instead of a pointer.
 * Free entries are linked through ->ext, free extensions through
 * ->master.  The kernel allocates each nf_conn from a slab cache
 * (nf_conntrack_core.c, __nf_conntrack_alloc()); chunks give the same
 * "no malloc per packet" and stable indexes.
 */
struct ct_pool {
	unsigned char **chunks;
	size_t nchunks;
	size_t stride;
	bool counters;                 /* entries carry packets/bytes */
	struct ct_conn *free_list;
	struct ct_pool_ext_chunk *ext_chunks;
	struct ct_conn_ext *ext_free;
};

/* An empty pool whose entries keep their counters. */
void ct_pool_init(struct ct_pool *pool);
void ct_pool_free_all(struct ct_pool *pool);

/* Whether entries keep packets/bytes; only before the first entry. */
void ct_pool_set_counters(struct ct_pool *pool, bool keep);

/* A zeroed entry (pool_index, counted, tslot set); NULL when out of
 * memory. */
struct ct_conn *ct_pool_alloc(struct ct_pool *pool);

/* Back to the free list, with its extension. */
void ct_pool_release(struct ct_pool *pool, struct ct_conn *ct);

/* The entry's extension, attached on first need; NULL when out of
 * memory. */
struct ct_conn_ext *ct_pool_ext(struct ct_pool *pool, struct ct_conn *ct);

/* Slots ever handed out (used or free): a scan goes up to here. */
static inline size_t ct_pool_slots(const struct ct_pool *pool)
{
	return pool->nchunks * CT_POOL_CHUNK;
}

/* The entry at pool index `index`. */
static inline struct ct_conn *ct_pool_at(const struct ct_pool *pool,
					 uint32_t index)
{
	return (struct ct_conn *)(void *)(pool->chunks[index / CT_POOL_CHUNK] +
					  (size_t)(index % CT_POOL_CHUNK) *
					  pool->stride);
}

#endif
