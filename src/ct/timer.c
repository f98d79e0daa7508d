/* \summary: entry timers: a hashed wheel of lower bounds and a near heap in exact order */
/*
 * Every confirmed entry is due at ct_conn_expires(); entries must die in
 * (deadline, id) order.  (The kernel checks ct->timeout lazily, in its GC
 * worker and on lookup: nf_conntrack_core.c, gc_worker() and
 * nf_ct_is_expired(); here entries die exactly at their deadline.)  Two
 * structures, so that no per-packet cost grows with the table:
 *
 *  - A hashed wheel of TIMER_WHEEL_SIZE buckets, each one
 *    2^TIMER_TICK_SHIFT ns (about a second) of deadlines.  A bucket is
 *    an array of records (pool index, absolute bucket number); the
 *    entry's tslot names the one absolute bucket it is filed in, and a
 *    record that disagrees is stale.  So filing is an append and moving
 *    or removing only rewrites tslot: no other entry is touched (linked
 *    lists cost two cache misses a move).
 *
 *    An entry is filed under a lower bound of its deadline, at most
 *    TIMER_HORIZON buckets (about two minutes) ahead of the clock.
 *    A refresh that pushes the deadline out (every packet of a flow)
 *    changes nothing; nor does one that pulls it in no earlier than the
 *    bound (an established TCP entry going to FIN_WAIT, 120 s).  When the
 *    clock reaches the bucket, the entry is filed again under its real
 *    deadline, or the horizon: an established entry is looked at every two
 *    minutes of capture time, from an array, with prefetching.  Since
 *    every bucket in use comes up within the horizon, stale records live
 *    at most that long, and the wheel's memory follows the traffic of the
 *    last two minutes, not the capture's length.  (Should the clock stand
 *    still, stale records are compacted away before an array grows.)
 *
 *  - The near heap: a binary min-heap on (deadline, id) of the entries
 *    due in buckets the clock has reached (tcur and before), from which
 *    they expire in exact order.  It holds about a second's worth of
 *    deadlines, and its key is again only a lower bound (a later refresh
 *    is seen when the entry comes to the top).
 *
 * tslot: CT_TSLOT_NONE (not timed), TIMER_TSLOT_NEAR | position in the
 * near heap, or the absolute bucket number mod 2^30 (in the wheel);
 * TIMER_TSLOT_MARK is set on kept entries for the span of a compaction.
 */
#include <stdlib.h>
#include <string.h>

#include "timer.h"

#define TIMER_TICK_SHIFT 30
#define TIMER_WHEEL_BITS 12
#define TIMER_WHEEL_SIZE (1u << TIMER_WHEEL_BITS)
#define TIMER_TSLOT_ABS_MASK 0x3fffffffu
#define TIMER_TSLOT_NEAR 0x80000000u
#define TIMER_TSLOT_MARK 0x40000000u
#define TIMER_HORIZON 128

/* A wheel record: look at entry `index` when bucket `abs` comes up. */
struct timer_wrec {
	uint32_t index;
	uint32_t abs;
};

/* One bucket: its records, and how many entries are filed in it (the
 * rest of its records are stale). */
struct ct_timer_bucket {
	struct timer_wrec *rec;
	uint32_t len;
	uint32_t cap;
	uint32_t live;
};

/* A near-heap slot: key and id are kept here so comparing touches no
 * entry. */
struct ct_timer_near {
	ct_time key;
	uint64_t id;
	struct ct_conn *ct;
};

bool ct_timers_init(struct ct_timers *tm, const struct ct_pool *pool)
{
	memset(tm, 0, sizeof(*tm));
	tm->bound = INT64_MIN;
	tm->pool = pool;
	tm->wheel = calloc(TIMER_WHEEL_SIZE, sizeof(*tm->wheel));
	tm->spare = calloc(1, sizeof(*tm->spare));
	if (!tm->wheel || !tm->spare) {
		ct_timers_free(tm);
		return false;
	}
	return true;
}

