/* \summary: --plot: the conntrack table over capture time, drawn as SVG */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../ct/l4proto.h"
#include "format.h"
#include "report.h"

/*
 * What is plotted per bucket of capture time: the number of entries of
 * each category at the end of the bucket, and the INVALID frames in it.
 * Categories: the nine real TCP states, then udp, icmp, other.
 */
#define PLOT_NCAT 12
#define PLOT_CAT_UDP 9
#define PLOT_CAT_ICMP 10
#define PLOT_CAT_OTHER 11
#define PLOT_CAT_NONE 0xff

/* The first bucket width; it doubles until the capture fits. */
#define PLOT_WIDTH0 (CT_NSEC_PER_SEC / 1000)

static const char *const plot_cat_names[PLOT_NCAT] = {
	"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2", "udp", "icmp", "other",
};

static const char *const plot_cat_colors[PLOT_NCAT] = {
	"#f2c14e", "#f78154", "#4d9078", "#5b8fd9", "#9b6fd1",
	"#d16fb5", "#b5b5b5", "#6b6b6b", "#e5e059", "#50a9c9",
	"#c97b50", "#8c7e5a",
};

struct plot_bucket {
	uint32_t cnt[PLOT_NCAT];
	uint32_t invalid;
};

struct report_plot {
	uint32_t max;          /* nf_conntrack_max, 0: none */
	bool started;
	ct_time t0;            /* first frame */
	ct_time width;         /* bucket width, ns */
	ct_time last_ts;
	long last;             /* last bucket written, -1: none */
	uint32_t cur[PLOT_NCAT];
	uint64_t invalid_total;
	uint32_t peak;
	struct plot_bucket b[REPORT_PLOT_BUCKETS];
	/* category each live entry is counted in, by id (grows with the
	 * number of entries, never per packet) */
	uint8_t *cat;
	uint64_t ncat;
};

struct report_plot *report_plot_create(uint32_t max)
{
	struct report_plot *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->max = max;
	r->width = PLOT_WIDTH0;
	r->last = -1;
	return r;
}

void report_plot_destroy(struct report_plot *r)
{
	if (r == NULL)
		return;
	free(r->cat);
	free(r);
}

static unsigned plot_category(const struct ct_conn *ct)
{
	if (ct->l4 == &ct_l4proto_tcp) {
		unsigned st = ct->proto.tcp.state;

		if (st >= CT_TCP_SYN_SENT && st <= CT_TCP_SYN_SENT2)
			return st - CT_TCP_SYN_SENT;
		return PLOT_CAT_OTHER;
	}
	if (ct->l4 == &ct_l4proto_udp)
		return PLOT_CAT_UDP;
	if (ct->l4 == &ct_l4proto_icmp || ct->l4 == &ct_l4proto_icmpv6)
		return PLOT_CAT_ICMP;
	return PLOT_CAT_OTHER;
}

/* Halve the resolution: pairs of buckets become one. */
static void plot_merge(struct report_plot *r)
{
	long i, n = (r->last + 2) / 2;

	for (i = 0; i < n; i++) {
		struct plot_bucket *a = &r->b[2 * i];
		long j = 2 * i + 1;
		uint32_t inv = a->invalid;

		if (j <= r->last) {
			inv += r->b[j].invalid;
			memcpy(r->b[i].cnt, r->b[j].cnt, sizeof(r->b[i].cnt));
		} else {
			memmove(r->b[i].cnt, a->cnt, sizeof(r->b[i].cnt));
		}
		r->b[i].invalid = inv;
	}
	r->last = n - 1;
	r->width *= 2;
}

/* Make the bucket of time t current; returns it. */
static struct plot_bucket *plot_at(struct report_plot *r, ct_time t)
{
	long idx;

	if (!r->started) {
		r->started = true;
		r->t0 = t;
	}
	if (t < r->t0)
		t = r->t0;
	if (t > r->last_ts)
		r->last_ts = t;
	while ((t - r->t0) / r->width >= REPORT_PLOT_BUCKETS)
		plot_merge(r);
	idx = (long)((t - r->t0) / r->width);
	while (r->last < idx) {
		r->last++;
		memcpy(r->b[r->last].cnt, r->cur, sizeof(r->cur));
		r->b[r->last].invalid = 0;
	}
	return &r->b[idx];
}

static bool plot_cat_room(struct report_plot *r, uint64_t id)
{
	uint64_t n;
	uint8_t *p;

	if (id < r->ncat)
		return true;
	n = r->ncat ? r->ncat : 1024;
	while (n <= id)
		n *= 2;
	p = realloc(r->cat, n);
	if (p == NULL)
		return false;
	memset(p + r->ncat, PLOT_CAT_NONE, n - r->ncat);
	r->cat = p;
	r->ncat = n;
	return true;
}

