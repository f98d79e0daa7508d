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

void report_line_mem(struct report_line *l, const char *s, size_t n)
{
	line_bytes(l, s, n);
}

void report_line_str(struct report_line *l, const char *s)
{
	line_bytes(l, s, strlen(s));
}

/*
 * The hot formatters (event, -L and verdict lines) do not append field by
 * field with a bounds check each: they ask line_open() once for room for
 * the most they can write, then write through a bare pointer with the
 * put_*() helpers below.  Lines are far shorter than the buffer, so that
 * room is normally the line itself; only near its end do they write into
 * the caller's scratch instead, which line_close() appends with
 * line_bytes()'s cut.  Either way the line reads the same, byte for byte.
 */
static char *line_open(struct report_line *l, size_t max, char *scratch)
{
	return sizeof(l->buf) - l->len > max ? l->buf + l->len : scratch;
}

/* Take what was written from start (line_open()'s answer) up to end. */
static void line_close(struct report_line *l, char *start, char *end,
		       const char *scratch)
{
	if (start == scratch) {
		line_bytes(l, scratch, (size_t)(end - start));
		return;
	}
	*end = '\0';
	l->len = (size_t)(end - l->buf);
}

/*
 * The put_*() helpers write at p without any check and return the end of
 * what they wrote.  Some write a few bytes past that end (never past the
 * room their callers reserve); the next write or the terminator covers
 * them.
 */
static char *put_mem(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal, its length known when compiling (no strlen). */
#define LIT_LEN(s) (sizeof(s) - 1)
#define PUT_LIT(p, s) put_mem(p, s, LIT_LEN(s))

/* D10(x, s), D100(x, s): the 10 or 100 numbers after prefix x, each
 * followed by s. */
#define D10(x, s) x "0" s x "1" s x "2" s x "3" s x "4" s x "5" s x "6" s \
		  x "7" s x "8" s x "9" s
#define D100(x, s) D10(x "0", s) D10(x "1", s) D10(x "2", s) D10(x "3", s) \
		   D10(x "4", s) D10(x "5", s) D10(x "6", s) D10(x "7", s) \
		   D10(x "8", s) D10(x "9", s)

/* "00" "01" ... "99": numbers are written two digits at a time. */
static const char digit_pairs[] = D100("", "");

/* "000." "001." ... "255.": an address byte is one 4-byte copy from here,
 * less its leading zeros. */
static const char octets[] = D100("0", ".") D100("1", ".") D10("20", ".")
	D10("21", ".") D10("22", ".") D10("23", ".") D10("24", ".")
	"250." "251." "252." "253." "254." "255.";

#undef D10
#undef D100

_Static_assert(sizeof(digit_pairs) == 2 * 100 + 1, "digit_pairs");
_Static_assert(sizeof(octets) == 4 * 256 + 1, "octets");

/* Most digits of a uint64_t. */
#define U64_DIGITS 20

/* Number of decimal digits of v (1 for 0). */
static unsigned u64_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/*
 * v in exactly n decimal digits, zero-filled (printf's "%.nu"); n is at
 * least v's number of digits.  64-bit divisions only for what does not
 * fit 32 bits (ids, counters): the rest goes with cheaper 32-bit ones.
 */
static char *put_digits(char *p, uint64_t v, unsigned n)
{
	char *q = p + n;
	uint32_t w;

	for (; v > UINT32_MAX; v /= 100) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * (v % 100), 2);
	}
	for (w = (uint32_t)v; q - p >= 2; w /= 100) {
		q -= 2;
		memcpy(q, digit_pairs + 2 * (w % 100), 2);
	}
	if (q > p)
		*--q = (char)('0' + w % 10);
	return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
	return put_digits(p, v, u64_digits(v));
}

/* "N " */
static char *put_u64_sp(char *p, uint64_t v)
{
	p = put_u64(p, v);
	*p++ = ' ';
	return p;
}

/* "key=N ", key a string literal */
#define PUT_FIELD(p, key, v) put_u64_sp(PUT_LIT(p, key), v)

