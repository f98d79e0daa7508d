/* \summary: iptables-save reader: names, numbers, ports and addresses; the keys and expressions of a rule */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipt_int.h"

/* ------------------------------------------------------------------ */
/* names iptables accepts */

bool ipt_sym_find(const struct sym *s, size_t n, const char *name,
		  uint32_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(s[i].name, name) == 0) {
			*out = s[i].value;
			return true;
		}
	return false;
}

/* Debian's netbase /etc/protocols, which iptables-save prints names
 * from, and xtables_chain_protos[]. */
static const struct sym protos[] = {
	{ "all", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ggp", 3 },
	{ "ipencap", 4 }, { "st", 5 }, { "tcp", 6 }, { "egp", 8 },
	{ "igp", 9 }, { "pup", 12 }, { "udp", 17 }, { "hmp", 20 },
	{ "xns-idp", 22 }, { "rdp", 27 }, { "iso-tp4", 29 }, { "dccp", 33 },
	{ "xtp", 36 }, { "ddp", 37 }, { "idpr-cmtp", 38 }, { "ipv6", 41 },
	{ "ipv6-route", 43 }, { "ipv6-frag", 44 }, { "idrp", 45 },
	{ "rsvp", 46 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
	{ "skip", 57 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "ipv6-nonxt", 59 }, { "ipv6-opts", 60 }, { "rspf", 73 },
	{ "vmtp", 81 }, { "eigrp", 88 }, { "ospf", 89 }, { "ax.25", 93 },
	{ "ipip", 94 }, { "etherip", 97 }, { "encap", 98 }, { "pim", 103 },
	{ "ipcomp", 108 }, { "vrrp", 112 }, { "l2tp", 115 }, { "isis", 124 },
	{ "sctp", 132 }, { "fc", 133 }, { "mobility-header", 135 },
	{ "ipv6-mh", 135 }, { "mh", 135 }, { "udplite", 136 },
	{ "mpls-in-ip", 137 }, { "manet", 138 }, { "hip", 139 },
	{ "shim6", 140 }, { "wesp", 141 }, { "rohc", 142 },
	{ "ethernet", 143 },
};

/* A few services, for hand-written files (iptables-save prints ports as
 * numbers). */
static const struct sym services[] = {
	{ "ftp-data", 20 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 },
	{ "smtp", 25 }, { "domain", 53 }, { "bootps", 67 },
	{ "bootpc", 68 }, { "tftp", 69 }, { "http", 80 }, { "pop3", 110 },
	{ "sunrpc", 111 }, { "ntp", 123 }, { "imap2", 143 }, { "imap", 143 },
	{ "snmp", 161 }, { "ldap", 389 }, { "https", 443 },
	{ "submission", 587 }, { "imaps", 993 }, { "pop3s", 995 },
	{ "openvpn", 1194 }, { "mysql", 3306 }, { "postgresql", 5432 },
};

/* ------------------------------------------------------------------ */
/* numbers and addresses */

void ipt_val_u(struct fw_val *v, uint64_t x, unsigned len)
{
	unsigned i;

	memset(v, 0, sizeof(*v));
	v->len = (uint8_t)len;
	for (i = 0; i < len && i < 8; i++)
		v->b[len - 1 - i] = (uint8_t)(x >> (8 * i));
}

/* An unsigned number as xtables_strtoui() reads it (base 0: 0x.., 0..,
 * decimal), at most max. */
static bool parse_num(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	v = strtoull(s, &end, 0);
	if (*end || v > max)
		return false;
	*out = v;
	return true;
}

bool ipt_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!parse_num(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* VALUE[/MASK] (marks): mask all ones when absent. */
bool ipt_parse_markmask(const char *s, uint32_t *val, uint32_t *mask)
{
	char buf[64];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	*mask = UINT32_MAX;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!ipt_parse_u32(slash + 1, UINT32_MAX, mask))
			return false;
	}
	return ipt_parse_u32(buf, UINT32_MAX, val);
}

static bool parse_port(const char *s, uint32_t *out)
{
	return ipt_parse_u32(s, 65535, out) ||
	       ipt_sym_find(SYMS(services), s, out);
}

/* A protocol number or name (-p, --ctproto). */
bool ipt_parse_proto(const char *s, uint32_t *out)
{
	return ipt_parse_u32(s, 255, out) || ipt_sym_find(SYMS(protos), s, out);
}

bool ipt_parse_port_range(const char *s, struct range *r)
{
	char buf[64];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon) {
		if (!parse_port(buf, &r->lo))
			return false;
		r->hi = r->lo;
		return true;
	}
	*colon = '\0';
	r->lo = 0;
	r->hi = 65535;
	if (buf[0] && !parse_port(buf, &r->lo))
		return false;
	if (colon[1] && !parse_port(colon + 1, &r->hi))
		return false;
	return r->lo <= r->hi;
}

