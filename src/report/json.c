/* \summary: --json reporter: one NDJSON object per connection lifetime */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../ct/l4proto.h"
#include "format.h"
#include "report.h"

/*
 * Schema (one object per line, keys sorted, no spaces):
 *
 * {
 *   "id": 1,                       frame that created it, as -o id prints it
 *   "l3": "ipv4" | "ipv6",
 *   "proto": "tcp",                the tracker's name ("unknown" = generic)
 *   "protonum": 6,                 IP protocol number
 *   "orig":  {"src": "10.0.0.1", "dst": "10.0.0.2",
 *             "sport": 40000, "dport": 80},      TCP, UDP
 *            {"src", "dst", "type": 8, "code": 0, "id": 7}   ICMP, ICMPv6
 *            {"src", "dst"}                       generic
 *   "reply": same shape as "orig",
 *   "start": "1795343163.269844123",  creation time, "sec.nanoseconds"
 *   "first_frame": 1,              frame that created the entry
 *   "helper": "ftp" | null,
 *   "master": 3 | null,            id of the master of an expected entry
 *   "transitions": [               one per conntrack event, in order
 *     {"time": "sec.nanoseconds",
 *      "frame": 12 | null,         null when no frame caused it (expiry)
 *      "event": "NEW" | "UPDATE" | "DESTROY",
 *      "bits": ["NEW", "PROTOINFO", ...],   kernel IPCT_* bits carried
 *      "state": "SYN_SENT" | null, state after the event (TCP)
 *      "timeout": 120 | null,      timeout field of the event, if any
 *      "status": ["SEEN_REPLY", "ASSURED", "CONFIRMED", ...]}   IPS_* bits
 *   ],
 *   "counters": {"orig": {"packets": 3, "bytes": 180},
 *                "reply": {"packets": 2, "bytes": 120}},
 *   "nflog": [                     DLT_NFLOG captures: the log rules the
 *     {"prefix": "dns-in: " | null,  lifetime's frames came from (the
 *      "hook": "input" | null,        first JSON_MAX_LOGS distinct prefix
 *      "group": 5,                    and hook pairs), absent otherwise
 *      "first_frame": 12,
 *      "frames": 3}
 *   ],
 *   "end": {"how": "expired" | "killed" | "reopened" | "early_drop"
 *                  | "destroyed" | "alive",
 *           "time": "sec.nanoseconds"}
 * }
 *
 * Addresses are printed as conntrack(8) prints them (IPv6 compressed).
 * "killed": a TCP RST or close ended the entry; "reopened": a new SYN
 * reused the tuple; "destroyed": any other removal; "alive": still in the
 * table when the capture ended (end.time is the last packet's time).
 * Objects are written when the entry goes away, so their order is the
 * order of destruction, then the survivors in id order.
 *
 * Memory: a live entry costs a small C record per transition (about 40
 * bytes), not JSON objects; the JSON is built only when it is written.
 * An entry keeps at most JSON_MAX_TRANSITIONS transitions: beyond that the
 * newest one replaces the last kept, so the first ones and the final one
 * (its DESTROY) are always there, and the object gains
 * "transitions_dropped": N (absent when nothing was dropped).
 */
#define JSON_MAX_TRANSITIONS 256

/* One event of a lifetime, as it will be written. */
struct json_trans {
	ct_time time;
	uint64_t frame;        /* 0: none (expiry) */
	const char *state;     /* tracker's static state name, or NULL */
	uint32_t bits;         /* CT_IPCT_* */
	uint32_t status;       /* CT_IPS_* after the event */
	uint32_t timeout;
	uint8_t type;          /* enum ct_ev_type */
	bool has_timeout;
};

/* --firewall: a rule that decided frames of the lifetime. */
#define JSON_MAX_RULES 8
struct json_rule {
	const char *rule;      /* the firewall's name for it (static) */
	uint8_t action;        /* enum ct_action */
	uint64_t frames;
};

/* DLT_NFLOG: a log rule's frames in a lifetime.  Prefixes are kept once
 * per report (report_json.prefixes), so a frame costs no allocation. */
#define JSON_MAX_LOGS 8
struct json_log {
	uint64_t first_frame;
	uint64_t frames;
	uint32_t prefix;       /* index + 1 in report_json.prefixes, 0: none */
	uint16_t group;
	uint8_t hook;          /* enum ct_pkt_hook, 0xff: not said */
};

