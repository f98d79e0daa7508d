/* \summary: conntrack -E reporter: one line per ctnetlink event message */
#include <stdlib.h>

#include "format.h"
#include "report.h"

/* "[DESTROY] ", the longest header: the others are padded to it. */
#define HEADER_LEN 10

struct report_events {
	FILE *out;
	unsigned oflags;
	uint32_t hz;
};

/*
 * ctnetlink_conntrack_event() of a 6.x kernel decides which attributes a
 * message holds; the engine already resolved the two that depend on the
 * event bits and the kernel version (timeout, protoinfo).  The rest:
 *  - counters and timestamps only in DESTROY, and only when the entry got
 *    the extension at creation;
 *  - the helper name in NEW/UPDATE whenever the entry has a helper, never
 *    in DESTROY;
 *  - the mark only when non-zero or when the message is about it
 *    (kernels since 6.2; older ones always sent it, giving "mark=0");
 *  - never the reference count.
 */
void report_event_attrs(const struct ct_event *ev,
			struct report_ctnl_attrs *a)
{
	const struct ct_conn *ct = ev->ct;
	bool destroy = ev->type == CT_EV_DESTROY;

	*a = (struct report_ctnl_attrs){ 0 };
	a->has_timeout = ev->has_timeout;
	a->timeout = ev->timeout;
	a->has_protoinfo = ev->has_protoinfo;
	a->has_counters = destroy && ct->acct;
	a->has_mark = ct->mark != 0 || (ev->bits & CT_IPCT_MARK);
	/*
	 * libnetfilter_conntrack prints stop - start in whole seconds, each
	 * rounded down on its own; the kernel dates an expired entry's stop
	 * back to its deadline, which is what ev->ts holds.
	 */
	if (destroy && ct->tstamp) {
		a->has_delta = true;
		a->delta = (uint64_t)(report_time_sec(ev->ts) -
				      report_time_sec(ct->start));
	}
	a->has_helper = !destroy && ct_conn_helper(ct) != NULL;
}

void report_fmt_event(struct report_line *l, const struct ct_event *ev,
		      unsigned oflags)
{
	/* the header as conntrack(8)'s "%9s " prints it */
	static const char header[][HEADER_LEN + 1] = {
		[CT_EV_NEW] = "    [NEW] ",
		[CT_EV_UPDATE] = " [UPDATE] ",
		[CT_EV_DESTROY] = "[DESTROY] ",
	};
	struct report_ctnl_attrs a;

	if (oflags & REPORT_O_TIMESTAMP)
		report_line_stamp(l, ev->ts);
	report_line_mem(l, (unsigned)ev->type < CT_ARRAY_SIZE(header)
			   ? header[ev->type] : "[UNKNOWN] ", HEADER_LEN);
	report_event_attrs(ev, &a);
	report_fmt_ctnl(l, ev->ct, &a, oflags);
}

static void events_on_event(void *ctx, const struct ct_event *ev)
{
	struct report_events *r = ctx;
	struct report_line l;

	if (r->oflags & REPORT_O_XML) {
		struct report_ctnl_attrs a;

		report_event_attrs(ev, &a);
		report_xml_flow(r->out, ev->ct, &a, ev, ev->ts, r->oflags);
		return;
	}
	report_line_init(&l);
	report_fmt_event(&l, ev, r->oflags);
	report_line_put(&l, r->out);
}

struct report_events *report_events_create(FILE *out, unsigned oflags,
					   uint32_t hz)
{
	struct report_events *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->out = out;
	r->oflags = oflags;
	r->hz = hz;
	return r;
}

void report_events_sink(struct report_events *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = events_on_event;
	sink->verdict = NULL;
}

void report_events_destroy(struct report_events *r)
{
	free(r);
}
