/* \summary: -S human summary: frames by verdict, INVALID reasons, entry churn */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "report.h"

#define SUMMARY_REASON_MAX 160
/* Distinct reasons kept.  Some carry per-connection numbers (window
 * bounds, SCTP tags), so a hostile capture could otherwise make the list,
 * and the linear search in it, grow with every packet. */
#define SUMMARY_REASONS_MAX 256

/* One distinct INVALID reason and how often it was given. */
struct summary_reason {
	char text[SUMMARY_REASON_MAX];
	uint64_t count;
};

struct report_summary {
	uint64_t frames;
	uint64_t by_state[CT_STATE_DROP + 1];
	struct summary_reason *reasons;
	size_t nreasons, cap;
	size_t last;           /* index of the last reason hit: runs repeat */
	uint64_t other;        /* frames whose reason did not fit the list */
	uint64_t created;
	uint64_t nat_src, nat_dst, nat_inferred;
	uint64_t destroyed[CT_DC_EARLY_DROP + 1];
	uint64_t live, peak;
	ct_time peak_ts;
	uint64_t peak_frame;
	bool alloc_failed;
};

struct report_summary *report_summary_create(void)
{
	return calloc(1, sizeof(struct report_summary));
}

void report_summary_destroy(struct report_summary *r)
{
	if (r == NULL)
		return;
	free(r->reasons);
	free(r);
}

/*
 * Reasons may be built per packet (the tracker's buffer), so they are
 * copied; there are only a few distinct ones, so a linear search does.
 */
static void summary_count_reason(struct report_summary *r, const char *text)
{
	struct summary_reason *n;
	size_t i;

	if (r->last < r->nreasons &&
	    strncmp(r->reasons[r->last].text, text, SUMMARY_REASON_MAX - 1) == 0) {
		r->reasons[r->last].count++;
		return;
	}
	for (i = 0; i < r->nreasons; i++) {
		if (strncmp(r->reasons[i].text, text,
			    SUMMARY_REASON_MAX - 1) == 0) {
			r->reasons[i].count++;
			r->last = i;
			return;
		}
	}
	if (r->nreasons == SUMMARY_REASONS_MAX) {
		r->other++;
		return;
	}
	if (r->nreasons == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		n = realloc(r->reasons, cap * sizeof(*n));
		if (n == NULL) {
			r->alloc_failed = true;
			return;
		}
		r->reasons = n;
		r->cap = cap;
	}
	n = &r->reasons[r->nreasons];
	snprintf(n->text, sizeof(n->text), "%s", text);
	n->count = 1;
	r->last = r->nreasons++;
}

static void summary_on_event(void *ctx, const struct ct_event *ev)
{
	struct report_summary *r = ctx;

	if (ev->type == CT_EV_NEW) {
		r->created++;
		if (ev->ct->status & CT_IPS_SRC_NAT)
			r->nat_src++;
		if (ev->ct->status & CT_IPS_DST_NAT)
			r->nat_dst++;
		r->live++;
		if (r->live > r->peak) {
			r->peak = r->live;
			r->peak_ts = ev->ts;
			r->peak_frame = ev->frame;
		}
	} else if (ev->type == CT_EV_DESTROY) {
		if ((unsigned)ev->cause < CT_ARRAY_SIZE(r->destroyed))
			r->destroyed[ev->cause]++;
		if (r->live > 0)
			r->live--;
	}
}

static void summary_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct report_summary *r = ctx;

	r->frames++;
	if (v->nat_inferred)
		r->nat_inferred++;
	if ((unsigned)v->state < CT_ARRAY_SIZE(r->by_state))
		r->by_state[v->state]++;
	if (v->state == CT_STATE_INVALID)
		summary_count_reason(r, v->reason && v->reason[0]
						? v->reason : "invalid");
}

void report_summary_sink(struct report_summary *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = summary_on_event;
	sink->verdict = summary_on_verdict;
}

