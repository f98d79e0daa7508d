/* \summary: the firewall's interfaces, addresses and routes (ip -j addr, ip -j route) and the routing decision */
/*
 * The routing decision a router makes after PREROUTING (ip_route_input(),
 * fib lookups in the local then main table): a destination that is one of
 * its own addresses, a broadcast or a multicast group goes to INPUT;
 * anything else is forwarded out of the interface of the longest matching
 * route.  Only what `ip -j addr show` and `ip -j route show table all`
 * say is known: without them every packet is forwarded and the output
 * interface is unknown.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fw.h"
#include "route.h"

/* Parse "10.1.2.0/24", "10.1.2.3", "fd00::/64", "default" into a route
 * destination; false when it is none of those. */
static bool parse_prefix(const char *s, int family, uint8_t addr[16],
			 unsigned *plen)
{
	char buf[64];
	char *slash;
	unsigned max = family == 6 ? 128 : 32;

	memset(addr, 0, 16);
	if (strcmp(s, "default") == 0) {
		*plen = 0;
		return true;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*plen = max;
	if (slash) {
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);

		if (*end || n > max)
			return false;
		*plen = (unsigned)n;
		*slash = '\0';
	}
	return fw_addr_parse(buf, family, addr);
}

bool fw_addr_parse(const char *s, int family, uint8_t out[16])
{
	memset(out, 0, 16);
	return inet_pton(family == 6 ? AF_INET6 : AF_INET, s, out) == 1;
}

bool fw_prefix_match(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	unsigned i;

	for (i = 0; i < plen / 8; i++)
		if (a[i] != p[i])
			return false;
	if (plen % 8) {
		uint8_t m = (uint8_t)(0xff << (8 - plen % 8));

		return (a[i] & m) == (p[i] & m);
	}
	return true;
}

/* The JSON array in path (*out NULL when the file does not exist: not an
 * error); CT_ERR_PARSE with errbuf set when it is not `ip -j WHAT`. */
static int load_array(const char *path, const char *what, json_t **out,
		      char *errbuf)
{
	json_error_t jerr;
	FILE *f = fopen(path, "rb");

	*out = NULL;
	if (!f)
		return CT_OK;
	*out = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!*out) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s:%d:%d: %s", path,
			 jerr.line, jerr.column, jerr.text);
		return CT_ERR_PARSE;
	}
	if (!json_is_array(*out)) {
		json_decref(*out);
		*out = NULL;
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s: not the output of ip -j %s",
			 path, what);
		return CT_ERR_PARSE;
	}
	return CT_OK;
}

static struct fw_iface *iface_add(struct fw_net *net)
{
	return fw_array_add((void **)&net->ifaces, &net->nifaces,
			 &net->cap_ifaces, sizeof(*net->ifaces));
}

static struct fw_route *route_add(struct fw_net *net)
{
	return fw_array_add((void **)&net->routes, &net->nroutes,
			 &net->cap_routes, sizeof(*net->routes));
}

int fw_net_read_addr(struct fw_net *net, const char *path, char *errbuf)
{
	json_t *root, *e, *a;
	size_t i, k;
	int r = load_array(path, "addr show", &root, errbuf);

	if (r != CT_OK || !root)
		return r;
	json_array_foreach(root, i, e) {
		const char *name = json_string_value(json_object_get(e,
								     "ifname"));
		struct fw_iface *f;

		if (!name)
			continue;
		f = iface_add(net);
		if (!f) {
			json_decref(root);
			return CT_ERR_NOMEM;
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->index = (uint32_t)json_integer_value(json_object_get(e,
								"ifindex"));
		{
			const char *mac = json_string_value(
				json_object_get(e, "address"));
			unsigned m[6];

			if (mac && sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0],
					  &m[1], &m[2], &m[3], &m[4],
					  &m[5]) == 6) {
				for (k = 0; k < 6; k++)
					f->mac[k] = (uint8_t)m[k];
				f->has_mac = true;
			}
		}
		json_array_foreach(json_object_get(e, "addr_info"), k, a) {
			const char *fam = json_string_value(
				json_object_get(a, "family"));
			const char *local = json_string_value(
				json_object_get(a, "local"));
			int family = fam && strcmp(fam, "inet6") == 0 ? 6 : 4;
			struct fw_addr *ad;

			if (!local || f->naddrs >= FW_IFACE_ADDRS)
				continue;
			ad = &f->addrs[f->naddrs];
			if (!fw_addr_parse(local, family, ad->addr))
				continue;
			ad->family = (uint8_t)family;
			ad->plen = (uint8_t)json_integer_value(
				json_object_get(a, "prefixlen"));
			f->naddrs++;
		}
	}
	json_decref(root);
	net->have_addrs = true;
	return CT_OK;
}

