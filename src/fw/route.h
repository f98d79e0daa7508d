/* \summary: the firewall's interfaces, addresses and routes, and the routing decision */
#ifndef CTREPLAY_FW_ROUTE_H
#define CTREPLAY_FW_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"

#define FW_IFACE_ADDRS 16

struct fw_addr {
	uint8_t family;        /* 4 or 6 */
	uint8_t plen;
	uint8_t addr[16];
};

struct fw_iface {
	char name[16];
	uint32_t index;
	uint8_t mac[6];        /* "address" of ip -j addr */
	bool has_mac;
	struct fw_addr addrs[FW_IFACE_ADDRS];
	size_t naddrs;
};

struct fw_route {
	uint8_t family;
	uint8_t dst[16];
	unsigned plen;
	char dev[16];
	bool local;            /* local, broadcast or multicast: INPUT */
	bool blackhole;        /* blackhole, unreachable, prohibit */
	uint8_t type;          /* RTN_* (enum fw_rtn): unicast unless said */
	bool gateway;          /* via a gateway */
	bool other_table;      /* neither main nor local (policy routing) */
};

struct fw_net {
	struct fw_iface *ifaces;
	size_t nifaces, cap_ifaces;
	struct fw_route *routes;
	size_t nroutes, cap_routes;
	bool have_addrs;
	bool have_routes;
};

/* `ip -j addr show` and `ip -j route show table all` (-6: family 6).
 * A missing file is not an error (nothing is known then). */
int fw_net_read_addr(struct fw_net *net, const char *path, char *errbuf);
int fw_net_read_routes(struct fw_net *net, const char *path, int family,
		       char *errbuf);
void fw_net_free(struct fw_net *net);

const struct fw_iface *fw_net_iface_by_index(const struct fw_net *net,
					     uint32_t index);
/* The interface whose own address is mac (the frame's destination on an
 * Ethernet capture says where it came in). */
const struct fw_iface *fw_net_iface_by_mac(const struct fw_net *net,
					   const uint8_t mac[6]);
const struct fw_iface *fw_net_iface_by_name(const struct fw_net *net,
					    const char *name);

/* Whether `a` is one of the router's own addresses. */
bool fw_net_is_own(const struct fw_net *net, int family, const uint8_t *a);

/* Whether the router takes a packet to `dst` itself (INPUT). */
bool fw_net_is_local(const struct fw_net *net, int family,
		     const uint8_t *dst);

/* The longest matching route to dst (not local), or NULL. */
const struct fw_route *fw_net_route(const struct fw_net *net, int family,
				    const uint8_t *dst);

/*
 * Route lookups for nft fib and xt addrtype (below, dev is an interface
 * name, NULL for any).  A lookup sees the local and main tables (merged,
 * as without policy routing rules); other tables are not consulted.
 */

/* The longest matching route to a, out of dev when dev is given; NULL
 * when none. */
const struct fw_route *fw_net_lookup(const struct fw_net *net, int family,
				     const uint8_t *a, const char *dev);

/* Whether a is configured on interface dev (any interface: NULL). */
bool fw_net_has_addr(const struct fw_net *net, int family, const uint8_t *a,
		     const char *dev);

/* The route type (RTN_*) of an IPv4 address, inet_dev_addr_type(). */
unsigned fw_net_addr_type4(const struct fw_net *net, const uint8_t a[4],
			   const char *dev);

/* The same for IPv6 as nft fib computes it, __nft_fib6_eval_type();
 * skbdev is the packet's own device (for a link-local address). */
unsigned fw_net_addr_type6(const struct fw_net *net, const uint8_t a[16],
			   const char *dev, const char *skbdev);

/* ip6tables -m addrtype: whether a has one of the types in mask (bits
 * 1 << RTN_*), match_type6(). */
bool fw_net_xt_addrtype6(const struct fw_net *net, const uint8_t a[16],
			 const char *dev, uint16_t mask);

/* The interface a reverse lookup finds (nft fib ... oif): the route to
 * `a` (the packet's source for fib saddr), which must leave through
 * `oif` when given; NULL when there is none (nft_fib4_eval(),
 * nft_fib6_eval() without their special cases, which eval.c handles). */
const char *fw_net_fib_dev(const struct fw_net *net, int family,
			   const uint8_t *a, const char *oif,
			   const char *skbdev);

/* Whether the first plen bits of address a are those of prefix p. */
bool fw_prefix_match(const uint8_t *a, const uint8_t *p, unsigned plen);

/* An IPv4 (family 4) or IPv6 address in text; false when malformed. */
bool fw_addr_parse(const char *s, int family, uint8_t out[16]);

#endif