static void plot_on_event(void *ctx, const struct ct_event *ev)
{
	struct report_plot *r = ctx;
	struct plot_bucket *b = plot_at(r, ev->ts);
	unsigned now = plot_category(ev->ct), was;
	uint32_t total = 0;
	unsigned i;

	if (!plot_cat_room(r, ev->ct->id))
		return;
	was = r->cat[ev->ct->id];
	if (was != PLOT_CAT_NONE && r->cur[was] > 0)
		r->cur[was]--;
	if (ev->type == CT_EV_DESTROY) {
		r->cat[ev->ct->id] = PLOT_CAT_NONE;
	} else {
		r->cat[ev->ct->id] = (uint8_t)now;
		r->cur[now]++;
	}
	memcpy(b->cnt, r->cur, sizeof(r->cur));
	for (i = 0; i < PLOT_NCAT; i++)
		total += r->cur[i];
	if (total > r->peak)
		r->peak = total;
}

static void plot_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct report_plot *r = ctx;
	struct plot_bucket *b = plot_at(r, v->ts);

	if (v->state == CT_STATE_INVALID) {
		b->invalid++;
		r->invalid_total++;
	}
}

void report_plot_sink(struct report_plot *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = plot_on_event;
	sink->verdict = plot_on_verdict;
}

/* ------------------------------------------------------------------ */
/* drawing */

#define SVG_W 1000
#define SVG_H 600
#define PL_X 80.0              /* plot area left */
#define PL_W 720.0             /* plot area width */
#define TOP_Y 60.0             /* entries panel */
#define TOP_H 320.0
#define BOT_Y 420.0            /* INVALID panel */
#define BOT_H 110.0

/* A round step (1, 2 or 5 times a power of ten) giving at most n ticks. */
static uint64_t plot_nice_step(uint64_t span, unsigned n)
{
	uint64_t p = 1;

	for (;;) {
		if (span <= p * n)
			return p;
		if (span <= 2 * p * n)
			return 2 * p;
		if (span <= 5 * p * n)
			return 5 * p;
		p *= 10;
	}
}

static void plot_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

static double plot_x(const struct report_plot *r, ct_time t, ct_time span)
{
	return PL_X + PL_W * (double)(t - r->t0) / (double)span;
}

/*
 * One edge of a stacked area as steps, emitting points only where the
 * value changes: forward from the left, or backward from the right.
 */
static void plot_edge(FILE *out, const uint32_t *v, long n, double x0,
		      double dx, double y0, double yscale, bool forward)
{
	long i;

#define PY(val) (y0 - yscale * (double)(val))
	if (forward) {
		fprintf(out, "M%.1f,%.1f", x0, PY(v[0]));
		for (i = 1; i < n; i++)
			if (v[i] != v[i - 1])
				fprintf(out, " L%.1f,%.1f L%.1f,%.1f",
					x0 + dx * (double)i, PY(v[i - 1]),
					x0 + dx * (double)i, PY(v[i]));
		fprintf(out, " L%.1f,%.1f", x0 + dx * (double)n, PY(v[n - 1]));
	} else {
		fprintf(out, " L%.1f,%.1f", x0 + dx * (double)n, PY(v[n - 1]));
		for (i = n - 1; i > 0; i--)
			if (v[i] != v[i - 1])
				fprintf(out, " L%.1f,%.1f L%.1f,%.1f",
					x0 + dx * (double)i, PY(v[i]),
					x0 + dx * (double)i, PY(v[i - 1]));
		fprintf(out, " L%.1f,%.1f Z", x0, PY(v[0]));
	}
#undef PY
}

/* Time steps for the axis, in ns, from a millisecond to a week. */
static const int64_t plot_time_steps[] = {
	1000000LL, 2000000LL, 5000000LL, 10000000LL, 20000000LL, 50000000LL,
	100000000LL, 200000000LL, 500000000LL,
	1LL * CT_NSEC_PER_SEC, 2LL * CT_NSEC_PER_SEC, 5LL * CT_NSEC_PER_SEC,
	10LL * CT_NSEC_PER_SEC, 15LL * CT_NSEC_PER_SEC, 30LL * CT_NSEC_PER_SEC,
	60LL * CT_NSEC_PER_SEC, 120LL * CT_NSEC_PER_SEC,
	300LL * CT_NSEC_PER_SEC, 600LL * CT_NSEC_PER_SEC,
	900LL * CT_NSEC_PER_SEC, 1800LL * CT_NSEC_PER_SEC,
	3600LL * CT_NSEC_PER_SEC, 7200LL * CT_NSEC_PER_SEC,
	10800LL * CT_NSEC_PER_SEC, 21600LL * CT_NSEC_PER_SEC,
	43200LL * CT_NSEC_PER_SEC, 86400LL * CT_NSEC_PER_SEC,
	172800LL * CT_NSEC_PER_SEC, 604800LL * CT_NSEC_PER_SEC,
};

