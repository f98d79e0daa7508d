/* \summary: what reporters read of an engine, or of the union of -j's engines */
#include <stdlib.h>

#include "engine_int.h"

void ct_engine_set_peers(struct ct_engine *view,
			 struct ct_engine *const *peers, size_t n)
{
	view->peers = peers;
	view->npeers = n;
}

ct_time ct_engine_now(const struct ct_engine *eng)
{
	return eng->npeers ? eng->peers[0]->now : eng->now;
}

size_t ct_engine_count(const struct ct_engine *eng)
{
	size_t i, n = eng->count;

	for (i = 0; i < eng->npeers; i++)
		n += eng->peers[i]->count;
	return n;
}

static int conn_cmp_id(const void *a, const void *b)
{
	const struct ct_conn *x = *(const struct ct_conn *const *)a;
	const struct ct_conn *y = *(const struct ct_conn *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* A view's list: every peer's, merged by id (each is sorted). */
static const struct ct_conn *const *view_list_peers(struct ct_engine *eng,
						    size_t *n)
{
	size_t total = 0, i, k, *pos;
	const struct ct_conn *const **lists;
	size_t *lens;

	lists = calloc(eng->npeers, sizeof(*lists));
	lens = calloc(eng->npeers, sizeof(*lens));
	pos = calloc(eng->npeers, sizeof(*pos));
	*n = 0;
	if (!lists || !lens || !pos)
		goto out;
	for (i = 0; i < eng->npeers; i++) {
		lists[i] = ct_engine_list(eng->peers[i], &lens[i]);
		total += lens[i];
	}
	if (total > eng->list_cap) {
		const struct ct_conn **l = realloc(eng->list,
						   total * sizeof(*l));

		if (!l)
			goto out;
		eng->list = l;
		eng->list_cap = total;
	}
	for (k = 0; k < total; k++) {
		size_t best = eng->npeers;

		for (i = 0; i < eng->npeers; i++)
			if (pos[i] < lens[i] &&
			    (best == eng->npeers ||
			     lists[i][pos[i]]->id < lists[best][pos[best]]->id))
				best = i;
		eng->list[k] = lists[best][pos[best]++];
	}
	*n = total;
out:
	free(lists);
	free(lens);
	free(pos);
	return eng->list;
}

/* Every confirmed, live entry of this engine, sorted by id. */
static const struct ct_conn *const *view_list_own(struct ct_engine *eng,
						  size_t *n)
{
	size_t i, k = 0;

	if (eng->count > eng->list_cap) {
		const struct ct_conn **l = realloc(eng->list,
						   eng->count * sizeof(*l));

		if (!l) {
			*n = 0;
			return NULL;
		}
		eng->list = l;
		eng->list_cap = eng->count;
	}
	for (i = 0; i < ct_pool_slots(&eng->pool) && k < eng->count; i++) {
		const struct ct_conn *ct = ct_pool_at(&eng->pool, (uint32_t)i);

		if ((ct->status & CT_IPS_CONFIRMED) &&
		    !(ct->status & CT_IPS_DYING))
			eng->list[k++] = ct;
	}
	*n = k;
	if (k > 1)
		qsort(eng->list, k, sizeof(*eng->list), conn_cmp_id);
	return eng->list;
}

const struct ct_conn *const *ct_engine_list(struct ct_engine *eng, size_t *n)
{
	if (eng->npeers)
		return view_list_peers(eng, n);
	return view_list_own(eng, n);
}

/* Deadline, then creation time: the order of one engine's list. */
static int exp_cmp_deadline(const void *a, const void *b)
{
	const struct ct_expect *x = *(const struct ct_expect *const *)a;
	const struct ct_expect *y = *(const struct ct_expect *const *)b;

	if (x->expires != y->expires)
		return x->expires < y->expires ? -1 : 1;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return 0;
}

/* Append src's expectations to dst->xlist from *n. */
static bool view_xlist_add(struct ct_engine *dst, const struct ct_engine *src,
			   size_t *n)
{
	const struct ct_expect *e;

	for (e = ct_expect_first(src->expects); e; e = ct_expect_next(e)) {
		if (*n == dst->xlist_cap) {
			size_t cap = dst->xlist_cap ? 2 * dst->xlist_cap : 16;
			const struct ct_expect **l = realloc(
				dst->xlist, cap * sizeof(*l));

			if (!l)
				return false;
			dst->xlist = l;
			dst->xlist_cap = cap;
		}
		dst->xlist[(*n)++] = e;
	}
	return true;
}

const struct ct_expect *const *ct_engine_expect_list(struct ct_engine *eng,
						    size_t *n)
{
	size_t i, k = 0, start;
	bool ok = view_xlist_add(eng, eng, &k);

	for (i = 0; ok && i < eng->npeers; i++) {
		start = k;
		ok = view_xlist_add(eng, eng->peers[i], &k);
		/* a stable merge: insertion of each peer's sorted run */
		for (; ok && start < k && start > 0; start++) {
			size_t j = start;
			const struct ct_expect *e = eng->xlist[j];

			while (j > 0 && exp_cmp_deadline(&eng->xlist[j - 1],
							 &e) > 0) {
				eng->xlist[j] = eng->xlist[j - 1];
				j--;
			}
			eng->xlist[j] = e;
		}
	}
	*n = ok ? k : 0;
	return eng->xlist;
}

const struct ct_expect_table *ct_engine_expectations(
	const struct ct_engine *eng)
{
	return eng->expects;
}

const struct ct_settings *ct_engine_settings(const struct ct_engine *eng)
{
	return &eng->set;
}

const struct ct_stats *ct_engine_stats(const struct ct_engine *eng)
{
	return &eng->stats;
}

const char *ct_ctstate_name(enum ct_ctstate s)
{
	switch (s) {
	case CT_STATE_NONE:
		return "-";
	case CT_STATE_NEW:
		return "NEW";
	case CT_STATE_ESTABLISHED:
		return "ESTABLISHED";
	case CT_STATE_RELATED:
		return "RELATED";
	case CT_STATE_INVALID:
		return "INVALID";
	case CT_STATE_UNTRACKED:
		return "UNTRACKED";
	case CT_STATE_DROP:
		return "DROP";
	}
	return "?";
}
