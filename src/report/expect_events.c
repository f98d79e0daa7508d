/* \summary: expectation reports: conntrack -E expect and /proc/net/nf_conntrack_expect */
#include <inttypes.h>
#include <stdlib.h>

#include "../ct/expect.h"
#include "format.h"
#include "report.h"

struct report_expect_events {
	FILE *out;
	unsigned oflags;
};

/* The master's helper name, as the kernel takes it from nf_conn_help. */
static const char *expect_helper_name(const struct ct_expect *exp)
{
	return exp->master && ct_conn_helper(exp->master)
		? ct_conn_helper(exp->master)->name : NULL;
}

/*
 * exp_seq_show(): remaining seconds, "l3proto = N proto=N ", the tuple as
 * /proc prints it (IPv6 expanded, a wildcard source port as 0), the
 * flags, then the helper name.
 */
static void expect_fmt_proc(struct report_line *l, const struct ct_expect *exp,
			    ct_time now, uint32_t hz)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} flags[] = {
		{ CT_EXPECT_F_PERMANENT, "PERMANENT" },
		{ CT_EXPECT_F_INACTIVE, "INACTIVE" },
		{ CT_EXPECT_F_USERSPACE, "USERSPACE" },
	};
	const char *delim = "", *helper = expect_helper_name(exp);
	size_t i;

	report_line_add(l, "%u ", ct_expect_remaining(exp, now, hz));
	report_line_add(l, "l3proto = %u proto=%u ", exp->tuple.l3num,
			exp->tuple.l4num);
	report_fmt_tuple(l, &exp->tuple,
			 report_l4_kind_by_proto(exp->tuple.l4num), true);
	for (i = 0; i < CT_ARRAY_SIZE(flags); i++) {
		if (exp->flags & flags[i].bit) {
			report_line_add(l, "%s%s", delim, flags[i].name);
			delim = ",";
		}
	}
	if (helper)
		report_line_add(l, "%s%s", exp->flags ? " " : "", helper);
}

void report_proc_expect(FILE *out, struct ct_engine *eng)
{
	const struct ct_settings *set = ct_engine_settings(eng);
	const struct ct_expect *const *list;
	struct report_line l;
	size_t i, n;

	/* one engine's table, or every worker's (-j) */
	list = ct_engine_expect_list(eng, &n);
	for (i = 0; i < n; i++) {
		report_line_init(&l);
		expect_fmt_proc(&l, list[i], ct_engine_now(eng), set->hz);
		report_line_put(&l, out);
	}
}

/*
 * libnetfilter_conntrack's expectation text: timeout, proto, tuple, the
 * mask (its destination always exact), the master's original tuple,
 * flags, class and helper; addresses compressed; last space trimmed.
 */
static void expect_fmt_event(struct report_line *l,
			     const struct ct_exp_event *ev, unsigned oflags)
{
	const struct ct_expect *exp = ev->exp;
	const struct ct_tuple *m = exp->master
		? &exp->master->tuple[CT_DIR_ORIGINAL] : NULL;
	enum report_l4_kind kind = report_l4_kind_by_proto(exp->tuple.l4num);
	const char *helper = expect_helper_name(exp);
	char a[64], b[64];

	if (oflags & REPORT_O_TIMESTAMP) {
		/* conntrack prints these microseconds left-aligned, unpadded
		 * by zeros: "[1795347873.78454 ]" */
		int64_t s = report_time_sec(ev->ts);
		int64_t us = (ev->ts - s * CT_NSEC_PER_SEC) / 1000;

		report_line_add(l, "[%-8" PRId64 ".%-6" PRId64 "]\t", s, us);
	}
	report_line_add(l, "%9s ",
			ev->type == CT_EXP_EV_NEW ? "[NEW]" : "[DESTROY]");
	report_line_add(l, "%u ", ev->timeout);
	report_line_add(l, "proto=%u ", exp->tuple.l4num);
	report_fmt_tuple(l, &exp->tuple, kind, false);
	ct_addr_format(a, sizeof(a), exp->tuple.l3num, exp->mask.src, false);
	ct_addr_format(b, sizeof(b), exp->tuple.l3num, exp->mask.dst, false);
	report_line_add(l, "mask-src=%s mask-dst=%s ", a, b);
	if (kind == REPORT_L4_PORTS)
		report_line_add(l, "sport=%u dport=%u ", exp->mask.sport,
				exp->mask.dport);
	if (m) {
		ct_addr_format(a, sizeof(a), m->l3num, m->src, false);
		ct_addr_format(b, sizeof(b), m->l3num, m->dst, false);
		report_line_add(l, "master-src=%s master-dst=%s ", a, b);
		if (report_l4_kind_by_proto(m->l4num) == REPORT_L4_PORTS)
			report_line_add(l, "sport=%u dport=%u ", m->sport,
					m->dport);
	}
	if (exp->flags & CT_EXPECT_F_PERMANENT)
		report_line_add(l, "PERMANENT ");
	if (exp->flags & CT_EXPECT_F_INACTIVE)
		report_line_add(l, "INACTIVE ");
	if (exp->flags & CT_EXPECT_F_USERSPACE)
		report_line_add(l, "USERSPACE ");
	report_line_add(l, "class=%u ", exp->class);
	if (helper)
		report_line_add(l, "helper=%s ", helper);
	report_line_trim(l);
}

static void expect_events_on_event(void *ctx, const struct ct_exp_event *ev)
{
	struct report_expect_events *r = ctx;
	struct report_line l;

	report_line_init(&l);
	expect_fmt_event(&l, ev, r->oflags);
	report_line_put(&l, r->out);
}

struct report_expect_events *report_expect_events_create(FILE *out,
							 unsigned oflags)
{
	struct report_expect_events *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->out = out;
	r->oflags = oflags;
	return r;
}

void report_expect_events_sink(struct report_expect_events *r,
			       struct ct_exp_sink *sink)
{
	sink->ctx = r;
	sink->event = expect_events_on_event;
}

void report_expect_events_destroy(struct report_expect_events *r)
{
	free(r);
}