static bool parse_ip(unsigned alen, const char *s, uint8_t *out)
{
	return inet_pton(alen == 4 ? AF_INET : AF_INET6, s, out) == 1;
}

bool ipt_parse_addr(unsigned alen, const char *s, struct addr *a)
{
	char buf[128];
	char *slash;
	uint8_t mask[16];
	unsigned i;
	bool contiguous = true, zero = false, full = true;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	memset(mask, 0xff, sizeof(mask));
	slash = strchr(buf, '/');
	if (slash) {
		const char *m = slash + 1;

		*slash = '\0';
		if (strchr(m, '.') || strchr(m, ':')) {
			if (!parse_ip(alen, m, mask))
				return false;
		} else {
			uint32_t plen;

			if (!ipt_parse_u32(m, alen * 8, &plen))
				return false;
			for (i = 0; i < alen; i++) {
				unsigned bits = plen > i * 8 ? plen - i * 8 : 0;

				mask[i] = bits >= 8 ? 0xff
					: (uint8_t)(0xff00u >> bits);
			}
		}
	}
	memset(&a->lo, 0, sizeof(a->lo));
	if (!parse_ip(alen, buf, a->lo.b))
		return false;
	a->lo.len = (uint8_t)alen;
	a->hi = a->lo;
	memset(&a->mask, 0, sizeof(a->mask));
	a->mask.len = (uint8_t)alen;
	for (i = 0; i < alen; i++) {
		unsigned bit;

		a->mask.b[i] = mask[i];
		a->lo.b[i] &= mask[i];
		a->hi.b[i] = (uint8_t)(a->lo.b[i] | (uint8_t)~mask[i]);
		if (mask[i] != 0xff)
			full = false;
		for (bit = 0x80; bit; bit >>= 1) {
			if (!(mask[i] & bit))
				zero = true;
			else if (zero)
				contiguous = false;
		}
	}
	a->form = !contiguous ? AF_MASKED : full ? AF_ONE : AF_RANGE;
	return true;
}

/* "A-B" (iprange). */
bool ipt_parse_addr_range(unsigned alen, const char *s, struct addr *a)
{
	char buf[128];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	memset(&a->lo, 0, sizeof(a->lo));
	memset(&a->hi, 0, sizeof(a->hi));
	if (dash)
		*dash = '\0';
	if (!parse_ip(alen, buf, a->lo.b))
		return false;
	if (!dash)
		memcpy(a->hi.b, a->lo.b, alen);
	else if (!parse_ip(alen, dash + 1, a->hi.b))
		return false;
	a->lo.len = a->hi.len = (uint8_t)alen;
	a->form = AF_RANGE;
	return true;
}

/* ------------------------------------------------------------------ */
/* keys (shared by every rule that reads the same thing) */

static bool key_eq(const struct fw_key *a, const struct fw_key *b)
{
	return a->kind == b->kind && a->what == b->what && a->dep == b->dep &&
	       a->dir == b->dir && a->len == b->len &&
	       a->nparts == b->nparts && a->offset == b->offset &&
	       a->bits == b->bits && a->family == b->family &&
	       a->mod == b->mod && a->num_offset == b->num_offset &&
	       a->fib_flags == b->fib_flags && a->fib_types == b->fib_types &&
	       a->noentry_pass == b->noentry_pass;
}

