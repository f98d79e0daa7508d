/* \summary: --explain FRAME: why one frame got its verdict */
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"
#include "../ct/l4proto.h"
#include "format.h"
#include "report.h"

struct report_explain {
	FILE *out;
	uint64_t frame;
	uint32_t hz;
	bool seen;
	/* Events of the frame come before its verdict: keep their lines. */
	struct report_line events[8];
	int nevents;
};

/* TCP header fields, as tcpdump would show them; only captured bytes. */
static void explain_tcp(FILE *out, const struct ct_pkt *p)
{
	static const char flagchars[] = "FSRPAUEC";
	struct bytes th = ct_pkt_l4(p);
	char flags[9];
	unsigned doff, i, n = 0;
	uint8_t fl;

	if (!bytes_has(&th, 0, 20)) {
		fprintf(out, "  tcp: header not captured (%u of 20 bytes)\n",
			p->l4cap);
		return;
	}
	fl = bytes_u8(&th, 13);
	for (i = 0; i < 8; i++)
		if (fl & (1u << i))
			flags[n++] = flagchars[i];
	flags[n] = '\0';
	doff = (unsigned)(bytes_u8(&th, 12) >> 4) * 4;
	fprintf(out,
		"  tcp: flags [%s] seq=%u ack=%u win=%u header=%u payload=%u\n",
		n ? flags : "none", bytes_be32(&th, 4), bytes_be32(&th, 8),
		(unsigned)bytes_be16(&th, 14), doff,
		p->l4len > doff ? p->l4len - doff : 0);
}

/* DLT_NFLOG: the log rule's message around the packet: group, hook,
 * prefix (quoted, '"' and '\\' escaped, other bytes outside printable
 * ASCII as \xHH), devices and mark, each only when the message had it. */
static void explain_nflog(FILE *out, const struct ct_pkt *p)
{
	const struct ct_pkt_nflog *lg = &p->nflog;
	uint16_t i;

	fprintf(out, "  nflog: group %u", lg->group);
	if (lg->has_hook)
		fprintf(out, " hook %s", ct_pkt_hook_name(lg->hook));
	if (lg->prefix != NULL) {
		fputs(" prefix \"", out);
		for (i = 0; i < lg->prefix_len; i++) {
			uint8_t c = lg->prefix[i];

			if (c == '"' || c == '\\')
				fprintf(out, "\\%c", c);
			else if (c < 0x20 || c >= 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				fputc(c, out);
		}
		fputc('"', out);
	}
	if (p->ifindex)
		fprintf(out, " indev %u", p->ifindex);
	if (lg->outdev)
		fprintf(out, " outdev %u", lg->outdev);
	if (lg->has_mark)
		fprintf(out, " mark 0x%x", lg->mark);
	fputc('\n', out);
}

static void explain_packet(FILE *out, const struct ct_pkt *p)
{
	struct bytes l4 = ct_pkt_l4(p);
	char src[64], dst[64];

	if (p->is_nflog)
		explain_nflog(out, p);

	if (p->kind != CT_PKT_IP) {
		fprintf(out, "  packet: not seen by conntrack (%s)\n",
			p->reason ? p->reason : "not IP");
		return;
	}
	ct_addr_format(src, sizeof(src), p->l3num, p->src, false);
	ct_addr_format(dst, sizeof(dst), p->l3num, p->dst, false);
	fprintf(out, "  packet: %s %s > %s protocol %u length %u%s\n",
		report_l3_name(p->l3num), src, dst, p->l4num, p->l3len,
		p->l3cap < p->l3len ? " (cut by the snap length)" : "");
	if (p->l4num == 6)
		explain_tcp(out, p);
	else if ((p->l4num == 1 || p->l4num == 58) && bytes_has(&l4, 0, 2))
		fprintf(out, "  icmp: type %u code %u\n", bytes_u8(&l4, 0),
			bytes_u8(&l4, 1));
}

static void explain_status(FILE *out, const struct ct_conn *ct)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
		{ CT_IPS_EXPECTED, "EXPECTED" },
		{ CT_IPS_SEEN_REPLY, "SEEN_REPLY" },
		{ CT_IPS_ASSURED, "ASSURED" },
		{ CT_IPS_CONFIRMED, "CONFIRMED" },
		{ CT_IPS_SRC_NAT, "SRC_NAT" },
		{ CT_IPS_DST_NAT, "DST_NAT" },
		{ CT_IPS_SEQ_ADJUST, "SEQ_ADJUST" },
		{ CT_IPS_DYING, "DYING" },
	};
	size_t i;
	bool any = false;

	fputs("  status:", out);
	for (i = 0; i < CT_ARRAY_SIZE(bits); i++) {
		if (ct->status & bits[i].bit) {
			fprintf(out, " %s", bits[i].name);
			any = true;
		}
	}
	fputs(any ? "\n" : " none\n", out);
}