struct json_conn {
	uint64_t id;
	struct json_log *logs; /* JSON_MAX_LOGS, allocated at the first one */
	uint8_t nlogs;
	struct json_trans *trans;      /* NULL once written */
	uint32_t ntrans, cap;
	uint64_t dropped;      /* transitions left out (cap reached) */
	struct json_rule rules[JSON_MAX_RULES];
	uint8_t nrules;
	/* --firewall with NAT: the rule that chose the mapping, and
	 * whether a port of it is ctreplay's guess */
	const char *nat_rule;
	bool nat_inferred;
};

struct report_json {
	FILE *out;
	uint32_t hz;
	char **prefixes;           /* the distinct NFLOG prefixes seen */
	uint32_t nprefixes;
	struct json_conn *conns;   /* sorted by id */
	size_t n, cap, live;
};

static const char *const ips_names[] = {
	"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED",
	"SRC_NAT", "DST_NAT", "SEQ_ADJUST", "SRC_NAT_DONE",
	"DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE",
	"NAT_CLASH", "HELPER", "OFFLOAD", "HW_OFFLOAD",
};

static const char *const ipct_names[] = {
	"NEW", "RELATED", "DESTROY", "REPLY", "ASSURED", "PROTOINFO",
	"HELPER", "MARK", "SEQADJ", "SECMARK", "LABEL", "SYNPROXY",
};

static json_t *bit_names(uint32_t bits, const char *const *names,
			 size_t nnames)
{
	json_t *a = json_array();
	char tmp[16];
	size_t i;

	for (i = 0; i < 32; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (i < nnames) {
			json_array_append_new(a, json_string(names[i]));
		} else {
			snprintf(tmp, sizeof(tmp), "BIT_%zu", i);
			json_array_append_new(a, json_string(tmp));
		}
	}
	return a;
}

static json_t *time_string(ct_time t)
{
	char buf[REPORT_TIME_MAX];

	report_time_ns(buf, sizeof(buf), t);
	return json_string(buf);
}

static json_t *tuple_object(const struct ct_tuple *t, enum report_l4_kind k)
{
	json_t *o = json_object();
	char addr[48];

	ct_addr_format(addr, sizeof(addr), t->l3num, t->src, false);
	json_object_set_new(o, "src", json_string(addr));
	ct_addr_format(addr, sizeof(addr), t->l3num, t->dst, false);
	json_object_set_new(o, "dst", json_string(addr));
	switch (k) {
	case REPORT_L4_PORTS:
		json_object_set_new(o, "sport", json_integer(t->sport));
		json_object_set_new(o, "dport", json_integer(t->dport));
		break;
	case REPORT_L4_ICMP:
		json_object_set_new(o, "type",
				    json_integer(ct_tuple_icmp_type(t)));
		json_object_set_new(o, "code",
				    json_integer(ct_tuple_icmp_code(t)));
		json_object_set_new(o, "id", json_integer(t->sport));
		break;
	case REPORT_L4_KEYS:
		json_object_set_new(o, "srckey", json_integer(t->sport));
		json_object_set_new(o, "dstkey", json_integer(t->dport));
		break;
	case REPORT_L4_NONE:
		break;
	}
	return o;
}

static json_t *counter_object(const struct ct_conn *ct, enum ct_dir dir)
{
	json_t *o = json_object();

	json_object_set_new(o, "packets", json_integer(ct->counted
				? (json_int_t)ct->packets[dir] : 0));
	json_object_set_new(o, "bytes", json_integer(ct->counted
				? (json_int_t)ct->bytes[dir] : 0));
	return o;
}

static const char *end_how(enum ct_destroy_cause cause)
{
	switch (cause) {
	case CT_DC_EXPIRED:
		return "expired";
	case CT_DC_KILLED:
		return "killed";
	case CT_DC_REOPENED:
		return "reopened";
	case CT_DC_EARLY_DROP:
		return "early_drop";
	case CT_DC_NONE:
		break;
	}
	return "destroyed";
}

/* Index of id in the sorted table, or where it would go (*found false). */
static size_t conn_search(const struct report_json *r, uint64_t id,
			  bool *found)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->conns[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < r->n && r->conns[lo].id == id;
	return lo;
}

/* Drop written entries so the table holds about the live ones only. */
static void conn_compact(struct report_json *r)
{
	size_t i, j = 0;

	for (i = 0; i < r->n; i++)
		if (r->conns[i].trans != NULL)
			r->conns[j++] = r->conns[i];
	r->n = j;
}

