/* \summary: --verdicts reporter: what nft "ct state" would match, per frame */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../ct/l4proto.h"
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
 *
 * With --firewall, the firewall's decision follows:
 *
 *   action=accept|drop|reject hook=HOOK[ rule="RULE"][ comment="TEXT"]
 *   [ unknown="RULE"][ nat=src|dst|both as="TUPLE"[ nat_rule="RULE"]
 *   [ nat_port=inferred]]
 *
 * HOOK is where it was decided (prerouting, input, forward, postrouting),
 * RULE the rule ("inet filter forward handle 12", "filter FORWARD 3") or
 * the chain's policy ("inet filter forward policy drop"); a drop outside
 * any rule (ip_forward()'s TTL check) has no rule but a reason.
 * unknown= names the first rule ctreplay could not judge that the frame
 * reached: the decision after it assumed that rule did not match.
 * nat= says which ends the frame's entry translates, as= the frame's
 * tuple as it left NAT, nat_rule= the rule that chose the mapping (on
 * the entry's first packet), nat_port=inferred that the kernel's random
 * port was not in the capture and ctreplay chose one.
 *
 * A conntrack helper that refuses a packet (the FTP helper on a command
 * it cannot parse) drops it when the entry is confirmed, after every
 * chain: CTSTATE stays what the chains saw, and the line ends, with or
 * without --firewall,
 *
 *   reason="TEXT" action=drop hook=postrouting|input helper=NAME
 */

struct report_verdicts {
	FILE *out;
};

/* Append name="text": '"' and '\' after a backslash, control bytes as
 * \xHH. */
static void fmt_quoted(struct report_line *l, const char *name,
		       const char *reason)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = reason, *p;   /* run: text not yet appended */
	char esc[4] = { '\\' };

	REPORT_LINE_LIT(l, " ");
	report_line_str(l, name);
	REPORT_LINE_LIT(l, "=\"");
	for (p = reason; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		size_t n;

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			n = 2;
		} else if (c < 0x20 || c == 0x7f) {
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			n = 4;
		} else {
			continue;
		}
		report_line_mem(l, run, (size_t)(p - run));
		report_line_mem(l, esc, n);
		run = p + 1;
	}
	report_line_mem(l, run, (size_t)(p - run));
	REPORT_LINE_LIT(l, "\"");
}

static void fmt_reason(struct report_line *l, const char *reason)
{
	fmt_quoted(l, "reason", reason);
}

/* nat=src|dst|both as="TUPLE": the packet as NAT left it (the inverse
 * of its entry's other direction), the rule that chose the mapping on
 * the entry's first packet, and inferred when a port was guessed. */
static void fmt_nat(struct report_line *l, const struct ct_verdict *v)
{
	static const char *const kinds[] = { "", "src", "dst", "both" };
	const struct ct_conn *ct = v->ct;
	struct ct_tuple out;
	struct report_line t;
	unsigned k;

	if (!ct || !v->has_tuple ||
	    v->tuple.l4num != ct->tuple[CT_DIR_ORIGINAL].l4num)
		return;
	k = (ct->status & CT_IPS_SRC_NAT ? 1u : 0u) |
	    (ct->status & CT_IPS_DST_NAT ? 2u : 0u);
	if (k == 0 || !ct_l4_invert(&out, &ct->tuple[!v->dir]))
		return;
	REPORT_LINE_LIT(l, " nat=");
	report_line_str(l, kinds[k]);
	report_line_init(&t);
	report_fmt_tuple(&t, &out, report_l4_kind_by_proto(out.l4num), false);
	report_line_trim(&t);
	if (t.len >= sizeof(t.buf))
		t.len = sizeof(t.buf) - 1;
	t.buf[t.len] = '\0';
	fmt_quoted(l, "as", t.buf);
	if (v->nat_rule)
		fmt_quoted(l, "nat_rule", v->nat_rule);
	if (v->nat_inferred)
		REPORT_LINE_LIT(l, " nat_port=inferred");
}

static void fmt_action(struct report_line *l, const struct ct_verdict *v)
{
	static const char *const actions[] = {
		"none", "accept", "drop", "reject",
	};
	static const char *const hooks[] = {
		"prerouting", "input", "forward", "output", "postrouting",
	};

	REPORT_LINE_LIT(l, " action=");
	report_line_str(l, actions[v->action < 4 ? v->action : 0]);
	REPORT_LINE_LIT(l, " hook=");
	report_line_str(l, hooks[v->hook < 5 ? v->hook : 0]);
	if (v->rule)
		fmt_quoted(l, "rule", v->rule);
	if (v->rule_comment)
		fmt_quoted(l, "comment", v->rule_comment);
	if (v->unknown_rule)
		fmt_quoted(l, "unknown", v->unknown_rule);
	if (v->helper_drop) {
		REPORT_LINE_LIT(l, " helper=");
		report_line_str(l, v->helper_drop);
	}
	fmt_nat(l, v);
}

void report_fmt_verdict(struct report_line *l, const struct ct_verdict *v)
{
	const struct ct_tuple *t = &v->tuple;
	const char *proto;

	report_line_u64(l, v->frame);
	REPORT_LINE_LIT(l, " ");
	report_line_str(l, ct_ctstate_name(v->state));
	if (v->has_tuple) {
		if (v->ct == NULL)
			REPORT_LINE_LIT(l, " - ");
		else if (v->dir == CT_DIR_REPLY)
			REPORT_LINE_LIT(l, " reply ");
		else
			REPORT_LINE_LIT(l, " original ");
		proto = report_l4_name(t->l4num);
		if (strcmp(proto, "unknown") == 0)
			report_line_u64(l, t->l4num);
		else
			report_line_str(l, proto);
		REPORT_LINE_LIT(l, " ");
		report_fmt_tuple(l, t, report_l4_kind_by_proto(t->l4num),
				 false);
		report_line_trim(l);
	}
	if (v->reason != NULL && v->reason[0] != '\0' &&
	    (v->state == CT_STATE_INVALID || v->state == CT_STATE_DROP ||
	     v->state == CT_STATE_NONE ||
	     (v->action == CT_ACT_DROP && v->rule == NULL)))
		fmt_reason(l, v->reason);
	if (v->action != CT_ACT_NONE)
		fmt_action(l, v);
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
