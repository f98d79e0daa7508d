/* \summary: the reporters a run may choose, as one table */
#include <stdlib.h>
#include <string.h>

#include "reporters.h"

/*
 * One reporter: whether the command line chose it, how to make it, what
 * it listens to and what it writes at the end.  Every hook but wanted
 * may be NULL.
 */
struct report_kind {
	const char *name;              /* its option */
	bool jobs;                     /* works under -j */
	bool selected;                 /* its sink takes the selection */
	bool counters;                 /* shows packet and byte counters */
	bool (*wanted)(const struct report_opts *o);
	/* 0, or -1 when memory runs out */
	int (*create)(const struct report_opts *o, void **r);
	void (*sink)(void *r, struct ct_sink *sink);
	void (*exp_sink)(void *r, struct ct_exp_sink *sink);
	/* an entry still alive at the end (table order, `now` the end) */
	void (*alive)(void *r, const struct ct_conn *ct, ct_time now);
	/* 0, or -1 on a write error */
	int (*finish)(void *r, const struct report_opts *o,
		      struct ct_engine *eng, uint64_t backwards);
	void (*destroy)(void *r);
};

/* -E */
static bool events_wanted(const struct report_opts *o)
{
	return o->events;
}

static int events_create(const struct report_opts *o, void **r)
{
	*r = report_events_create(o->out, o->oflags, o->hz);
	return *r ? 0 : -1;
}

static void events_sink(void *r, struct ct_sink *sink)
{
	report_events_sink(r, sink);
}

static void events_destroy(void *r)
{
	report_events_destroy(r);
}

/* --expect-events */
static bool xevents_wanted(const struct report_opts *o)
{
	return o->expect_events;
}

static int xevents_create(const struct report_opts *o, void **r)
{
	*r = report_expect_events_create(o->out, o->oflags);
	return *r ? 0 : -1;
}

static void xevents_sink(void *r, struct ct_exp_sink *sink)
{
	report_expect_events_sink(r, sink);
}

static void xevents_destroy(void *r)
{
	report_expect_events_destroy(r);
}

/* -L: a table dump, nothing to keep */
static bool list_wanted(const struct report_opts *o)
{
	return o->list;
}

static int list_finish(void *r, const struct report_opts *o,
		       struct ct_engine *eng, uint64_t backwards)
{
	(void)r;
	(void)backwards;
	/* the summary line on standard error, as conntrack(8) prints it */
	report_list_sel(o->out, stderr, eng, o->oflags, o->sel);
	return 0;
}

/* --json */
static bool json_wanted(const struct report_opts *o)
{
	return o->json_path != NULL;
}

static int json_create(const struct report_opts *o, void **r)
{
	*r = report_json_create(o->json, o->hz);
	return *r ? 0 : -1;
}

static void json_sink(void *r, struct ct_sink *sink)
{
	report_json_sink(r, sink);
}

static void json_alive(void *r, const struct ct_conn *ct, ct_time now)
{
	report_json_finish_one(r, ct, now);
}

static void json_destroy(void *r)
{
	report_json_destroy(r);
}

/* --verdicts */
static bool verdicts_wanted(const struct report_opts *o)
{
	return o->verdicts;
}

static int verdicts_create(const struct report_opts *o, void **r)
{
	*r = report_verdicts_create(o->out);
	return *r ? 0 : -1;
}

static void verdicts_sink(void *r, struct ct_sink *sink)
{
	report_verdicts_sink(r, sink);
}

static void verdicts_destroy(void *r)
{
	report_verdicts_destroy(r);
}

/* --explain */
static bool explain_wanted(const struct report_opts *o)
{
	return o->explain_frame != 0;
}

static int explain_create(const struct report_opts *o, void **r)
{
	*r = report_explain_create(o->out, o->explain_frame, o->hz);
	return *r ? 0 : -1;
}

static void explain_sink(void *r, struct ct_sink *sink)
{
	report_explain_sink(r, sink);
}