static int key_index(struct ipt *p, const struct fw_key *k)
{
	size_t i;

	for (i = 0; i < p->rs->nkeys; i++) {
		/* a concatenation's parts follow it: never shared */
		if (p->rs->keys[i].kind == FW_KEY_CONCAT ||
		    p->rs->keys[i].kind == FW_KEY_EITHER)
			i += p->rs->keys[i].nparts;
		else if (key_eq(&p->rs->keys[i], k))
			return (int)i;
	}
	return fw_add_key(p->rs, k);
}

int ipt_key_meta(struct ipt *p, enum fw_meta what, unsigned len)
{
	struct fw_key k;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_META;
	k.what = (uint8_t)what;
	k.len = (uint8_t)len;
	return key_index(p, &k);
}

int ipt_key_payload(struct ipt *p, enum fw_base base, unsigned offset,
		    unsigned bits, enum fw_dep dep)
{
	struct fw_key k;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_PAYLOAD;
	k.what = (uint8_t)base;
	k.dep = (uint8_t)dep;
	k.offset = (uint16_t)offset;
	k.bits = (uint16_t)bits;
	k.len = (uint8_t)((bits + 7) / 8);
	return key_index(p, &k);
}

int ipt_key_ct(struct ipt *p, enum fw_ct_key what, int dir, unsigned len,
	       unsigned family)
{
	return ipt_key_ct_pass(p, what, dir, len, family, false);
}

int ipt_key_ct_pass(struct ipt *p, enum fw_ct_key what, int dir,
		    unsigned len, unsigned family, bool noentry_pass)
{
	struct fw_key k;

	memset(&k, 0, sizeof(k));
	k.noentry_pass = noentry_pass;
	k.kind = FW_KEY_CT;
	k.what = (uint8_t)what;
	k.dir = (int8_t)dir;
	k.len = (uint8_t)len;
	k.family = (uint8_t)family;
	return key_index(p, &k);
}

int ipt_key_exthdr(struct ipt *p, unsigned type, unsigned offset,
		   unsigned bits)
{
	struct fw_key k;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_EXTHDR;
	k.what = (uint8_t)type;
	k.offset = (uint16_t)offset;
	k.bits = (uint16_t)bits;
	k.len = (uint8_t)((bits + 7) / 8);
	return key_index(p, &k);
}

int ipt_key_fib(struct ipt *p, enum fw_fib_result what, unsigned flags,
		unsigned types)
{
	struct fw_key k;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_FIB;
	k.what = (uint8_t)what;
	k.fib_flags = (uint8_t)flags;
	k.fib_types = (uint16_t)types;
	k.len = 4;
	return key_index(p, &k);
}

enum fw_dep ipt_dep_of_proto(unsigned proto)
{
	switch (proto) {
	case 6: return FW_DEP_TCP;
	case 17: return FW_DEP_UDP;
	case 136: return FW_DEP_UDPLITE;
	case 132: return FW_DEP_SCTP;
	case 33: return FW_DEP_DCCP;
	default: return FW_DEP_NONE;
	}
}

/* ------------------------------------------------------------------ */
/* expressions of the rule being read */

struct fw_expr *ipt_xnew(struct ipt *p, enum fw_expr_kind kind)
{
	struct fw_expr *arr = ipt_grow_array(p->xb, &p->xcap, p->nxb + 1,
					     sizeof(*arr));
	struct fw_expr *x;

	if (!arr)
		return NULL;
	p->xb = arr;
	x = &p->xb[p->nxb++];
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	x->key = UINT16_MAX;
	x->set = -1;
	x->target = -1;
	x->counter = -1;
	return x;
}

/* A match of key k: op with one value (lo), a range [lo, hi] (op IN or
 * NOTIN) or flags (val = the flags). */
int ipt_xmatch(struct ipt *p, int key, enum fw_op op,
	       const struct fw_val *lo, const struct fw_val *hi,
	       const struct fw_val *mask)
{
	struct fw_expr *x;

	if (key < 0)
		return ipt_nomem(p);
	x = ipt_xnew(p, FW_X_MATCH);
	if (!x)
		return ipt_nomem(p);
	x->key = (uint16_t)key;
	x->op = (uint8_t)op;
	x->val = *lo;
	if (hi)
		x->hi = *hi;
	if (mask)
		x->mask = *mask;
	return 0;
}