void ct_timers_free(struct ct_timers *tm)
{
	size_t i;

	if (tm->wheel)
		for (i = 0; i < TIMER_WHEEL_SIZE; i++)
			free(tm->wheel[i].rec);
	free(tm->wheel);
	if (tm->spare)
		free(tm->spare->rec);
	free(tm->spare);
	free(tm->near);
	memset(tm, 0, sizeof(*tm));
}

static struct ct_conn *timer_conn(const struct ct_timers *tm, uint32_t index)
{
	return ct_pool_at(tm->pool, index);
}

/* The absolute bucket of a time: monotonic over all of ct_time, negative
 * times (a capture can have them) included. */
static uint64_t timer_abs(ct_time t)
{
	return ((uint64_t)t ^ (UINT64_C(1) << 63)) >> TIMER_TICK_SHIFT;
}

/* The first time of absolute bucket `abs` (INT64_MAX past the last). */
static ct_time timer_abs_start(uint64_t abs)
{
	if (abs >= UINT64_C(1) << (64 - TIMER_TICK_SHIFT))
		return INT64_MAX;
	return (ct_time)((abs << TIMER_TICK_SHIFT) ^ (UINT64_C(1) << 63));
}

static bool near_before(const struct ct_timer_near *a,
			const struct ct_timer_near *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->id < b->id;
}

static void near_place(struct ct_timers *tm, size_t i,
		       const struct ct_timer_near *t)
{
	tm->near[i] = *t;
	t->ct->tslot = TIMER_TSLOT_NEAR | (uint32_t)i;
}

static void near_sift_up(struct ct_timers *tm, size_t i)
{
	struct ct_timer_near t = tm->near[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!near_before(&t, &tm->near[parent]))
			break;
		near_place(tm, i, &tm->near[parent]);
		i = parent;
	}
	near_place(tm, i, &t);
}

static void near_sift_down(struct ct_timers *tm, size_t i)
{
	struct ct_timer_near t = tm->near[i];

	for (;;) {
		size_t l = 2 * i + 1, best = i;
		const struct ct_timer_near *bestt = &t;

		if (l < tm->near_len && near_before(&tm->near[l], bestt)) {
			best = l;
			bestt = &tm->near[l];
		}
		if (l + 1 < tm->near_len &&
		    near_before(&tm->near[l + 1], bestt))
			best = l + 1;
		if (best == i)
			break;
		near_place(tm, i, &tm->near[best]);
		i = best;
	}
	near_place(tm, i, &t);
}

/* Into the near heap under `key`; false when out of memory. */
static bool near_push(struct ct_timers *tm, struct ct_conn *ct, ct_time key)
{
	struct ct_timer_near t;

	if (tm->near_len == tm->near_cap) {
		size_t cap = tm->near_cap ? tm->near_cap * 2 : 256;
		struct ct_timer_near *n = realloc(tm->near, cap * sizeof(*n));

		if (!n)
			return false;
		tm->near = n;
		tm->near_cap = cap;
	}
	t.key = key;
	t.id = ct->id;
	t.ct = ct;
	near_place(tm, tm->near_len++, &t);
	near_sift_up(tm, tm->near_len - 1);
	return true;
}

static void near_remove(struct ct_timers *tm, size_t i)
{
	struct ct_timer_near last = tm->near[--tm->near_len];

	tm->near[i].ct->tslot = CT_TSLOT_NONE;
	if (i == tm->near_len)
		return;
	near_place(tm, i, &last);
	near_sift_up(tm, i);
	near_sift_down(tm, last.ct->tslot & ~TIMER_TSLOT_NEAR);
}

static struct ct_timer_bucket *wheel_bucket(struct ct_timers *tm,
					    uint32_t abs)
{
	return &tm->wheel[abs & (TIMER_WHEEL_SIZE - 1)];
}

/* Whether record r stands for its entry: filed there, alive. */
static bool wheel_current(const struct ct_conn *ct,
			  const struct timer_wrec *r)
{
	return ct->tslot == r->abs && (ct->status & CT_IPS_CONFIRMED) &&
	       !(ct->status & CT_IPS_DYING);
}

/* Drop bk's stale records, and duplicates (an entry that left the
 * bucket and came back, or a reused pool slot). */