/* ip route's type names (rtnl_rtntype_n2a()); unicast when absent. */
static uint8_t route_type(const char *type)
{
	static const char *const names[] = {
		"unspec", "unicast", "local", "broadcast", "anycast",
		"multicast", "blackhole", "unreachable", "prohibit", "throw",
		"nat", "xresolve",
	};
	size_t i;

	if (!type)
		return FW_RTN_UNICAST;
	for (i = 0; i < CT_ARRAY_SIZE(names); i++)
		if (strcmp(type, names[i]) == 0)
			return (uint8_t)i;
	return FW_RTN_UNICAST;
}

int fw_net_read_routes(struct fw_net *net, const char *path, int family,
		       char *errbuf)
{
	json_t *root, *e;
	size_t i;
	int err = load_array(path, "route show table all", &root, errbuf);

	if (err != CT_OK || !root)
		return err;
	json_array_foreach(root, i, e) {
		const char *dst = json_string_value(json_object_get(e, "dst"));
		const char *dev = json_string_value(json_object_get(e, "dev"));
		const char *type = json_string_value(json_object_get(e, "type"));
		const char *table = json_string_value(json_object_get(e,
								      "table"));
		struct fw_route *r;
		int fam = family;

		if (!dst)
			continue;
		if (fam == 4 && strchr(dst, ':'))
			fam = 6;
		r = route_add(net);
		if (!r) {
			json_decref(root);
			return CT_ERR_NOMEM;
		}
		if (!parse_prefix(dst, fam, r->dst, &r->plen)) {
			net->nroutes--;
			continue;
		}
		r->family = (uint8_t)fam;
		snprintf(r->dev, sizeof(r->dev), "%s", dev ? dev : "");
		r->local = (type && (strcmp(type, "local") == 0 ||
				     strcmp(type, "broadcast") == 0 ||
				     strcmp(type, "multicast") == 0)) ||
			   (table && strcmp(table, "local") == 0 && type &&
			    strcmp(type, "unicast") != 0);
		r->blackhole = type && (strcmp(type, "blackhole") == 0 ||
					strcmp(type, "unreachable") == 0 ||
					strcmp(type, "prohibit") == 0);
		r->type = route_type(type);
		r->gateway = json_object_get(e, "gateway") != NULL;
		r->other_table = table && strcmp(table, "local") != 0 &&
				 strcmp(table, "main") != 0;
	}
	json_decref(root);
	net->have_routes = true;
	return CT_OK;
}

void fw_net_free(struct fw_net *net)
{
	free(net->ifaces);
	free(net->routes);
	memset(net, 0, sizeof(*net));
}

const struct fw_iface *fw_net_iface_by_index(const struct fw_net *net,
					     uint32_t index)
{
	size_t i;

	for (i = 0; i < net->nifaces; i++)
		if (net->ifaces[i].index == index)
			return &net->ifaces[i];
	return NULL;
}

const struct fw_iface *fw_net_iface_by_mac(const struct fw_net *net,
					   const uint8_t mac[6])
{
	size_t i;

	for (i = 0; i < net->nifaces; i++)
		if (net->ifaces[i].has_mac &&
		    memcmp(net->ifaces[i].mac, mac, 6) == 0)
			return &net->ifaces[i];
	return NULL;
}

const struct fw_iface *fw_net_iface_by_name(const struct fw_net *net,
					    const char *name)
{
	size_t i;

	for (i = 0; i < net->nifaces; i++)
		if (strcmp(net->ifaces[i].name, name) == 0)
			return &net->ifaces[i];
	return NULL;
}

bool fw_net_is_own(const struct fw_net *net, int family, const uint8_t *a)
{
	return fw_net_has_addr(net, family, a, NULL);
}

