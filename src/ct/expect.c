/* \summary: the expectation table (nf_conntrack_expect): create, match, expire */
/*
 * Expectations are few and short-lived, so the table is simple: chains
 * hashed on what every mask keeps exact (family, protocol, destination
 * address and port), one list in deadline order for expiry and listing,
 * and per master a list, newest first, as the kernel's nf_conn_help keeps
 * it (its tail is the oldest, the one max_expected evicts).  Storage comes
 * from a free list so matching and expiry never allocate.
 */
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "stats.h"

#define EXPECT_BUCKETS 1024u
#define EXPECT_CHUNK 64

struct expect_chunk {
	struct expect_chunk *next;
	struct ct_expect exps[EXPECT_CHUNK];
};

struct ct_expect_table {
	struct ct_expect *buckets[EXPECT_BUCKETS];
	struct ct_expect *thead, *ttail;   /* deadline order */
	struct ct_expect *free_list;       /* linked through hnext */
	struct expect_chunk *chunks;
	size_t count;
	uint32_t max;
	uint32_t hz;
	uint64_t last_id;
	struct ct_stats *stats;
	ct_expect_notify_fn notify;
	void *ctx;
};

uint32_t ct_expect_remaining(const struct ct_expect *exp, ct_time now,
			     uint32_t hz)
{
	int64_t left;

	if (hz == 0)
		hz = 250;
	left = (int64_t)exp->timeout * hz -
	       (ct_jiffies(now, hz) - ct_jiffies(exp->created, hz));
	if (left <= 0)
		return 0;
	return (uint32_t)(left / hz);
}

static uint32_t expect_hash(const struct ct_tuple *t)
{
	size_t alen = ct_tuple_addr_len(t), i;
	uint32_t h = 2166136261u;

	/* FNV-1a over the exact part: deterministic, good enough here */
	for (i = 0; i < alen; i++)
		h = (h ^ t->dst[i]) * 16777619u;
	h = (h ^ (t->dport >> 8)) * 16777619u;
	h = (h ^ (t->dport & 0xff)) * 16777619u;
	h = (h ^ t->l3num) * 16777619u;
	h = (h ^ t->l4num) * 16777619u;
	return h % EXPECT_BUCKETS;
}

struct ct_expect_table *ct_expect_table_create(uint32_t max, uint32_t hz,
					       struct ct_stats *stats,
					       ct_expect_notify_fn notify,
					       void *ctx)
{
	struct ct_expect_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max;
	t->hz = hz ? hz : 250;
	t->stats = stats;
	t->notify = notify;
	t->ctx = ctx;
	return t;
}

void ct_expect_table_destroy(struct ct_expect_table *t)
{
	struct expect_chunk *c, *next;

	if (!t)
		return;
	for (c = t->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t);
}

void ct_expect_init(struct ct_expect *exp, struct ct_conn *master,
		    uint8_t l3num, const uint8_t *src, const uint8_t *dst,
		    uint8_t l4num, const uint16_t *sport, uint16_t dport)
{
	size_t alen = l3num == CT_L3_IPV6 ? 16 : 4;

	memset(exp, 0, sizeof(*exp));
	exp->master = master;
	exp->tuple.l3num = l3num;
	exp->tuple.l4num = l4num;
	exp->mask.l3num = l3num;
	exp->mask.l4num = l4num;
	if (master)
		exp->tuple.zone = master->tuple[CT_DIR_ORIGINAL].zone;
	if (src) {
		memcpy(exp->tuple.src, src, alen);
		memset(exp->mask.src, 0xff, alen);
	}
	memcpy(exp->tuple.dst, dst, alen);
	memset(exp->mask.dst, 0xff, alen);
	if (sport) {
		exp->tuple.sport = *sport;
		exp->mask.sport = 0xffff;
	}
	exp->tuple.dport = dport;
	exp->mask.dport = 0xffff;
}

/*
 * nf_ct_tuple_mask_cmp(): t equals the expected tuple on the masked
 * source part and exactly on the rest.
 */
static bool expect_tuple_match(const struct ct_tuple *t,
			       const struct ct_tuple *want,
			       const uint8_t *src_mask, uint16_t sport_mask)
{
	size_t i;

	if (t->l3num != want->l3num || t->l4num != want->l4num ||
	    t->dport != want->dport || t->zone != want->zone ||
	    memcmp(t->dst, want->dst, sizeof(t->dst)) != 0)
		return false;
	if ((t->sport ^ want->sport) & sport_mask)
		return false;
	for (i = 0; i < sizeof(t->src); i++)
		if ((t->src[i] ^ want->src[i]) & src_mask[i])
			return false;
	return true;
}

