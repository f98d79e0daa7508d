/* \summary: read `nft -j list ruleset` (libnftables-json(5)) into a ruleset, and write its counters back */
/*
 * The JSON form of a ruleset is a list of objects: tables, chains, sets
 * and maps, named objects (ct helper, counter ...) and rules, each rule a
 * list of expressions ("match", "counter", "accept" ...).  A match
 * compares a key (meta, payload, ct, a concatenation, a bitwise and) with
 * a value, a prefix, a range, a set or a list of flags.  Constants are
 * typed by the key they are compared with: "established" for ct state,
 * "tcp" for meta l4proto, "10.0.0.1" for ip saddr, as nft's own
 * datatypes parse them (nftables src/datatype.c, src/proto.c).
 *
 * What ctreplay does not know is never guessed: such an expression makes
 * its rule "unknown" (fw_rule_unknown()), and the evaluator reports every
 * frame that reaches it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "nft_json.h"
#include "route.h"

/* The parsed document and, per counter expression, its JSON object:
 * --counters writes the replay's counts into them. */
struct nft_doc {
	json_t *root;
	json_t **counters;
	size_t ncounters;
	size_t cap;
};

/* Parser state. */
struct nj {
	struct fw_ruleset *rs;
	const char *file;
	char *errbuf;
	struct nft_doc *doc;
	/* where the rule being read is, for messages */
	const char *chain;
	uint64_t handle;
	int table;
	enum fw_family family;
};

/* Value types: how a constant compared with a key is parsed. */
enum vt {
	VT_INT = 0,            /* a number of the key's length */
	VT_ADDR4,
	VT_ADDR6,
	VT_ADDR,               /* either (ct saddr of an inet table) */
	VT_IFNAME,
	VT_L4PROTO,
	VT_NFPROTO,
	VT_ICMP_TYPE,
	VT_ICMPV6_TYPE,
	VT_ICMP_CODE,
	VT_TCP_FLAGS,
	VT_CT_STATE,
	VT_CT_STATUS,
	VT_CT_DIR,
	VT_PKTTYPE,
	VT_ETHERTYPE,
	VT_STRING,             /* ct helper name */
	VT_IFTYPE,
};

struct sym {
	const char *name;
	uint32_t value;
};

static const struct sym l4proto_syms[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 },
	{ "ipv6", 41 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
	{ "icmpv6", 58 }, { "ipv6-icmp", 58 }, { "sctp", 132 },
	{ "udplite", 136 }, { "dccp", 33 }, { "comp", 108 }, { "ospf", 89 },
	{ "vrrp", 112 }, { "pim", 103 }, { "mh", 135 }, { "ipip", 4 },
	{ "ip", 0 }, { "egp", 8 }, { "pup", 12 }, { "idp", 22 },
	{ "rsvp", 46 }, { "l2tp", 115 },
};

static const struct sym nfproto_syms[] = {
	{ "ipv4", 2 }, { "ipv6", 10 }, { "arp", 3 }, { "bridge", 7 },
	{ "netdev", 5 }, { "inet", 1 },
};

static const struct sym icmp_type_syms[] = {
	{ "echo-reply", 0 }, { "destination-unreachable", 3 },
	{ "source-quench", 4 }, { "redirect", 5 }, { "echo-request", 8 },
	{ "router-advertisement", 9 }, { "router-solicitation", 10 },
	{ "time-exceeded", 11 }, { "parameter-problem", 12 },
	{ "timestamp-request", 13 }, { "timestamp-reply", 14 },
	{ "info-request", 15 }, { "info-reply", 16 },
	{ "address-mask-request", 17 }, { "address-mask-reply", 18 },
};

static const struct sym icmpv6_type_syms[] = {
	{ "destination-unreachable", 1 }, { "packet-too-big", 2 },
	{ "time-exceeded", 3 }, { "parameter-problem", 4 },
	{ "echo-request", 128 }, { "echo-reply", 129 },
	{ "mld-listener-query", 130 }, { "mld-listener-report", 131 },
	{ "mld-listener-done", 132 }, { "mld-listener-reduction", 132 },
	{ "nd-router-solicit", 133 }, { "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 }, { "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 }, { "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 }, { "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 },
};

static const struct sym icmp_code_syms[] = {
	{ "net-unreachable", 0 }, { "host-unreachable", 1 },
	{ "prot-unreachable", 2 }, { "port-unreachable", 3 },
	{ "frag-needed", 4 }, { "net-prohibited", 9 },
	{ "host-prohibited", 10 }, { "admin-prohibited", 13 },
	{ "no-route", 0 }, { "addr-unreachable", 3 },
	{ "policy-fail", 5 }, { "reject-route", 6 },
};

static const struct sym tcp_flag_syms[] = {
	{ "fin", 0x01 }, { "syn", 0x02 }, { "rst", 0x04 }, { "psh", 0x08 },
	{ "ack", 0x10 }, { "urg", 0x20 }, { "ecn", 0x40 }, { "cwr", 0x80 },
};

static const struct sym ct_state_syms[] = {
	{ "invalid", FW_CTS_INVALID }, { "established", FW_CTS_ESTABLISHED },
	{ "related", FW_CTS_RELATED }, { "new", FW_CTS_NEW },
	{ "untracked", FW_CTS_UNTRACKED },
};

/* IPS_* bits (include/uapi/linux/netfilter/nf_conntrack_common.h). */
static const struct sym ct_status_syms[] = {
	{ "expected", 1u << 0 }, { "seen-reply", 1u << 1 },
	{ "assured", 1u << 2 }, { "confirmed", 1u << 3 },
	{ "snat", 1u << 4 }, { "dnat", 1u << 5 }, { "dying", 1u << 9 },
};

static const struct sym ct_dir_syms[] = {
	{ "original", 0 }, { "reply", 1 },
};

static const struct sym pkttype_syms[] = {
	{ "host", 0 }, { "unicast", 0 }, { "broadcast", 1 },
	{ "multicast", 2 }, { "other", 3 },
};

static const struct sym ethertype_syms[] = {
	{ "ip", 0x0800 }, { "ip6", 0x86dd }, { "arp", 0x0806 },
	{ "vlan", 0x8100 }, { "8021ad", 0x88a8 },
};

static const struct sym iftype_syms[] = {
	{ "ether", 1 }, { "ppp", 512 }, { "loopback", 772 },
};

#define SYMS(a) a, CT_ARRAY_SIZE(a)

static bool sym_find(const struct sym *s, size_t n, const char *name,
		     uint32_t *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0) {
			*out = s[i].value;
			return true;
		}
	return false;
}

/* ------------------------------------------------------------------ */
/* payload fields (nftables src/proto.c): base, offset and length in bits */

struct field {
	const char *proto;
	const char *name;
	uint8_t base;
	uint16_t offset;
	uint16_t bits;
	uint8_t dep;
	uint8_t vt;
};