static int explain_finish(void *r, const struct report_opts *o,
			  struct ct_engine *eng, uint64_t backwards)
{
	(void)o;
	(void)eng;
	(void)backwards;
	report_explain_finish(r);
	return 0;
}

static void explain_destroy(void *r)
{
	report_explain_destroy(r);
}

/* -S: conntrack -S, then the summary for people */
static bool stats_wanted(const struct report_opts *o)
{
	return o->stats;
}

static int stats_create(const struct report_opts *o, void **r)
{
	(void)o;
	*r = report_summary_create();
	return *r ? 0 : -1;
}

static void stats_sink(void *r, struct ct_sink *sink)
{
	report_summary_sink(r, sink);
}

static int stats_finish(void *r, const struct report_opts *o,
			struct ct_engine *eng, uint64_t backwards)
{
	report_stats(o->out, eng);
	report_summary_print(r, o->out, backwards,
			     ct_kernel_info(ct_engine_settings(eng)->kernel)->name);
	return 0;
}

static void stats_destroy(void *r)
{
	report_summary_destroy(r);
}

/* --plot */
static bool plot_wanted(const struct report_opts *o)
{
	return o->plot_path != NULL;
}

static int plot_create(const struct report_opts *o, void **r)
{
	*r = report_plot_create(o->max);
	return *r ? 0 : -1;
}

static void plot_sink(void *r, struct ct_sink *sink)
{
	report_plot_sink(r, sink);
}

static int plot_finish(void *r, const struct report_opts *o,
		       struct ct_engine *eng, uint64_t backwards)
{
	(void)eng;
	(void)backwards;
	return report_plot_write(r, o->plot, o->plot_title);
}

static void plot_destroy(void *r)
{
	report_plot_destroy(r);
}

/*
 * In this order every event reaches them and they write at the end (the
 * output of several on standard output interleaves so).
 */
static const struct report_kind report_kinds[REPORT_NKINDS] = {
	{ .name = "-E", .jobs = true, .selected = true,
	  .wanted = events_wanted, .create = events_create,
	  .sink = events_sink, .destroy = events_destroy },
	{ .name = "--expect-events",
	  .wanted = xevents_wanted, .create = xevents_create,
	  .exp_sink = xevents_sink, .destroy = xevents_destroy },
	{ .name = "-L", .jobs = true,
	  .wanted = list_wanted, .finish = list_finish },
	{ .name = "--json", .jobs = true, .selected = true, .counters = true,
	  .wanted = json_wanted, .create = json_create, .sink = json_sink,
	  .alive = json_alive, .destroy = json_destroy },
	{ .name = "--verdicts", .jobs = true, .selected = true,
	  .wanted = verdicts_wanted, .create = verdicts_create,
	  .sink = verdicts_sink, .destroy = verdicts_destroy },
	{ .name = "--explain",
	  .wanted = explain_wanted, .create = explain_create,
	  .sink = explain_sink, .finish = explain_finish,
	  .destroy = explain_destroy },
	{ .name = "-S",
	  .wanted = stats_wanted, .create = stats_create, .sink = stats_sink,
	  .finish = stats_finish, .destroy = stats_destroy },
	{ .name = "--plot",
	  .wanted = plot_wanted, .create = plot_create, .sink = plot_sink,
	  .finish = plot_finish, .destroy = plot_destroy },
};

bool report_chosen(const struct report_opts *o)
{
	size_t k;

	for (k = 0; k < REPORT_NKINDS; k++)
		if (report_kinds[k].wanted(o))
			return true;
	return false;
}

bool report_jobs_ok(const struct report_opts *o)
{
	size_t k;

	/* -o xml: xml.c keeps one document open per run, for one thread */
	if (o->oflags & REPORT_O_XML)
		return false;
	for (k = 0; k < REPORT_NKINDS; k++)
		if (!report_kinds[k].jobs && report_kinds[k].wanted(o))
			return false;
	return true;
}