static bool expect_same(const struct ct_expect *a, const struct ct_expect *b)
{
	return ct_tuple_equal(&a->tuple, &b->tuple) &&
	       memcmp(a->mask.src, b->mask.src, sizeof(a->mask.src)) == 0 &&
	       a->mask.sport == b->mask.sport;
}

/* The part both masks keep is equal: both would claim one connection. */
static bool expect_clash(const struct ct_expect *a, const struct ct_expect *b)
{
	uint8_t m[16];
	size_t i;

	for (i = 0; i < sizeof(m); i++)
		m[i] = a->mask.src[i] & b->mask.src[i];
	return expect_tuple_match(&a->tuple, &b->tuple, m,
				  a->mask.sport & b->mask.sport);
}

static void expect_notify(struct ct_expect_table *t,
			  enum ct_exp_ev_type type, const struct ct_expect *exp,
			  ct_time ts, uint64_t frame,
			  enum ct_exp_destroy_cause cause)
{
	struct ct_exp_event ev;

	if (!t->notify)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ts = ts;
	ev.frame = frame;
	ev.exp = exp;
	ev.cause = cause;
	/* an expired timer has nothing left */
	ev.timeout = cause == CT_EXP_DC_EXPIRED
			     ? 0 : ct_expect_remaining(exp, ts, t->hz);
	t->notify(t->ctx, &ev);
}

/* nf_ct_unlink_expect_report(): out of every list, DESTROY, freed. */
static void expect_unlink(struct ct_expect_table *t, struct ct_expect *exp,
			  ct_time ts, uint64_t frame,
			  enum ct_exp_destroy_cause cause)
{
	struct ct_expect **pp;
	struct ct_conn *master = exp->master;

	for (pp = &t->buckets[expect_hash(&exp->tuple)]; *pp;
	     pp = &(*pp)->hnext) {
		if (*pp == exp) {
			*pp = exp->hnext;
			break;
		}
	}
	if (exp->tprev)
		exp->tprev->tnext = exp->tnext;
	else
		t->thead = exp->tnext;
	if (exp->tnext)
		exp->tnext->tprev = exp->tprev;
	else
		t->ttail = exp->tprev;
	for (pp = &master->ext->expectations; *pp; pp = &(*pp)->mnext) {
		if (*pp == exp) {
			*pp = exp->mnext;
			break;
		}
	}
	if (master->ext->expecting > 0)
		master->ext->expecting--;
	t->count--;
	if (t->stats)
		t->stats->expect_delete++;
	expect_notify(t, CT_EXP_EV_DESTROY, exp, ts, frame, cause);
	memset(exp, 0, sizeof(*exp));
	exp->hnext = t->free_list;
	t->free_list = exp;
}

static struct ct_expect *expect_alloc(struct ct_expect_table *t)
{
	struct ct_expect *exp;

	if (!t->free_list) {
		struct expect_chunk *c = malloc(sizeof(*c));
		size_t i;

		if (!c)
			return NULL;
		c->next = t->chunks;
		t->chunks = c;
		for (i = EXPECT_CHUNK; i-- > 0;) {
			c->exps[i].hnext = t->free_list;
			t->free_list = &c->exps[i];
		}
	}
	exp = t->free_list;
	t->free_list = exp->hnext;
	return exp;
}

/* Into the deadline list, from the tail: deadlines mostly grow. */
static void expect_time_insert(struct ct_expect_table *t,
			       struct ct_expect *exp)
{
	struct ct_expect *after = t->ttail;

	while (after && after->expires > exp->expires)
		after = after->tprev;
	exp->tprev = after;
	exp->tnext = after ? after->tnext : t->thead;
	if (exp->tnext)
		exp->tnext->tprev = exp;
	else
		t->ttail = exp;
	if (after)
		after->tnext = exp;
	else
		t->thead = exp;
}

