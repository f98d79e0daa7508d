/* \summary: iptables-save reader: -s -d -i -o -p -f and the -m matches, as match expressions */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipt_int.h"

/* IPS_* conntrack status bits (uapi nf_conntrack_common.h): --ctstatus
 * takes the first four. */
#define IPS_EXPECTED   0x01u
#define IPS_SEEN_REPLY 0x02u
#define IPS_ASSURED    0x04u
#define IPS_CONFIRMED  0x08u

/* xt_conntrack's --ctstate SNAT and DNAT, beside the FW_CTS_* bits. */
#define XT_CTS_SNAT FW_XT_CTS_SNAT
#define XT_CTS_DNAT FW_XT_CTS_DNAT

/* ------------------------------------------------------------------ */
/* names the matches take */

static const struct sym ct_states[] = {
	{ "INVALID", FW_CTS_INVALID }, { "ESTABLISHED", FW_CTS_ESTABLISHED },
	{ "RELATED", FW_CTS_RELATED }, { "NEW", FW_CTS_NEW },
	{ "UNTRACKED", FW_CTS_UNTRACKED },
	/* conntrack's --ctstate only */
	{ "SNAT", XT_CTS_SNAT }, { "DNAT", XT_CTS_DNAT },
};

static const struct sym ct_statuses[] = {
	{ "NONE", 0 }, { "EXPECTED", IPS_EXPECTED },
	{ "SEEN_REPLY", IPS_SEEN_REPLY }, { "ASSURED", IPS_ASSURED },
	{ "CONFIRMED", IPS_CONFIRMED },
};