bool report_counters(const struct report_opts *o)
{
	size_t k;

	for (k = 0; k < REPORT_NKINDS; k++)
		if (report_kinds[k].counters && report_kinds[k].wanted(o))
			return true;
	return false;
}

static bool kind_in(const struct report_kind *k, enum report_where where)
{
	bool listens = k->sink || k->exp_sink;

	switch (where) {
	case REPORT_WORKER:
		return listens;
	case REPORT_VIEW:
		return !listens;
	case REPORT_ONE:
		break;
	}
	return true;
}

int report_set_init(struct report_set *s, const struct report_opts *o,
		    enum report_where where)
{
	size_t k;

	memset(s, 0, sizeof(*s));
	s->o = *o;
	for (k = 0; k < REPORT_NKINDS; k++) {
		const struct report_kind *kind = &report_kinds[k];

		if (!kind->wanted(o) || !kind_in(kind, where))
			continue;
		if (kind->create && kind->create(&s->o, &s->r[k]) != 0)
			return CT_ERR_NOMEM;
		s->on[k] = true;
	}
	return 0;
}

int report_set_sinks(struct report_set *s,
		     int (*add)(void *ctx, const struct ct_sink *sink,
				bool selected),
		     int (*add_exp)(void *ctx, const struct ct_exp_sink *sink),
		     void *ctx)
{
	size_t k;
	int rc;

	for (k = 0; k < REPORT_NKINDS; k++) {
		struct ct_sink sink = { 0 };

		if (!s->on[k] || !report_kinds[k].sink)
			continue;
		report_kinds[k].sink(s->r[k], &sink);
		rc = add(ctx, &sink, report_kinds[k].selected);
		if (rc != 0)
			return rc;
	}
	for (k = 0; k < REPORT_NKINDS; k++) {
		struct ct_exp_sink sink = { 0 };

		if (!s->on[k] || !report_kinds[k].exp_sink)
			continue;
		if (add_exp == NULL)
			return CT_ERR_NOMEM;
		report_kinds[k].exp_sink(s->r[k], &sink);
		rc = add_exp(ctx, &sink);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Every entry still alive, in the table's (id) order, to reporter k of
 * each set that has it. */
static void kind_alive(struct report_set *const *sets, size_t n, size_t k,
		       struct ct_engine *eng)
{
	const struct ct_conn *const *list;
	ct_time now = ct_engine_now(eng);
	size_t i, nl, m;

	list = ct_engine_list(eng, &nl);
	for (i = 0; i < nl; i++) {
		for (m = 0; m < n; m++) {
			if (!sets[m]->on[k])
				continue;
			report_kinds[k].alive(sets[m]->r[k], list[i], now);
			if (sets[m]->sync)
				sets[m]->sync(sets[m]->sync_ctx);
		}
	}
}

int report_set_end(struct report_set *const *sets, size_t n,
		   struct ct_engine *eng, uint64_t backwards)
{
	size_t k, m;
	int rc = 0;

	for (k = 0; k < REPORT_NKINDS; k++) {
		const struct report_kind *kind = &report_kinds[k];
		bool any = false;

		for (m = 0; m < n; m++)
			any = any || sets[m]->on[k];
		if (!any)
			continue;
		if (kind->alive)
			kind_alive(sets, n, k, eng);
		if (!kind->finish)
			continue;
		for (m = 0; m < n; m++)
			if (sets[m]->on[k] &&
			    kind->finish(sets[m]->r[k], &sets[m]->o, eng,
					 backwards) != 0)
				rc = -1;
	}
	return rc;
}

void report_set_destroy(struct report_set *s)
{
	size_t k;

	for (k = 0; k < REPORT_NKINDS; k++)
		if (s->r[k] && report_kinds[k].destroy)
			report_kinds[k].destroy(s->r[k]);
	memset(s->r, 0, sizeof(s->r));
}
