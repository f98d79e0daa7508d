/* \summary: table dumps: /proc/net/nf_conntrack, conntrack -L, conntrack -S */

#include "format.h"
#include "report.h"

/*
 * Expectations ("# expect" and /proc/net/nf_conntrack_expect lines) are
 * not tracked by the engine yet; when they are, they are printed here,
 * after the entries of the snapshot.
 */
static void proc_print_expectations(FILE *out, struct ct_engine *eng)
{
	(void)out;
	(void)eng;
}

void report_proc_snapshot(FILE *out, struct ct_engine *eng, const char *label)
{
	const struct ct_settings *set = ct_engine_settings(eng);
	ct_time now = ct_engine_now(eng);
	const struct ct_conn *const *list;
	struct report_line l;
	size_t i, n;

	fprintf(out, "# snapshot %s\n", label);
	list = ct_engine_list(eng, &n);
	for (i = 0; i < n; i++) {
		report_line_init(&l);
		report_fmt_proc(&l, list[i], now, set->hz);
		report_line_put(&l, out);
	}
	proc_print_expectations(out, eng);
}

/*
 * A ctnetlink dump (ctnetlink_fill_info) carries every attribute the
 * entry has: timeout, state, counters and timestamps when the extensions
 * exist, the mark (even 0), the helper, and the reference count, which
 * without /proc's reader reference is one less than /proc shows.  With no
 * stop time, conntrack-tools takes "now" for delta-time, in whole seconds.
 */
void report_list_attrs(const struct ct_conn *ct, ct_time now, uint32_t hz,
		       struct report_ctnl_attrs *a)
{
	*a = (struct report_ctnl_attrs){ 0 };
	a->has_timeout = true;
	a->timeout = ct_conn_remaining(ct, now, hz);
	a->has_protoinfo = true;
	a->has_counters = ct->acct;
	a->has_mark = true;
	if (ct->tstamp) {
		a->has_delta = true;
		a->delta = (uint64_t)(report_time_sec(now) -
				      report_time_sec(ct->start));
	}
	a->has_helper = ct->helper != NULL;
	a->has_use = true;
	a->use = 1 + ct->use;
}

void report_list(FILE *out, FILE *summary, struct ct_engine *eng,
		 unsigned oflags)
{
	const struct ct_settings *set = ct_engine_settings(eng);
	ct_time now = ct_engine_now(eng);
	const struct ct_conn *const *list;
	struct report_ctnl_attrs a;
	struct report_line l;
	size_t i, n;

	list = ct_engine_list(eng, &n);
	for (i = 0; i < n; i++) {
		report_list_attrs(list[i], now, set->hz, &a);
		report_line_init(&l);
		/* a dump has no message type: no "[NEW]" header */
		report_fmt_ctnl(&l, list[i], &a, oflags);
		report_line_put(&l, out);
	}
	if (summary != NULL) {
		/* conntrack(8) writes this after the entries, on stderr */
		fflush(out);
		fprintf(summary,
			"conntrack v1.4.7 (conntrack-tools): %zu flow entries "
			"have been shown.\n", n);
	}
}

void report_stats(FILE *out, struct ct_engine *eng)
{
	struct report_line l;

	report_line_init(&l);
	report_fmt_stats(&l, ct_engine_stats(eng));
	report_line_put(&l, out);
}