/*
 * The record of ct, created on first sight.  Ids only grow, so a new one
 * normally goes at the end.  Returns NULL when memory runs out (the
 * connection is then left out of the report).
 */
static struct json_conn *conn_get(struct report_json *r, uint64_t id)
{
	struct json_conn *c;
	bool found;
	size_t pos = conn_search(r, id, &found);

	if (found)
		return &r->conns[pos];
	if (r->n == r->cap) {
		if (r->live < r->n / 2) {
			conn_compact(r);
			pos = conn_search(r, id, &found);
		} else {
			size_t cap = r->cap ? 2 * r->cap : 64;
			c = realloc(r->conns, cap * sizeof(*c));
			if (c == NULL)
				return NULL;
			r->conns = c;
			r->cap = cap;
		}
	}
	c = &r->conns[pos];
	memmove(c + 1, c, (r->n - pos) * sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->cap = 4;
	c->trans = malloc(c->cap * sizeof(*c->trans));
	if (c->trans == NULL) {
		memmove(c, c + 1, (r->n - pos) * sizeof(*c));
		return NULL;
	}
	r->n++;
	r->live++;
	return c;
}

static json_t *trans_object(const struct json_trans *tr)
{
	static const char *const evname[] = {
		[CT_EV_NEW] = "NEW",
		[CT_EV_UPDATE] = "UPDATE",
		[CT_EV_DESTROY] = "DESTROY",
	};
	json_t *t = json_object();

	json_object_set_new(t, "time", time_string(tr->time));
	json_object_set_new(t, "frame", tr->frame
				? json_integer((json_int_t)tr->frame)
				: json_null());
	json_object_set_new(t, "event",
			    json_string(tr->type < CT_ARRAY_SIZE(evname)
					? evname[tr->type] : "UNKNOWN"));
	json_object_set_new(t, "bits", bit_names(tr->bits, ipct_names,
						 CT_ARRAY_SIZE(ipct_names)));
	json_object_set_new(t, "state",
			    tr->state ? json_string(tr->state) : json_null());
	json_object_set_new(t, "timeout", tr->has_timeout
				? json_integer(tr->timeout) : json_null());
	json_object_set_new(t, "status", bit_names(tr->status, ips_names,
						   CT_ARRAY_SIZE(ips_names)));
	return t;
}

/* Build the whole object of ct, write it, and retire its record. */
static void conn_write(struct report_json *r, struct json_conn *c,
		       const struct ct_conn *ct, const char *how, ct_time end)
{
	const struct ct_tuple *orig = &ct->tuple[CT_DIR_ORIGINAL];
	enum report_l4_kind k = report_l4_kind_by_tracker(ct);
	json_t *o = json_object();
	json_t *e, *a = json_array();
	uint32_t i;

	json_object_set_new(o, "id", json_integer((json_int_t)ct->id));
	json_object_set_new(o, "l3", json_string(report_l3_name(orig->l3num)));
	json_object_set_new(o, "proto",
			    json_string(ct->l4 ? ct->l4->name : "unknown"));
	json_object_set_new(o, "protonum", json_integer(orig->l4num));
	json_object_set_new(o, "orig", tuple_object(orig, k));
	json_object_set_new(o, "reply",
			    tuple_object(&ct->tuple[CT_DIR_REPLY], k));
	json_object_set_new(o, "start", time_string(ct->start));
	/* the id is the number of the frame that created the entry */
	json_object_set_new(o, "first_frame",
			    json_integer((json_int_t)ct->id));
	json_object_set_new(o, "helper", ct_conn_helper(ct)
				 ? json_string(ct_conn_helper(ct)->name)
				 : json_null());
	json_object_set_new(o, "master", ct_conn_master(ct)
				 ? json_integer((json_int_t)ct_conn_master(ct)->id)
				 : json_null());
	for (i = 0; i < c->ntrans; i++)
		json_array_append_new(a, trans_object(&c->trans[i]));
	json_object_set_new(o, "transitions", a);
	if (c->dropped)
		json_object_set_new(o, "transitions_dropped",
				    json_integer((json_int_t)c->dropped));
	free(c->trans);
	c->trans = NULL;
	r->live--;

	if (c->nrules) {
		static const char *const actions[] = {
			"none", "accept", "drop", "reject",
		};

		a = json_array();
		for (i = 0; i < c->nrules; i++) {
			e = json_object();
			json_object_set_new(e, "rule",
					    json_string(c->rules[i].rule));
			json_object_set_new(e, "action", json_string(
				actions[c->rules[i].action & 3]));
			json_object_set_new(e, "frames", json_integer(
				(json_int_t)c->rules[i].frames));
			json_array_append_new(a, e);
		}
		json_object_set_new(o, "rules", a);
	}
	if (c->nat_rule || c->nat_inferred) {
		e = json_object();
		if (c->nat_rule)
			json_object_set_new(e, "rule",
					    json_string(c->nat_rule));
		if (c->nat_inferred)
			json_object_set_new(e, "port",
					    json_string("inferred"));
		json_object_set_new(o, "nat", e);
	}

	if (c->nlogs) {
		a = json_array();
		for (i = 0; i < c->nlogs; i++) {
			const struct json_log *lg = &c->logs[i];

			e = json_object();
			json_object_set_new(e, "prefix", lg->prefix
				? json_string(r->prefixes[lg->prefix - 1])
				: json_null());
			json_object_set_new(e, "hook", lg->hook != 0xff
				? json_string(ct_pkt_hook_name(lg->hook))
				: json_null());
			json_object_set_new(e, "group", json_integer(lg->group));
			json_object_set_new(e, "first_frame", json_integer(
				(json_int_t)lg->first_frame));
			json_object_set_new(e, "frames", json_integer(
				(json_int_t)lg->frames));
			json_array_append_new(a, e);
		}
		json_object_set_new(o, "nflog", a);
	}
	free(c->logs);
	c->logs = NULL;

	e = json_object();
	json_object_set_new(e, "orig", counter_object(ct, CT_DIR_ORIGINAL));
	json_object_set_new(e, "reply", counter_object(ct, CT_DIR_REPLY));
	json_object_set_new(o, "counters", e);

	e = json_object();
	json_object_set_new(e, "how", json_string(how));
	json_object_set_new(e, "time", time_string(end));
	json_object_set_new(o, "end", e);

	json_dumpf(o, r->out, JSON_SORT_KEYS | JSON_COMPACT);
	fputc('\n', r->out);
	json_decref(o);
}

/* Room for one more transition: grown by doubling, then capped. */
static struct json_trans *trans_slot(struct json_conn *c)
{
	struct json_trans *t;