static void explain_on_event(void *ctx, const struct ct_event *ev)
{
	struct report_explain *r = ctx;

	if (ev->frame != r->frame ||
	    r->nevents >= (int)CT_ARRAY_SIZE(r->events))
		return;
	report_line_init(&r->events[r->nevents]);
	report_fmt_event(&r->events[r->nevents], ev, REPORT_O_EXTENDED);
	r->nevents++;
}

static void explain_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct report_explain *r = ctx;
	char when[REPORT_TIME_MAX];
	struct report_line l;
	int i;

	if (v->frame != r->frame)
		return;
	r->seen = true;
	report_time_ns(when, sizeof(when), v->ts);
	fprintf(r->out, "frame %llu at %s\n", (unsigned long long)v->frame,
		when);
	explain_packet(r->out, v->pkt);
	report_line_init(&l);
	report_fmt_verdict(&l, v);
	fprintf(r->out, "  verdict: %s\n", l.buf);
	if (v->ct != NULL) {
		const struct ct_conn *ct = v->ct;

		report_line_init(&l);
		report_fmt_tuple(&l, &ct->tuple[CT_DIR_ORIGINAL],
				 report_l4_kind_by_proto(ct->tuple[0].l4num),
				 false);
		report_line_trim(&l);
		fprintf(r->out, "  entry: id %llu, %s direction, original %s %s\n",
			(unsigned long long)ct->id,
			v->dir == CT_DIR_REPLY ? "reply" : "original",
			report_l4_name(ct->tuple[0].l4num), l.buf);
		if (ct->tuple[0].l4num == 6)
			fprintf(r->out, "  state: %s -> %s\n",
				ct_tcp_state_text(v->old_state),
				ct_tcp_state_text(v->new_state));
		explain_status(r->out, ct);
		fprintf(r->out, "  timeout: %u s left\n",
			ct_conn_remaining(ct, v->ts, r->hz));
	} else {
		fputs("  entry: none\n", r->out);
	}
	for (i = 0; i < r->nevents; i++)
		fprintf(r->out, "  event: %s\n", r->events[i].buf);
	if (v->explain != NULL && v->explain[0] != '\0') {
		/* one note per line: the tracker separates them with "; " */
		const char *p = v->explain;

		while (*p) {
			const char *semi = strstr(p, "; ");
			size_t n = semi ? (size_t)(semi - p) : strlen(p);

			fprintf(r->out, "  note: %.*s\n", (int)n, p);
			p += n;
			if (semi)
				p += 2;
		}
	}
}

struct report_explain *report_explain_create(FILE *out, uint64_t frame,
					     uint32_t hz)
{
	struct report_explain *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->out = out;
	r->frame = frame;
	r->hz = hz;
	return r;
}

void report_explain_sink(struct report_explain *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = explain_on_event;
	sink->verdict = explain_on_verdict;
}

void report_explain_finish(struct report_explain *r)
{
	if (!r->seen)
		fprintf(r->out, "frame %llu: not in the capture\n",
			(unsigned long long)r->frame);
}

void report_explain_destroy(struct report_explain *r)
{
	free(r);
}