/* A single value or a range, negated or not. */
static int xmatch_range(struct ipt *p, int key, bool inv,
			const struct fw_val *lo, const struct fw_val *hi)
{
	if (memcmp(lo->b, hi->b, lo->len) == 0)
		return ipt_xmatch(p, key, inv ? FW_OP_NE : FW_OP_EQ, lo, NULL,
				  NULL);
	return ipt_xmatch(p, key, inv ? FW_OP_NOTIN : FW_OP_IN, lo, hi, NULL);
}

int ipt_xmatch_num_range(struct ipt *p, int key, const struct range *r,
			 unsigned len)
{
	struct fw_val lo, hi;

	ipt_val_u(&lo, r->lo, len);
	ipt_val_u(&hi, r->hi, len);
	return xmatch_range(p, key, r->inv, &lo, &hi);
}

int ipt_xmatch_addr(struct ipt *p, int key, const struct addr *a)
{
	switch (a->form) {
	case AF_MASKED:
		return ipt_xmatch(p, key, a->inv ? FW_OP_NE : FW_OP_EQ, &a->lo,
				  NULL, &a->mask);
	default:
		return xmatch_range(p, key, a->inv, &a->lo, &a->hi);
	}
}

int ipt_xflags(struct ipt *p, int key, bool inv, uint32_t flags)
{
	struct fw_val v;

	ipt_val_u(&v, flags, 4);
	return ipt_xmatch(p, key, inv ? FW_OP_NOFLAGS : FW_OP_FLAGS, &v, NULL,
			  NULL);
}

/* An expression ctreplay cannot judge: the rule stops there. */
int ipt_xunknown(struct ipt *p, const char *a, const char *b)
{
	struct fw_expr *x = ipt_xnew(p, FW_X_UNKNOWN);

	if (!x)
		return ipt_nomem(p);
	x->text = ipt_scratch(p, a, b);
	return x->text ? 0 : ipt_nomem(p);
}

/* ------------------------------------------------------------------ */
/* options */

/* The argument of option opt: v[*i + 1]. */
const char *ipt_optarg_of(struct ipt *p, char **v, int n, int *i,
			  const char *opt)
{
	if (*i + 1 >= n) {
		ipt_fail(p, "%s needs an argument", opt);
		return NULL;
	}
	return v[++*i];
}

bool ipt_opt_is(const char *opt, const char *a, const char *b)
{
	return strcmp(opt, a) == 0 || (b && strcmp(opt, b) == 0);
}

/* ------------------------------------------------------------------ */
/* the IP header part */

static int parse_iface(struct ipt *p, const char *opt, const char *s,
		       bool inv, struct iface *f)
{
	size_t len = strlen(s);

	ONCE(f->set);
	if (len == 0 || len >= 16)
		return ipt_fail(p, "%s %s: an interface name has 1 to 15 "
				"characters", opt, s);
	f->set = true;
	f->inv = inv;
	memset(f->name, 0, sizeof(f->name));
	if (s[len - 1] == '+') {
		f->plus = true;
		len--;
	}
	memcpy(f->name, s, len);
	return 0;
}

/* Returns 1 when opt is one of the IP header part, 0 when not, or an
 * error. */