	if (c->ntrans < c->cap)
		return &c->trans[c->ntrans++];
	if (c->cap >= JSON_MAX_TRANSITIONS) {
		c->dropped++;
		return &c->trans[c->ntrans - 1];
	}
	t = realloc(c->trans, 2 * c->cap * sizeof(*t));
	if (t == NULL) {
		c->dropped++;
		return &c->trans[c->ntrans - 1];
	}
	c->trans = t;
	c->cap *= 2;
	return &c->trans[c->ntrans++];
}

static void json_on_event(void *ctx, const struct ct_event *ev)
{
	struct report_json *r = ctx;
	const struct ct_conn *ct = ev->ct;
	struct json_conn *c = conn_get(r, ct->id);
	struct json_trans *t;

	if (c == NULL || c->trans == NULL)
		return;
	t = trans_slot(c);
	t->time = ev->ts;
	t->frame = ev->frame;
	t->state = report_state_name(ct);
	t->bits = ev->bits;
	t->status = ct->status;
	t->timeout = ev->timeout;
	t->type = (uint8_t)ev->type;
	t->has_timeout = ev->has_timeout;

	if (ev->type == CT_EV_DESTROY)
		conn_write(r, c, ct, end_how(ev->cause), ev->ts);
}

/* The index + 1 of an NFLOG prefix in r->prefixes, added when new (log
 * rules are few: a linear search); 0 when there is none or no memory. */
static uint32_t prefix_intern(struct report_json *r, const struct ct_pkt *p)
{
	char **grown, *copy;
	uint32_t i;

	if (p->nflog.prefix == NULL)
		return 0;
	for (i = 0; i < r->nprefixes; i++)
		if (strlen(r->prefixes[i]) == p->nflog.prefix_len &&
		    memcmp(r->prefixes[i], p->nflog.prefix,
			   p->nflog.prefix_len) == 0)
			return i + 1;
	grown = realloc(r->prefixes, (r->nprefixes + 1) * sizeof(*grown));
	if (grown == NULL)
		return 0;
	r->prefixes = grown;
	copy = malloc((size_t)p->nflog.prefix_len + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, p->nflog.prefix, p->nflog.prefix_len);
	copy[p->nflog.prefix_len] = '\0';
	r->prefixes[r->nprefixes++] = copy;
	return r->nprefixes;
}

/* DLT_NFLOG: the log rule a frame of the lifetime came from, counted. */
static void json_note_nflog(struct report_json *r, struct json_conn *c,
			    const struct ct_verdict *v)
{
	const struct ct_pkt *p = v->pkt;
	uint32_t prefix = prefix_intern(r, p);
	uint8_t hook = p->nflog.has_hook ? p->nflog.hook : 0xff;
	unsigned i;

	for (i = 0; i < c->nlogs; i++)
		if (c->logs[i].prefix == prefix && c->logs[i].hook == hook &&
		    c->logs[i].group == p->nflog.group) {
			c->logs[i].frames++;
			return;
		}
	if (c->nlogs >= JSON_MAX_LOGS)
		return;
	if (c->logs == NULL) {
		c->logs = malloc(JSON_MAX_LOGS * sizeof(*c->logs));
		if (c->logs == NULL)
			return;
	}
	c->logs[c->nlogs].first_frame = v->frame;
	c->logs[c->nlogs].frames = 1;
	c->logs[c->nlogs].prefix = prefix;
	c->logs[c->nlogs].group = p->nflog.group;
	c->logs[c->nlogs].hook = hook;
	c->nlogs++;
}

/* --firewall: the rule that decided a frame of a lifetime, counted (the
 * first JSON_MAX_RULES distinct rules and actions); DLT_NFLOG: the log
 * rule it came from. */
static void json_on_verdict(void *ctx, const struct ct_verdict *v)
{
	struct report_json *r = ctx;
	struct json_conn *c;
	bool found;
	size_t pos;
	unsigned i;

	if (v->ct == NULL)
		return;
	if (v->action == CT_ACT_NONE && (v->pkt == NULL || !v->pkt->is_nflog))
		return;
	pos = conn_search(r, v->ct->id, &found);
	if (!found || r->conns[pos].trans == NULL)
		return;
	c = &r->conns[pos];
	if (v->pkt != NULL && v->pkt->is_nflog)
		json_note_nflog(r, c, v);
	if (v->action == CT_ACT_NONE)
		return;
	if (v->nat_rule && !c->nat_rule)
		c->nat_rule = v->nat_rule;
	if (v->nat_inferred)
		c->nat_inferred = true;
	if (v->rule == NULL)
		return;
	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].rule == v->rule &&
		    c->rules[i].action == v->action) {
			c->rules[i].frames++;
			return;
		}
	if (c->nrules < JSON_MAX_RULES) {
		c->rules[c->nrules].rule = v->rule;
		c->rules[c->nrules].action = (uint8_t)v->action;
		c->rules[c->nrules].frames = 1;
		c->nrules++;
	}
}

