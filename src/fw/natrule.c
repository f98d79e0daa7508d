/* \summary: nat statements and targets: what they map to, read from iptables-save and chosen per packet */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natrule.h"

/* ------------------------------------------------------------------ */
/* iptables: SNAT, DNAT, MASQUERADE, REDIRECT */

/* "a[-b][:p[-q]]" with IPv6 addresses in brackets ("[a]-[b]:p"), or
 * ":p[-q]" alone (iptables' parse_to() in libxt_{SNAT,DNAT}.c). */
static bool ports_parse(const char *s, struct fw_expr *x)
{
	char *end;
	unsigned long a, b;

	a = strtoul(s, &end, 10);
	if (end == s || a > 65535)
		return false;
	b = a;
	if (*end == '-') {
		const char *t = end + 1;

		b = strtoul(t, &end, 10);
		if (end == t || b > 65535)
			return false;
	}
	if (*end != '\0')
		return false;
	x->port_min = (uint16_t)a;
	x->port_max = (uint16_t)b;
	return true;
}

static bool one_addr(const char *s, size_t n, int family, struct fw_val *v)
{
	char buf[64];

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(v, 0, sizeof(*v));
	v->len = family == 6 ? 16 : 4;
	return fw_addr_parse(buf, family, v->b);
}

static bool to_parse(const char *s, int family, struct fw_expr *x)
{
	const char *colon = NULL, *dash = NULL, *p;

	if (family == 6) {
		/* [a]-[b]:p or a bare address */
		const char *close = NULL;

		if (*s == '[') {
			close = strchr(s, ']');
			if (!close)
				return false;
			p = close + 1;
			if (*p == '-') {
				const char *o = p + 1, *c2;

				if (*o != '[' || !(c2 = strchr(o, ']')))
					return false;
				if (!one_addr(s + 1, (size_t)(close - s - 1), 6,
					      &x->val) ||
				    !one_addr(o + 1, (size_t)(c2 - o - 1), 6,
					      &x->hi))
					return false;
				p = c2 + 1;
			} else if (!one_addr(s + 1, (size_t)(close - s - 1), 6,
					     &x->val)) {
				return false;
			} else {
				x->hi = x->val;
			}
			if (*p == ':')
				return ports_parse(p + 1, x);
			return *p == '\0';
		}
		if (!one_addr(s, strlen(s), 6, &x->val))
			return false;
		x->hi = x->val;
		return true;
	}
	colon = strchr(s, ':');
	if (colon == s)
		return ports_parse(s + 1, x);
	dash = memchr(s, '-', colon ? (size_t)(colon - s) : strlen(s));
	if (dash) {
		if (!one_addr(s, (size_t)(dash - s), 4, &x->val) ||
		    !one_addr(dash + 1,
			      (size_t)((colon ? colon : s + strlen(s)) - dash - 1),
			      4, &x->hi))
			return false;
	} else {
		if (!one_addr(s, colon ? (size_t)(colon - s) : strlen(s), 4,
			      &x->val))
			return false;
		x->hi = x->val;
	}
	return colon ? ports_parse(colon + 1, x) : true;
}

int fw_nat_parse_ipt(struct fw_expr *x, const char *target, const char *opts,
		     int family)
{
	char buf[512], *tok, *save = NULL;
	bool want = false;

	if (strcmp(target, "SNAT") == 0)
		x->what = FW_NAT_SNAT;
	else if (strcmp(target, "DNAT") == 0)
		x->what = FW_NAT_DNAT;
	else if (strcmp(target, "MASQUERADE") == 0)
		x->what = FW_NAT_MASQUERADE;
	else if (strcmp(target, "REDIRECT") == 0)
		x->what = FW_NAT_REDIRECT;
	else
		return -1;
	x->nat_family = (uint8_t)family;
	if (strlen(opts) >= sizeof(buf))
		return -1;
	strcpy(buf, opts);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (want) {
			bool ok = (x->what == FW_NAT_SNAT ||
				   x->what == FW_NAT_DNAT)
					  ? to_parse(tok, family, x)
					  : ports_parse(tok, x);

			if (!ok)
				return -1;
			want = false;
		} else if (strcmp(tok, "--to-source") == 0 ||
			   strcmp(tok, "--to-destination") == 0 ||
			   strcmp(tok, "--to-ports") == 0 ||
			   strcmp(tok, "--to") == 0) {
			want = true;
		} else if (strcmp(tok, "--random") == 0) {
			x->code |= CT_NAT_PROTO_RANDOM;
		} else if (strcmp(tok, "--random-fully") == 0) {
			x->code |= CT_NAT_PROTO_RANDOM_FULLY;
		} else if (strcmp(tok, "--persistent") == 0) {
			x->code |= CT_NAT_PERSISTENT;
		} else {
			return -1;
		}
	}
	return want ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* the address a masquerade or redirect takes */

static unsigned common_bits(const uint8_t *a, const uint8_t *b, size_t alen)
{
	unsigned i;

	for (i = 0; i < alen * 8; i++)
		if (((a[i / 8] ^ b[i / 8]) >> (7 - i % 8)) & 1)
			break;
	return i;
}

/*
 * Masquerade's source (nf_nat_masquerade_ipv4(): inet_select_addr() on
 * the output device: its first address whose subnet holds the next hop,
 * else its first address; IPv6: ipv6_dev_get_saddr(), here the device's
 * global address sharing the longest prefix with the destination).
 */