int ipt_parse_ip_option(struct ipt *p, struct rule *r, const char *opt,
			bool inv, char **v, int n, int *i)
{
	struct ippart *ip = &r->ip;
	const char *a;
	int rc;

	if (ipt_opt_is(opt, "-s", "--source") ||
	    ipt_opt_is(opt, "--src", NULL) ||
	    ipt_opt_is(opt, "-d", "--destination") ||
	    ipt_opt_is(opt, "--dst", NULL)) {
		struct addr *ad = opt[1] == 's' || opt[2] == 's' ? &ip->src
								 : &ip->dst;

		ONCE(ad->set);
		ARG(a);
		if (strchr(a, ','))
			return ipt_fail(p, "%s %s: lists of addresses are "
					"not read (iptables-save writes one "
					"rule each)", opt, a);
		if (!ipt_parse_addr(p->alen, a, ad))
			return ipt_fail(p, "%s %s: not an IPv%c address[/mask]",
					opt, a, p->alen == 4 ? '4' : '6');
		ad->set = true;
		ad->inv = inv;
		return 1;
	}
	if (ipt_opt_is(opt, "-i", "--in-interface") ||
	    ipt_opt_is(opt, "-o", "--out-interface")) {
		ARG(a);
		rc = parse_iface(p, opt, a, inv,
				 opt[1] == 'i' || opt[2] == 'i' ? &ip->in
								 : &ip->out);
		return rc < 0 ? rc : 1;
	}
	if (ipt_opt_is(opt, "-p", "--protocol")) {
		uint32_t proto;

		ONCE(ip->proto_set);
		ARG(a);
		if (!ipt_parse_proto(a, &proto))
			return ipt_fail(p, "-p %s: unknown protocol", a);
		ip->proto_set = true;
		ip->proto_inv = inv;
		ip->proto = (uint8_t)proto;
		return 1;
	}
	if (ipt_opt_is(opt, "-f", "--fragment")) {
		if (p->fam != FW_FAM_IP)
			return ipt_fail(p, "-f: ip6tables has no -f (it is -m "
					"frag)");
		ONCE(ip->frag_set);
		ip->frag_set = true;
		ip->frag_inv = inv;
		return 1;
	}
	return 0;
}

static int emit_iface(struct ipt *p, enum fw_meta what, const struct iface *f)
{
	struct fw_val lo, hi;
	int key = ipt_key_meta(p, what, 16);

	memset(&lo, 0, sizeof(lo));
	lo.len = 16;
	memcpy(lo.b, f->name, 16);
	if (!f->plus)
		return ipt_xmatch(p, key, f->inv ? FW_OP_NE : FW_OP_EQ, &lo,
				  NULL, NULL);
	/* every name with this prefix: the range prefix\0.. to prefix\xff.. */
	hi = lo;
	memset(hi.b + strlen(f->name), 0xff, 16 - strlen(f->name));
	return ipt_xmatch(p, key, f->inv ? FW_OP_NOTIN : FW_OP_IN, &lo, &hi,
			  NULL);
}

/* ip_packet_match() / ip6_packet_match(): addresses, interfaces, protocol,
 * fragments. */
int ipt_emit_ip(struct ipt *p, const struct ippart *ip)
{
	bool v4 = p->fam == FW_FAM_IP;
	enum fw_dep dep = v4 ? FW_DEP_IP : FW_DEP_IP6;
	int rc = 0;

	if (ip->src.set)
		rc = ipt_xmatch_addr(p, ipt_key_payload(p, FW_BASE_NH,
							v4 ? 96 : 64,
							v4 ? 32 : 128, dep),
				     &ip->src);
	if (!rc && ip->dst.set)
		rc = ipt_xmatch_addr(p, ipt_key_payload(p, FW_BASE_NH,
							v4 ? 128 : 192,
							v4 ? 32 : 128, dep),
				     &ip->dst);
	if (!rc && ip->in.set)
		rc = emit_iface(p, FW_META_IIFNAME, &ip->in);
	if (!rc && ip->out.set)
		rc = emit_iface(p, FW_META_OIFNAME, &ip->out);
	/* protocol 0 ("all") is no test, negated or not */
	if (!rc && ip->proto_set && ip->proto != 0) {
		struct fw_val pv;

		ipt_val_u(&pv, ip->proto, 1);
		rc = ipt_xmatch(p, ipt_key_meta(p, FW_META_L4PROTO, 1),
				ip->proto_inv ? FW_OP_NE : FW_OP_EQ, &pv, NULL,
				NULL);
	}
	if (!rc && ip->frag_set) {
		/* -f: second and further fragments, offset != 0 */
		struct fw_val zero, mask;

		ipt_val_u(&zero, 0, 2);
		ipt_val_u(&mask, 0x1fff, 2);
		rc = ipt_xmatch(p, ipt_key_payload(p, FW_BASE_NH, 48, 16,
						   FW_DEP_IP),
				ip->frag_inv ? FW_OP_EQ : FW_OP_NE, &zero, NULL,
				&mask);
	}
	return rc;
}