/* printf's "%x" of a 16-bit value (GRE keys) */
static char *put_hex16(char *p, uint16_t v)
{
	static const char hex[] = "0123456789abcdef";
	unsigned n = 1u + (v >= 0x10) + (v >= 0x100) + (v >= 0x1000);
	char *q = p + n;

	do {
		*--q = hex[v & 0xf];
		v >>= 4;
	} while (q > p);
	return p + n;
}

/* "a.b.c.d"; writes up to 16 bytes */
static char *put_ipv4(char *p, const uint8_t *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];
		unsigned zeros = (v < 100) + (v < 10);

		memcpy(p, octets + 4 * v + zeros, 4);
		p += 4 - zeros;
	}
	return p - 1;   /* the last '.' */
}

/* Room put_addr() needs: ct_addr_format()'s buffer (IPv6 is 39 at most). */
#define ADDR_MAX 48

static char *put_addr(char *p, uint8_t l3num, const uint8_t *addr,
		      bool expanded)
{
	if (l3num != CT_L3_IPV6)
		return put_ipv4(p, addr);
	ct_addr_format(p, ADDR_MAX, l3num, addr, expanded);
	return p + strlen(p);
}

void report_line_u64(struct report_line *l, uint64_t v)
{
	char scratch[U64_DIGITS];
	char *start = line_open(l, sizeof(scratch), scratch);

	line_close(l, start, put_u64(start, v), scratch);
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

/* Longest "[%.8ld.%.6ld]\t": sign, 19 digits, point, 6 digits. */
#define STAMP_MAX (LIT_LEN("[-.]\t") + 19 + 6)

void report_line_stamp(struct report_line *l, ct_time t)
{
	int64_t s = report_time_sec(t);
	uint64_t us = (uint64_t)(t - s * CT_NSEC_PER_SEC) / 1000;
	uint64_t mag = s < 0 ? 0 - (uint64_t)s : (uint64_t)s;
	unsigned n = u64_digits(mag);
	char scratch[STAMP_MAX];
	char *start = line_open(l, sizeof(scratch), scratch), *p = start;

	*p++ = '[';
	if (s < 0)
		*p++ = '-';
	p = put_digits(p, mag, n > 8 ? n : 8);
	*p++ = '.';
	p = put_digits(p, us, 6);
	*p++ = ']';
	*p++ = '\t';
	line_close(l, start, p, scratch);
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

/*
 * The protocol names conntrack(8) prints; layer 4 from
 * libnetfilter_conntrack's proto2str[].  Each is shorter than 8, which
 * l3_column() and l4_column() rely on.
 */
#define L3_NAMES(X) X(CT_L3_IPV4, "ipv4") X(CT_L3_IPV6, "ipv6")
#define L4_NAMES(X) \
	X(1, "icmp") X(6, "tcp") X(17, "udp") X(33, "dccp") X(47, "gre") \
	X(58, "icmpv6") X(132, "sctp") X(136, "udplite")
#define NAME_CASE(num, name) case num: return name;
/* Followed by 9 spaces, the first 9 bytes of a name are its "%-8s ". */
#define COLUMN_CASE(num, name) case num: return name "         ";
#define COLUMN_LEN 9

const char *report_l3_name(uint8_t l3num)
{
	switch (l3num) {
	L3_NAMES(NAME_CASE)
	default:
		return "unknown";
	}
}

/* report_l3_name() as "%-8s " prints it: COLUMN_LEN bytes */
static const char *l3_column(uint8_t l3num)
{
	switch (l3num) {
	L3_NAMES(COLUMN_CASE)
	default:
		return "unknown         ";
	}
}

/* what conntrack(8) can name */
const char *report_l4_name(uint8_t l4num)
{
	switch (l4num) {
	L4_NAMES(NAME_CASE)
	default:
		return "unknown";
	}
}

/* report_l4_name() as "%-8s " prints it: COLUMN_LEN bytes */
static const char *l4_column(uint8_t l4num)
{
	switch (l4num) {
	L4_NAMES(COLUMN_CASE)
	default:
		return "unknown         ";
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

/* Most put_tuple() writes: addresses and the longest L4 part (GRE's). */
#define TUPLE_MAX (LIT_LEN("src= dst= ") + 2 * ADDR_MAX + \
		   LIT_LEN("srckey=0xffff dstkey=0xffff "))

static char *put_tuple(char *p, const struct ct_tuple *t,
		       enum report_l4_kind kind, bool expanded)
{
	p = PUT_LIT(p, "src=");
	p = put_addr(p, t->l3num, t->src, expanded);
	p = PUT_LIT(p, " dst=");
	p = put_addr(p, t->l3num, t->dst, expanded);
	*p++ = ' ';

	switch (kind) {
	case REPORT_L4_PORTS:
		p = PUT_FIELD(p, "sport=", t->sport);
		p = PUT_FIELD(p, "dport=", t->dport);
		break;
	case REPORT_L4_ICMP:
		p = PUT_FIELD(p, "type=", ct_tuple_icmp_type(t));
		p = PUT_FIELD(p, "code=", ct_tuple_icmp_code(t));
		p = PUT_FIELD(p, "id=", t->sport);
		break;
	case REPORT_L4_KEYS:
		p = PUT_LIT(p, "srckey=0x");
		p = put_hex16(p, t->sport);
		p = PUT_LIT(p, " dstkey=0x");
		p = put_hex16(p, t->dport);
		*p++ = ' ';
		break;
	case REPORT_L4_NONE:
		break;
	}
	return p;
}

void report_fmt_tuple(struct report_line *l, const struct ct_tuple *t,
		      enum report_l4_kind kind, bool expanded)
{
	char scratch[TUPLE_MAX];
	char *start = line_open(l, sizeof(scratch), scratch);

	line_close(l, start, put_tuple(start, t, kind, expanded), scratch);
}

const char *report_state_name(const struct ct_conn *ct)
{
	if (ct->l4 == NULL || ct->l4->state_name == NULL)
		return NULL;
	return ct->l4->state_name(ct);
}

#define COUNTERS_MAX (LIT_LEN("packets= bytes= ") + 2 * U64_DIGITS)

static char *put_counters(char *p, const struct ct_conn *ct, enum ct_dir dir)
{
	/* an entry without counters (ct_engine_set_counters) shows 0 */
	p = PUT_FIELD(p, "packets=", ct->counted ? ct->packets[dir] : 0);
	return PUT_FIELD(p, "bytes=", ct->counted ? ct->bytes[dir] : 0);
}

static void fmt_counters(struct report_line *l, const struct ct_conn *ct,
			 enum ct_dir dir)
{
	char scratch[COUNTERS_MAX];
	char *start = line_open(l, sizeof(scratch), scratch);

	line_close(l, start, put_counters(start, ct, dir), scratch);
}

/*
 * The names in a ctnetlink line, which unlike every other field have no
 * fixed bound.  Their lengths are capped at what a line can hold: a name
 * that long is cut at the line's end anyway, whatever follows it.
 */
struct ctnl_names {
	const char *state, *helper;   /* NULL: not printed */
	size_t state_len, helper_len;
};

static size_t name_len(const char *s)
{
	size_t n = strlen(s);

	return n < REPORT_LINE_MAX ? n : REPORT_LINE_MAX;
}

/* Most put_ctnl() writes besides the names: every field at its longest. */
#define CTNL_MAX (2 * (COLUMN_LEN + LIT_LEN("255 ")) + \
		  LIT_LEN("4294967295 ") + LIT_LEN(" ") + \
		  2 * (TUPLE_MAX + COUNTERS_MAX) + \
		  LIT_LEN("[UNREPLIED] [ASSURED] mark=4294967295 zone=65535 ") + \
		  LIT_LEN("delta-time= helper= use=4294967295 id= ") + \
		  2 * U64_DIGITS)

/*
 * Field order of libnetfilter_conntrack's __snprintf_conntrack_default()
 * (1.0.9): protocol, timeout, state, orig tuple, counters, [UNREPLIED],
 * reply tuple, counters, [ASSURED], mark, zone, delta-time, helper, use,
 * id.  Status is in every message, so the two flags always follow it.
 */
static char *put_ctnl(char *p, const struct ct_conn *ct,
		      const struct report_ctnl_attrs *a, unsigned oflags,
		      const struct ctnl_names *n)
{
	const struct ct_tuple *orig = &ct->tuple[CT_DIR_ORIGINAL];
	enum report_l4_kind kind = report_l4_kind_by_proto(orig->l4num);

	if (oflags & REPORT_O_EXTENDED) {
		p = put_mem(p, l3_column(orig->l3num), COLUMN_LEN);
		p = put_u64_sp(p, orig->l3num);
	}
	p = put_mem(p, l4_column(orig->l4num), COLUMN_LEN);
	p = put_u64_sp(p, orig->l4num);
	if (a->has_timeout)
		p = put_u64_sp(p, a->timeout);
	if (n->state != NULL) {
		p = put_mem(p, n->state, n->state_len);
		*p++ = ' ';
	}

	p = put_tuple(p, orig, kind, false);
	if (a->has_counters)
		p = put_counters(p, ct, CT_DIR_ORIGINAL);
	if (!(ct->status & CT_IPS_SEEN_REPLY))
		p = PUT_LIT(p, "[UNREPLIED] ");
	p = put_tuple(p, &ct->tuple[CT_DIR_REPLY], kind, false);
	if (a->has_counters)
		p = put_counters(p, ct, CT_DIR_REPLY);
	if (ct->status & CT_IPS_ASSURED)
		p = PUT_LIT(p, "[ASSURED] ");

	if (a->has_mark)
		p = PUT_FIELD(p, "mark=", ct->mark);
	/* ctnetlink sends the zone only when it is not the default one */
	if (orig->zone != 0)
		p = PUT_FIELD(p, "zone=", orig->zone);
	if (a->has_delta)
		p = PUT_FIELD(p, "delta-time=", a->delta);
	if (n->helper != NULL) {
		p = PUT_LIT(p, "helper=");
		p = put_mem(p, n->helper, n->helper_len);
		*p++ = ' ';
	}
	if (a->has_use)
		p = PUT_FIELD(p, "use=", a->use);
	if (oflags & REPORT_O_ID)
		p = PUT_FIELD(p, "id=", ct->id);
	return p;
}

void report_fmt_ctnl(struct report_line *l, const struct ct_conn *ct,
		     const struct report_ctnl_attrs *a, unsigned oflags)
{
	struct ctnl_names n = { 0 };
	char scratch[CTNL_MAX + 2 * REPORT_LINE_MAX];
	char *start;

	if (a->has_protoinfo)
		n.state = report_state_name(ct);
	if (n.state != NULL)
		n.state_len = name_len(n.state);
	if (a->has_helper && ct_conn_helper(ct) != NULL) {
		n.helper = ct_conn_helper(ct)->name;
		n.helper_len = name_len(n.helper);
	}
	start = line_open(l, CTNL_MAX + n.state_len + n.helper_len, scratch);
	line_close(l, start, put_ctnl(start, ct, a, oflags, &n), scratch);
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
 * counter followed by a space, the last one included.  chaintoolong is
 * printed when the kernel sends CTA_STATS_CHAIN_TOOLONG (5.15 on: "netfilter:
 * refuse insertion if chain has grown too large", Florian Westphal; the
 * 5.10 recordings have no such counter).
 */
void report_fmt_stats_kernel(struct report_line *l, const struct ct_stats *st,
			     bool chaintoolong)
{
	report_line_add(l,
			"cpu=%-4u\tfound=%" PRIu64 " invalid=%" PRIu64
			" insert=%" PRIu64 " insert_failed=%" PRIu64
			" drop=%" PRIu64 " early_drop=%" PRIu64
			" error=%" PRIu64 " search_restart=%" PRIu64
			" clash_resolve=%" PRIu64 " ",
			0u, st->found, st->invalid, st->insert,
			st->insert_failed, st->drop, st->early_drop,
			st->icmp_error, st->search_restart, st->clash_resolve);
	if (chaintoolong)
		report_line_add(l, "chaintoolong=%" PRIu64 " ",
				st->chaintoolong);
}

void report_fmt_stats(struct report_line *l, const struct ct_stats *st)
{
	report_fmt_stats_kernel(l, st, true);
}
