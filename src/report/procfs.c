/* \summary: table dumps: /proc/net/nf_conntrack, conntrack -L, conntrack -S */

#include <inttypes.h>

#include "../ct/l4proto.h"
#include "format.h"
#include "report.h"
#include "select.h"

/*
 * The lab read /proc/net/nf_conntrack_expect right after the table, under
 * a "# expect" line written even when the file was empty; so do we.
 */
static void proc_print_expectations(FILE *out, struct ct_engine *eng)
{
	fputs("# expect\n", out);
	report_proc_expect(out, eng);
}

void report_proc_snapshot(FILE *out, struct ct_engine *eng, const char *label)
{
	report_proc_snapshot_sel(out, eng, label, NULL,
				 REPORT_PROC_NF_CONNTRACK);
}

/*
 * The 2.6 kernels' /proc/net/ip_conntrack (ip_conntrack_standalone.c, and
 * later the nf_conntrack_ipv4 compat file): the nf_conntrack line without
 * the l3 columns, the zone and the timestamp; IPv4 entries only; use=1,
 * as the old reader printed the count without a reference of its own.
 */
static void proc_fmt_ip_conntrack(struct report_line *l,
				  const struct ct_conn *ct, ct_time now,
				  uint32_t hz)
{
	const struct ct_tuple *orig = &ct->tuple[CT_DIR_ORIGINAL];
	enum report_l4_kind kind = report_l4_kind_by_tracker(ct);
	const char *state = report_state_name(ct);

	report_line_add(l, "%-8s %u %u ", ct->l4 ? ct->l4->name : "unknown",
			orig->l4num, ct_conn_remaining(ct, now, hz));
	if (state != NULL)
		report_line_add(l, "%s ", state);
	report_fmt_tuple(l, orig, kind, true);
	if (ct->acct && ct->counted)
		report_line_add(l, "packets=%" PRIu64 " bytes=%" PRIu64 " ",
				ct->packets[CT_DIR_ORIGINAL],
				ct->bytes[CT_DIR_ORIGINAL]);
	if (!(ct->status & CT_IPS_SEEN_REPLY))
		report_line_add(l, "[UNREPLIED] ");
	report_fmt_tuple(l, &ct->tuple[CT_DIR_REPLY], kind, true);
	if (ct->acct && ct->counted)
		report_line_add(l, "packets=%" PRIu64 " bytes=%" PRIu64 " ",
				ct->packets[CT_DIR_REPLY],
				ct->bytes[CT_DIR_REPLY]);
	if (ct->status & CT_IPS_ASSURED)
		report_line_add(l, "[ASSURED] ");
	report_line_add(l, "mark=%u use=1", ct->mark);
}

void report_proc_snapshot_sel(FILE *out, struct ct_engine *eng,
			      const char *label,
			      const struct report_select *sel,
			      enum report_proc_format fmt)
{
	const struct ct_settings *set = ct_engine_settings(eng);
	ct_time now = ct_engine_now(eng);
	const struct ct_conn *const *list;
	struct report_line l;
	size_t i, n;

	fprintf(out, "# snapshot %s\n", label);
	list = ct_engine_list(eng, &n);
	for (i = 0; i < n; i++) {
		if (!report_select_conn(sel, list[i]))
			continue;
		report_line_init(&l);
		if (fmt == REPORT_PROC_IP_CONNTRACK) {
			if (list[i]->tuple[CT_DIR_ORIGINAL].l3num != CT_L3_IPV4)
				continue;
			proc_fmt_ip_conntrack(&l, list[i], now, set->hz);
		} else {
			report_fmt_proc(&l, list[i], now, set->hz);
		}
		report_line_put(&l, out);
	}
	if (fmt != REPORT_PROC_IP_CONNTRACK)
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
	a->has_helper = ct_conn_helper(ct) != NULL;
	a->has_use = true;
	a->use = 1 + ct_conn_use(ct);
}

void report_list(FILE *out, FILE *summary, struct ct_engine *eng,
		 unsigned oflags)
{
	report_list_sel(out, summary, eng, oflags, NULL);
}

void report_list_sel(FILE *out, FILE *summary, struct ct_engine *eng,
		     unsigned oflags, const struct report_select *sel)
{
	const struct ct_settings *set = ct_engine_settings(eng);
	ct_time now = ct_engine_now(eng);
	const struct ct_conn *const *list;
	struct report_ctnl_attrs a;
	struct report_line l;
	size_t i, n, shown = 0;

	list = ct_engine_list(eng, &n);
	for (i = 0; i < n; i++) {
		if (!report_select_conn(sel, list[i]))
			continue;
		shown++;
		report_list_attrs(list[i], now, set->hz, &a);
		if (oflags & REPORT_O_XML) {
			report_xml_flow(out, list[i], &a, NULL, now, oflags);
			continue;
		}
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
			"have been shown.\n", shown);
	}
}

void report_stats(FILE *out, struct ct_engine *eng)
{
	struct report_line l;

	report_line_init(&l);
	report_fmt_stats_kernel(&l, ct_engine_stats(eng),
		ct_kernel_info(ct_engine_settings(eng)->kernel)->stats_chaintoolong);
	report_line_put(&l, out);
}