static void wheel_compact(struct ct_timers *tm, struct ct_timer_bucket *bk)
{
	uint32_t i, n = 0;

	for (i = 0; i < bk->len; i++) {
		struct ct_conn *ct;

		if (i + 8 < bk->len)
			__builtin_prefetch(timer_conn(tm, bk->rec[i + 8].index));
		ct = timer_conn(tm, bk->rec[i].index);
		if (!wheel_current(ct, &bk->rec[i]))
			continue;
		ct->tslot |= TIMER_TSLOT_MARK;
		bk->rec[n++] = bk->rec[i];
	}
	for (i = 0; i < n; i++)
		timer_conn(tm, bk->rec[i].index)->tslot &= ~TIMER_TSLOT_MARK;
	bk->len = n;
}

/* File ct in the wheel under absolute bucket `abs` (mod 2^30); false
 * when out of memory. */
static bool wheel_link(struct ct_timers *tm, struct ct_conn *ct,
		       uint32_t abs)
{
	struct ct_timer_bucket *bk = wheel_bucket(tm, abs);

	if (bk->len == bk->cap && bk->len >= 2 * bk->live + 64)
		wheel_compact(tm, bk);
	if (bk->cap == 0 && tm->spare->rec) {
		/* the array of the last bucket opened */
		bk->rec = tm->spare->rec;
		bk->cap = tm->spare->cap;
		tm->spare->rec = NULL;
		tm->spare->cap = 0;
	}
	if (bk->len == bk->cap) {
		uint32_t cap = bk->cap ? bk->cap * 2 : 16;
		struct timer_wrec *r = realloc(bk->rec, cap * sizeof(*r));

		if (!r)
			return false;
		bk->rec = r;
		bk->cap = cap;
	}
	bk->rec[bk->len].index = ct->pool_index;
	bk->rec[bk->len].abs = abs;
	bk->len++;
	bk->live++;
	ct->tslot = abs;
	return true;
}

static void wheel_unlink(struct ct_timers *tm, struct ct_conn *ct)
{
	wheel_bucket(tm, ct->tslot)->live--;
	ct->tslot = CT_TSLOT_NONE;
}

/*
 * File an untimed entry under `due`: the near heap when the clock has
 * reached that bucket, else the wheel.  Should the near heap be out of
 * memory, the entry goes to the wheel's next bucket, to be tried again
 * when the clock moves on: it expires late rather than twice.  Out of
 * memory there too, it stays untimed.
 */
static void timer_file(struct ct_timers *tm, struct ct_conn *ct, ct_time due)
{
	uint64_t a = timer_abs(due);

	if (due < tm->bound)
		tm->bound = due;
	if (a <= tm->tcur) {
		if (near_push(tm, ct, due))
			return;
		a = tm->tcur + 1;
	}
	if (a > tm->tcur + TIMER_HORIZON)
		a = tm->tcur + TIMER_HORIZON;
	wheel_link(tm, ct, (uint32_t)(a & TIMER_TSLOT_ABS_MASK));
}

void ct_timer_add(struct ct_timers *tm, struct ct_conn *ct)
{
	ct->tslot = CT_TSLOT_NONE;
	timer_file(tm, ct, ct_conn_expires(ct));
}

void ct_timer_remove(struct ct_timers *tm, struct ct_conn *ct)
{
	if (ct->tslot == CT_TSLOT_NONE)
		return;
	if (ct->tslot & TIMER_TSLOT_NEAR)
		near_remove(tm, ct->tslot & ~TIMER_TSLOT_NEAR);
	else
		wheel_unlink(tm, ct);
}

/*
 * The deadline moved from `was`.  Only one earlier than where the entry
 * is filed needs work: a smaller key in the near heap, or a record in an
 * earlier bucket.
 */
void ct_timer_update(struct ct_timers *tm, struct ct_conn *ct, ct_time was)
{
	ct_time due = ct_conn_expires(ct);
	uint32_t s = ct->tslot;

	if (due >= was || s == CT_TSLOT_NONE)
		return;
	if (due < tm->bound)
		tm->bound = due;
	if (s & TIMER_TSLOT_NEAR) {
		size_t i = s & ~TIMER_TSLOT_NEAR;

		if (due < tm->near[i].key) {
			tm->near[i].key = due;
			near_sift_up(tm, i);
		}
		return;
	}
	/* wheel buckets in use lie within the horizon after tcur, so
	 * distances from tcur compare them */
	if (timer_abs(due) - tm->tcur <
	    ((s - (uint32_t)tm->tcur) & TIMER_TSLOT_ABS_MASK)) {
		wheel_unlink(tm, ct);
		timer_file(tm, ct, due);
	}
}

