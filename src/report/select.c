/* \summary: conntrack(8)-style selection: -p -s -d --sport --state --from ... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../ct/engine.h"
#include "../ct/l4proto.h"
#include "format.h"
#include "select.h"

/* Address criteria, indexed like the keys they come from. */
enum { SEL_A_SRC, SEL_A_DST, SEL_A_RSRC, SEL_A_RDST, SEL_A_N };
/* Port criteria. */
enum { SEL_P_SPORT, SEL_P_DPORT, SEL_P_RSPORT, SEL_P_RDPORT, SEL_P_N };

struct sel_addr {
	uint8_t l3num;         /* 0: not given */
	uint8_t addr[16];
	unsigned plen;         /* prefix length in bits */
};

/* A wrapped sink: the selection and the reporter it guards. */
struct sel_wrap {
	const struct report_select *sel;
	struct ct_sink inner;
};

/* Status words conntrack(8) --status understands, and ours (UNREPLIED). */
static const struct {
	const char *name;
	uint32_t bit;
} sel_status_names[] = {
	{ "EXPECTED", CT_IPS_EXPECTED },
	{ "SEEN_REPLY", CT_IPS_SEEN_REPLY },
	{ "ASSURED", CT_IPS_ASSURED },
	{ "CONFIRMED", CT_IPS_CONFIRMED },
	{ "UNREPLIED", 0 },    /* not SEEN_REPLY */
};

struct report_select {
	bool entry;            /* any entry criterion given */
	bool has_proto;
	uint8_t l4num;
	struct sel_addr addr[SEL_A_N];
	bool has_port[SEL_P_N];
	uint16_t port[SEL_P_N];
	uint32_t state_mask;   /* bit per enum ct_tcp_state; 0: not given */
	uint32_t status_set;   /* bits that must be set */
	uint32_t status_clear; /* bits that must be clear */
	bool has_mark;
	uint32_t mark, mark_mask;
	bool has_zone;
	uint16_t zone;
	/* --src-nat, --dst-nat, --any-nat: wanted, and the address the
	 * translation uses (l3num 0: any) */
	bool nat[3];
	struct sel_addr nat_addr[3];
	/* time window: given, relative to the first frame, value */
	bool has_from, has_to, from_rel, to_rel;
	ct_time from, to;
	struct sel_wrap wraps[CT_MAX_SINKS];
	int nwraps;
};

struct report_select *report_select_create(void)
{
	return calloc(1, sizeof(struct report_select));
}

void report_select_destroy(struct report_select *s)
{
	free(s);
}

/* "SECONDS[.FRACTION]" to nanoseconds, exactly. */
static int sel_parse_seconds(const char *text, ct_time *out)
{
	ct_time sec = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = text;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (sec > (INT64_MAX / CT_NSEC_PER_SEC) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (fdigits < 9) {
				frac = frac * 10 + (*p - '0');
				fdigits++;
			}
		}
	}
	if (*p != '\0' || (digits == 0 && fdigits == 0))
		return -1;
	while (fdigits++ < 9)
		frac *= 10;
	*out = sec * CT_NSEC_PER_SEC + frac;
	return 0;
}