static void plot_time_label(char *buf, size_t len, ct_time t, int64_t step)
{
	int64_t s = report_time_sec(t);
	struct report_utc u;

	report_utc_split(s, &u);
	if (step >= 86400LL * CT_NSEC_PER_SEC)
		snprintf(buf, len, "%04d-%02d-%02d", u.year, u.month, u.day);
	else if (step < CT_NSEC_PER_SEC)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", u.hour, u.min, u.sec,
			 (int)((t - s * CT_NSEC_PER_SEC) / 1000000));
	else
		snprintf(buf, len, "%02d:%02d:%02d", u.hour, u.min, u.sec);
}

static void plot_time_axis(FILE *out, const struct report_plot *r,
			   ct_time span)
{
	int64_t step = plot_time_steps[CT_ARRAY_SIZE(plot_time_steps) - 1];
	ct_time t;
	size_t i;
	char label[48];
	struct report_utc u;

	for (i = 0; i < CT_ARRAY_SIZE(plot_time_steps); i++) {
		if (span / plot_time_steps[i] <= 8) {
			step = plot_time_steps[i];
			break;
		}
	}
	t = r->t0 / step * step;
	if (t < r->t0)
		t += step;
	for (; t <= r->t0 + span; t += step) {
		double x = plot_x(r, t, span);

		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>\n", x, TOP_Y, x,
			TOP_Y + TOP_H);
		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>\n", x, BOT_Y, x,
			BOT_Y + BOT_H);
		plot_time_label(label, sizeof(label), t, step);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\">%s</text>\n", x,
			BOT_Y + BOT_H + 16, label);
	}
	report_utc_split(report_time_sec(r->t0), &u);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
		"capture time (UTC), from %04d-%02d-%02d %02d:%02d:%02d</text>\n",
		PL_X + PL_W / 2, BOT_Y + BOT_H + 36, u.year, u.month, u.day,
		u.hour, u.min, u.sec);
}

/* Horizontal grid and labels for a value axis from 0 to top. */
static void plot_value_axis(FILE *out, uint64_t top, uint64_t step,
			    double y0, double h, const char *unit)
{
	uint64_t v;

	for (v = 0; v <= top; v += step) {
		double y = y0 + h - h * (double)v / (double)top;

		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>\n", PL_X, y, PL_X + PL_W, y);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
			"%" PRIu64 "%s</text>\n", PL_X - 6, y + 4, v, unit);
	}
}

static void plot_legend_item(FILE *out, int row, const char *color,
			     const char *name, bool line)
{
	double y = TOP_Y + 18.0 * row;

	if (line)
		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
			"stroke-dasharray=\"6,3\"/>\n", PL_X + PL_W + 20,
			y + 6, PL_X + PL_W + 32, y + 6, color);
	else
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" "
			"height=\"12\" fill=\"%s\"/>\n", PL_X + PL_W + 20, y,
			color);
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n",
		PL_X + PL_W + 38, y + 10, name);
}