static const struct field fields[] = {
	{ "ip", "version", FW_BASE_NH, 0, 4, FW_DEP_IP, VT_INT },
	{ "ip", "hdrlength", FW_BASE_NH, 4, 4, FW_DEP_IP, VT_INT },
	{ "ip", "dscp", FW_BASE_NH, 8, 6, FW_DEP_IP, VT_INT },
	{ "ip", "ecn", FW_BASE_NH, 14, 2, FW_DEP_IP, VT_INT },
	{ "ip", "length", FW_BASE_NH, 16, 16, FW_DEP_IP, VT_INT },
	{ "ip", "id", FW_BASE_NH, 32, 16, FW_DEP_IP, VT_INT },
	{ "ip", "frag-off", FW_BASE_NH, 48, 16, FW_DEP_IP, VT_INT },
	{ "ip", "ttl", FW_BASE_NH, 64, 8, FW_DEP_IP, VT_INT },
	{ "ip", "protocol", FW_BASE_NH, 72, 8, FW_DEP_IP, VT_L4PROTO },
	{ "ip", "checksum", FW_BASE_NH, 80, 16, FW_DEP_IP, VT_INT },
	{ "ip", "saddr", FW_BASE_NH, 96, 32, FW_DEP_IP, VT_ADDR4 },
	{ "ip", "daddr", FW_BASE_NH, 128, 32, FW_DEP_IP, VT_ADDR4 },
	{ "ip6", "version", FW_BASE_NH, 0, 4, FW_DEP_IP6, VT_INT },
	{ "ip6", "dscp", FW_BASE_NH, 4, 6, FW_DEP_IP6, VT_INT },
	{ "ip6", "ecn", FW_BASE_NH, 10, 2, FW_DEP_IP6, VT_INT },
	{ "ip6", "flowlabel", FW_BASE_NH, 12, 20, FW_DEP_IP6, VT_INT },
	{ "ip6", "length", FW_BASE_NH, 32, 16, FW_DEP_IP6, VT_INT },
	{ "ip6", "nexthdr", FW_BASE_NH, 48, 8, FW_DEP_IP6, VT_L4PROTO },
	{ "ip6", "hoplimit", FW_BASE_NH, 56, 8, FW_DEP_IP6, VT_INT },
	{ "ip6", "saddr", FW_BASE_NH, 64, 128, FW_DEP_IP6, VT_ADDR6 },
	{ "ip6", "daddr", FW_BASE_NH, 192, 128, FW_DEP_IP6, VT_ADDR6 },
	{ "tcp", "sport", FW_BASE_TH, 0, 16, FW_DEP_TCP, VT_INT },
	{ "tcp", "dport", FW_BASE_TH, 16, 16, FW_DEP_TCP, VT_INT },
	{ "tcp", "sequence", FW_BASE_TH, 32, 32, FW_DEP_TCP, VT_INT },
	{ "tcp", "ackseq", FW_BASE_TH, 64, 32, FW_DEP_TCP, VT_INT },
	{ "tcp", "doff", FW_BASE_TH, 96, 4, FW_DEP_TCP, VT_INT },
	{ "tcp", "reserved", FW_BASE_TH, 100, 4, FW_DEP_TCP, VT_INT },
	{ "tcp", "flags", FW_BASE_TH, 104, 8, FW_DEP_TCP, VT_TCP_FLAGS },
	{ "tcp", "window", FW_BASE_TH, 112, 16, FW_DEP_TCP, VT_INT },
	{ "tcp", "checksum", FW_BASE_TH, 128, 16, FW_DEP_TCP, VT_INT },
	{ "tcp", "urgptr", FW_BASE_TH, 144, 16, FW_DEP_TCP, VT_INT },
	{ "udp", "sport", FW_BASE_TH, 0, 16, FW_DEP_UDP, VT_INT },
	{ "udp", "dport", FW_BASE_TH, 16, 16, FW_DEP_UDP, VT_INT },
	{ "udp", "length", FW_BASE_TH, 32, 16, FW_DEP_UDP, VT_INT },
	{ "udp", "checksum", FW_BASE_TH, 48, 16, FW_DEP_UDP, VT_INT },
	{ "udplite", "sport", FW_BASE_TH, 0, 16, FW_DEP_UDPLITE, VT_INT },
	{ "udplite", "dport", FW_BASE_TH, 16, 16, FW_DEP_UDPLITE, VT_INT },
	{ "udplite", "csumcov", FW_BASE_TH, 32, 16, FW_DEP_UDPLITE, VT_INT },
	{ "udplite", "checksum", FW_BASE_TH, 48, 16, FW_DEP_UDPLITE, VT_INT },
	{ "icmp", "type", FW_BASE_TH, 0, 8, FW_DEP_ICMP, VT_ICMP_TYPE },
	{ "icmp", "code", FW_BASE_TH, 8, 8, FW_DEP_ICMP, VT_ICMP_CODE },
	{ "icmp", "checksum", FW_BASE_TH, 16, 16, FW_DEP_ICMP, VT_INT },
	{ "icmp", "id", FW_BASE_TH, 32, 16, FW_DEP_ICMP, VT_INT },
	{ "icmp", "sequence", FW_BASE_TH, 48, 16, FW_DEP_ICMP, VT_INT },
	{ "icmp", "gateway", FW_BASE_TH, 32, 32, FW_DEP_ICMP, VT_ADDR4 },
	{ "icmp", "mtu", FW_BASE_TH, 48, 16, FW_DEP_ICMP, VT_INT },
	{ "icmpv6", "type", FW_BASE_TH, 0, 8, FW_DEP_ICMPV6, VT_ICMPV6_TYPE },
	{ "icmpv6", "code", FW_BASE_TH, 8, 8, FW_DEP_ICMPV6, VT_INT },
	{ "icmpv6", "checksum", FW_BASE_TH, 16, 16, FW_DEP_ICMPV6, VT_INT },
	{ "icmpv6", "id", FW_BASE_TH, 32, 16, FW_DEP_ICMPV6, VT_INT },
	{ "icmpv6", "sequence", FW_BASE_TH, 48, 16, FW_DEP_ICMPV6, VT_INT },
	{ "icmpv6", "mtu", FW_BASE_TH, 32, 32, FW_DEP_ICMPV6, VT_INT },
	{ "icmpv6", "max-delay", FW_BASE_TH, 32, 16, FW_DEP_ICMPV6, VT_INT },
	{ "sctp", "sport", FW_BASE_TH, 0, 16, FW_DEP_SCTP, VT_INT },
	{ "sctp", "dport", FW_BASE_TH, 16, 16, FW_DEP_SCTP, VT_INT },
	{ "sctp", "vtag", FW_BASE_TH, 32, 32, FW_DEP_SCTP, VT_INT },
	{ "sctp", "checksum", FW_BASE_TH, 64, 32, FW_DEP_SCTP, VT_INT },
	{ "dccp", "sport", FW_BASE_TH, 0, 16, FW_DEP_DCCP, VT_INT },
	{ "dccp", "dport", FW_BASE_TH, 16, 16, FW_DEP_DCCP, VT_INT },
	{ "esp", "spi", FW_BASE_TH, 0, 32, FW_DEP_ESP, VT_INT },
	{ "esp", "sequence", FW_BASE_TH, 32, 32, FW_DEP_ESP, VT_INT },
	{ "th", "sport", FW_BASE_TH, 0, 16, FW_DEP_TH, VT_INT },
	{ "th", "dport", FW_BASE_TH, 16, 16, FW_DEP_TH, VT_INT },
};

/* ------------------------------------------------------------------ */
/* errors */

static int nj_fail(struct nj *p, const char *fmt, const char *what)
{
	char msg[256];
	const char *hole = strstr(fmt, "%s");

	/* fmt has at most one %s, filled with what */
	if (hole)
		snprintf(msg, sizeof(msg), "%.*s%s%s", (int)(hole - fmt), fmt,
			 what ? what : "", hole + 2);
	else
		snprintf(msg, sizeof(msg), "%s", fmt);
	if (p->chain)
		snprintf(p->errbuf, CT_ERRBUF_SIZE,
			 "%s: chain %s, rule handle %llu: %s", p->file,
			 p->chain, (unsigned long long)p->handle, msg);
	else
		snprintf(p->errbuf, CT_ERRBUF_SIZE, "%s: %s", p->file, msg);
	return CT_ERR_PARSE;
}

static int nj_nomem(struct nj *p)
{
	snprintf(p->errbuf, CT_ERRBUF_SIZE, "%s: out of memory", p->file);
	return CT_ERR_NOMEM;
}

/* ------------------------------------------------------------------ */
/* values */

static void val_uint(struct fw_val *v, uint64_t x, unsigned len)
{
	unsigned i;

	memset(v, 0, sizeof(*v));
	v->len = (uint8_t)len;
	for (i = 0; i < len && i < 8; i++)
		v->b[len - 1 - i] = (uint8_t)(x >> (8 * i));
}

/* The type of constants compared with key k. */
static enum vt key_vt(const struct fw_key *k, enum vt payload_vt)
{
	switch (k->kind) {
	case FW_KEY_META:
		switch (k->what) {
		case FW_META_IIFNAME:
		case FW_META_OIFNAME:
			return VT_IFNAME;
		case FW_META_NFPROTO:
			return VT_NFPROTO;
		case FW_META_L4PROTO:
			return VT_L4PROTO;
		case FW_META_PKTTYPE:
			return VT_PKTTYPE;
		case FW_META_PROTOCOL:
			return VT_ETHERTYPE;
		case FW_META_IIFTYPE:
		case FW_META_OIFTYPE:
			return VT_IFTYPE;
		default:
			return VT_INT;
		}
	case FW_KEY_CT:
		switch (k->what) {
		case FW_CT_STATE:
			return VT_CT_STATE;
		case FW_CT_STATUS:
			return VT_CT_STATUS;
		case FW_CT_DIRECTION:
			return VT_CT_DIR;
		case FW_CT_HELPER:
			return VT_STRING;
		case FW_CT_L3PROTO:
			return VT_NFPROTO;
		case FW_CT_PROTOCOL:
			return VT_L4PROTO;
		case FW_CT_SADDR:
		case FW_CT_DADDR:
			return k->family == 4 ? VT_ADDR4
			     : k->family == 6 ? VT_ADDR6 : VT_ADDR;
		default:
			return VT_INT;
		}
	case FW_KEY_PAYLOAD:
		return payload_vt;
	default:
		return VT_INT;
	}
}