static int sel_parse_ulong(const char *text, unsigned long max,
			   unsigned long *out)
{
	char *end;
	unsigned long v;

	if (text[0] == '\0' || text[0] == '-' || text[0] == '+')
		return -1;
	errno = 0;
	v = strtoul(text, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int sel_parse_proto(struct report_select *s, const char *text)
{
	unsigned long n;
	unsigned i;

	if (sel_parse_ulong(text, 255, &n) == 0) {
		s->l4num = (uint8_t)n;
		return 0;
	}
	for (i = 0; i < 256; i++) {
		const char *name = report_l4_name((uint8_t)i);

		if (strcmp(name, "unknown") != 0 &&
		    strcasecmp(name, text) == 0) {
			s->l4num = (uint8_t)i;
			return 0;
		}
	}
	if (strcasecmp(text, "ipv6-icmp") == 0) {
		s->l4num = 58;
		return 0;
	}
	return -1;
}

static int sel_parse_addr(struct sel_addr *a, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long plen;
	int l3;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	memset(a, 0, sizeof(*a));
	l3 = ct_addr_parse(buf, a->addr);
	if (l3 == 0)
		return -1;
	a->l3num = (uint8_t)l3;
	a->plen = l3 == CT_L3_IPV4 ? 32 : 128;
	if (slash) {
		if (sel_parse_ulong(slash + 1, a->plen, &plen) != 0)
			return -1;
		a->plen = (unsigned)plen;
	}
	return 0;
}

static int sel_parse_state(struct report_select *s, const char *text)
{
	char buf[256];
	char *tok, *save = NULL;
	unsigned st;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	s->state_mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (st = CT_TCP_SYN_SENT; st < CT_TCP_MAX; st++)
			if (strcasecmp(tok, ct_tcp_state_text(st)) == 0)
				break;
		if (st == CT_TCP_MAX)
			return -1;
		s->state_mask |= 1u << st;
	}
	return s->state_mask ? 0 : -1;
}

static int sel_parse_status(struct report_select *s, const char *text)
{
	char buf[256];
	char *tok, *save = NULL;
	size_t i;
	bool any = false;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	s->status_set = s->status_clear = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < CT_ARRAY_SIZE(sel_status_names); i++)
			if (strcasecmp(tok, sel_status_names[i].name) == 0)
				break;
		if (i == CT_ARRAY_SIZE(sel_status_names))
			return -1;
		if (sel_status_names[i].bit == 0)
			s->status_clear |= CT_IPS_SEEN_REPLY;
		else
			s->status_set |= sel_status_names[i].bit;
		any = true;
	}
	if (s->status_set & s->status_clear)
		return -1;
	return any ? 0 : -1;
}

static int sel_parse_mark(struct report_select *s, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long v, m = 0xffffffffUL;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (sel_parse_ulong(buf, 0xffffffffUL, &v) != 0)
		return -1;
	if (slash && sel_parse_ulong(slash + 1, 0xffffffffUL, &m) != 0)
		return -1;
	s->mark = (uint32_t)v;
	s->mark_mask = (uint32_t)m;
	s->has_mark = true;
	return 0;
}

static int sel_parse_time(const char *text, bool *rel, ct_time *t)
{
	*rel = text[0] == '+';
	return sel_parse_seconds(text + (*rel ? 1 : 0), t);
}

int report_select_parse(struct report_select *s, enum report_select_key key,
			const char *text, char *errbuf)
{
	static const char *const expected[REPORT_SEL_NKEYS] = {
		[REPORT_SEL_PROTO] = "a protocol name or number (tcp, udp, 47)",
		[REPORT_SEL_SRC] = "an address, optionally /PREFIX",
		[REPORT_SEL_DST] = "an address, optionally /PREFIX",
		[REPORT_SEL_REPLY_SRC] = "an address, optionally /PREFIX",
		[REPORT_SEL_REPLY_DST] = "an address, optionally /PREFIX",
		[REPORT_SEL_SPORT] = "a port number",
		[REPORT_SEL_DPORT] = "a port number",
		[REPORT_SEL_REPLY_SPORT] = "a port number",
		[REPORT_SEL_REPLY_DPORT] = "a port number",
		[REPORT_SEL_STATE] = "TCP state names (ESTABLISHED,TIME_WAIT...)",
		[REPORT_SEL_STATUS] = "EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED or UNREPLIED, comma separated",
		[REPORT_SEL_MARK] = "N or N/MASK",
		[REPORT_SEL_ZONE] = "a zone number (0-65535)",
		[REPORT_SEL_FROM] = "epoch seconds[.fraction] or +SECONDS",
		[REPORT_SEL_TO] = "epoch seconds[.fraction] or +SECONDS",
		[REPORT_SEL_SRC_NAT] = "nothing, or the address translated to",
		[REPORT_SEL_DST_NAT] = "nothing, or the address translated to",
		[REPORT_SEL_ANY_NAT] = "nothing, or the address translated to",
	};
	unsigned long n;
	int rc = -1;

	if ((unsigned)key >= REPORT_SEL_NKEYS)
		return CT_ERR_PARSE;
	switch (key) {
	case REPORT_SEL_PROTO:
		rc = sel_parse_proto(s, text);
		s->has_proto = rc == 0;
		break;
	case REPORT_SEL_SRC:
	case REPORT_SEL_DST:
	case REPORT_SEL_REPLY_SRC:
	case REPORT_SEL_REPLY_DST:
		rc = sel_parse_addr(&s->addr[key - REPORT_SEL_SRC], text);
		break;
	case REPORT_SEL_SPORT:
	case REPORT_SEL_DPORT:
	case REPORT_SEL_REPLY_SPORT:
	case REPORT_SEL_REPLY_DPORT:
		rc = sel_parse_ulong(text, 65535, &n);
		if (rc == 0) {
			s->port[key - REPORT_SEL_SPORT] = (uint16_t)n;
			s->has_port[key - REPORT_SEL_SPORT] = true;
		}
		break;
	case REPORT_SEL_STATE:
		rc = sel_parse_state(s, text);
		break;
	case REPORT_SEL_STATUS:
		rc = sel_parse_status(s, text);
		break;
	case REPORT_SEL_MARK:
		rc = sel_parse_mark(s, text);
		break;
	case REPORT_SEL_SRC_NAT:
	case REPORT_SEL_DST_NAT:
	case REPORT_SEL_ANY_NAT: {
		int k = (int)(key - REPORT_SEL_SRC_NAT);

		s->nat[k] = true;
		memset(&s->nat_addr[k], 0, sizeof(s->nat_addr[k]));
		rc = text && *text ? sel_parse_addr(&s->nat_addr[k], text) : 0;
		break;
	}
	case REPORT_SEL_ZONE:
		rc = sel_parse_ulong(text, 65535, &n);
		if (rc == 0) {
			s->zone = (uint16_t)n;
			s->has_zone = true;
		}
		break;
	case REPORT_SEL_FROM:
		rc = sel_parse_time(text, &s->from_rel, &s->from);
		s->has_from = rc == 0;
		break;
	case REPORT_SEL_TO:
		rc = sel_parse_time(text, &s->to_rel, &s->to);
		s->has_to = rc == 0;
		break;
	case REPORT_SEL_NKEYS:
		break;
	}
	if (rc != 0) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "'%s': expected %s", text,
			 expected[key]);
		return CT_ERR_PARSE;
	}
	if (key != REPORT_SEL_FROM && key != REPORT_SEL_TO)
		s->entry = true;
	return 0;
}