bool fw_net_is_local(const struct fw_net *net, int family,
		     const uint8_t *dst)
{
	size_t i, alen = family == 6 ? 16 : 4;

	/* broadcast and multicast are delivered to the router */
	if (family == 4 && (dst[0] >= 224 ||
			    (dst[0] == 255 && dst[1] == 255 && dst[2] == 255 &&
			     dst[3] == 255)))
		return true;
	if (family == 6 && dst[0] == 0xff)
		return true;
	if (fw_net_is_own(net, family, dst))
		return true;
	for (i = 0; i < net->nroutes; i++) {
		const struct fw_route *r = &net->routes[i];

		if (r->local && r->family == family && r->plen == alen * 8 &&
		    memcmp(r->dst, dst, alen) == 0)
			return true;
	}
	return false;
}

const struct fw_route *fw_net_route(const struct fw_net *net, int family,
				    const uint8_t *dst)
{
	const struct fw_route *best = NULL;
	size_t i;

	for (i = 0; i < net->nroutes; i++) {
		const struct fw_route *r = &net->routes[i];

		if (r->family != family || r->local ||
		    !fw_prefix_match(dst, r->dst, r->plen))
			continue;
		if (!best || r->plen > best->plen)
			best = r;
	}
	return best;
}

/* ------------------------------------------------------------------ */
/* lookups for nft fib and xt addrtype */

const struct fw_route *fw_net_lookup(const struct fw_net *net, int family,
				     const uint8_t *a, const char *dev)
{
	const struct fw_route *best = NULL;
	size_t i;

	for (i = 0; i < net->nroutes; i++) {
		const struct fw_route *r = &net->routes[i];

		if (r->family != family || r->other_table ||
		    (dev && strcmp(r->dev, dev) != 0) ||
		    !fw_prefix_match(a, r->dst, r->plen))
			continue;
		/* the local table is looked at first (fib rule 0): its
		 * entry wins a tie with the main table's */
		if (!best || r->plen > best->plen ||
		    (r->plen == best->plen && r->type != FW_RTN_UNICAST &&
		     best->type == FW_RTN_UNICAST))
			best = r;
	}
	return best;
}

bool fw_net_has_addr(const struct fw_net *net, int family, const uint8_t *a,
		     const char *dev)
{
	size_t i, k, alen = family == 6 ? 16 : 4;

	for (i = 0; i < net->nifaces; i++) {
		if (dev && strcmp(net->ifaces[i].name, dev) != 0)
			continue;
		for (k = 0; k < net->ifaces[i].naddrs; k++) {
			const struct fw_addr *ad = &net->ifaces[i].addrs[k];

			if (ad->family == family &&
			    memcmp(ad->addr, a, alen) == 0)
				return true;
		}
	}
	return false;
}

/*
 * net/ipv4/fib_frontend.c, __inet_dev_addr_type(): 0.0.0.0/8 and
 * 255.255.255.255 are broadcast, 224.0.0.0/4 multicast; otherwise the
 * type of the route the local table holds for the address (merged with
 * main: their unicast routes answer unicast, their blackholes blackhole),
 * unicast when there is none or when it leaves through another device
 * than dev.
 */
unsigned fw_net_addr_type4(const struct fw_net *net, const uint8_t a[4],
			   const char *dev)
{
	const struct fw_route *r;

	if (a[0] == 0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 &&
			  a[3] == 255))
		return FW_RTN_BROADCAST;
	if ((a[0] & 0xf0) == 0xe0)
		return FW_RTN_MULTICAST;
	/* without route.json, the host's own addresses are still local */
	if (!net->have_routes && fw_net_has_addr(net, 4, a, dev))
		return FW_RTN_LOCAL;
	r = fw_net_lookup(net, 4, a, NULL);
	if (!r)
		return FW_RTN_UNICAST;
	if (dev && strcmp(r->dev, dev) != 0)
		return FW_RTN_UNICAST;
	return r->type;
}

