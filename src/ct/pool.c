/* \summary: storage of entries and their extensions, in chunks (no allocation per connection) */
#include <stdlib.h>
#include <string.h>

#include "pool.h"

struct ct_pool_ext_chunk {
	struct ct_pool_ext_chunk *next;
	struct ct_conn_ext exts[CT_POOL_EXT_CHUNK];
};

void ct_pool_init(struct ct_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
	pool->counters = true;
	pool->stride = sizeof(struct ct_conn);
}

void ct_pool_free_all(struct ct_pool *pool)
{
	struct ct_pool_ext_chunk *c, *next;
	size_t i;

	for (i = 0; i < pool->nchunks; i++)
		free(pool->chunks[i]);
	free(pool->chunks);
	for (c = pool->ext_chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(pool, 0, sizeof(*pool));
}

void ct_pool_set_counters(struct ct_pool *pool, bool keep)
{
	if (pool->nchunks != 0)
		return;
	pool->counters = keep;
	pool->stride = keep ? sizeof(struct ct_conn) : CT_CONN_SIZE_UNCOUNTED;
}

/* A new chunk onto the free list; false when out of memory. */
static bool pool_grow(struct ct_pool *pool)
{
	size_t n = pool->nchunks, i;
	unsigned char **tab;
	unsigned char *c;

	if (n >= UINT32_MAX / CT_POOL_CHUNK / 2 - 1)
		return false;
	/* the chunk table grows by powers of two */
	if ((n & (n - 1)) == 0) {
		tab = realloc(pool->chunks, (n ? 2 * n : 1) * sizeof(*tab));
		if (!tab)
			return false;
		pool->chunks = tab;
	}
	/* zeroed: a scan of the pool (ct_engine_list) reads the status of
	 * slots never used */
	c = calloc(CT_POOL_CHUNK, pool->stride);
	if (!c)
		return false;
	pool->chunks[pool->nchunks++] = c;
	for (i = CT_POOL_CHUNK; i-- > 0;) {
		struct ct_conn *ct = (struct ct_conn *)(void *)(c + i *
								pool->stride);

		ct->pool_index = (uint32_t)(n * CT_POOL_CHUNK + i);
		ct->ext = (struct ct_conn_ext *)(void *)pool->free_list;
		pool->free_list = ct;
	}
	return true;
}

struct ct_conn *ct_pool_alloc(struct ct_pool *pool)
{
	struct ct_conn *ct;
	uint32_t index;

	if (!pool->free_list && !pool_grow(pool))
		return NULL;
	ct = pool->free_list;
	pool->free_list = (struct ct_conn *)(void *)ct->ext;
	index = ct->pool_index;
	memset(ct, 0, pool->stride);
	ct->pool_index = index;
	ct->counted = pool->counters;
	ct->tslot = CT_TSLOT_NONE;
	return ct;
}

struct ct_conn_ext *ct_pool_ext(struct ct_pool *pool, struct ct_conn *ct)
{
	struct ct_conn_ext *x;

	if (ct->ext)
		return ct->ext;
	if (!pool->ext_free) {
		struct ct_pool_ext_chunk *c = malloc(sizeof(*c));
		size_t i;

		if (!c)
			return NULL;
		c->next = pool->ext_chunks;
		pool->ext_chunks = c;
		for (i = CT_POOL_EXT_CHUNK; i-- > 0;) {
			c->exts[i].master =
				(struct ct_conn *)(void *)pool->ext_free;
			pool->ext_free = &c->exts[i];
		}
	}
	x = pool->ext_free;
	pool->ext_free = (struct ct_conn_ext *)(void *)x->master;
	memset(x, 0, sizeof(*x));
	ct->ext = x;
	return x;
}

void ct_pool_release(struct ct_pool *pool, struct ct_conn *ct)
{
	uint32_t index = ct->pool_index;

	if (ct->ext) {
		memset(ct->ext, 0, sizeof(*ct->ext));
		ct->ext->master = (struct ct_conn *)(void *)pool->ext_free;
		pool->ext_free = ct->ext;
	}
	memset(ct, 0, pool->stride);
	ct->pool_index = index;
	ct->tslot = CT_TSLOT_NONE;
	ct->ext = (struct ct_conn_ext *)(void *)pool->free_list;
	pool->free_list = ct;
}
