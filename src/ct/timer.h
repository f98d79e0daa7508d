/* \summary: entry timers: a hashed wheel of lower bounds and a near heap in exact order */
#ifndef CTREPLAY_CT_TIMER_H
#define CTREPLAY_CT_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"
#include "conn.h"
#include "pool.h"

struct ct_timer_bucket;
struct ct_timer_near;

/*
 * The timers of every confirmed entry (timer.c explains the structure).
 * Entries are named by pool index, so the timers read the pool.
 */
struct ct_timers {
	const struct ct_pool *pool;
	struct ct_timer_bucket *wheel;
	struct ct_timer_bucket *spare;  /* one bucket: the spare array */
	uint64_t tcur;                  /* the last bucket reached */
	struct ct_timer_near *near;
	size_t near_len;
	size_t near_cap;
	/* no entry is due before this (a lower bound kept as entries are
	 * filed), so most packets need not look at the timers at all */
	ct_time bound;
};

/* Empty timers over `pool`; false when out of memory. */
bool ct_timers_init(struct ct_timers *tm, const struct ct_pool *pool);
void ct_timers_free(struct ct_timers *tm);

/* A newly confirmed entry, due at ct_conn_expires(ct). */
void ct_timer_add(struct ct_timers *tm, struct ct_conn *ct);
void ct_timer_remove(struct ct_timers *tm, struct ct_conn *ct);

/* ct's deadline moved from `was` (after a refresh). */
void ct_timer_update(struct ct_timers *tm, struct ct_conn *ct, ct_time was);

/*
 * The entry due first if it is due by `now` (*deadline: its deadline),
 * else NULL (*deadline: a bound, > now, not later than the earliest
 * deadline).  The caller destroys the entry returned (and removes it).
 */
struct ct_conn *ct_timer_scan(struct ct_timers *tm, ct_time now,
			      ct_time *deadline);

static inline struct ct_conn *ct_timer_first(struct ct_timers *tm,
					     ct_time now, ct_time *deadline)
{
	if (now < tm->bound) {
		*deadline = tm->bound;
		return NULL;
	}
	return ct_timer_scan(tm, now, deadline);
}

#endif