int report_plot_write(struct report_plot *r, FILE *out, const char *title)
{
	long n = r->last + 1, i, group;
	ct_time span;
	uint32_t *lower = NULL, *upper = NULL, inv_max = 0;
	uint64_t ytop, ystep, itop, istep, inv_rate_max;
	bool used[PLOT_NCAT] = { false }, show_max = false;
	double dx, yscale;
	unsigned c;
	int row = 0;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		"font-size=\"11\">\n", SVG_W, SVG_H, SVG_W, SVG_H);
	fputs("<title>", out);
	plot_escape(out, title);
	fputs("</title>\n<style>.grid{stroke:#dddddd;stroke-width:1}"
	      ".axis{stroke:#333333;stroke-width:1}</style>\n"
	      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
	fprintf(out, "<text x=\"%.1f\" y=\"24\" font-size=\"15\" "
		"font-weight=\"bold\">", PL_X);
	plot_escape(out, title);
	fputs("</text>\n", out);
	if (n <= 0) {
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">no frames</text>\n"
			"</svg>\n", PL_X, TOP_Y + 20);
		return ferror(out) ? -1 : 0;
	}

	span = r->width * n;
	dx = PL_W / (double)n;
	for (i = 0; i < n; i++) {
		uint32_t tot = 0;

		for (c = 0; c < PLOT_NCAT; c++) {
			tot += r->b[i].cnt[c];
			if (r->b[i].cnt[c])
				used[c] = true;
		}
		if (tot > r->peak)
			r->peak = tot;
		if (r->b[i].invalid > inv_max)
			inv_max = r->b[i].invalid;
	}
	ytop = r->peak ? r->peak : 1;
	/* the limit is drawn when it is near what the table reached */
	if (r->max != 0 && (uint64_t)r->max <= 2 * ytop) {
		show_max = true;
		if (r->max > ytop)
			ytop = r->max;
	}
	ystep = plot_nice_step(ytop, 6);
	ytop = (ytop + ystep - 1) / ystep * ystep;
	yscale = TOP_H / (double)ytop;

	fprintf(out, "<text x=\"%.1f\" y=\"44\">peak %" PRIu32 " entries, "
		"%" PRIu64 " INVALID frames; one sample per %" PRId64
		".%03d s</text>\n", PL_X, r->peak, r->invalid_total,
		(int64_t)(r->width / CT_NSEC_PER_SEC),
		(int)(r->width % CT_NSEC_PER_SEC / 1000000));
	plot_value_axis(out, ytop, ystep, TOP_Y, TOP_H, "");
	fprintf(out, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
		"text-anchor=\"middle\">entries</text>\n", PL_X - 55,
		TOP_Y + TOP_H / 2);

	plot_time_axis(out, r, span);   /* grid first: areas paint over it */
	lower = calloc((size_t)n, sizeof(*lower));
	upper = calloc((size_t)n, sizeof(*upper));
	if (lower == NULL || upper == NULL) {
		free(lower);
		free(upper);
		return -1;
	}
	for (c = 0; c < PLOT_NCAT; c++) {
		if (!used[c])
			continue;
		for (i = 0; i < n; i++)
			upper[i] = lower[i] + r->b[i].cnt[c];
		fprintf(out, "<path fill=\"%s\" stroke=\"none\" d=\"",
			plot_cat_colors[c]);
		plot_edge(out, upper, n, PL_X, dx, TOP_Y + TOP_H, yscale, true);
		plot_edge(out, lower, n, PL_X, dx, TOP_Y + TOP_H, yscale,
			  false);
		fputs("\"/>\n", out);
		memcpy(lower, upper, (size_t)n * sizeof(*lower));
		plot_legend_item(out, row++, plot_cat_colors[c],
				 plot_cat_names[c], false);
	}
	free(lower);
	free(upper);
	if (show_max) {
		double y = TOP_Y + TOP_H - yscale * (double)r->max;

		fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			"y2=\"%.1f\" stroke=\"#d62728\" stroke-width=\"2\" "
			"stroke-dasharray=\"6,3\"/>\n", PL_X, y, PL_X + PL_W,
			y);
		plot_legend_item(out, row++, "#d62728", "nf_conntrack_max",
				 true);
	}

	/* INVALID frames per second of capture time, counted over groups of
	 * buckets a second wide at least (a rate over 4 ms is noise) */
	group = r->width >= CT_NSEC_PER_SEC
			? 1 : (long)((CT_NSEC_PER_SEC + r->width - 1) / r->width);
	inv_max = 0;
	for (i = 0; i < n; i += group) {
		uint32_t sum = 0;
		long j;

		for (j = i; j < i + group && j < n; j++)
			sum += r->b[j].invalid;
		if (sum > inv_max)
			inv_max = sum;
	}
	inv_rate_max = (uint64_t)((double)inv_max * CT_NSEC_PER_SEC /
				  (double)(r->width * group) + 0.999);
	itop = inv_rate_max ? inv_rate_max : 1;
	istep = plot_nice_step(itop, 3);
	itop = (itop + istep - 1) / istep * istep;
	plot_value_axis(out, itop, istep, BOT_Y, BOT_H, "");
	fprintf(out, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" "
		"text-anchor=\"middle\">INVALID/s</text>\n", PL_X - 55,
		BOT_Y + BOT_H / 2);
	for (i = 0; i < n; i += group) {
		long j, cnt = group < n - i ? group : n - i;
		uint32_t sum = 0;
		double rate, h, w = dx * (double)cnt;

		for (j = i; j < i + cnt; j++)
			sum += r->b[j].invalid;
		if (sum == 0)
			continue;
		rate = (double)sum * CT_NSEC_PER_SEC /
		       (double)(r->width * group);
		h = BOT_H * rate / (double)itop;
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			"height=\"%.1f\" fill=\"#d62728\" "
			"fill-opacity=\"0.8\"/>\n",
			PL_X + dx * (double)i, BOT_Y + BOT_H - h,
			w < 1.0 ? 1.0 : w, h);
	}
	row++;
	plot_legend_item(out, row++, "#d62728", "INVALID frames/s", false);

	fprintf(out, "<rect class=\"axis\" fill=\"none\" x=\"%.1f\" "
		"y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", PL_X, TOP_Y,
		PL_W, TOP_H);
	fprintf(out, "<rect class=\"axis\" fill=\"none\" x=\"%.1f\" "
		"y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", PL_X, BOT_Y,
		PL_W, BOT_H);
	fputs("</svg>\n", out);
	return ferror(out) ? -1 : 0;
}