int ct_expect_related(struct ct_expect_table *t, const struct ct_expect *want,
		      uint32_t max_expected, uint32_t timeout, ct_time now,
		      uint64_t frame)
{
	struct ct_conn *master = want->master;
	struct ct_expect *i, *next, *exp;

	/* __nf_ct_expect_check(): only the destination's chain can hold an
	 * identical or overlapping expectation */
	for (i = t->buckets[expect_hash(&want->tuple)]; i; i = next) {
		next = i->hnext;
		if (i->master == master && expect_same(i, want)) {
			if (i->class != want->class)
				return CT_EXPECT_EALREADY;
			/* announced again: the old one makes way */
			expect_unlink(t, i, now, frame, CT_EXP_DC_REPLACED);
			break;
		}
		if (expect_clash(i, want))
			return CT_EXPECT_EBUSY;
	}
	if (!master->ext)
		return CT_EXPECT_ENOMEM;
	if (max_expected && master->ext->expecting >= max_expected) {
		struct ct_expect *last = NULL;

		for (i = master->ext->expectations; i; i = i->mnext)
			if (i->class == want->class)
				last = i;
		if (last)
			expect_unlink(t, last, now, frame, CT_EXP_DC_EVICTED);
		if (master->ext->expecting >= max_expected)
			return CT_EXPECT_EMFILE;
	}
	/* no "0 means unlimited" here: __nf_ct_expect_check() refuses
	 * every expectation when nf_conntrack_expect_max is 0 */
	if (t->count >= t->max)
		return CT_EXPECT_EMFILE;

	exp = expect_alloc(t);
	if (!exp)
		return CT_EXPECT_ENOMEM;
	*exp = *want;
	exp->id = ++t->last_id;
	exp->timeout = timeout;
	exp->created = now;
	exp->expires = now + (ct_time)timeout * CT_NSEC_PER_SEC;
	exp->hnext = NULL;
	exp->mnext = master->ext->expectations;
	master->ext->expectations = exp;
	master->ext->expecting++;
	i = t->buckets[expect_hash(&exp->tuple)];
	exp->hnext = i;
	t->buckets[expect_hash(&exp->tuple)] = exp;
	expect_time_insert(t, exp);
	t->count++;
	if (t->stats)
		t->stats->expect_create++;
	expect_notify(t, CT_EXP_EV_NEW, exp, now, frame, CT_EXP_DC_NONE);
	return CT_EXPECT_OK;
}

struct ct_conn *ct_expect_find(struct ct_expect_table *t,
			       const struct ct_tuple *orig, ct_time now,
			       uint64_t frame, struct ct_expect *found)
{
	struct ct_expect *i;
	struct ct_conn *master;

	if (t->count == 0)
		return NULL;
	for (i = t->buckets[expect_hash(orig)]; i; i = i->hnext) {
		if (!(i->flags & CT_EXPECT_F_INACTIVE) &&
		    expect_tuple_match(orig, &i->tuple, i->mask.src,
				       i->mask.sport))
			break;
	}
	if (!i)
		return NULL;
	master = i->master;
	/* the peer cannot know of it before the master's packet left */
	if (!(master->status & CT_IPS_CONFIRMED) ||
	    (master->status & CT_IPS_DYING))
		return NULL;
	if (found)
		*found = *i;
	if (!(i->flags & CT_EXPECT_F_PERMANENT))
		expect_unlink(t, i, now, frame, CT_EXP_DC_MATCHED);
	return master;
}

void ct_expect_remove_master(struct ct_expect_table *t,
			     struct ct_conn *master, ct_time now,
			     uint64_t frame)
{
	while (master->ext && master->ext->expectations)
		expect_unlink(t, master->ext->expectations, now, frame,
			      CT_EXP_DC_MASTER_GONE);
}

ct_time ct_expect_next_deadline(const struct ct_expect_table *t)
{
	return t->thead ? t->thead->expires : INT64_MAX;
}

bool ct_expect_expire_one(struct ct_expect_table *t, ct_time now)
{
	struct ct_expect *exp = t->thead;

	if (!exp || exp->expires > now)
		return false;
	expect_unlink(t, exp, exp->expires, 0, CT_EXP_DC_EXPIRED);
	return true;
}

size_t ct_expect_count(const struct ct_expect_table *t)
{
	return t->count;
}

const struct ct_expect *ct_expect_first(const struct ct_expect_table *t)
{
	return t->thead;
}

const struct ct_expect *ct_expect_next(const struct ct_expect *exp)
{
	return exp->tnext;
}