/* One symbolic or numeric constant of type vt into v (len bytes). */
static bool scalar(const json_t *j, enum vt vt, unsigned len,
		   struct fw_val *v)
{
	const char *s;
	uint32_t x;

	if (json_is_integer(j)) {
		json_int_t n = json_integer_value(j);

		if (n < 0)
			return false;
		val_uint(v, (uint64_t)n, len);
		return true;
	}
	if (json_is_boolean(j)) {
		val_uint(v, json_is_true(j), len);
		return true;
	}
	if (!json_is_string(j))
		return false;
	s = json_string_value(j);
	switch (vt) {
	case VT_ADDR4:
		memset(v, 0, sizeof(*v));
		v->len = 4;
		return fw_addr_parse(s, 4, v->b);
	case VT_ADDR6:
		memset(v, 0, sizeof(*v));
		v->len = 16;
		return fw_addr_parse(s, 6, v->b);
	case VT_ADDR:
		memset(v, 0, sizeof(*v));
		v->len = 16;
		if (fw_addr_parse(s, 4, v->b)) {
			v->len = 4;
			return true;
		}
		return fw_addr_parse(s, 6, v->b);
	case VT_IFNAME:
	case VT_STRING:
		if (strlen(s) >= 16 && vt == VT_IFNAME)
			return false;
		memset(v, 0, sizeof(*v));
		v->len = 16;
		memcpy(v->b, s, strlen(s) < 16 ? strlen(s) : 15);
		return true;
	case VT_L4PROTO:
		if (!sym_find(SYMS(l4proto_syms), s, &x))
			return false;
		break;
	case VT_NFPROTO:
		if (!sym_find(SYMS(nfproto_syms), s, &x))
			return false;
		break;
	case VT_ICMP_TYPE:
		if (!sym_find(SYMS(icmp_type_syms), s, &x))
			return false;
		break;
	case VT_ICMPV6_TYPE:
		if (!sym_find(SYMS(icmpv6_type_syms), s, &x))
			return false;
		break;
	case VT_ICMP_CODE:
		if (!sym_find(SYMS(icmp_code_syms), s, &x))
			return false;
		break;
	case VT_TCP_FLAGS:
		if (!sym_find(SYMS(tcp_flag_syms), s, &x))
			return false;
		break;
	case VT_CT_STATE:
		if (!sym_find(SYMS(ct_state_syms), s, &x))
			return false;
		break;
	case VT_CT_STATUS:
		if (!sym_find(SYMS(ct_status_syms), s, &x))
			return false;
		break;
	case VT_CT_DIR:
		if (!sym_find(SYMS(ct_dir_syms), s, &x))
			return false;
		break;
	case VT_PKTTYPE:
		if (!sym_find(SYMS(pkttype_syms), s, &x))
			return false;
		break;
	case VT_ETHERTYPE:
		if (!sym_find(SYMS(ethertype_syms), s, &x))
			return false;
		break;
	case VT_IFTYPE:
		if (!sym_find(SYMS(iftype_syms), s, &x))
			return false;
		break;
	default: {
		/* a number written as a string ("0x00000001", "22") */
		char *end;
		unsigned long long n = strtoull(s, &end, 0);

		if (end == s || *end)
			return false;
		val_uint(v, n, len);
		return true;
	}
	}
	val_uint(v, x, len);
	return true;
}

/* Flags: a name, a list of names, or {"|": [...]}: OR-ed together. */
static bool flags_value(const json_t *j, enum vt vt, unsigned len,
			struct fw_val *v)
{
	const json_t *list = NULL, *e;
	size_t i;