/*
 * The clock reached bucket tcur (or, after a gap of a whole turn, every
 * bucket up to tcur): each entry filed in bucket b that is due by the end
 * of tcur goes to the near heap, the others are filed again (never into b:
 * that would be a turn ahead, beyond the horizon).  The first record of an
 * entry moves it, so a duplicate finds it gone.  The emptied array is kept
 * for the next bucket to be used (one spare: only the buckets within the
 * horizon hold arrays, so the wheel's memory does not grow with the
 * number of buckets the clock has passed).
 */
static void wheel_open(struct ct_timers *tm, uint32_t b)
{
	struct ct_timer_bucket tmp = tm->wheel[b];
	uint32_t i;

	memset(&tm->wheel[b], 0, sizeof(tm->wheel[b]));
	for (i = 0; i < tmp.len; i++) {
		const struct timer_wrec *r = &tmp.rec[i];
		struct ct_conn *ct;

		if (i + 8 < tmp.len)
			__builtin_prefetch(timer_conn(tm, tmp.rec[i + 8].index));
		ct = timer_conn(tm, r->index);
		if (!wheel_current(ct, r))
			continue;
		ct->tslot = CT_TSLOT_NONE;
		timer_file(tm, ct, ct_conn_expires(ct));
	}
	if (tmp.cap > tm->spare->cap) {
		free(tm->spare->rec);
		tm->spare->rec = tmp.rec;
		tm->spare->cap = tmp.cap;
	} else {
		free(tmp.rec);
	}
}

static void timer_reach(struct ct_timers *tm, uint64_t target)
{
	uint32_t b;

	if (target - tm->tcur >= TIMER_WHEEL_SIZE) {
		tm->tcur = target;
		for (b = 0; b < TIMER_WHEEL_SIZE; b++)
			wheel_open(tm, b);
		return;
	}
	while (tm->tcur < target) {
		tm->tcur++;
		wheel_open(tm, (uint32_t)(tm->tcur & (TIMER_WHEEL_SIZE - 1)));
	}
}

struct ct_conn *ct_timer_scan(struct ct_timers *tm, ct_time now,
			      ct_time *deadline)
{
	uint64_t target = timer_abs(now);

	if (tm->tcur < target)
		timer_reach(tm, target);
	while (tm->near_len > 0) {
		struct ct_timer_near *top = &tm->near[0];
		struct ct_conn *ct = top->ct;
		ct_time due = ct_conn_expires(ct);

		if (top->key > now) {
			*deadline = top->key;
			tm->bound = top->key;
			return NULL;
		}
		if (top->key == due) {
			*deadline = due;
			return ct;
		}
		/* refreshed since: file it again */
		near_remove(tm, 0);
		timer_file(tm, ct, due);
	}
	*deadline = timer_abs_start(tm->tcur + 1);
	tm->bound = *deadline;
	return NULL;
}

/* floor(t * hz / 1e9) without overflowing for any capture time. */
int64_t ct_jiffies(ct_time t, uint32_t hz)
{
	int64_t q = t / CT_NSEC_PER_SEC, r = t % CT_NSEC_PER_SEC;

	if (r < 0) {
		q--;
		r += CT_NSEC_PER_SEC;
	}
	return q * (int64_t)hz + r * (int64_t)hz / CT_NSEC_PER_SEC;
}

uint32_t ct_conn_remaining(const struct ct_conn *ct, ct_time now, uint32_t hz)
{
	int64_t left;

	if (hz == 0)
		hz = 1000;
	left = (int64_t)ct->timeout * hz -
	       (ct_jiffies(now, hz) - ct_jiffies(ct->refreshed, hz));
	if (left <= 0)
		return 0;
	return (uint32_t)(left / hz);
}