/* Most frequent first, then by text: a fixed order for fixed input. */
static int summary_reason_cmp(const void *a, const void *b)
{
	const struct summary_reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->text, y->text);
}

void report_summary_print(struct report_summary *r, FILE *out,
			  uint64_t backwards, const char *kernel)
{
	static const enum ct_ctstate order[] = {
		CT_STATE_NEW, CT_STATE_ESTABLISHED, CT_STATE_RELATED,
		CT_STATE_INVALID, CT_STATE_UNTRACKED, CT_STATE_DROP,
	};
	uint64_t tracked = r->frames - r->by_state[CT_STATE_NONE];
	uint64_t destroyed = 0;
	char when[REPORT_TIME_MAX];
	const char *sep = "";
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(r->destroyed); i++)
		destroyed += r->destroyed[i];
	fputs("# summary\n", out);
	fprintf(out, "# kernel profile: %s\n", kernel);
	fprintf(out, "# frames read: %" PRIu64 "\n", r->frames);
	fprintf(out, "# frames tracked: %" PRIu64, tracked);
	if (tracked) {
		fputs(" (", out);
		for (i = 0; i < CT_ARRAY_SIZE(order); i++) {
			if (r->by_state[order[i]] == 0)
				continue;
			fprintf(out, "%s%s %" PRIu64, sep,
				ct_ctstate_name(order[i]),
				r->by_state[order[i]]);
			sep = ", ";
		}
		fputc(')', out);
	}
	fputc('\n', out);
	fprintf(out, "# frames not seen by conntrack: %" PRIu64 "\n",
		r->by_state[CT_STATE_NONE]);
	fprintf(out, "# INVALID frames: %" PRIu64 "\n",
		r->by_state[CT_STATE_INVALID]);
	if (r->nreasons > 1)     /* qsort(NULL, 0) is undefined */
		qsort(r->reasons, r->nreasons, sizeof(*r->reasons),
		      summary_reason_cmp);
	r->last = r->nreasons;
	for (i = 0; i < r->nreasons; i++)
		fprintf(out, "#   %" PRIu64 " %s\n", r->reasons[i].count,
			r->reasons[i].text);
	if (r->other)
		fprintf(out, "#   %" PRIu64 " with other reasons (only %d distinct ones are listed)\n",
			r->other, SUMMARY_REASONS_MAX);
	if (r->alloc_failed)
		fputs("#   (some reasons not counted: out of memory)\n", out);
	fprintf(out, "# entries created: %" PRIu64 "\n", r->created);
	fprintf(out, "# entries destroyed: %" PRIu64 " (expired %" PRIu64
		", killed %" PRIu64 ", reopened %" PRIu64
		", early drop %" PRIu64, destroyed,
		r->destroyed[CT_DC_EXPIRED], r->destroyed[CT_DC_KILLED],
		r->destroyed[CT_DC_REOPENED], r->destroyed[CT_DC_EARLY_DROP]);
	if (r->destroyed[CT_DC_NONE])
		fprintf(out, ", other %" PRIu64, r->destroyed[CT_DC_NONE]);
	fputs(")\n", out);
	if (r->nat_src || r->nat_dst || r->nat_inferred)
		fprintf(out, "# entries translated: source %" PRIu64
			", destination %" PRIu64 " (ports ctreplay had to "
			"choose: %" PRIu64 ")\n", r->nat_src, r->nat_dst,
			r->nat_inferred);
	fprintf(out, "# entries alive at the end: %" PRIu64 "\n", r->live);
	if (r->peak) {
		report_time_ns(when, sizeof(when), r->peak_ts);
		fprintf(out, "# peak table size: %" PRIu64 " at %s (frame %"
			PRIu64 ")\n", r->peak, when, r->peak_frame);
	} else {
		fputs("# peak table size: 0\n", out);
	}
	fprintf(out, "# backwards timestamps: %" PRIu64 "\n", backwards);
}