static const struct sym tcp_flags[] = {
	{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
	{ "ACK", 0x10 }, { "URG", 0x20 }, { "ECE", 0x40 }, { "CWR", 0x80 },
	{ "ALL", 0xff }, { "NONE", 0 },
};

/* ICMP types and codes as libipt_icmp.c / libip6t_icmp6.c name them:
 * type, code range. */
struct icmp_name {
	const char *name;
	uint8_t type, lo, hi;
};

static const struct icmp_name icmp_names[] = {
	{ "any", 0xff, 0, 0xff },
	{ "echo-reply", 0, 0, 0xff }, { "pong", 0, 0, 0xff },
	{ "destination-unreachable", 3, 0, 0xff },
	{ "network-unreachable", 3, 0, 0 }, { "host-unreachable", 3, 1, 1 },
	{ "protocol-unreachable", 3, 2, 2 }, { "port-unreachable", 3, 3, 3 },
	{ "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 }, { "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 }, { "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 },
	{ "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 },
	{ "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 },
	{ "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xff },
	{ "redirect", 5, 0, 0xff }, { "network-redirect", 5, 0, 0 },
	{ "host-redirect", 5, 1, 1 }, { "TOS-network-redirect", 5, 2, 2 },
	{ "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xff }, { "ping", 8, 0, 0xff },
	{ "router-advertisement", 9, 0, 0xff },
	{ "router-solicitation", 10, 0, 0xff },
	{ "time-exceeded", 11, 0, 0xff }, { "ttl-exceeded", 11, 0, 0xff },
	{ "ttl-zero-during-transit", 11, 0, 0 },
	{ "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xff }, { "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 },
	{ "timestamp-request", 13, 0, 0xff },
	{ "timestamp-reply", 14, 0, 0xff },
	{ "address-mask-request", 17, 0, 0xff },
	{ "address-mask-reply", 18, 0, 0xff },
};

static const struct icmp_name icmp6_names[] = {
	{ "destination-unreachable", 1, 0, 0xff }, { "no-route", 1, 0, 0 },
	{ "communication-prohibited", 1, 1, 1 }, { "beyond-scope", 1, 2, 2 },
	{ "address-unreachable", 1, 3, 3 }, { "port-unreachable", 1, 4, 4 },
	{ "failed-policy", 1, 5, 5 }, { "reject-route", 1, 6, 6 },
	{ "packet-too-big", 2, 0, 0xff },
	{ "time-exceeded", 3, 0, 0xff }, { "ttl-exceeded", 3, 0, 0xff },
	{ "ttl-zero-during-transit", 3, 0, 0 },
	{ "ttl-zero-during-reassembly", 3, 1, 1 },
	{ "parameter-problem", 4, 0, 0xff }, { "bad-header", 4, 0, 0 },
	{ "unknown-header-type", 4, 1, 1 }, { "unknown-option", 4, 2, 2 },
	{ "echo-request", 128, 0, 0xff }, { "ping", 128, 0, 0xff },
	{ "echo-reply", 129, 0, 0xff }, { "pong", 129, 0, 0xff },
	{ "mld-listener-query", 130, 0, 0xff },
	{ "mld-listener-report", 131, 0, 0xff },
	{ "mld-listener-done", 132, 0, 0xff },
	{ "router-solicitation", 133, 0, 0xff },
	{ "router-advertisement", 134, 0, 0xff },
	{ "neighbour-solicitation", 135, 0, 0xff },
	{ "neighbor-solicitation", 135, 0, 0xff },
	{ "neighbour-advertisement", 136, 0, 0xff },
	{ "neighbor-advertisement", 136, 0, 0xff },
	{ "redirect", 137, 0, 0xff },
};

/* ------------------------------------------------------------------ */
/* -m NAME: a match of the rule being read */

static const struct {
	const char *name;
	enum m_kind kind;
} match_names[] = {
	{ "tcp", M_TCP }, { "udp", M_UDP }, { "sctp", M_SCTP },
	{ "dccp", M_DCCP }, { "multiport", M_MULTIPORT },
	{ "icmp", M_ICMP }, { "icmp6", M_ICMP6 }, { "state", M_STATE },
	{ "conntrack", M_CONNTRACK }, { "mark", M_MARK },
	{ "connmark", M_CONNMARK }, { "comment", M_COMMENT },
	{ "addrtype", M_ADDRTYPE }, { "iprange", M_IPRANGE },
	{ "length", M_LENGTH }, { "limit", M_LIMIT },
	{ "statistic", M_STATISTIC }, { "ttl", M_TTL }, { "hl", M_HL },
	{ "rt", M_RT },
};

struct mctx *ipt_new_match(struct ipt *p, struct rule *r, const char *name)
{
	struct mctx *arr = ipt_grow_array(r->m, &r->capm, r->nm + 1,
					  sizeof(*arr));
	struct mctx *m;
	size_t k;

	if (!arr) {
		ipt_nomem(p);
		return NULL;
	}
	r->m = arr;
	m = &r->m[r->nm++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->kind = M_UNKNOWN;
	for (k = 0; k < CT_ARRAY_SIZE(match_names); k++)
		if (strcmp(match_names[k].name, name) == 0)
			m->kind = match_names[k].kind;
	return m;
}

/* ------------------------------------------------------------------ */
/* matches: options */

static int opt_ports(struct ipt *p, const char *opt, bool inv, char **v,
		     int n, int *i, struct range *r)
{
	const char *a;

	ONCE(r->set);
	ARG(a);
	if (!ipt_parse_port_range(a, r))
		return ipt_fail(p, "%s %s: not a port or port:port", opt, a);
	r->set = true;
	r->inv = inv;
	return 1;
}

static bool parse_flag_list(const char *s, uint8_t *out)
{
	char buf[128];
	char *tok, *save = NULL;
	uint32_t f = 0;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint32_t one;

		if (!ipt_sym_find(SYMS(tcp_flags), tok, &one))
			return false;
		f |= one;
	}
	*out = (uint8_t)f;
	return true;
}

static int opt_tcpudp(struct ipt *p, struct mctx *m, const char *opt,
		      bool inv, char **v, int n, int *i)
{
	const char *a, *b;

	if (ipt_opt_is(opt, "--sport", "--source-port"))
		return opt_ports(p, opt, inv, v, n, i, &m->sport);
	if (ipt_opt_is(opt, "--dport", "--destination-port"))
		return opt_ports(p, opt, inv, v, n, i, &m->dport);
	if (m->kind == M_TCP && ipt_opt_is(opt, "--tcp-flags", NULL)) {
		ONCE(m->flags_set);
		ARG(a);
		ARG(b);
		if (!parse_flag_list(a, &m->fmask) ||
		    !parse_flag_list(b, &m->fcomp))
			return ipt_fail(p, "--tcp-flags %s %s: flags are "
					"FIN,SYN,RST,PSH,ACK,URG,ECE,CWR,"
					"ALL,NONE", a, b);
		m->flags_set = true;
		m->flags_inv = inv;
		return 1;
	}
	if (m->kind == M_TCP && ipt_opt_is(opt, "--syn", NULL)) {
		ONCE(m->flags_set);
		/* SYN set, RST ACK FIN clear */
		m->flags_set = true;
		m->flags_inv = inv;
		m->fmask = 0x17;
		m->fcomp = 0x02;
		return 1;
	}
	if (m->kind == M_TCP && ipt_opt_is(opt, "--tcp-option", NULL)) {
		ARG(a);
		m->unknown = "-m tcp --tcp-option";
		return 1;
	}
	if (m->kind == M_SCTP && ipt_opt_is(opt, "--chunk-types", NULL)) {
		ARG(a);
		ARG(b);
		m->unknown = "-m sctp --chunk-types";
		return 1;
	}
	if (m->kind == M_DCCP && (ipt_opt_is(opt, "--dccp-types", NULL) ||
				  ipt_opt_is(opt, "--dccp-option", NULL))) {
		ARG(a);
		m->unknown = opt[7] == 't' ? "-m dccp --dccp-types"
					   : "-m dccp --dccp-option";
		return 1;
	}
	return 0;
}

static int opt_multiport(struct ipt *p, struct mctx *m, const char *opt,
			 bool inv, char **v, int n, int *i)
{
	const char *a;
	char buf[256];
	char *tok, *save = NULL;
	unsigned used = 0;

	if (ipt_opt_is(opt, "--sports", "--source-ports"))
		m->mp_which = 1;
	else if (ipt_opt_is(opt, "--dports", "--destination-ports"))
		m->mp_which = 2;
	else if (ipt_opt_is(opt, "--ports", NULL))
		m->mp_which = 3;
	else
		return 0;
	if (m->mp_n)
		return ipt_fail(p, "-m multiport takes one of --sports, "
				"--dports, --ports");
	ARG(a);
	if (strlen(a) >= sizeof(buf))
		return ipt_fail(p, "%s: too long", opt);
	strcpy(buf, a);
	m->mp_inv = inv;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct range r;

		memset(&r, 0, sizeof(r));
		if (!ipt_parse_port_range(tok, &r))
			return ipt_fail(p, "%s %s: %s is not a port or "
					"port:port", opt, a, tok);
		/* a range takes two of the 15 slots (xt_multiport_v1) */
		used += r.lo == r.hi ? 1 : 2;
		if (used > IPT_MULTIPORT_MAX)
			return ipt_fail(p, "%s %s: more than 15 ports", opt, a);
		m->mp_lo[m->mp_n] = (uint16_t)r.lo;
		m->mp_hi[m->mp_n] = (uint16_t)r.hi;
		m->mp_n++;
	}
	if (!m->mp_n)
		return ipt_fail(p, "%s: no port", opt);
	return 1;
}

static int opt_icmp(struct ipt *p, struct mctx *m, const char *opt, bool inv,
		    char **v, int n, int *i)
{
	bool v6 = m->kind == M_ICMP6;
	const struct icmp_name *names = v6 ? icmp6_names : icmp_names;
	size_t nn = v6 ? CT_ARRAY_SIZE(icmp6_names) : CT_ARRAY_SIZE(icmp_names);
	const char *a;
	char buf[64];
	char *slash;
	uint32_t t, c;
	size_t k;

	if (!ipt_opt_is(opt, v6 ? "--icmpv6-type" : "--icmp-type", NULL))
		return 0;
	ONCE(m->icmp_set);
	ARG(a);
	m->icmp_set = true;
	m->icmp_inv = inv;
	for (k = 0; k < nn; k++)
		if (strcasecmp(names[k].name, a) == 0) {
			m->itype = names[k].type;
			m->icode_lo = names[k].lo;
			m->icode_hi = names[k].hi;
			return 1;
		}
	if (strlen(a) >= sizeof(buf))
		return ipt_fail(p, "%s %s: unknown type", opt, a);
	strcpy(buf, a);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (!ipt_parse_u32(buf, 255, &t) ||
	    (slash && !ipt_parse_u32(slash + 1, 255, &c)))
		return ipt_fail(p, "%s %s: not a type name or TYPE[/CODE]",
				opt, a);
	m->itype = (uint8_t)t;
	m->icode_lo = slash ? (uint8_t)c : 0;
	m->icode_hi = slash ? (uint8_t)c : 0xff;
	return 1;
}

static bool parse_bits(const char *s, const struct sym *syms, size_t n,
		       uint32_t *out)
{
	char buf[256];
	char *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint32_t one;

		if (!ipt_sym_find(syms, n, tok, &one))
			return false;
		*out |= one;
	}
	return true;
}

static int opt_state(struct ipt *p, struct mctx *m, const char *opt,
		     bool inv, char **v, int n, int *i)
{
	const char *a;

	ONCE(m->st_set);
	ARG(a);
	/* -m state has no SNAT, DNAT */
	if (!parse_bits(a, ct_states,
			CT_ARRAY_SIZE(ct_states) - (m->kind == M_STATE ? 2 : 0),
			&m->st_mask))
		return ipt_fail(p, "%s %s: states are INVALID, NEW, "
				"ESTABLISHED, RELATED, UNTRACKED%s", opt, a,
				m->kind == M_STATE ? "" : ", SNAT, DNAT");
	m->st_set = true;
	m->st_inv = inv;
	return 1;
}

static int opt_conntrack(struct ipt *p, struct mctx *m, const char *opt,
			 bool inv, char **v, int n, int *i)
{
	static const char *const addr_opts[CTA_N] = {
		"--ctorigsrc", "--ctorigdst", "--ctreplsrc", "--ctrepldst",
	};
	static const char *const port_opts[CTA_N] = {
		"--ctorigsrcport", "--ctorigdstport", "--ctreplsrcport",
		"--ctrepldstport",
	};
	const char *a;
	int k;

	if (ipt_opt_is(opt, "--ctstate", NULL))
		return opt_state(p, m, opt, inv, v, n, i);
	for (k = 0; k < CTA_N; k++) {
		if (ipt_opt_is(opt, addr_opts[k], NULL)) {
			struct addr *ad = &m->ctaddr[k];

			ONCE(ad->set);
			ARG(a);
			if (!ipt_parse_addr(p->alen, a, ad))
				return ipt_fail(p, "%s %s: not an IPv%c "
						"address[/mask]", opt, a,
						p->alen == 4 ? '4' : '6');
			ad->set = true;
			ad->inv = inv;
			return 1;
		}
		if (ipt_opt_is(opt, port_opts[k], NULL))
			return opt_ports(p, opt, inv, v, n, i, &m->ctport[k]);
	}
	if (ipt_opt_is(opt, "--ctproto", NULL)) {
		uint32_t proto;

		ONCE(m->ctproto_set);
		ARG(a);
		if (!ipt_parse_proto(a, &proto))
			return ipt_fail(p, "--ctproto %s: unknown protocol", a);
		m->ctproto_set = true;
		m->ctproto_inv = inv;
		m->ctproto = (uint8_t)proto;
		return 1;
	}
	if (ipt_opt_is(opt, "--ctstatus", NULL)) {
		ONCE(m->cs_set);
		ARG(a);
		if (!parse_bits(a, SYMS(ct_statuses), &m->cs_mask))
			return ipt_fail(p, "--ctstatus %s: statuses are "
					"NONE, EXPECTED, SEEN_REPLY, "
					"ASSURED, CONFIRMED", a);
		m->cs_set = true;
		m->cs_inv = inv;
		return 1;
	}
	if (ipt_opt_is(opt, "--ctdir", NULL)) {
		NO_INV();
		ONCE(m->ctdir_set);
		ARG(a);
		if (strcasecmp(a, "ORIGINAL") == 0)
			m->ctdir = 0;
		else if (strcasecmp(a, "REPLY") == 0)
			m->ctdir = 1;
		else
			return ipt_fail(p, "--ctdir %s: ORIGINAL or REPLY", a);
		m->ctdir_set = true;
		return 1;
	}
	if (ipt_opt_is(opt, "--ctexpire", NULL)) {
		ARG(a);
		m->ctexpire = true;
		return 1;
	}
	return 0;
}

static int opt_mark(struct ipt *p, struct mctx *m, const char *opt, bool inv,
		    char **v, int n, int *i)
{
	const char *a;

	if (!ipt_opt_is(opt, "--mark", NULL))
		return 0;
	ONCE(m->mark_set);
	ARG(a);
	if (!ipt_parse_markmask(a, &m->mark, &m->mmask))
		return ipt_fail(p, "--mark %s: not VALUE[/MASK]", a);
	m->mark_set = true;
	m->mark_inv = inv;
	return 1;
}

/* libxt_addrtype.c's names: bit 1 << RTN_* each */
static const struct sym addr_types[] = {
	{ "UNSPEC", 1u << FW_RTN_UNSPEC }, { "UNICAST", 1u << FW_RTN_UNICAST },
	{ "LOCAL", 1u << FW_RTN_LOCAL },
	{ "BROADCAST", 1u << FW_RTN_BROADCAST },
	{ "ANYCAST", 1u << FW_RTN_ANYCAST },
	{ "MULTICAST", 1u << FW_RTN_MULTICAST },
	{ "BLACKHOLE", 1u << FW_RTN_BLACKHOLE },
	{ "UNREACHABLE", 1u << FW_RTN_UNREACHABLE },
	{ "PROHIBIT", 1u << FW_RTN_PROHIBIT }, { "THROW", 1u << FW_RTN_THROW },
	{ "NAT", 1u << FW_RTN_NAT }, { "XRESOLVE", 1u << FW_RTN_XRESOLVE },
};

static int opt_addrtype(struct ipt *p, struct mctx *m, const char *opt,
			bool inv, char **v, int n, int *i)
{
	const char *a;
	uint32_t mask;
	bool src = ipt_opt_is(opt, "--src-type", NULL);

	if (ipt_opt_is(opt, "--limit-iface-in", NULL) ||
	    ipt_opt_is(opt, "--limit-iface-out", NULL)) {
		int which = opt[14] == 'i' ? 1 : 2;

		NO_INV();
		/* addrtype_mt_checkentry_v1() */
		if (m->at_limit && m->at_limit != which)
			return ipt_fail(p, "-m addrtype: --limit-iface-in and "
					"--limit-iface-out exclude each other");
		m->at_limit = which;
		return 1;
	}
	if (!src && !ipt_opt_is(opt, "--dst-type", NULL))
		return 0;
	ONCE(src ? m->at_src_set : m->at_dst_set);
	ARG(a);
	if (!parse_bits(a, SYMS(addr_types), &mask))
		return ipt_fail(p, "%s %s: types are UNICAST, LOCAL, "
				"BROADCAST, ANYCAST, MULTICAST, "
				"BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, "
				"NAT, XRESOLVE, UNSPEC", opt, a);
	if (p->fam == FW_FAM_IP6 &&
	    (mask & (1u << FW_RTN_BROADCAST | 1u << FW_RTN_BLACKHOLE |
		     ~((1u << FW_RTN_PROHIBIT) - 1))))
		/* refused by the kernel for ip6tables */
		return ipt_fail(p, "%s %s: ip6tables matches UNSPEC, UNICAST, "
				"LOCAL, ANYCAST, MULTICAST, UNREACHABLE only",
				opt, a);
	if (src) {
		m->at_src_set = true;
		m->at_src = (uint16_t)mask;
		m->at_src_inv = inv;
	} else {
		m->at_dst_set = true;
		m->at_dst = (uint16_t)mask;
		m->at_dst_inv = inv;
	}
	return 1;
}

static int opt_iprange(struct ipt *p, struct mctx *m, const char *opt,
		       bool inv, char **v, int n, int *i)
{
	struct addr *ad;
	const char *a;

	if (ipt_opt_is(opt, "--src-range", NULL))
		ad = &m->srcr;
	else if (ipt_opt_is(opt, "--dst-range", NULL))
		ad = &m->dstr;
	else
		return 0;
	ONCE(ad->set);
	ARG(a);
	if (!ipt_parse_addr_range(p->alen, a, ad))
		return ipt_fail(p, "%s %s: not ADDRESS[-ADDRESS]", opt, a);
	ad->set = true;
	ad->inv = inv;
	return 1;
}

static int opt_length(struct ipt *p, struct mctx *m, const char *opt,
		      bool inv, char **v, int n, int *i)
{
	const char *a;
	char buf[64];
	char *colon;

	if (!ipt_opt_is(opt, "--length", NULL))
		return 0;
	ONCE(m->length.set);
	ARG(a);
	if (strlen(a) >= sizeof(buf))
		return ipt_fail(p, "--length %s: not N or N:M", a);
	strcpy(buf, a);
	colon = strchr(buf, ':');
	m->length.lo = 0;
	m->length.hi = 65535;
	if (colon)
		*colon = '\0';
	if ((buf[0] || !colon) && !ipt_parse_u32(buf, 65535, &m->length.lo))
		return ipt_fail(p, "--length %s: not N or N:M", a);
	if (!colon)
		m->length.hi = m->length.lo;
	else if (colon[1] && !ipt_parse_u32(colon + 1, 65535, &m->length.hi))
		return ipt_fail(p, "--length %s: not N or N:M", a);
	if (m->length.lo > m->length.hi)
		return ipt_fail(p, "--length %s: the range is empty", a);
	m->length.set = true;
	m->length.inv = inv;
	return 1;
}

/* libxt_limit.c parse_rate(): N[/second|minute|hour|day] (any prefix of
 * the unit), kept as the kernel keeps it: avg, in 1/10000 s per packet. */
static int opt_limit(struct ipt *p, struct mctx *m, const char *opt,
		     bool inv, char **v, int n, int *i)
{
	static const struct {
		const char *name;
		uint32_t mult;
	} units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
		{ "day", 86400 },
	};
	const char *a;
	uint32_t rate, mult = 1;

	if (ipt_opt_is(opt, "--limit-burst", NULL)) {
		NO_INV();
		ARG(a);
		if (!ipt_parse_u32(a, 10000, &m->burst) || m->burst == 0)
			return ipt_fail(p, "--limit-burst %s: 1 to 10000", a);
		return 1;
	}
	if (!ipt_opt_is(opt, "--limit", NULL))
		return 0;
	NO_INV();
	ONCE(m->lim_set);
	ARG(a);
	{
		char buf[64];
		char *slash;
		size_t k;

		if (strlen(a) >= sizeof(buf))
			return ipt_fail(p, "--limit %s: not N/UNIT", a);
		strcpy(buf, a);
		slash = strchr(buf, '/');
		if (slash) {
			size_t ul = strlen(slash + 1);

			*slash = '\0';
			for (k = 0; k < CT_ARRAY_SIZE(units); k++)
				if (ul && strncasecmp(units[k].name, slash + 1,
						      ul) == 0)
					break;
			if (k == CT_ARRAY_SIZE(units))
				return ipt_fail(p, "--limit %s: the unit is "
						"second, minute, hour or "
						"day", a);
			mult = units[k].mult;
		}
		if (!ipt_parse_u32(buf, UINT32_MAX, &rate) || rate == 0)
			return ipt_fail(p, "--limit %s: not N/UNIT", a);
	}
	m->avg = (uint32_t)(10000ull * mult / rate);
	if (m->avg == 0)
		return ipt_fail(p, "--limit %s: rate too fast", a);
	m->lim_set = true;
	return 1;
}

static int opt_statistic(struct ipt *p, struct mctx *m, const char *opt,
			 bool inv, char **v, int n, int *i)
{
	const char *a;

	if (ipt_opt_is(opt, "--mode", NULL)) {
		NO_INV();
		ONCE(m->smode);
		ARG(a);
		if (strcmp(a, "random") == 0)
			m->smode = 1;
		else if (strcmp(a, "nth") == 0)
			m->smode = 2;
		else
			return ipt_fail(p, "--mode %s: random or nth", a);
		return 1;
	}
	if (ipt_opt_is(opt, "--probability", NULL)) {
		double d;
		char *end;

		ONCE(m->prob_set);
		ARG(a);
		d = strtod(a, &end);
		if (end == a || *end || !(d >= 0.0 && d <= 1.0))
			return ipt_fail(p, "--probability %s: a number "
					"from 0 to 1", a);
		/* as libxt_statistic: lround(0x80000000 * p) */
		m->prob = (uint32_t)(2147483648.0 * d + 0.5);
		m->prob_set = true;
		m->s_inv = m->s_inv || inv;
		return 1;
	}
	if (ipt_opt_is(opt, "--every", NULL)) {
		ONCE(m->every_set);
		ARG(a);
		if (!ipt_parse_u32(a, UINT32_MAX, &m->every) || m->every == 0)
			return ipt_fail(p, "--every %s: a number from 1", a);
		m->every_set = true;
		m->s_inv = m->s_inv || inv;
		return 1;
	}
	if (ipt_opt_is(opt, "--packet", NULL)) {
		NO_INV();
		ONCE(m->packet_set);
		ARG(a);
		if (!ipt_parse_u32(a, UINT32_MAX, &m->packet))
			return ipt_fail(p, "--packet %s: not a number", a);
		m->packet_set = true;
		return 1;
	}
	return 0;
}

static int opt_ttl(struct ipt *p, struct mctx *m, const char *opt, bool inv,
		   char **v, int n, int *i)
{
	const char *pre = m->kind == M_TTL ? "--ttl-" : "--hl-";
	size_t pl = strlen(pre);
	const char *a;
	uint32_t val;

	if (strncmp(opt, pre, pl) != 0)
		return 0;
	if (strcmp(opt + pl, "eq") == 0)
		m->ttl_op = inv ? FW_OP_NE : FW_OP_EQ;
	else if (strcmp(opt + pl, "lt") == 0)
		m->ttl_op = FW_OP_LT;
	else if (strcmp(opt + pl, "gt") == 0)
		m->ttl_op = FW_OP_GT;
	else
		return 0;
	if (strcmp(opt + pl, "eq") != 0)
		NO_INV();
	ONCE(m->ttl_set);
	ARG(a);
	if (!ipt_parse_u32(a, 255, &val))
		return ipt_fail(p, "%s %s: 0 to 255", opt, a);
	m->ttl = (uint8_t)val;
	m->ttl_set = true;
	return 1;
}

/* ip6t_rt.c: --rt-type; the other options are read, not judged. */
static int opt_rt(struct ipt *p, struct mctx *m, const char *opt, bool inv,
		  char **v, int n, int *i)
{
	const char *a;
	uint32_t t;

	if (ipt_opt_is(opt, "--rt-type", NULL)) {
		ONCE(m->rt_set);
		ARG(a);
		if (!ipt_parse_u32(a, 255, &t))
			return ipt_fail(p, "--rt-type %s: 0 to 255", a);
		m->rt_set = true;
		m->rt_inv = inv;
		m->rt_type = (uint8_t)t;
		return 1;
	}
	if (ipt_opt_is(opt, "--rt-segsleft", NULL) ||
	    ipt_opt_is(opt, "--rt-len", NULL) ||
	    ipt_opt_is(opt, "--rt-0-addrs", NULL)) {
		ARG(a);
		m->unknown = "-m rt with other options than --rt-type";
		return 1;
	}
	if (ipt_opt_is(opt, "--rt-0-res", NULL) ||
	    ipt_opt_is(opt, "--rt-0-not-strict", NULL)) {
		m->unknown = "-m rt with other options than --rt-type";
		return 1;
	}
	return 0;
}

/* Returns 1 when opt belongs to match m (and is read), 0 when not, or an
 * error. */
int ipt_match_option(struct ipt *p, struct mctx *m, const char *opt,
		     bool inv, char **v, int n, int *i)
{
	const char *a;

	switch (m->kind) {
	case M_TCP:
	case M_UDP:
	case M_SCTP:
	case M_DCCP:
		return opt_tcpudp(p, m, opt, inv, v, n, i);
	case M_MULTIPORT:
		return opt_multiport(p, m, opt, inv, v, n, i);
	case M_ICMP:
	case M_ICMP6:
		return opt_icmp(p, m, opt, inv, v, n, i);
	case M_STATE:
		return ipt_opt_is(opt, "--state", NULL)
			       ? opt_state(p, m, opt, inv, v, n, i) : 0;
	case M_CONNTRACK:
		return opt_conntrack(p, m, opt, inv, v, n, i);
	case M_MARK:
	case M_CONNMARK:
		return opt_mark(p, m, opt, inv, v, n, i);
	case M_COMMENT:
		if (!ipt_opt_is(opt, "--comment", NULL))
			return 0;
		NO_INV();
		ONCE(m->comment);
		ARG(a);
		m->comment = a;
		return 1;
	case M_ADDRTYPE:
		return opt_addrtype(p, m, opt, inv, v, n, i);
	case M_IPRANGE:
		return opt_iprange(p, m, opt, inv, v, n, i);
	case M_LENGTH:
		return opt_length(p, m, opt, inv, v, n, i);
	case M_LIMIT:
		return opt_limit(p, m, opt, inv, v, n, i);
	case M_STATISTIC:
		return opt_statistic(p, m, opt, inv, v, n, i);
	case M_TTL:
	case M_HL:
		return opt_ttl(p, m, opt, inv, v, n, i);
	case M_RT:
		return opt_rt(p, m, opt, inv, v, n, i);
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* matches: expressions */

static const char *proto_match_name(enum m_kind k)
{
	switch (k) {
	case M_TCP: return "tcp";
	case M_UDP: return "udp";
	case M_SCTP: return "sctp";
	case M_DCCP: return "dccp";
	case M_ICMP: return "icmp";
	default: return "icmp6";
	}
}

static uint8_t proto_of_match(enum m_kind k)
{
	switch (k) {
	case M_TCP: return 6;
	case M_UDP: return 17;
	case M_SCTP: return 132;
	case M_DCCP: return 33;
	case M_ICMP: return 1;
	default: return 58;
	}
}

/* tcp, udp, sctp, dccp (xt_tcpudp.c, xt_sctp.c, xt_dccp.c). */
static int emit_tcpudp(struct ipt *p, const struct mctx *m)
{
	enum fw_dep dep = ipt_dep_of_proto(proto_of_match(m->kind));
	int rc = 0;

	if (m->sport.set)
		rc = ipt_xmatch_num_range(p, ipt_key_payload(p, FW_BASE_TH,
							     0, 16, dep),
					  &m->sport, 2);
	if (!rc && m->dport.set)
		rc = ipt_xmatch_num_range(p, ipt_key_payload(p, FW_BASE_TH,
							     16, 16, dep),
					  &m->dport, 2);
	if (!rc && m->flags_set) {
		struct fw_val comp, mask;

		ipt_val_u(&comp, m->fcomp, 1);
		ipt_val_u(&mask, m->fmask, 1);
		rc = ipt_xmatch(p, ipt_key_payload(p, FW_BASE_TH, 104, 8,
						   FW_DEP_TCP),
				m->flags_inv ? FW_OP_NE : FW_OP_EQ, &comp, NULL,
				&mask);
	}
	return rc;
}

static int emit_multiport(struct ipt *p, const struct rule *r,
			  const struct mctx *m)
{
	enum fw_dep dep = r->ip.proto_inv ? FW_DEP_NONE
					  : ipt_dep_of_proto(r->ip.proto);
	struct fw_expr *x;
	bool interval = false;
	unsigned k;
	int set, key;

	if (dep == FW_DEP_NONE)
		return ipt_fail(p, "-m multiport needs -p tcp, udp, "
				"udplite, sctp or dccp");
	if (!m->mp_n)
		return ipt_fail(p, "-m multiport without --sports, --dports or "
				"--ports");
	set = fw_add_set(p->rs, p->table, NULL, 2);
	if (set < 0)
		return ipt_nomem(p);
	for (k = 0; k < m->mp_n; k++) {
		struct fw_elem e;

		memset(&e, 0, sizeof(e));
		ipt_val_u(&e.lo, m->mp_lo[k], 2);
		ipt_val_u(&e.hi, m->mp_hi[k], 2);
		e.verdict = -1;
		e.target = -1;
		if (m->mp_lo[k] != m->mp_hi[k])
			interval = true;
		if (!fw_set_add(p->rs, set, &e))
			return ipt_nomem(p);
	}
	p->rs->sets[set].interval = interval;
	if (m->mp_which == 3) {
		/* --ports: source or destination port in the set, an either
		 * key whose two parts follow it */
		struct fw_key fk;
		unsigned part;

		memset(&fk, 0, sizeof(fk));
		fk.kind = FW_KEY_EITHER;
		fk.nparts = 2;
		fk.len = 2;
		key = fw_add_key(p->rs, &fk);
		for (part = 0; part < 2 && key >= 0; part++) {
			memset(&fk, 0, sizeof(fk));
			fk.kind = FW_KEY_PAYLOAD;
			fk.what = FW_BASE_TH;
			fk.dep = (uint8_t)dep;
			fk.offset = (uint16_t)(16 * part);
			fk.bits = 16;
			fk.len = 2;
			if (fw_add_key(p->rs, &fk) < 0)
				key = -1;
		}
	} else {
		key = ipt_key_payload(p, FW_BASE_TH,
				      m->mp_which == 1 ? 0 : 16, 16, dep);
	}
	if (key < 0)
		return ipt_nomem(p);
	x = ipt_xnew(p, FW_X_MATCH);
	if (!x)
		return ipt_nomem(p);
	x->key = (uint16_t)key;
	x->op = m->mp_inv ? FW_OP_NOTIN : FW_OP_IN;
	x->set = set;
	return 0;
}

/* icmp_type_code_match(): type, and code within [lo, hi]. */
static int emit_icmp(struct ipt *p, const struct mctx *m)
{
	enum fw_dep dep = m->kind == M_ICMP ? FW_DEP_ICMP : FW_DEP_ICMPV6;
	struct fw_val v;

	if (!m->icmp_set)
		return ipt_fail(p, "-m %s without --icmp%s-type",
				proto_match_name(m->kind),
				m->kind == M_ICMP ? "" : "v6");
	/* "any" (type 255, libipt_icmp's hack): every ICMP packet, and
	 * none when negated */
	if (m->kind == M_ICMP && m->itype == 0xff) {
		struct fw_val lo, hi;

		if (!m->icmp_inv)
			return 0;
		ipt_val_u(&lo, 0, 1);
		ipt_val_u(&hi, 0xff, 1);
		return ipt_xmatch(p, ipt_key_payload(p, FW_BASE_TH, 0, 8, dep),
				  FW_OP_NOTIN, &lo, &hi, NULL);
	}
	if (m->icode_lo == 0 && m->icode_hi == 0xff) {
		ipt_val_u(&v, m->itype, 1);
		return ipt_xmatch(p, ipt_key_payload(p, FW_BASE_TH, 0, 8, dep),
				  m->icmp_inv ? FW_OP_NE : FW_OP_EQ, &v, NULL,
				  NULL);
	}
	if (m->icode_lo == m->icode_hi) {
		/* type and code in one 16-bit key: "! 3/4" is one test */
		ipt_val_u(&v, (uint32_t)m->itype << 8 | m->icode_lo, 2);
		return ipt_xmatch(p, ipt_key_payload(p, FW_BASE_TH, 0, 16, dep),
				  m->icmp_inv ? FW_OP_NE : FW_OP_EQ, &v, NULL,
				  NULL);
	}
	{
		struct fw_val lo, hi;

		ipt_val_u(&lo, (uint32_t)m->itype << 8 | m->icode_lo, 2);
		ipt_val_u(&hi, (uint32_t)m->itype << 8 | m->icode_hi, 2);
		return ipt_xmatch(p, ipt_key_payload(p, FW_BASE_TH, 0, 16, dep),
				  m->icmp_inv ? FW_OP_NOTIN : FW_OP_IN, &lo,
				  &hi, NULL);
	}
}

/*
 * state_mt() and conntrack_mt() (xt_state.c, xt_conntrack.c).  The state
 * bits are nft's ct state bits, defined for a packet without an entry
 * too (invalid, untracked); --ctstate SNAT/DNAT add the entry's NAT
 * status bits to the same OR (the FW_CT_XT_STATE key).  For a packet
 * without an entry conntrack_mt() returns the --ctstate test alone: the
 * other options' ct keys then let it pass (noentry_pass) where in nft
 * they would end the rule.
 */
static int emit_conntrack(struct ipt *p, const struct mctx *m)
{
	const uint32_t nat = XT_CTS_SNAT | XT_CTS_DNAT;
	unsigned family = p->fam == FW_FAM_IP ? 4 : 6;
	bool others = m->cs_set || m->ctproto_set || m->ctdir_set ||
		      m->ctexpire;
	bool pass = false;
	int rc = 0, k;

	for (k = 0; k < CTA_N; k++)
		others = others || m->ctaddr[k].set || m->ctport[k].set;
	if (m->kind == M_CONNTRACK && !m->st_set && !others)
		return ipt_fail(p, "-m conntrack without an option");
	if (m->kind == M_STATE && !m->st_set)
		return ipt_fail(p, "-m state without --state");
	if (m->st_set) {
		bool nats = (m->st_mask & nat) != 0;

		/* without an entry, the options after --ctstate are not
		 * looked at (the state test decided) */
		pass = true;
		rc = ipt_xflags(p, ipt_key_ct(p, nats ? FW_CT_XT_STATE
						      : FW_CT_STATE,
					      -1, 4, 0),
				m->st_inv, m->st_mask);
	}
	if (rc)
		return rc;
	if (m->ctexpire)
		return ipt_xunknown(p, "-m conntrack --ctexpire", NULL);
	for (k = 0; k < CTA_N && !rc; k++) {
		int dir = k == CTA_ORIGSRC || k == CTA_ORIGDST ? 0 : 1;
		bool src = k == CTA_ORIGSRC || k == CTA_REPLSRC;

		if (m->ctaddr[k].set) {
			int key = ipt_key_ct_pass(p, src ? FW_CT_SADDR
							 : FW_CT_DADDR,
						  dir, p->alen, family, pass);

			rc = ipt_xmatch_addr(p, key, &m->ctaddr[k]);
		}
		if (!rc && m->ctport[k].set) {
			int key = ipt_key_ct_pass(p, src ? FW_CT_PROTO_SRC
							 : FW_CT_PROTO_DST,
						  dir, 2, 0, pass);

			rc = ipt_xmatch_num_range(p, key, &m->ctport[k], 2);
		}
	}
	if (!rc && m->ctproto_set) {
		struct fw_val v;

		ipt_val_u(&v, m->ctproto, 1);
		rc = ipt_xmatch(p, ipt_key_ct_pass(p, FW_CT_PROTOCOL, -1, 1, 0,
						   pass),
				m->ctproto_inv ? FW_OP_NE : FW_OP_EQ, &v, NULL,
				NULL);
	}
	if (!rc && m->ctdir_set) {
		struct fw_val v;

		ipt_val_u(&v, m->ctdir, 1);
		rc = ipt_xmatch(p, ipt_key_ct_pass(p, FW_CT_DIRECTION, -1, 1,
						   0, pass),
				FW_OP_EQ, &v, NULL, NULL);
	}
	if (!rc && m->cs_set)
		rc = ipt_xflags(p, ipt_key_ct_pass(p, FW_CT_STATUS, -1, 4, 0,
						   pass),
				m->cs_inv, m->cs_mask);
	return rc;
}

static int emit_mark(struct ipt *p, const struct mctx *m)
{
	struct fw_val v, mask;
	int key = m->kind == M_MARK ? ipt_key_meta(p, FW_META_MARK, 4)
				    : ipt_key_ct(p, FW_CT_MARK, -1, 4, 0);

	if (!m->mark_set)
		return ipt_fail(p, "-m %s without --mark", m->name);
	/* (mark & mask) == value (xt_mark.c) */
	ipt_val_u(&v, m->mark, 4);
	ipt_val_u(&mask, m->mmask, 4);
	return ipt_xmatch(p, key, m->mark_inv ? FW_OP_NE : FW_OP_EQ, &v, NULL,
			  m->mmask == UINT32_MAX ? NULL : &mask);
}

static int emit_statistic(struct ipt *p, const struct mctx *m)
{
	struct fw_expr *x;

	if (!m->smode)
		return ipt_fail(p, "-m statistic without --mode");
	if (m->smode == 1 && (m->every_set || m->packet_set || !m->prob_set))
		return ipt_fail(p, "-m statistic --mode random takes "
				"--probability only");
	if (m->smode == 2 && (m->prob_set || !m->every_set))
		return ipt_fail(p, "-m statistic --mode nth takes --every and "
				"--packet");
	if (m->smode == 2 && m->packet >= m->every)
		return ipt_fail(p, "-m statistic: --packet must be below "
				"--every");
	x = ipt_xnew(p, FW_X_STATISTIC);
	if (!x)
		return ipt_nomem(p);
	x->inv = m->s_inv;
	if (m->smode == 1) {
		x->probability = m->prob;
	} else {
		x->every = m->every;
		x->packet = m->packet;
	}
	return 0;
}

/*
 * xt_addrtype.c, addrtype_mt_v1(): the type of the source, then of the
 * destination, each (type in the mask) xor its "!", looked up on the
 * input or output interface with --limit-iface-in/out.  A flags test on
 * a fib key that yields 1 << type.
 */
static int emit_addrtype(struct ipt *p, const struct mctx *m)
{
	unsigned lim = m->at_limit == 1 ? FW_FIB_F_IIF
		     : m->at_limit == 2 ? FW_FIB_F_OIF : 0;
	bool v6 = p->fam == FW_FAM_IP6;
	int rc = 0;

	if (!m->at_src_set && !m->at_dst_set)
		return ipt_fail(p, "-m addrtype without --src-type or "
				"--dst-type");
	if (m->at_src_set)
		rc = ipt_xflags(p, ipt_key_fib(p, FW_FIB_XT_ADDRTYPE,
					       FW_FIB_F_SADDR | lim,
					       v6 ? m->at_src : 0),
				m->at_src_inv, m->at_src);
	if (!rc && m->at_dst_set)
		rc = ipt_xflags(p, ipt_key_fib(p, FW_FIB_XT_ADDRTYPE,
					       FW_FIB_F_DADDR | lim,
					       v6 ? m->at_dst : 0),
				m->at_dst_inv, m->at_dst);
	return rc;
}

int ipt_emit_match(struct ipt *p, const struct rule *r, const struct mctx *m)
{
	int rc = 0;

	switch (m->kind) {
	case M_UNKNOWN:
		return ipt_xunknown(p, "-m ", m->name);
	case M_TCP:
	case M_UDP:
	case M_SCTP:
	case M_DCCP:
	case M_ICMP:
	case M_ICMP6:
		if (m->kind == M_ICMP && p->fam != FW_FAM_IP)
			return ipt_fail(p, "-m icmp is for iptables "
					"(ip6tables: -m icmp6)");
		if (m->kind == M_ICMP6 && p->fam != FW_FAM_IP6)
			return ipt_fail(p, "-m icmp6 is for ip6tables "
					"(iptables: -m icmp)");
		/* x_tables refuses these without their -p */
		if (!r->ip.proto_set || r->ip.proto_inv ||
		    r->ip.proto != proto_of_match(m->kind))
			return ipt_fail(p, "-m %s needs -p %s", m->name,
					m->kind == M_ICMP6
						? "ipv6-icmp"
						: proto_match_name(m->kind));
		if (m->kind == M_ICMP || m->kind == M_ICMP6)
			rc = emit_icmp(p, m);
		else
			rc = emit_tcpudp(p, m);
		if (!rc && m->unknown)
			rc = ipt_xunknown(p, m->unknown, NULL);
		return rc;
	case M_MULTIPORT:
		return emit_multiport(p, r, m);
	case M_STATE:
	case M_CONNTRACK:
		return emit_conntrack(p, m);
	case M_MARK:
	case M_CONNMARK:
		return emit_mark(p, m);
	case M_COMMENT:
		if (!m->comment)
			return ipt_fail(p, "-m comment without --comment");
		return 0;
	case M_ADDRTYPE:
		return emit_addrtype(p, m);
	case M_IPRANGE: {
		bool v4 = p->fam == FW_FAM_IP;
		enum fw_dep dep = v4 ? FW_DEP_IP : FW_DEP_IP6;

		if (!m->srcr.set && !m->dstr.set)
			return ipt_fail(p, "-m iprange without --src-range "
					"or --dst-range");
		if (m->srcr.set)
			rc = ipt_xmatch(p, ipt_key_payload(p, FW_BASE_NH,
							   v4 ? 96 : 64,
							   v4 ? 32 : 128, dep),
					m->srcr.inv ? FW_OP_NOTIN : FW_OP_IN,
					&m->srcr.lo, &m->srcr.hi, NULL);
		if (!rc && m->dstr.set)
			rc = ipt_xmatch(p, ipt_key_payload(p, FW_BASE_NH,
							   v4 ? 128 : 192,
							   v4 ? 32 : 128, dep),
					m->dstr.inv ? FW_OP_NOTIN : FW_OP_IN,
					&m->dstr.lo, &m->dstr.hi, NULL);
		return rc;
	}
	case M_LENGTH:
		if (!m->length.set)
			return ipt_fail(p, "-m length without --length");
		/* the IP datagram's length (xt_length.c); skb->len, which
		 * ip_rcv() trims to it */
		return ipt_xmatch_num_range(p,
					    ipt_key_meta(p, FW_META_LENGTH, 4),
					    &m->length, 4);
	case M_LIMIT: {
		struct fw_expr *x = ipt_xnew(p, FW_X_LIMIT);

		if (!x)
			return ipt_nomem(p);
		/* xt_limit: one packet per avg/10000 s, a bucket of
		 * `burst` packets, full at first; default 3/hour burst 5 */
		x->rate = 1;
		x->unit_ns = (uint64_t)(m->lim_set ? m->avg : 12000000u) *
			     100000u;
		x->burst = m->burst ? m->burst : 5;
		return 0;
	}
	case M_STATISTIC:
		return emit_statistic(p, m);
	case M_RT: {
		struct fw_val v;

		if (p->fam != FW_FAM_IP6)
			return ipt_fail(p, "-m rt is for ip6tables");
		if (m->unknown)
			return ipt_xunknown(p, m->unknown, NULL);
		if (!m->rt_set)
			return ipt_fail(p, "-m rt without --rt-type");
		/* rt_mt6(): a packet without a routing header never
		 * matches, "!" or not; the type is its third byte */
		ipt_val_u(&v, m->rt_type, 1);
		return ipt_xmatch(p, ipt_key_exthdr(p, 43, 16, 8),
				  m->rt_inv ? FW_OP_NE : FW_OP_EQ, &v, NULL,
				  NULL);
	}
	case M_TTL:
	case M_HL: {
		struct fw_val v;
		bool v4 = m->kind == M_TTL;

		if (!m->ttl_set)
			return ipt_fail(p, "-m %s without an option", m->name);
		if (v4 != (p->fam == FW_FAM_IP))
			return ipt_fail(p, "-m %s is for %s", m->name,
					v4 ? "iptables" : "ip6tables");
		ipt_val_u(&v, m->ttl, 1);
		return ipt_xmatch(p, ipt_key_payload(p, FW_BASE_NH,
						     v4 ? 64 : 56, 8,
						     v4 ? FW_DEP_IP
							: FW_DEP_IP6),
				  (enum fw_op)m->ttl_op, &v, NULL, NULL);
	}
	}
	return 0;
}
