/* \summary: --verdicts reporter: what nft "ct state" would match, per frame */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "report.h"

/*
 * Line format (stable; scripts grep it):
 *
 *   FRAME CTSTATE[ DIR PROTO TUPLE][ reason="TEXT"]
 *
 * FRAME is the frame number, CTSTATE NEW, ESTABLISHED, RELATED, INVALID,
 * UNTRACKED, DROP or "-" (conntrack never saw the frame).  When the
 * packet's tuple is known: DIR is "original" or "reply" (its direction in
 * the entry) or "-" when no entry holds it; PROTO the protocol name
 * conntrack(8) uses, or its number when it has none; TUPLE the packet's
 * own "src=A dst=B" plus "sport= dport=" or "type= code= id=" (IPv6
 * compressed).  reason= is given for INVALID, DROP and "-" frames, with
 * '"' and '\' escaped by a backslash and control bytes as \xHH.
 */

struct report_verdicts {
	FILE *out;
};

static void fmt_reason(struct report_line *l, const char *reason)
{
	const unsigned char *p;

	report_line_add(l, " reason=\"");
	for (p = (const unsigned char *)reason; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			report_line_add(l, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			report_line_add(l, "\\x%02x", *p);
		else
			report_line_add(l, "%c", *p);
	}
	report_line_add(l, "\"");
}

void report_fmt_verdict(struct report_line *l, const struct ct_verdict *v)
{
	const struct ct_tuple *t = &v->tuple;
	const char *dir = "-";
	const char *proto;

	report_line_u64(l, v->frame);
	report_line_str(l, " ");
	report_line_str(l, ct_ctstate_name(v->state));
	if (v->has_tuple) {
		if (v->ct != NULL)
			dir = v->dir == CT_DIR_REPLY ? "reply" : "original";
		report_line_str(l, " ");
		report_line_str(l, dir);
		report_line_str(l, " ");
		proto = report_l4_name(t->l4num);
		if (strcmp(proto, "unknown") == 0)
			report_line_u64(l, t->l4num);
		else
			report_line_str(l, proto);
		report_line_str(l, " ");
		report_fmt_tuple(l, t, report_l4_kind_by_proto(t->l4num),
				 false);
		report_line_trim(l);
	}
	if (v->reason != NULL && v->reason[0] != '\0' &&
	    (v->state == CT_STATE_INVALID || v->state == CT_STATE_DROP ||
	     v->state == CT_STATE_NONE))
		fmt_reason(l, v->reason);
}

static void verdicts_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct report_verdicts *r = ctx;
	struct report_line l;

	report_line_init(&l);
	report_fmt_verdict(&l, v);
	report_line_put(&l, r->out);
}

struct report_verdicts *report_verdicts_create(FILE *out)
{
	struct report_verdicts *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->out = out;
	return r;
}

void report_verdicts_sink(struct report_verdicts *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = NULL;
	sink->verdict = verdicts_on_verdict;
}

void report_verdicts_destroy(struct report_verdicts *r)
{
	free(r);
}
