/* \summary: -o xml: events and -L as conntrack-tools prints them in XML */
#include <inttypes.h>

#include "format.h"
#include "report.h"

/*
 * conntrack(8) prints the XML declaration and <conntrack> before the first
 * flow and </conntrack> when it is done, only if it opened the document.
 * One document per run: -E and -L together share it.
 */
static FILE *xml_open_on;

static void xml_open(FILE *out)
{
	if (xml_open_on != NULL)
		return;
	xml_open_on = out;
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<conntrack>\n", out);
}

void report_xml_finish(FILE *out)
{
	if (xml_open_on == NULL || xml_open_on != out)
		return;
	fputs("</conntrack>\n", out);
	xml_open_on = NULL;
}

/* Days since 1970-01-01 to a civil date (proleptic Gregorian). */
void report_utc_split(int64_t sec, struct report_utc *u)
{
	int64_t days = sec / 86400, rem = sec % 86400;
	int64_t era, doe, yoe, doy, mp, y;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	u->hour = (int)(rem / 3600);
	u->min = (int)(rem / 60 % 60);
	u->sec = (int)(rem % 60);
	u->wday = (int)(((days % 7) + 11) % 7);  /* 1970-01-01 was a Thursday */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	u->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	u->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	u->year = (int)(y + (u->month <= 2));
}

/* Write what the line holds, without a newline, and start it again: a
 * flow can be longer than one report_line. */
static void xml_flush(struct report_line *l, FILE *out)
{
	fwrite(l->buf, 1, l->len, out);
	report_line_init(l);
}

/* <meta direction="original|reply">: layer 3, layer 4, counters. */
static void xml_tuple(struct report_line *l, const struct ct_conn *ct,
		      enum ct_dir dir, const struct report_ctnl_attrs *a)
{
	const struct ct_tuple *t = &ct->tuple[dir];
	char src[48], dst[48];

	ct_addr_format(src, sizeof(src), t->l3num, t->src, false);
	ct_addr_format(dst, sizeof(dst), t->l3num, t->dst, false);
	report_line_add(l, "<meta direction=\"%s\">",
			dir == CT_DIR_ORIGINAL ? "original" : "reply");
	report_line_add(l, "<layer3 protonum=\"%u\" protoname=\"%s\">"
			"<src>%s</src><dst>%s</dst></layer3>",
			t->l3num, report_l3_name(t->l3num), src, dst);
	report_line_add(l, "<layer4 protonum=\"%u\" protoname=\"%s\">",
			t->l4num, report_l4_name(t->l4num));
	/* the library knows ports and GRE keys only: ICMP stays empty */
	switch (report_l4_kind_by_proto(t->l4num)) {
	case REPORT_L4_PORTS:
		report_line_add(l, "<sport>%u</sport><dport>%u</dport>",
				t->sport, t->dport);
		break;
	case REPORT_L4_KEYS:
		report_line_add(l, "<srckey>0x%x</srckey><dstkey>0x%x</dstkey>",
				t->sport, t->dport);
		break;
	default:
		break;
	}
	report_line_add(l, "</layer4>");
	if (a->has_counters && ct->counted)
		report_line_add(l, "<counters><packets>%" PRIu64 "</packets>"
				"<bytes>%" PRIu64 "</bytes></counters>",
				ct->packets[dir], ct->bytes[dir]);
	report_line_add(l, "</meta>");
}

/*
 * Element order of __snprintf_conntrack_xml() (libnetfilter_conntrack
 * 1.0.9).  The status attribute is in every message, so the independent
 * meta is always there, and so is the id: XML prints every attribute it
 * got, whatever -o id says.
 */
void report_xml_flow(FILE *out, const struct ct_conn *ct,
		     const struct report_ctnl_attrs *a,
		     const struct ct_event *ev, ct_time now, unsigned oflags)
{
	static const char *const type[] = {
		[CT_EV_NEW] = "new",
		[CT_EV_UPDATE] = "update",
		[CT_EV_DESTROY] = "destroy",
	};
	struct report_line l;
	const char *state;
	uint16_t zone = ct->tuple[CT_DIR_ORIGINAL].zone;

	(void)now;
	xml_open(out);
	report_line_init(&l);
	if (ev != NULL && (unsigned)ev->type < CT_ARRAY_SIZE(type))
		report_line_add(&l, "<flow type=\"%s\">", type[ev->type]);
	else
		report_line_add(&l, "<flow>");
	xml_tuple(&l, ct, CT_DIR_ORIGINAL, a);
	xml_flush(&l, out);
	xml_tuple(&l, ct, CT_DIR_REPLY, a);
	xml_flush(&l, out);

	report_line_add(&l, "<meta direction=\"independent\">");
	state = a->has_protoinfo ? report_state_name(ct) : NULL;
	if (state != NULL)
		report_line_add(&l, "<state>%s</state>", state);
	if (a->has_timeout)
		report_line_add(&l, "<timeout>%u</timeout>", a->timeout);
	if (a->has_mark)
		report_line_add(&l, "<mark>%u</mark>", ct->mark);
	if (zone != 0)
		report_line_add(&l, "<zone>%u</zone>", zone);
	if (a->has_use)
		report_line_add(&l, "<use>%u</use>", a->use);
	report_line_add(&l, "<id>%" PRIu64 "</id>", ct->id);
	if (ct->status & CT_IPS_ASSURED)
		report_line_add(&l, "<assured/>");
	if (!(ct->status & CT_IPS_SEEN_REPLY))
		report_line_add(&l, "<unreplied/>");
	if (a->has_delta) {
		/* with a stop time the library subtracts before rounding */
		uint64_t delta = a->delta;

		if (ev != NULL && ev->type == CT_EV_DESTROY &&
		    ev->ts >= ct->start)
			delta = (uint64_t)((ev->ts - ct->start) /
					   CT_NSEC_PER_SEC);
		report_line_add(&l, "<deltatime>%" PRIu64 "</deltatime>",
				delta);
	}
	report_line_add(&l, "</meta>");

	if (ev != NULL && (oflags & REPORT_O_TIMESTAMP)) {
		/* conntrack -E -o xml,timestamp: the time of the message,
		 * here the capture time, in UTC */
		struct report_utc u;

		report_utc_split(report_time_sec(ev->ts), &u);
		report_line_add(&l, "<when><hour>%d</hour><min>%02d</min>"
				"<sec>%02d</sec><wday>%d</wday><day>%d</day>"
				"<month>%d</month><year>%d</year></when>",
				u.hour, u.min, u.sec, u.wday + 1, u.day,
				u.month, u.year);
	}
	if (a->has_helper && ct_conn_helper(ct) != NULL)
		report_line_add(&l, "<helper>%s</helper>",
				ct_conn_helper(ct)->name);
	report_line_add(&l, "</flow>");
	report_line_put(&l, out);
}