static bool v6_any(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static bool v6_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

/* ipv6_addr_type(): link-local unicast fe80::/10, or a multicast of
 * link-local scope (ff02::, and ff01:: node-local is not) */
static bool v6_linklocal(const uint8_t a[16])
{
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       (a[0] == 0xff && (a[1] & 0x0f) == 0x02);
}

/* ipv6_addr_type()'s IPV6_ADDR_UNICAST: neither ::, multicast nor a
 * v4-mapped address */
static bool v6_unicast(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	return !v6_any(a) && !v6_multicast(a) && memcmp(a, mapped, 12) != 0;
}

/* The route an IPv6 lookup of a finds: ip6_route_output() restricts a
 * link-local destination to the device (RT6_LOOKUP_F_IFACE). */
static const struct fw_route *lookup6(const struct fw_net *net,
				      const uint8_t a[16], const char *dev)
{
	return fw_net_lookup(net, 6, a, v6_linklocal(a) ? dev : NULL);
}

static bool v6_reject(const struct fw_route *r)
{
	return r->type == FW_RTN_BLACKHOLE || r->type == FW_RTN_UNREACHABLE ||
	       r->type == FW_RTN_PROHIBIT || r->type == FW_RTN_THROW;
}

/* ipv6_anycast_destination(): an anycast route, or the subnet-router
 * anycast address (the prefix itself) of a route on a link */
static bool v6_anycast_dest(const struct fw_route *r, const uint8_t a[16])
{
	return r->type == FW_RTN_ANYCAST ||
	       (r->plen < 127 && !r->gateway && r->type == FW_RTN_UNICAST &&
		memcmp(r->dst, a, 16) == 0);
}

/* net/ipv6/netfilter/nft_fib_ipv6.c, __nft_fib6_eval_type() */
unsigned fw_net_addr_type6(const struct fw_net *net, const uint8_t a[16],
			   const char *dev, const char *skbdev)
{
	const struct fw_route *r;
	unsigned ret = 0;

	if (dev && fw_net_has_addr(net, 6, a, dev))
		ret = FW_RTN_LOCAL;
	r = lookup6(net, a, dev ? dev : skbdev);
	if (!r)
		return FW_RTN_UNREACHABLE;
	if (v6_reject(r))
		return r->type;
	if (v6_anycast_dest(r, a))
		ret = FW_RTN_ANYCAST;
	else if (!dev && r->type == FW_RTN_LOCAL)
		ret = FW_RTN_LOCAL;
	if (ret)
		return ret;
	if (v6_multicast(a))
		return FW_RTN_MULTICAST;
	return v6_unicast(a) ? FW_RTN_UNICAST : FW_RTN_UNSPEC;
}

/* net/netfilter/xt_addrtype.c, match_type6() and match_lookup_rt6() */
bool fw_net_xt_addrtype6(const struct fw_net *net, const uint8_t a[16],
			 const char *dev, uint16_t mask)
{
	const uint16_t lookup = 1u << FW_RTN_LOCAL | 1u << FW_RTN_ANYCAST |
				1u << FW_RTN_UNREACHABLE;
	const struct fw_route *r;
	uint16_t got = 0;

	if ((mask & 1u << FW_RTN_MULTICAST) && !v6_multicast(a))
		return false;
	if ((mask & 1u << FW_RTN_UNICAST) && !v6_unicast(a))
		return false;
	if ((mask & 1u << FW_RTN_UNSPEC) && !v6_any(a))
		return false;
	if (!(mask & lookup))
		return true;
	if (dev && (mask & 1u << FW_RTN_LOCAL) &&
	    fw_net_has_addr(net, 6, a, dev))
		got = 1u << FW_RTN_LOCAL;
	r = lookup6(net, a, dev);
	if (!r)
		return (mask & 1u << FW_RTN_UNREACHABLE) != 0;
	if (v6_reject(r))
		got = 1u << FW_RTN_UNREACHABLE;
	if (!dev && r->type == FW_RTN_LOCAL)
		got |= 1u << FW_RTN_LOCAL;
	if (r->type == FW_RTN_ANYCAST)
		got |= 1u << FW_RTN_ANYCAST;
	return (mask & got) != 0;
}

/*
 * nft_fib4_eval() and nft_fib6_eval(): the route to a; no answer for a
 * failed lookup, an error route (blackhole, unreachable, prohibit,
 * throw) or one of the host's own addresses (and IPv6 anycast), nor when
 * oif is given and the route does not use it.
 */
const char *fw_net_fib_dev(const struct fw_net *net, int family,
			   const uint8_t *a, const char *oif,
			   const char *skbdev)
{
	const struct fw_route *r;

	if (family == 6)
		r = lookup6(net, a, oif ? oif : skbdev);
	else
		r = fw_net_lookup(net, 4, a, NULL);
	if (!r || r->type == FW_RTN_LOCAL || r->type == FW_RTN_BLACKHOLE ||
	    r->type == FW_RTN_UNREACHABLE || r->type == FW_RTN_PROHIBIT ||
	    r->type == FW_RTN_THROW ||
	    (family == 6 && r->type == FW_RTN_ANYCAST))
		return NULL;
	if (oif && strcmp(r->dev, oif) != 0)
		return NULL;
	return r->dev;
}