static bool masq_addr(const struct fw_net *net, const struct ct_hookpkt *hp,
		      uint8_t out[16])
{
	const struct fw_iface *f = fw_net_iface_by_name(net, hp->oifname);
	int fam = hp->pkt->l3num == CT_L3_IPV6 ? 6 : 4;
	const struct fw_addr *best = NULL;
	unsigned bestbits = 0;
	size_t i;

	if (!f)
		return false;
	for (i = 0; i < f->naddrs; i++) {
		const struct fw_addr *a = &f->addrs[i];

		if (a->family != fam)
			continue;
		if (fam == 4) {
			if (fw_prefix_match(hp->pkt->dst, a->addr, a->plen)) {
				best = a;
				break;
			}
			if (!best)
				best = a;
		} else {
			unsigned bits;

			if (a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80)
				continue;
			bits = common_bits(a->addr, hp->pkt->dst, 16);
			if (!best || bits > bestbits) {
				best = a;
				bestbits = bits;
			}
		}
	}
	if (!best)
		return false;
	memset(out, 0, 16);
	memcpy(out, best->addr, fam == 6 ? 16 : 4);
	return true;
}

/* Redirect's destination (nf_nat_redirect_ipv4/6()): the input device's
 * first address of the family; the loopback address for the host's own
 * packets. */
static bool redirect_addr(const struct fw_net *net,
			  const struct ct_hookpkt *hp, uint8_t out[16])
{
	int fam = hp->pkt->l3num == CT_L3_IPV6 ? 6 : 4;
	const struct fw_iface *f;
	size_t i;

	memset(out, 0, 16);
	if (hp->hook == CT_HOOK_OUTPUT) {
		if (fam == 4) {
			out[0] = 127;
			out[3] = 1;
		} else {
			out[15] = 1;
		}
		return true;
	}
	f = fw_net_iface_by_name(net, hp->iifname);
	if (!f)
		return false;
	for (i = 0; i < f->naddrs; i++)
		if (f->addrs[i].family == fam) {
			memcpy(out, f->addrs[i].addr, fam == 6 ? 16 : 4);
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------ */
/* the statement on a packet */

int fw_nat_eval(const struct fw_expr *x, const struct fw_val *data,
		const struct fw_net *net, struct ct_hookpkt *hp,
		const char *rule)
{
	const struct ct_pkt *pkt = hp->pkt;
	int fam = pkt->l3num == CT_L3_IPV6 ? 6 : 4;
	size_t alen = fam == 6 ? 16 : 4;
	static const uint8_t zero[4] = { 0 };
	struct ct_nat_range r;
	enum ct_nat_manip m;

	/* nft_nat_inet_eval(): a statement of the other family does
	 * nothing, and the rule goes on */
	if (x->nat_family && x->nat_family != fam)
		return FW_NAT_GO_ON;
	if (!hp->nat_setup || !hp->ct)
		return FW_V_ACCEPT;
	memset(&r, 0, sizeof(r));
	r.flags = x->code;
	switch (x->what) {
	case FW_NAT_SNAT:
	case FW_NAT_DNAT:
		m = x->what == FW_NAT_SNAT ? CT_NAT_MANIP_SRC
					   : CT_NAT_MANIP_DST;
		if (data) {
			if (data->len < alen)
				return FW_V_DROP;
			memcpy(r.min_addr, data->b, alen);
			memcpy(r.max_addr, data->b, alen);
			r.flags |= CT_NAT_MAP_IPS;
			if (data->len >= alen + 2) {
				r.min_port = r.max_port =
					(uint16_t)(data->b[alen] << 8 |
						   data->b[alen + 1]);
				r.flags |= CT_NAT_PROTO_SPECIFIED;
			}
		} else if (x->val.len) {
			if (x->val.len != alen)
				return FW_NAT_GO_ON;
			memcpy(r.min_addr, x->val.b, alen);
			memcpy(r.max_addr, x->hi.b, alen);
			r.flags |= CT_NAT_MAP_IPS;
		}
		break;
	case FW_NAT_MASQUERADE:
		m = CT_NAT_MANIP_SRC;
		/* a source of 0.0.0.0 is the host's, not to be masqueraded */
		if (fam == 4 &&
		    memcmp(hp->ct->tuple[CT_DIR_ORIGINAL].src, zero, 4) == 0)
			return FW_V_ACCEPT;
		if (!masq_addr(net, hp, r.min_addr))
			return FW_V_DROP;
		memcpy(r.max_addr, r.min_addr, 16);
		r.flags |= CT_NAT_MAP_IPS;
		break;
	default:
		m = CT_NAT_MANIP_DST;
		if (!redirect_addr(net, hp, r.min_addr))
			return FW_V_DROP;
		memcpy(r.max_addr, r.min_addr, 16);
		r.flags |= CT_NAT_MAP_IPS;
		break;
	}
	if (x->port_min || x->port_max) {
		r.min_port = x->port_min;
		r.max_port = x->port_max;
		r.flags |= CT_NAT_PROTO_SPECIFIED;
	}
	hp->nat_rule = rule;
	return hp->nat_setup(hp->nat_ctx, hp, &r, m) ? FW_V_ACCEPT : FW_V_DROP;
}