bool report_select_active(const struct report_select *s)
{
	return s != NULL && (s->entry || s->has_from || s->has_to);
}

void report_select_set_origin(struct report_select *s, ct_time first)
{
	if (s == NULL)
		return;
	if (s->has_from && s->from_rel) {
		s->from += first;
		s->from_rel = false;
	}
	if (s->has_to && s->to_rel) {
		s->to += first;
		s->to_rel = false;
	}
}

/* Whether addr lies in the prefix a (same family). */
static bool sel_addr_match(const struct sel_addr *a, uint8_t l3num,
			   const uint8_t *addr)
{
	unsigned full = a->plen / 8, rest = a->plen % 8;

	if (a->l3num == 0)
		return true;
	if (a->l3num != l3num)
		return false;
	if (memcmp(a->addr, addr, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if ((a->addr[full] & m) != (addr[full] & m))
			return false;
	}
	return true;
}

/* Ports of a tuple, where the protocol has any. */
static bool sel_tuple_ports(const struct ct_tuple *t, uint16_t *sport,
			    uint16_t *dport)
{
	if (report_l4_kind_by_proto(t->l4num) != REPORT_L4_PORTS)
		return false;
	*sport = t->sport;
	*dport = t->dport;
	return true;
}

/*
 * The tuple criteria on an original tuple and its reply; rsrc/rdst are the
 * reply direction's addresses, rports its ports (when the protocol has
 * ports).
 */
static bool sel_tuples_match(const struct report_select *s,
			     const struct ct_tuple *orig,
			     const struct ct_tuple *reply)
{
	uint16_t p[SEL_P_N];
	bool has_ports;
	int i;

	if (s->has_proto && orig->l4num != s->l4num)
		return false;
	if (s->has_zone && orig->zone != s->zone)
		return false;
	if (!sel_addr_match(&s->addr[SEL_A_SRC], orig->l3num, orig->src) ||
	    !sel_addr_match(&s->addr[SEL_A_DST], orig->l3num, orig->dst) ||
	    !sel_addr_match(&s->addr[SEL_A_RSRC], reply->l3num, reply->src) ||
	    !sel_addr_match(&s->addr[SEL_A_RDST], reply->l3num, reply->dst))
		return false;
	has_ports = sel_tuple_ports(orig, &p[SEL_P_SPORT], &p[SEL_P_DPORT]) &&
		    sel_tuple_ports(reply, &p[SEL_P_RSPORT], &p[SEL_P_RDPORT]);
	for (i = 0; i < SEL_P_N; i++) {
		if (!s->has_port[i])
			continue;
		if (!has_ports || p[i] != s->port[i])
			return false;
	}
	return true;
}

/* The criteria only an entry has: state, status, mark. */
static bool sel_has_entry_only(const struct report_select *s)
{
	return s->state_mask || s->status_set || s->status_clear ||
	       s->has_mark || s->nat[0] || s->nat[1] || s->nat[2];
}

/* conntrack -L's NAT filters: the entry translates its source (the reply
 * goes to the new source) or destination (the reply comes from it). */
static bool sel_nat_match(const struct report_select *s,
			  const struct ct_conn *ct)
{
	const struct ct_tuple *r = &ct->tuple[CT_DIR_REPLY];
	bool src = ct->status & CT_IPS_SRC_NAT, dst = ct->status & CT_IPS_DST_NAT;
	const struct sel_addr *a;

	if (s->nat[0]) {
		a = &s->nat_addr[0];
		if (!src || (a->l3num && !sel_addr_match(a, r->l3num, r->dst)))
			return false;
	}
	if (s->nat[1]) {
		a = &s->nat_addr[1];
		if (!dst || (a->l3num && !sel_addr_match(a, r->l3num, r->src)))
			return false;
	}
	if (s->nat[2]) {
		a = &s->nat_addr[2];
		if (!src && !dst)
			return false;
		if (a->l3num &&
		    !((src && sel_addr_match(a, r->l3num, r->dst)) ||
		      (dst && sel_addr_match(a, r->l3num, r->src))))
			return false;
	}
	return true;
}

bool report_select_conn(const struct report_select *s,
			const struct ct_conn *ct)
{
	if (s == NULL || !s->entry)
		return true;
	if (!sel_tuples_match(s, &ct->tuple[CT_DIR_ORIGINAL],
			      &ct->tuple[CT_DIR_REPLY]))
		return false;
	if (s->state_mask) {
		if (ct->l4 != &ct_l4proto_tcp || ct->proto.tcp.state >= 32 ||
		    !(s->state_mask & (1u << ct->proto.tcp.state)))
			return false;
	}
	if ((ct->status & s->status_set) != s->status_set)
		return false;
	if (ct->status & s->status_clear)
		return false;
	if (s->has_mark && (ct->mark & s->mark_mask) != (s->mark & s->mark_mask))
		return false;
	if ((s->nat[0] || s->nat[1] || s->nat[2]) && !sel_nat_match(s, ct))
		return false;
	return true;
}

bool report_select_time(const struct report_select *s, ct_time t)
{
	if (s == NULL)
		return true;
	if (s->has_from && t < s->from)
		return false;
	if (s->has_to && t > s->to)
		return false;
	return true;
}

bool report_select_event(const struct report_select *s,
			 const struct ct_event *ev)
{
	return report_select_time(s, ev->ts) && report_select_conn(s, ev->ct);
}

bool report_select_verdict(const struct report_select *s,
			   const struct ct_verdict *v)
{
	struct ct_tuple reply;
	size_t alen;

	if (!report_select_time(s, v->ts))
		return false;
	if (s == NULL || !s->entry)
		return true;
	if (v->ct != NULL)
		return report_select_conn(s, v->ct);
	if (!v->has_tuple || sel_has_entry_only(s))
		return false;
	/* the packet's own tuple as an original; its plain inverse as reply */
	reply = v->tuple;
	alen = ct_tuple_addr_len(&v->tuple);
	memcpy(reply.src, v->tuple.dst, alen);
	memcpy(reply.dst, v->tuple.src, alen);
	reply.sport = v->tuple.dport;
	reply.dport = v->tuple.sport;
	return sel_tuples_match(s, &v->tuple, &reply);
}

static void sel_on_event(void *ctx, const struct ct_event *ev)
{
	struct sel_wrap *w = ctx;

	if (report_select_event(w->sel, ev))
		w->inner.event(w->inner.ctx, ev);
}

static void sel_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct sel_wrap *w = ctx;

	if (report_select_verdict(w->sel, v))
		w->inner.verdict(w->inner.ctx, v);
}

int report_select_wrap(struct report_select *s, struct ct_sink *sink)
{
	struct sel_wrap *w;

	if (!report_select_active(s))
		return 0;
	if (s->nwraps >= CT_MAX_SINKS)
		return CT_ERR_NOMEM;
	w = &s->wraps[s->nwraps++];
	w->sel = s;
	w->inner = *sink;
	sink->ctx = w;
	sink->event = w->inner.event ? sel_on_event : NULL;
	sink->verdict = w->inner.verdict ? sel_on_verdict : NULL;
	return 0;
}