struct report_json *report_json_create(FILE *out, uint32_t hz)
{
	struct report_json *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->out = out;
	r->hz = hz;
	return r;
}

void report_json_sink(struct report_json *r, struct ct_sink *sink)
{
	sink->ctx = r;
	sink->event = json_on_event;
	sink->verdict = json_on_verdict;
}

void report_json_finish_one(struct report_json *r, const struct ct_conn *ct,
			    ct_time now)
{
	bool found;
	size_t pos = conn_search(r, ct->id, &found);

	/* only entries the reporter saw an event of: a selection in front
	 * of the sink (select.h) may have hidden the others */
	if (found && r->conns[pos].trans != NULL)
		conn_write(r, &r->conns[pos], ct, "alive", now);
}

void report_json_finish(struct report_json *r, struct ct_engine *eng)
{
	ct_time now = ct_engine_now(eng);
	const struct ct_conn *const *list;
	size_t i, n;

	list = ct_engine_list(eng, &n);
	for (i = 0; i < n; i++)
		report_json_finish_one(r, list[i], now);
}

void report_json_destroy(struct report_json *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->conns[i].trans);
		free(r->conns[i].logs);
	}
	free(r->conns);
	for (i = 0; i < r->nprefixes; i++)
		free(r->prefixes[i]);
	free(r->prefixes);
	free(r);
}
