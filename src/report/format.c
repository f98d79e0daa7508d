/* \summary: reporter building blocks: names, tuples, ctnetlink and /proc text */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../ct/l4proto.h"
#include "format.h"

void report_line_init(struct report_line *l)
{
	l->len = 0;
	l->buf[0] = '\0';
}

void report_line_add(struct report_line *l, const char *fmt, ...)
{
	size_t room = sizeof(l->buf) - l->len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Append n bytes, cut at the buffer's end like report_line_add(). */
static void line_bytes(struct report_line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - l->len;

	if (room <= 1)
		return;
	if (n > room - 1)
		n = room - 1;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
}

void report_line_str(struct report_line *l, const char *s)
{
	line_bytes(l, s, strlen(s));
}

/* Decimal digits of v at the end of buf[20]; returns the first one. */
static char *fmt_u64(char buf[20], uint64_t v)
{
	char *p = buf + 20;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

void report_line_u64(struct report_line *l, uint64_t v)
{
	char buf[20];
	char *p = fmt_u64(buf, v);

	line_bytes(l, p, (size_t)(buf + 20 - p));
}

void report_line_pad(struct report_line *l, const char *s, size_t width,
		     bool left_pad)
{
	static const char spaces[] = "                ";
	size_t n = strlen(s), pad = n < width ? width - n : 0;

	while (left_pad && pad > 0) {
		size_t k = pad < sizeof(spaces) - 1 ? pad : sizeof(spaces) - 1;

		line_bytes(l, spaces, k);
		pad -= k;
	}
	line_bytes(l, s, n);
	while (pad > 0) {
		size_t k = pad < sizeof(spaces) - 1 ? pad : sizeof(spaces) - 1;

		line_bytes(l, spaces, k);
		pad -= k;
	}
}

/* "key=N " */
static void line_field_u64(struct report_line *l, const char *key, size_t klen,
			   uint64_t v)
{
	line_bytes(l, key, klen);
	report_line_u64(l, v);
	line_bytes(l, " ", 1);
}

#define LINE_FIELD(l, key, v) line_field_u64(l, key, sizeof(key) - 1, v)

/* "a.b.c.d" without printf: the event and verdict lines' hot spot. */
static void line_ipv4(struct report_line *l, const uint8_t *a)
{
	char buf[16], *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	line_bytes(l, buf, (size_t)(p - buf));
}

static void line_addr(struct report_line *l, uint8_t l3num,
		      const uint8_t *addr, bool expanded)
{
	char buf[48];

	if (l3num != CT_L3_IPV6) {
		line_ipv4(l, addr);
		return;
	}
	ct_addr_format(buf, sizeof(buf), l3num, addr, expanded);
	report_line_str(l, buf);
}

void report_line_trim(struct report_line *l)
{
	if (l->len > 0 && l->buf[l->len - 1] == ' ')
		l->buf[--l->len] = '\0';
}

void report_line_put(const struct report_line *l, FILE *out)
{
	fwrite(l->buf, 1, l->len, out);
	fputc('\n', out);
}

int64_t report_time_sec(ct_time t)
{
	int64_t s = t / CT_NSEC_PER_SEC;

	if (t % CT_NSEC_PER_SEC < 0)
		s--;
	return s;
}

void report_time_ns(char *buf, size_t len, ct_time t)
{
	int64_t s = report_time_sec(t);

	snprintf(buf, len, "%" PRId64 ".%09" PRId64, s,
		 (int64_t)(t - s * CT_NSEC_PER_SEC));
}

const char *report_l3_name(uint8_t l3num)
{
	switch (l3num) {
	case CT_L3_IPV4:
		return "ipv4";
	case CT_L3_IPV6:
		return "ipv6";
	default:
		return "unknown";
	}
}

/* libnetfilter_conntrack's proto2str[]: what conntrack(8) can name. */
const char *report_l4_name(uint8_t l4num)
{
	switch (l4num) {
	case 1:
		return "icmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 47:
		return "gre";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	default:
		return "unknown";
	}
}

enum report_l4_kind report_l4_kind_by_proto(uint8_t l4num)
{
	switch (l4num) {
	case 6:
	case 17:
	case 33:
	case 132:
	case 136:
		return REPORT_L4_PORTS;
	case 1:
	case 58:
		return REPORT_L4_ICMP;
	case 47:
		return REPORT_L4_KEYS;
	default:
		return REPORT_L4_NONE;
	}
}

/*
 * The kernel's print_tuple() switches on the tracker, not the tuple: an
 * entry owned by the generic tracker prints addresses only, whatever its
 * protocol number.
 */
enum report_l4_kind report_l4_kind_by_tracker(const struct ct_conn *ct)
{
	if (ct->l4 == NULL || ct->l4->l4num == 255)
		return REPORT_L4_NONE;
	return report_l4_kind_by_proto(ct->l4->l4num);
}

void report_fmt_tuple(struct report_line *l, const struct ct_tuple *t,
		      enum report_l4_kind kind, bool expanded)
{
	line_bytes(l, "src=", 4);
	line_addr(l, t->l3num, t->src, expanded);
	line_bytes(l, " dst=", 5);
	line_addr(l, t->l3num, t->dst, expanded);
	line_bytes(l, " ", 1);

	switch (kind) {
	case REPORT_L4_PORTS:
		LINE_FIELD(l, "sport=", t->sport);
		LINE_FIELD(l, "dport=", t->dport);
		break;
	case REPORT_L4_ICMP:
		LINE_FIELD(l, "type=", ct_tuple_icmp_type(t));
		LINE_FIELD(l, "code=", ct_tuple_icmp_code(t));
		LINE_FIELD(l, "id=", t->sport);
		break;
	case REPORT_L4_KEYS:
		report_line_add(l, "srckey=0x%x dstkey=0x%x ", t->sport,
				t->dport);
		break;
	case REPORT_L4_NONE:
		break;
	}
}

const char *report_state_name(const struct ct_conn *ct)
{
	if (ct->l4 == NULL || ct->l4->state_name == NULL)
		return NULL;
	return ct->l4->state_name(ct);
}

static void fmt_counters(struct report_line *l, const struct ct_conn *ct,
			 enum ct_dir dir)
{
	/* an entry without counters (ct_engine_set_counters) shows 0 */
	LINE_FIELD(l, "packets=", ct->counted ? ct->packets[dir] : 0);
	LINE_FIELD(l, "bytes=", ct->counted ? ct->bytes[dir] : 0);
}

/*
 * Field order of libnetfilter_conntrack's __snprintf_conntrack_default()
 * (1.0.9): protocol, timeout, state, orig tuple, counters, [UNREPLIED],
 * reply tuple, counters, [ASSURED], mark, zone, delta-time, helper, use,
 * id.  Status is in every message, so the two flags always follow it.
 */
void report_fmt_ctnl(struct report_line *l, const struct ct_conn *ct,
		     const struct report_ctnl_attrs *a, unsigned oflags)
{
	const struct ct_tuple *orig = &ct->tuple[CT_DIR_ORIGINAL];
	enum report_l4_kind kind = report_l4_kind_by_proto(orig->l4num);
	const char *state;

	if (oflags & REPORT_O_EXTENDED) {
		report_line_pad(l, report_l3_name(orig->l3num), 8, false);
		line_bytes(l, " ", 1);
		report_line_u64(l, orig->l3num);
		line_bytes(l, " ", 1);
	}
	report_line_pad(l, report_l4_name(orig->l4num), 8, false);
	line_bytes(l, " ", 1);
	report_line_u64(l, orig->l4num);
	line_bytes(l, " ", 1);
	if (a->has_timeout) {
		report_line_u64(l, a->timeout);
		line_bytes(l, " ", 1);
	}
	if (a->has_protoinfo) {
		state = report_state_name(ct);
		if (state != NULL) {
			report_line_str(l, state);
			line_bytes(l, " ", 1);
		}
	}

	report_fmt_tuple(l, orig, kind, false);
	if (a->has_counters)
		fmt_counters(l, ct, CT_DIR_ORIGINAL);
	if (!(ct->status & CT_IPS_SEEN_REPLY))
		line_bytes(l, "[UNREPLIED] ", 12);
	report_fmt_tuple(l, &ct->tuple[CT_DIR_REPLY], kind, false);
	if (a->has_counters)
		fmt_counters(l, ct, CT_DIR_REPLY);
	if (ct->status & CT_IPS_ASSURED)
		line_bytes(l, "[ASSURED] ", 10);

	if (a->has_mark)
		LINE_FIELD(l, "mark=", ct->mark);
	/* ctnetlink sends the zone only when it is not the default one */
	if (orig->zone != 0)
		LINE_FIELD(l, "zone=", orig->zone);
	if (a->has_delta)
		LINE_FIELD(l, "delta-time=", a->delta);
	if (a->has_helper && ct_conn_helper(ct) != NULL)
		report_line_add(l, "helper=%s ", ct_conn_helper(ct)->name);
	if (a->has_use)
		LINE_FIELD(l, "use=", a->use);
	if (oflags & REPORT_O_ID)
		LINE_FIELD(l, "id=", ct->id);
	report_line_trim(l);
}

/*
 * ct_seq_show() of nf_conntrack_standalone.c: every field followed by one
 * space, IPv6 in %pI6 form, "zone=" always (default zone included),
 * "use=" is the reference count while the reader holds its own: the table's
 * reference, the reader's, and one per live expected child.
 */
void report_fmt_proc(struct report_line *l, const struct ct_conn *ct,
		     ct_time now, uint32_t hz)
{
	const struct ct_tuple *orig = &ct->tuple[CT_DIR_ORIGINAL];
	enum report_l4_kind kind = report_l4_kind_by_tracker(ct);
	const char *state = report_state_name(ct);
	char info[96];
	int64_t delta;

	report_line_add(l, "%-8s %u %-8s %u %u ", report_l3_name(orig->l3num),
			orig->l3num, ct->l4 ? ct->l4->name : "unknown",
			orig->l4num, ct_conn_remaining(ct, now, hz));
	if (ct->l4 != NULL && ct->l4->proc_info != NULL) {
		ct->l4->proc_info(ct, info, sizeof(info));
		report_line_add(l, "%s ", info);
	} else if (state != NULL) {
		report_line_add(l, "%s ", state);
	}

	report_fmt_tuple(l, orig, kind, true);
	if (ct->acct)
		fmt_counters(l, ct, CT_DIR_ORIGINAL);
	if (!(ct->status & CT_IPS_SEEN_REPLY))
		report_line_add(l, "[UNREPLIED] ");
	report_fmt_tuple(l, &ct->tuple[CT_DIR_REPLY], kind, true);
	if (ct->acct)
		fmt_counters(l, ct, CT_DIR_REPLY);
	if (ct->status & CT_IPS_ASSURED)
		report_line_add(l, "[ASSURED] ");

	report_line_add(l, "mark=%u zone=%u ", ct->mark, orig->zone);
	if (ct->tstamp) {
		/* ct_show_delta_time(): whole seconds, never negative */
		delta = now > ct->start ? (now - ct->start) / CT_NSEC_PER_SEC
					: 0;
		report_line_add(l, "delta-time=%" PRId64 " ", delta);
	}
	report_line_add(l, "use=%u", 2 + ct_conn_use(ct));
}

/*
 * conntrack -S (conntrack-tools 1.4.7, one CPU): "cpu=%-4u\t" then each
 * counter followed by a space, the last one included.
 */
void report_fmt_stats(struct report_line *l, const struct ct_stats *st)
{
	report_line_add(l,
			"cpu=%-4u\tfound=%" PRIu64 " invalid=%" PRIu64
			" insert=%" PRIu64 " insert_failed=%" PRIu64
			" drop=%" PRIu64 " early_drop=%" PRIu64
			" error=%" PRIu64 " search_restart=%" PRIu64
			" clash_resolve=%" PRIu64 " chaintoolong=%" PRIu64 " ",
			0u, st->found, st->invalid, st->insert,
			st->insert_failed, st->drop, st->early_drop,
			st->icmp_error, st->search_restart, st->clash_resolve,
			st->chaintoolong);
}