	if (json_is_object(j))
		list = json_object_get(j, "|");
	else if (json_is_array(j))
		list = j;
	if (!list)
		return scalar(j, vt, len, v);
	memset(v, 0, sizeof(*v));
	v->len = (uint8_t)len;
	json_array_foreach(list, i, e) {
		struct fw_val one;
		unsigned k;

		if (!flags_value(e, vt, len, &one))
			return false;
		for (k = 0; k < len; k++)
			v->b[k] |= one.b[k];
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* keys */

/* The key types a concatenation's parts have, for parsing elements. */
struct keyinfo {
	int key;               /* index in rs->keys */
	enum vt vt[8];         /* per part (one unless concat) */
	uint8_t partlen[8];
	unsigned nparts;
	unsigned len;          /* bytes, parts padded to 4 */
};

static int parse_key(struct nj *p, const json_t *j, struct keyinfo *ki);

static int key_simple(struct nj *p, const struct fw_key *k, enum vt vt,
		      struct keyinfo *ki)
{
	int i = fw_add_key(p->rs, k);

	if (i < 0)
		return nj_nomem(p);
	ki->key = i;
	ki->nparts = 1;
	ki->vt[0] = vt;
	ki->partlen[0] = k->len;
	ki->len = k->len;
	return 0;
}

static int parse_meta(struct nj *p, const json_t *m, struct keyinfo *ki)
{
	static const struct {
		const char *name;
		uint8_t what;
		uint8_t len;
	} metas[] = {
		{ "iifname", FW_META_IIFNAME, 16 },
		{ "oifname", FW_META_OIFNAME, 16 },
		{ "iif", FW_META_IIF, 4 },
		{ "oif", FW_META_OIF, 4 },
		{ "nfproto", FW_META_NFPROTO, 1 },
		{ "l4proto", FW_META_L4PROTO, 1 },
		{ "mark", FW_META_MARK, 4 },
		{ "pkttype", FW_META_PKTTYPE, 1 },
		{ "length", FW_META_LENGTH, 4 },
		{ "protocol", FW_META_PROTOCOL, 2 },
		{ "iiftype", FW_META_IIFTYPE, 2 },
		{ "oiftype", FW_META_OIFTYPE, 2 },
	};
	const char *name = json_string_value(json_object_get(m, "key"));
	struct fw_key k;
	size_t i;

	memset(&k, 0, sizeof(k));
	if (!name)
		return nj_fail(p, "meta without a key", NULL);
	for (i = 0; i < CT_ARRAY_SIZE(metas); i++) {
		if (strcmp(metas[i].name, name) != 0)
			continue;
		k.kind = FW_KEY_META;
		k.what = metas[i].what;
		k.len = metas[i].len;
		return key_simple(p, &k, key_vt(&k, VT_INT), ki);
	}
	ki->key = -1;
	return 1;  /* unknown */
}

static int parse_payload(struct nj *p, const json_t *m, struct keyinfo *ki)
{
	const char *proto = json_string_value(json_object_get(m, "protocol"));
	const char *field = json_string_value(json_object_get(m, "field"));
	const char *base = json_string_value(json_object_get(m, "base"));
	struct fw_key k;
	size_t i;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_PAYLOAD;
	if (base) {
		/* raw payload: @nh,96,32 */
		json_int_t off = json_integer_value(json_object_get(m, "offset"));
		json_int_t len = json_integer_value(json_object_get(m, "len"));

		if (strcmp(base, "nh") == 0)
			k.what = FW_BASE_NH;
		else if (strcmp(base, "th") == 0)
			k.what = FW_BASE_TH;
		else {
			ki->key = -1;
			return 1;
		}
		if (off < 0 || len <= 0 || len > 128 || off > 65535)
			return nj_fail(p, "raw payload out of range", NULL);
		k.offset = (uint16_t)off;
		k.bits = (uint16_t)len;
		k.len = (uint8_t)((len + 7) / 8);
		k.dep = k.what == FW_BASE_TH ? FW_DEP_TH : FW_DEP_NONE;
		return key_simple(p, &k, VT_INT, ki);
	}
	if (!proto || !field)
		return nj_fail(p, "payload without protocol and field", NULL);
	for (i = 0; i < CT_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		if (strcmp(f->proto, proto) != 0 || strcmp(f->name, field) != 0)
			continue;
		k.what = f->base;
		k.offset = f->offset;
		k.bits = f->bits;
		k.len = (uint8_t)((f->bits + 7) / 8);
		k.dep = f->dep;
		return key_simple(p, &k, (enum vt)f->vt, ki);
	}
	ki->key = -1;
	return 1;
}

static int parse_ct(struct nj *p, const json_t *m, struct keyinfo *ki)
{
	static const struct {
		const char *name;
		uint8_t what;
		uint8_t len;
	} cts[] = {
		{ "state", FW_CT_STATE, 4 },
		{ "status", FW_CT_STATUS, 4 },
		{ "mark", FW_CT_MARK, 4 },
		{ "zone", FW_CT_ZONE, 2 },
		{ "direction", FW_CT_DIRECTION, 1 },
		{ "helper", FW_CT_HELPER, 16 },
		{ "l3proto", FW_CT_L3PROTO, 1 },
		{ "protocol", FW_CT_PROTOCOL, 1 },
		{ "saddr", FW_CT_SADDR, 16 },
		{ "daddr", FW_CT_DADDR, 16 },
		{ "proto-src", FW_CT_PROTO_SRC, 2 },
		{ "proto-dst", FW_CT_PROTO_DST, 2 },
		{ "expiration", FW_CT_EXPIRATION, 4 },
	};
	const char *name = json_string_value(json_object_get(m, "key"));
	const char *dir = json_string_value(json_object_get(m, "dir"));
	const char *fam = json_string_value(json_object_get(m, "family"));
	struct fw_key k;
	size_t i;

	memset(&k, 0, sizeof(k));
	if (!name)
		return nj_fail(p, "ct without a key", NULL);
	for (i = 0; i < CT_ARRAY_SIZE(cts); i++) {
		if (strcmp(cts[i].name, name) != 0)
			continue;
		k.kind = FW_KEY_CT;
		k.what = cts[i].what;
		k.len = cts[i].len;
		k.dir = -1;
		if (dir)
			k.dir = strcmp(dir, "reply") == 0 ? 1 : 0;
		if (k.what == FW_CT_SADDR || k.what == FW_CT_DADDR) {
			if (fam && strcmp(fam, "ip") == 0)
				k.family = 4;
			else if (fam && strcmp(fam, "ip6") == 0)
				k.family = 6;
			else if (p->family == FW_FAM_IP)
				k.family = 4;
			else if (p->family == FW_FAM_IP6)
				k.family = 6;
			k.len = k.family == 4 ? 4 : 16;
		}
		return key_simple(p, &k, key_vt(&k, VT_INT), ki);
	}
	ki->key = -1;
	return 1;
}

static int parse_concat(struct nj *p, const json_t *list, struct keyinfo *ki)
{
	struct fw_key k;
	const json_t *e;
	size_t i;
	int head;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_CONCAT;
	k.nparts = (uint8_t)json_array_size(list);
	if (k.nparts < 1 || k.nparts > 8)
		return nj_fail(p, "concatenation of %s parts", "too many");
	head = fw_add_key(p->rs, &k);
	if (head < 0)
		return nj_nomem(p);
	ki->key = head;
	ki->nparts = 0;
	ki->len = 0;
	json_array_foreach(list, i, e) {
		struct keyinfo part;
		int r = parse_key(p, e, &part);

		if (r != 0)
			return r;
		if (part.nparts != 1 ||
		    p->rs->keys[part.key].kind == FW_KEY_CONCAT)
			return nj_fail(p, "nested concatenation", NULL);
		ki->vt[ki->nparts] = part.vt[0];
		ki->partlen[ki->nparts] = (uint8_t)part.len;
		ki->nparts++;
		ki->len += (part.len + 3) & ~3u;
	}
	if (ki->len > FW_VAL_MAX)
		return nj_fail(p, "concatenation too long", NULL);
	p->rs->keys[head].len = (uint8_t)ki->len;
	return 0;
}

/*
 * A key expression: meta, payload, ct, numgen, concat.  Returns 0, 1 for
 * a key ctreplay does not know (ki->key -1), or an error.
 */
static int parse_key(struct nj *p, const json_t *j, struct keyinfo *ki)
{
	const json_t *m;

	memset(ki, 0, sizeof(*ki));
	ki->key = -1;
	if (!json_is_object(j))
		return nj_fail(p, "a key must be an object", NULL);
	if ((m = json_object_get(j, "meta")))
		return parse_meta(p, m, ki);
	if ((m = json_object_get(j, "payload")))
		return parse_payload(p, m, ki);
	if ((m = json_object_get(j, "ct")))
		return parse_ct(p, m, ki);
	if ((m = json_object_get(j, "concat")))
		return parse_concat(p, m, ki);
	if ((m = json_object_get(j, "numgen"))) {
		struct fw_key k;
		const char *mode = json_string_value(json_object_get(m, "mode"));

		memset(&k, 0, sizeof(k));
		k.kind = FW_KEY_NUMGEN;
		k.len = 4;
		k.mod = (uint32_t)json_integer_value(json_object_get(m, "mod"));
		k.num_offset = (uint32_t)json_integer_value(
			json_object_get(m, "offset"));
		if (k.mod == 0)
			return nj_fail(p, "numgen without a modulus", NULL);
		/* inc mode counts packets; random mode uses a fixed seed */
		k.what = mode && strcmp(mode, "inc") == 0 ? 1 : 0;
		return key_simple(p, &k, VT_INT, ki);
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* constants against a key */

/* A value of a (possibly concatenated) key: scalar parts padded to 4. */
static bool key_value(const struct keyinfo *ki, const json_t *j,
		      struct fw_val *v)
{
	const json_t *parts, *e;
	size_t i;

	if (ki->nparts == 1)
		return flags_value(j, ki->vt[0], ki->len, v);
	parts = json_is_object(j) ? json_object_get(j, "concat") : NULL;
	if (!parts || json_array_size(parts) != ki->nparts)
		return false;
	memset(v, 0, sizeof(*v));
	json_array_foreach(parts, i, e) {
		struct fw_val one;

		if (!flags_value(e, ki->vt[i], ki->partlen[i], &one))
			return false;
		if (v->len + ((one.len + 3u) & ~3u) > FW_VAL_MAX)
			return false;
		memcpy(v->b + v->len, one.b, one.len);
		v->len = (uint8_t)(v->len + ((one.len + 3u) & ~3u));
	}
	return true;
}

/* Fill hi from lo for a prefix of `len` bits (lo is masked). */
static bool prefix_range(struct fw_val *lo, struct fw_val *hi, long plen)
{
	int i;

	if (plen < 0 || plen > lo->len * 8)
		return false;
	*hi = *lo;
	for (i = 0; i < lo->len * 8; i++) {
		uint8_t bit = (uint8_t)(0x80u >> (i % 8));

		if (i < plen)
			continue;
		lo->b[i / 8] &= (uint8_t)~bit;
		hi->b[i / 8] |= bit;
	}
	return true;
}

/*
 * A set element, a range or a prefix: into e->lo/e->hi (equal for a
 * single value).  An interface name with a trailing '*' is the range of
 * every name with that prefix.
 */
static bool elem_value(const struct keyinfo *ki, const json_t *j,
		       struct fw_elem *e)
{
	const json_t *m;

	memset(e, 0, sizeof(*e));
	e->verdict = -1;
	e->target = -1;
	if (json_is_object(j) && (m = json_object_get(j, "prefix"))) {
		return ki->nparts == 1 &&
		       scalar(json_object_get(m, "addr"), ki->vt[0], ki->len,
			      &e->lo) &&
		       prefix_range(&e->lo, &e->hi,
				    (long)json_integer_value(
					    json_object_get(m, "len")));
	}
	if (json_is_object(j) && (m = json_object_get(j, "range"))) {
		return json_array_size(m) == 2 &&
		       key_value(ki, json_array_get(m, 0), &e->lo) &&
		       key_value(ki, json_array_get(m, 1), &e->hi);
	}
	if (json_is_object(j) && (m = json_object_get(j, "elem"))) {
		/* an element with options (timeout, comment) */
		return elem_value(ki, json_object_get(m, "val"), e);
	}
	if (ki->nparts == 1 && ki->vt[0] == VT_IFNAME && json_is_string(j)) {
		const char *s = json_string_value(j);
		size_t n = strlen(s);

		if (n > 0 && n < 17 && s[n - 1] == '*') {
			memset(&e->lo, 0, sizeof(e->lo));
			e->lo.len = 16;
			memcpy(e->lo.b, s, n - 1);
			e->hi = e->lo;
			memset(e->hi.b + n - 1, 0xff, 16 - (n - 1));
			return true;
		}
	}
	if (!key_value(ki, j, &e->lo))
		return false;
	e->hi = e->lo;
	return true;
}

/* ------------------------------------------------------------------ */
/* verdicts */

/* {"accept": null} ... into code and target name; false if not one. */
static bool verdict_of(struct nj *p, const json_t *j, int *code,
		       const char **target)
{
	static const struct sym v[] = {
		{ "accept", FW_V_ACCEPT }, { "drop", FW_V_DROP },
		{ "continue", FW_V_CONTINUE }, { "return", FW_V_RETURN },
		{ "jump", FW_V_JUMP }, { "goto", FW_V_GOTO },
		{ "queue", FW_V_QUEUE },
	};
	size_t i;

	*target = NULL;
	if (!json_is_object(j))
		return false;
	for (i = 0; i < CT_ARRAY_SIZE(v); i++) {
		const json_t *a = json_object_get(j, v[i].name);

		if (!a)
			continue;
		*code = (int)v[i].value;
		if (v[i].value == FW_V_JUMP || v[i].value == FW_V_GOTO) {
			const char *t = json_string_value(
				json_object_get(a, "target"));

			if (!t)
				return false;
			*target = fw_strdup(p->rs, t);
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* sets */

static int set_elements(struct nj *p, int set, const struct keyinfo *ki,
			const json_t *elems, bool vmap)
{
	const json_t *e;
	size_t i;

	json_array_foreach(elems, i, e) {
		struct fw_elem el;
		const json_t *k = e, *data = NULL;

		if (json_is_array(e) && json_array_size(e) == 2) {
			k = json_array_get(e, 0);
			data = json_array_get(e, 1);
		}
		if (!elem_value(ki, k, &el))
			return nj_fail(p, "set element of the wrong type in %s",
				       p->rs->sets[set].name[0]
					       ? p->rs->sets[set].name
					       : "an anonymous set");
		if (data && vmap) {
			int code;
			const char *target;

			if (!verdict_of(p, data, &code, &target))
				return nj_fail(p, "map element without a "
					       "verdict", NULL);
			el.verdict = code;
			if (target) {
				memset(&el.data, 0, sizeof(el.data));
				snprintf((char *)el.data.b, sizeof(el.data.b),
					 "%s", target);
				el.data.len = (uint8_t)(strlen(target) + 1);
			}
		} else if (data) {
			/* a data map (marks, NAT targets): keep a number or
			 * an address when it is one */
			if (!scalar(data, VT_INT, 4, &el.data) &&
			    !scalar(data, VT_ADDR, 16, &el.data))
				memset(&el.data, 0, sizeof(el.data));
		}
		if (!fw_set_add(p->rs, set, &el))
			return nj_nomem(p);
	}
	return 0;
}

/*
 * The key type of a named set: its "type" (a name or a list for a
 * concatenation).  Builds a keyinfo without a key (ki->key -1).
 */
static bool set_type(const json_t *type, struct keyinfo *ki)
{
	static const struct {
		const char *name;
		enum vt vt;
		uint8_t len;
	} types[] = {
		{ "ipv4_addr", VT_ADDR4, 4 }, { "ipv6_addr", VT_ADDR6, 16 },
		{ "inet_service", VT_INT, 2 }, { "inet_proto", VT_L4PROTO, 1 },
		{ "ifname", VT_IFNAME, 16 }, { "mark", VT_INT, 4 },
		{ "ether_addr", VT_INT, 6 }, { "icmp_type", VT_ICMP_TYPE, 1 },
		{ "icmpv6_type", VT_ICMPV6_TYPE, 1 },
		{ "ct_state", VT_CT_STATE, 4 }, { "ct_status", VT_CT_STATUS, 4 },
		{ "iface_index", VT_INT, 4 }, { "integer", VT_INT, 4 },
		{ "nf_proto", VT_NFPROTO, 1 }, { "pkt_type", VT_PKTTYPE, 1 },
		{ "tcp_flag", VT_TCP_FLAGS, 1 }, { "ether_type", VT_ETHERTYPE, 2 },
	};
	const json_t *e;
	size_t i, t;

	memset(ki, 0, sizeof(*ki));
	ki->key = -1;
	if (json_is_string(type)) {
		for (t = 0; t < CT_ARRAY_SIZE(types); t++)
			if (strcmp(types[t].name, json_string_value(type)) == 0) {
				ki->nparts = 1;
				ki->vt[0] = types[t].vt;
				ki->partlen[0] = types[t].len;
				ki->len = types[t].len;
				return true;
			}
		return false;
	}
	if (!json_is_array(type) || json_array_size(type) > 8)
		return false;
	json_array_foreach(type, i, e) {
		struct keyinfo one;

		if (!set_type(e, &one))
			return false;
		ki->vt[ki->nparts] = one.vt[0];
		ki->partlen[ki->nparts] = one.partlen[0];
		ki->nparts++;
		ki->len += (one.len + 3u) & ~3u;
	}
	return ki->len <= FW_VAL_MAX;
}

static bool json_has_flag(const json_t *flags, const char *name)
{
	const json_t *e;
	size_t i;

	if (json_is_string(flags))
		return strcmp(json_string_value(flags), name) == 0;
	json_array_foreach(flags, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), name) == 0)
			return true;
	return false;
}

static int parse_set_object(struct nj *p, const json_t *o, bool is_map)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const json_t *mapto = json_object_get(o, "map");
	struct keyinfo ki;
	int t, s;
	enum fw_family f;

	if (!name || !table || !fam)
		return nj_fail(p, "a set without name, table or family", NULL);
	if (!fw_family_parse(fam, &f))
		return nj_fail(p, "unknown family %s", fam);
	t = fw_find_table(p->rs, table, f);
	if (t < 0)
		return nj_fail(p, "set in an unknown table %s", table);
	if (!set_type(json_object_get(o, "type"), &ki)) {
		/* a set of a type ctreplay cannot read: rules using it
		 * become unknown */
		return 0;
	}
	s = fw_add_set(p->rs, t, name, (uint8_t)ki.len);
	if (s < 0)
		return nj_nomem(p);
	p->rs->sets[s].interval =
		json_has_flag(json_object_get(o, "flags"), "interval");
	p->rs->sets[s].is_map = is_map;
	p->rs->sets[s].is_vmap = is_map && json_is_string(mapto) &&
				 strcmp(json_string_value(mapto), "verdict") == 0;
	if (json_object_get(o, "elem"))
		return set_elements(p, s, &ki, json_object_get(o, "elem"),
				    p->rs->sets[s].is_vmap);
	return 0;
}

/* The set a rule names: "@name" in its table, or an anonymous
 * {"set": [...]} built against the key.  Returns the set index, -1 with
 * an error set, or -2 for a named set ctreplay could not read. */
static int rule_set(struct nj *p, const json_t *j, const struct keyinfo *ki,
		    bool vmap, int *err)
{
	int s;

	*err = 0;
	if (json_is_string(j) && json_string_value(j)[0] == '@') {
		s = fw_find_set(p->rs, p->table, json_string_value(j) + 1);
		return s < 0 ? -2 : s;
	}
	s = fw_add_set(p->rs, p->table, NULL, (uint8_t)ki->len);
	if (s < 0) {
		*err = nj_nomem(p);
		return -1;
	}
	p->rs->sets[s].is_vmap = vmap;
	p->rs->sets[s].is_map = vmap;
	*err = set_elements(p, s, ki,
			    json_is_array(j) ? j : json_object_get(j, "set"),
			    vmap);
	return *err ? -1 : s;
}

/* ------------------------------------------------------------------ */
/* rule expressions */

static enum fw_op op_of(const char *op, bool *ok)
{
	static const struct sym ops[] = {
		{ "==", FW_OP_EQ }, { "!=", FW_OP_NE }, { "<", FW_OP_LT },
		{ ">", FW_OP_GT }, { "<=", FW_OP_LE }, { ">=", FW_OP_GE },
		{ "in", FW_OP_IN },
	};
	uint32_t v;

	*ok = op && sym_find(SYMS(ops), op, &v);
	return *ok ? (enum fw_op)v : FW_OP_EQ;
}

static bool vt_is_flags(enum vt vt)
{
	return vt == VT_CT_STATE || vt == VT_CT_STATUS || vt == VT_TCP_FLAGS;
}

static int parse_match(struct nj *p, const json_t *m)
{
	const json_t *left = json_object_get(m, "left");
	const json_t *right = json_object_get(m, "right");
	const json_t *band = json_is_object(left) ? json_object_get(left, "&")
						  : NULL;
	struct keyinfo ki;
	struct fw_expr *x;
	bool ok;
	enum fw_op op = op_of(json_string_value(json_object_get(m, "op")), &ok);
	int r;

	if (!ok || !left || !right)
		return nj_fail(p, "a match without op, left or right", NULL);
	r = parse_key(p, band ? json_array_get(band, 0) : left, &ki);
	if (r < 0)
		return r;
	if (r > 0 || ki.key < 0) {
		const json_t *k = band ? json_array_get(band, 0) : left;
		const char *what = json_is_object(k) ?
			json_object_iter_key(json_object_iter((json_t *)k)) :
			NULL;

		fw_rule_unknown(p->rs, what ? what : "match");
		return 0;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_MATCH;
	x->key = (uint16_t)ki.key;
	if (band && !flags_value(json_array_get(band, 1), ki.vt[0], ki.len,
				 &x->mask))
		return nj_fail(p, "bitwise mask of the wrong type", NULL);
	/* what nft prints as "in": a set, or flags of a bitmask type */
	if (json_is_string(right) && json_string_value(right)[0] == '@') {
		int err;

		x->set = rule_set(p, right, &ki, false, &err);
		if (x->set == -2) {
			p->rs->nexprs--;
			p->rs->rules[p->rs->cur_rule].n--;
			fw_rule_unknown(p->rs, "a set ctreplay cannot read");
			return 0;
		}
		if (x->set < 0)
			return err;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (json_is_object(right) && json_object_get(right, "set")) {
		int err;

		x->set = rule_set(p, right, &ki, false, &err);
		if (x->set < 0)
			return err;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (json_is_object(right) &&
	    (json_object_get(right, "range") || json_object_get(right, "prefix"))) {
		struct fw_elem e;

		if (!elem_value(&ki, right, &e))
			return nj_fail(p, "range or prefix of the wrong type",
				       NULL);
		x->val = e.lo;
		x->hi = e.hi;
		x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
		return 0;
	}
	if (ki.nparts == 1 && ki.vt[0] == VT_INT && json_is_string(right) &&
	    p->rs->keys[ki.key].kind == FW_KEY_META &&
	    (p->rs->keys[ki.key].what == FW_META_IIF ||
	     p->rs->keys[ki.key].what == FW_META_OIF)) {
		/* meta iif "lo": nft turned the name into an index when the
		 * rule was loaded; compare names (the same while the
		 * interfaces are the ones addr.json lists) */
		struct fw_key *k = &p->rs->keys[ki.key];

		k->what = k->what == FW_META_IIF ? FW_META_IIFNAME
						 : FW_META_OIFNAME;
		k->len = 16;
		ki.vt[0] = VT_IFNAME;
		ki.len = ki.partlen[0] = 16;
	}
	if (ki.nparts == 1 && ki.vt[0] == VT_IFNAME && json_is_string(right)) {
		struct fw_elem e;

		/* "eth*": a range of names */
		if (!elem_value(&ki, right, &e))
			return nj_fail(p, "bad interface name", NULL);
		x->val = e.lo;
		x->hi = e.hi;
		if (memcmp(e.lo.b, e.hi.b, 16) != 0) {
			x->op = op == FW_OP_NE ? FW_OP_NOTIN : FW_OP_IN;
			return 0;
		}
		x->op = op == FW_OP_IN ? FW_OP_EQ : op;
		return 0;
	}
	if (!key_value(&ki, right, &x->val))
		return nj_fail(p, "value of the wrong type for its key", NULL);
	if (op == FW_OP_IN) {
		/* implicit op: flags test for bitmask types, else equality */
		if (ki.nparts == 1 && vt_is_flags(ki.vt[0]) && !band) {
			x->op = FW_OP_FLAGS;
			return 0;
		}
		x->op = FW_OP_EQ;
		return 0;
	}
	x->op = (uint8_t)op;
	return 0;
}

static int parse_counter(struct nj *p, const json_t *c)
{
	struct fw_expr *x = fw_add_expr(p->rs);
	json_t *obj = (json_t *)c;

	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_COUNTER;
	if (json_is_object(c)) {
		x->packets = (uint64_t)json_integer_value(
			json_object_get(c, "packets"));
		x->nbytes = (uint64_t)json_integer_value(
			json_object_get(c, "bytes"));
	} else {
		/* a named counter object: counted, not written back */
		obj = NULL;
	}
	if (p->doc->ncounters == p->doc->cap) {
		size_t cap = p->doc->cap ? p->doc->cap * 2 : 64;
		json_t **n = realloc(p->doc->counters, cap * sizeof(*n));

		if (!n)
			return nj_nomem(p);
		p->doc->counters = n;
		p->doc->cap = cap;
	}
	/* counter expressions are numbered in reading order (fw_finish()) */
	p->doc->counters[p->doc->ncounters++] = obj;
	return 0;
}

static uint64_t per_ns(const char *per)
{
	static const struct {
		const char *name;
		uint64_t s;
	} units[] = {
		{ "second", 1 }, { "minute", 60 }, { "hour", 3600 },
		{ "day", 86400 }, { "week", 604800 },
	};
	size_t i;

	for (i = 0; per && i < CT_ARRAY_SIZE(units); i++)
		if (strcmp(units[i].name, per) == 0)
			return units[i].s * (uint64_t)CT_NSEC_PER_SEC;
	return 0;
}

static uint64_t byte_unit(const char *u)
{
	if (!u || strcmp(u, "bytes") == 0)
		return 1;
	if (strcmp(u, "kbytes") == 0)
		return 1024;
	if (strcmp(u, "mbytes") == 0)
		return 1024 * 1024;
	return 0;
}

static int parse_limit(struct nj *p, const json_t *l)
{
	struct fw_expr *x;
	const char *ru, *bu;

	if (!json_is_object(l)) {
		fw_rule_unknown(p->rs, "named limit");
		return 0;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_LIMIT;
	x->rate = (uint64_t)json_integer_value(json_object_get(l, "rate"));
	x->burst = (uint64_t)json_integer_value(json_object_get(l, "burst"));
	x->unit_ns = per_ns(json_string_value(json_object_get(l, "per")));
	x->inv = json_is_true(json_object_get(l, "inv"));
	ru = json_string_value(json_object_get(l, "rate_unit"));
	bu = json_string_value(json_object_get(l, "burst_unit"));
	if (ru && strcmp(ru, "packets") != 0) {
		x->bytes = true;
		x->rate *= byte_unit(ru);
		x->burst *= byte_unit(bu ? bu : "bytes");
	}
	if (x->rate == 0 || x->unit_ns == 0)
		return nj_fail(p, "limit without a rate or unit", NULL);
	return 0;
}

static int parse_reject(struct nj *p, const json_t *r)
{
	struct fw_expr *x = fw_add_expr(p->rs);
	const char *type = json_is_object(r) ?
		json_string_value(json_object_get(r, "type")) : NULL;
	const json_t *code = json_is_object(r) ? json_object_get(r, "expr")
					       : NULL;

	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_REJECT;
	x->what = FW_REJ_DEFAULT;
	x->code = 3;
	if (type && strcmp(type, "tcp reset") == 0) {
		x->what = FW_REJ_TCP_RESET;
	} else if (type) {
		static const struct sym icmpx[] = {
			{ "no-route", 0 }, { "port-unreachable", 1 },
			{ "host-unreachable", 2 }, { "admin-prohibited", 3 },
		};
		static const struct sym icmpv6[] = {
			{ "no-route", 0 }, { "admin-prohibited", 1 },
			{ "addr-unreachable", 3 }, { "port-unreachable", 4 },
			{ "policy-fail", 5 }, { "reject-route", 6 },
		};
		uint32_t v = 0;

		if (strcmp(type, "icmpx") == 0) {
			x->what = FW_REJ_ICMPX;
			v = 1;
			if (json_is_string(code) &&
			    !sym_find(SYMS(icmpx), json_string_value(code), &v))
				return nj_fail(p, "unknown icmpx code %s",
					       json_string_value(code));
		} else if (strcmp(type, "icmpv6") == 0) {
			x->what = FW_REJ_ICMPV6;
			v = 4;
			if (json_is_string(code) &&
			    !sym_find(SYMS(icmpv6), json_string_value(code), &v))
				return nj_fail(p, "unknown icmpv6 code %s",
					       json_string_value(code));
		} else {
			x->what = FW_REJ_ICMP;
			v = 3;
			if (json_is_string(code) &&
			    !sym_find(SYMS(icmp_code_syms),
				      json_string_value(code), &v))
				return nj_fail(p, "unknown icmp code %s",
					       json_string_value(code));
		}
		if (json_is_integer(code))
			v = (uint32_t)json_integer_value(code);
		x->code = v;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_VERDICT;
	x->verdict = FW_V_REJECT;
	return 0;
}

/* meta mark set / ct mark set / ct helper set / meta nftrace ... */
static int parse_mangle(struct nj *p, const json_t *m)
{
	const json_t *key = json_object_get(m, "key");
	const json_t *value = json_object_get(m, "value");
	const json_t *meta = json_is_object(key) ? json_object_get(key, "meta")
						 : NULL;
	const json_t *ct = json_is_object(key) ? json_object_get(key, "ct")
					       : NULL;
	const char *name = json_string_value(
		json_object_get(meta ? meta : ct, "key"));
	struct fw_expr *x;
	struct keyinfo src;

	if (!name || (meta && strcmp(name, "mark") != 0) ||
	    (ct && strcmp(name, "mark") != 0)) {
		fw_rule_unknown(p->rs, name ? name : "mangle");
		return 0;
	}
	if (meta && strcmp(name, "nftrace") == 0)
		return 0;
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = meta ? FW_X_META_SET : FW_X_CT_SET;
	x->what = meta ? FW_META_MARK : FW_CT_MARK;
	if (json_is_object(value) &&
	    (json_object_get(value, "meta") || json_object_get(value, "ct"))) {
		int r = parse_key(p, value, &src);

		if (r < 0)
			return r;
		if (r > 0 || src.key < 0) {
			p->rs->nexprs--;
			p->rs->rules[p->rs->cur_rule].n--;
			fw_rule_unknown(p->rs, "mark set from an unknown key");
			return 0;
		}
		x->key = (uint16_t)src.key;
		return 0;
	}
	if (json_is_object(value) &&
	    (json_object_get(value, "|") || json_object_get(value, "&") ||
	     json_object_get(value, "^"))) {
		/* meta mark set meta mark | 0x100, ct mark set meta mark &
		 * 0xff: a key through nft's bitwise, (key & and) ^ xor */
		const char *op = json_object_get(value, "|") ? "|"
			       : json_object_get(value, "&") ? "&" : "^";
		const json_t *args = json_object_get(value, op);
		struct fw_val c;
		unsigned i;
		int r;

		if (json_array_size(args) != 2 ||
		    !scalar(json_array_get(args, 1), VT_INT, 4, &c))
			goto unknown;
		r = parse_key(p, json_array_get(args, 0), &src);
		if (r < 0)
			return r;
		if (r > 0 || src.key < 0)
			goto unknown;
		x->key = (uint16_t)src.key;
		x->mask.len = 4;
		x->xor.len = 4;
		for (i = 0; i < 4; i++) {
			x->mask.b[i] = *op == '&' ? c.b[i]
				   : *op == '|' ? (uint8_t)~c.b[i] : 0xff;
			x->xor.b[i] = *op == '&' ? 0 : c.b[i];
		}
		return 0;
unknown:
		p->rs->nexprs--;
		p->rs->rules[p->rs->cur_rule].n--;
		fw_rule_unknown(p->rs, "mark set from an expression");
		return 0;
	}
	if (!scalar(value, VT_INT, 4, &x->val))
		return nj_fail(p, "mark set to a value that is not a number",
			       NULL);
	return 0;
}

static int parse_vmap(struct nj *p, const json_t *v)
{
	struct keyinfo ki;
	struct fw_expr *x;
	int r, err;

	r = parse_key(p, json_object_get(v, "key"), &ki);
	if (r < 0)
		return r;
	if (r > 0 || ki.key < 0) {
		fw_rule_unknown(p->rs, "vmap on an unknown key");
		return 0;
	}
	x = fw_add_expr(p->rs);
	if (!x)
		return nj_nomem(p);
	x->kind = FW_X_VMAP;
	x->key = (uint16_t)ki.key;
	x->set = rule_set(p, json_object_get(v, "data"), &ki, true, &err);
	if (x->set == -2) {
		p->rs->nexprs--;
		p->rs->rules[p->rs->cur_rule].n--;
		fw_rule_unknown(p->rs, "a map ctreplay cannot read");
		return 0;
	}
	return x->set < 0 ? err : 0;
}

/* ct helper objects of the ruleset: name -> helper type. */
static const char *helper_type(struct nj *p, const char *obj)
{
	const json_t *list = json_object_get(p->doc->root, "nftables"), *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const json_t *h = json_object_get(e, "ct helper");
		const char *table = json_string_value(json_object_get(h, "table"));

		if (!h || !table || strcmp(table, p->rs->tables[p->table].name))
			continue;
		if (strcmp(json_string_value(json_object_get(h, "name")) ?
			   json_string_value(json_object_get(h, "name")) : "",
			   obj) == 0)
			return json_string_value(json_object_get(h, "type"));
	}
	return NULL;
}

/* "flags": "all" or a list of "tcp sequence", "tcp options", "ip
 * options", "skuid", "ether" (nftables src/json.c, log_stmt_json()). */
static unsigned log_flags(const json_t *f)
{
	static const struct sym names[] = {
		{ "tcp sequence", FW_LOG_TCPSEQ }, { "tcp options", FW_LOG_TCPOPT },
		{ "ip options", FW_LOG_IPOPT }, { "skuid", FW_LOG_UID },
		{ "ether", FW_LOG_MACDECODE },
		{ "all", FW_LOG_TCPSEQ | FW_LOG_TCPOPT | FW_LOG_IPOPT |
			 FW_LOG_UID | FW_LOG_MACDECODE },
	};
	const json_t *e;
	unsigned flags = 0;
	uint32_t v;
	size_t i;

	if (json_is_string(f))
		return sym_find(SYMS(names), json_string_value(f), &v) ? v : 0;
	json_array_foreach(f, i, e)
		if (json_is_string(e) &&
		    sym_find(SYMS(names), json_string_value(e), &v))
			flags |= v;
	return flags;
}

static int parse_stmt(struct nj *p, const json_t *e)
{
	const char *kind;
	const json_t *v;
	struct fw_expr *x;
	int code;
	const char *target;

	if (!json_is_object(e) || json_object_size(e) != 1)
		return nj_fail(p, "an expression must be an object with one "
			       "key", NULL);
	kind = json_object_iter_key(json_object_iter((json_t *)e));
	v = json_object_get(e, kind);
	if (strcmp(kind, "match") == 0)
		return parse_match(p, v);
	if (strcmp(kind, "counter") == 0)
		return parse_counter(p, v);
	if (verdict_of(p, e, &code, &target)) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_VERDICT;
		x->verdict = (uint8_t)code;
		x->target_name = target;
		if (code == FW_V_QUEUE && json_is_object(v))
			x->queue_bypass = json_has_flag(
				json_object_get(v, "flags"), "bypass");
		return 0;
	}
	if (strcmp(kind, "log") == 0) {
		const char *prefix = json_string_value(
			json_object_get(v, "prefix"));

		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_LOG;
		x->text = fw_strdup(p->rs, prefix ? prefix : "");
		x->code = log_flags(json_object_get(v, "flags"));
		/* log group N goes to nflog, not the kernel log */
		x->inv = json_object_get(v, "group") != NULL;
		return 0;
	}
	if (strcmp(kind, "limit") == 0)
		return parse_limit(p, v);
	if (strcmp(kind, "reject") == 0)
		return parse_reject(p, v);
	if (strcmp(kind, "mangle") == 0)
		return parse_mangle(p, v);
	if (strcmp(kind, "vmap") == 0)
		return parse_vmap(p, v);
	if (strcmp(kind, "notrack") == 0) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_NOTRACK;
		return 0;
	}
	if (strcmp(kind, "ct helper") == 0 && json_is_string(v)) {
		const char *type = helper_type(p, json_string_value(v));

		if (!type) {
			fw_rule_unknown(p->rs, "ct helper set to an unknown "
					"helper object");
			return 0;
		}
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_CT_SET;
		x->what = FW_CT_HELPER;
		x->text = fw_strdup(p->rs, type);
		return 0;
	}
	if (strcmp(kind, "ct count") == 0) {
		x = fw_add_expr(p->rs);
		if (!x)
			return nj_nomem(p);
		x->kind = FW_X_CT_COUNT;
		x->code = (uint32_t)json_integer_value(json_object_get(v, "val"));
		x->inv = json_is_true(json_object_get(v, "inv"));
		fw_rule_unknown(p->rs, "ct count");
		return 0;
	}
	if (strcmp(kind, "snat") == 0 || strcmp(kind, "dnat") == 0 ||
	    strcmp(kind, "masquerade") == 0 || strcmp(kind, "redirect") == 0) {
		char *dump = json_dumps(v, JSON_COMPACT);

		x = fw_add_expr(p->rs);
		if (!x) {
			free(dump);
			return nj_nomem(p);
		}
		x->kind = FW_X_NAT;
		x->text = fw_strdup(p->rs, kind);
		free(dump);
		return 0;
	}
	fw_rule_unknown(p->rs, kind);
	return 0;
}

/* ------------------------------------------------------------------ */
/* objects */

bool fw_family_parse(const char *s, enum fw_family *out)
{
	static const struct sym fams[] = {
		{ "ip", FW_FAM_IP }, { "ip6", FW_FAM_IP6 },
		{ "inet", FW_FAM_INET }, { "arp", FW_FAM_ARP },
		{ "bridge", FW_FAM_BRIDGE }, { "netdev", FW_FAM_NETDEV },
	};
	uint32_t v;

	if (!s || !sym_find(SYMS(fams), s, &v))
		return false;
	*out = (enum fw_family)v;
	return true;
}

static bool hook_parse(const char *s, enum fw_hook *out)
{
	static const struct sym hooks[] = {
		{ "prerouting", FW_HOOK_PREROUTING }, { "input", FW_HOOK_INPUT },
		{ "forward", FW_HOOK_FORWARD }, { "output", FW_HOOK_OUTPUT },
		{ "postrouting", FW_HOOK_POSTROUTING },
		{ "ingress", FW_HOOK_INGRESS }, { "egress", FW_HOOK_INGRESS },
	};
	uint32_t v;

	if (!s || !sym_find(SYMS(hooks), s, &v))
		return false;
	*out = (enum fw_hook)v;
	return true;
}

static int parse_table(struct nj *p, const json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	enum fw_family f;

	if (!name || !fw_family_parse(fam, &f))
		return nj_fail(p, "a table without name or family", NULL);
	if (fw_add_table(p->rs, name, f, (uint64_t)json_integer_value(
				 json_object_get(o, "handle"))) < 0)
		return nj_nomem(p);
	return 0;
}

static int parse_chain(struct nj *p, const json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *hook = json_string_value(json_object_get(o, "hook"));
	const char *type = json_string_value(json_object_get(o, "type"));
	const char *policy = json_string_value(json_object_get(o, "policy"));
	const json_t *prio = json_object_get(o, "prio");
	enum fw_family f;
	enum fw_hook h = FW_HOOK_NONE;
	enum fw_chain_type ct = FW_CHAIN_FILTER;
	int t;

	if (!name || !table || !fw_family_parse(fam, &f))
		return nj_fail(p, "a chain without name, table or family",
			       NULL);
	t = fw_find_table(p->rs, table, f);
	if (t < 0)
		return nj_fail(p, "chain in an unknown table %s", table);
	if (hook && !hook_parse(hook, &h))
		return nj_fail(p, "unknown hook %s", hook);
	if (type && strcmp(type, "nat") == 0)
		ct = FW_CHAIN_NAT;
	else if (type && strcmp(type, "route") == 0)
		ct = FW_CHAIN_ROUTE;
	if (fw_add_chain(p->rs, t, name, h, ct,
			 (int32_t)json_integer_value(prio),
			 policy && strcmp(policy, "drop") == 0 ? FW_V_DROP
							       : FW_V_ACCEPT,
			 (uint64_t)json_integer_value(
				 json_object_get(o, "handle"))) < 0)
		return nj_nomem(p);
	return 0;
}

static int parse_rule(struct nj *p, const json_t *o)
{
	const char *chain = json_string_value(json_object_get(o, "chain"));
	const char *table = json_string_value(json_object_get(o, "table"));
	const char *fam = json_string_value(json_object_get(o, "family"));
	const char *comment = json_string_value(json_object_get(o, "comment"));
	const json_t *exprs = json_object_get(o, "expr"), *e;
	enum fw_family f;
	size_t i;
	int c, r;

	if (!chain || !table || !fw_family_parse(fam, &f))
		return nj_fail(p, "a rule without chain, table or family",
			       NULL);
	p->table = fw_find_table(p->rs, table, f);
	if (p->table < 0)
		return nj_fail(p, "rule in an unknown table %s", table);
	p->family = f;
	c = fw_find_chain(p->rs, p->table, chain);
	if (c < 0)
		return nj_fail(p, "rule in an unknown chain %s", chain);
	p->chain = p->rs->chains[c].name;
	p->handle = (uint64_t)json_integer_value(json_object_get(o, "handle"));
	if (fw_begin_rule(p->rs, c, p->handle,
			  comment ? fw_strdup(p->rs, comment) : NULL) < 0)
		return nj_nomem(p);
	if (!json_is_array(exprs))
		return nj_fail(p, "a rule without expressions", NULL);
	json_array_foreach(exprs, i, e) {
		r = parse_stmt(p, e);
		if (r != 0)
			return r;
	}
	p->chain = NULL;
	return 0;
}

/* One pass over the list, for the objects of one kind. */
static int nj_pass(struct nj *p, const json_t *list, const char *kind,
		   int (*fn)(struct nj *, const json_t *))
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const json_t *o = json_object_get(e, kind);
		int r;

		if (!o)
			continue;
		r = fn(p, o);
		if (r != 0)
			return r;
	}
	return 0;
}

static int parse_set_obj(struct nj *p, const json_t *o)
{
	return parse_set_object(p, o, false);
}

static int parse_map_obj(struct nj *p, const json_t *o)
{
	return parse_set_object(p, o, true);
}

static void nft_doc_free(struct fw_ruleset *rs)
{
	struct nft_doc *d = rs->doc;

	if (!d)
		return;
	json_decref(d->root);
	free(d->counters);
	free(d);
	rs->doc = NULL;
}

int fw_nft_read(struct fw_ruleset *rs, const char *text, size_t len,
		const char *filename, char *errbuf)
{
	struct nj p;
	json_error_t jerr;
	const json_t *list;
	int r;

	memset(&p, 0, sizeof(p));
	p.rs = rs;
	p.file = filename;
	p.errbuf = errbuf;
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc)
		return nj_nomem(&p);
	rs->doc = p.doc;
	rs->doc_free = nft_doc_free;
	p.doc->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p.doc->root) {
		snprintf(errbuf, CT_ERRBUF_SIZE, "%s:%d:%d: %s", filename,
			 jerr.line, jerr.column, jerr.text);
		return CT_ERR_PARSE;
	}
	list = json_object_get(p.doc->root, "nftables");
	if (!json_is_array(list))
		return nj_fail(&p, "not the output of nft -j list ruleset (no "
			       "\"nftables\" list)", NULL);
	r = nj_pass(&p, list, "table", parse_table);
	if (r == 0)
		r = nj_pass(&p, list, "chain", parse_chain);
	if (r == 0)
		r = nj_pass(&p, list, "set", parse_set_obj);
	if (r == 0)
		r = nj_pass(&p, list, "map", parse_map_obj);
	if (r == 0)
		r = nj_pass(&p, list, "rule", parse_rule);
	return r;
}


int fw_nft_write(FILE *out, const struct fw_ruleset *rs,
		 const uint64_t *pkts, const uint64_t *bytes)
{
	struct nft_doc *d = rs->doc;
	size_t i;

	if (!d || !d->root)
		return CT_ERR_PARSE;
	for (i = 0; pkts && bytes && i < d->ncounters && i < rs->ncounters;
	     i++) {
		json_t *c = d->counters[i];

		if (!c)
			continue;
		json_object_set_new(c, "packets", json_integer(
					    (json_int_t)pkts[i]));
		json_object_set_new(c, "bytes", json_integer(
					    (json_int_t)bytes[i]));
	}
	if (json_dumpf(d->root, out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
		return CT_ERR_IO;
	fputc('\n', out);
	return CT_OK;
}
