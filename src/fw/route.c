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

static bool prefix_match(const uint8_t *a, const uint8_t *p, unsigned plen)
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
	size_t i, k, alen = family == 6 ? 16 : 4;

	for (i = 0; i < net->nifaces; i++)
		for (k = 0; k < net->ifaces[i].naddrs; k++) {
			const struct fw_addr *ad = &net->ifaces[i].addrs[k];

			if (ad->family == family &&
			    memcmp(ad->addr, a, alen) == 0)
				return true;
		}
	return false;
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
		    !prefix_match(dst, r->dst, r->plen))
			continue;
		if (!best || r->plen > best->plen)
			best = r;
	}
	return best;
}
