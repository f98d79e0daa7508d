/* \summary: nft JSON: symbols, payload fields, typed constants and keys, as nft's datatypes read them */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_int.h"
#include "route.h"

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

/* fib ... type: RTN_* as nft names them (datatype fib_addrtype) */
static const struct sym fib_type_syms[] = {
	{ "unspec", FW_RTN_UNSPEC }, { "unicast", FW_RTN_UNICAST },
	{ "local", FW_RTN_LOCAL }, { "broadcast", FW_RTN_BROADCAST },
	{ "anycast", FW_RTN_ANYCAST }, { "multicast", FW_RTN_MULTICAST },
	{ "blackhole", FW_RTN_BLACKHOLE },
	{ "unreachable", FW_RTN_UNREACHABLE },
	{ "prohibit", FW_RTN_PROHIBIT },
};

static const struct sym iftype_syms[] = {
	{ "ether", 1 }, { "ppp", 512 }, { "loopback", 772 },
};

#define SYMS(a) a, CT_ARRAY_SIZE(a)

bool nj_sym_find(const struct sym *s, size_t n, const char *name,
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

int nj_fail(struct nj *p, const char *fmt, const char *what)
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

int nj_nomem(struct nj *p)
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
bool nj_scalar(const json_t *j, enum vt vt, unsigned len,
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
		if (!nj_sym_find(SYMS(l4proto_syms), s, &x))
			return false;
		break;
	case VT_NFPROTO:
		if (!nj_sym_find(SYMS(nfproto_syms), s, &x))
			return false;
		break;
	case VT_ICMP_TYPE:
		if (!nj_sym_find(SYMS(icmp_type_syms), s, &x))
			return false;
		break;
	case VT_ICMPV6_TYPE:
		if (!nj_sym_find(SYMS(icmpv6_type_syms), s, &x))
			return false;
		break;
	case VT_ICMP_CODE:
		if (!nj_sym_find(SYMS(icmp_code_syms), s, &x))
			return false;
		break;
	case VT_TCP_FLAGS:
		if (!nj_sym_find(SYMS(tcp_flag_syms), s, &x))
			return false;
		break;
	case VT_CT_STATE:
		if (!nj_sym_find(SYMS(ct_state_syms), s, &x))
			return false;
		break;
	case VT_CT_STATUS:
		if (!nj_sym_find(SYMS(ct_status_syms), s, &x))
			return false;
		break;
	case VT_CT_DIR:
		if (!nj_sym_find(SYMS(ct_dir_syms), s, &x))
			return false;
		break;
	case VT_PKTTYPE:
		if (!nj_sym_find(SYMS(pkttype_syms), s, &x))
			return false;
		break;
	case VT_ETHERTYPE:
		if (!nj_sym_find(SYMS(ethertype_syms), s, &x))
			return false;
		break;
	case VT_IFTYPE:
		if (!nj_sym_find(SYMS(iftype_syms), s, &x))
			return false;
		break;
	case VT_FIB_TYPE:
		if (!nj_sym_find(SYMS(fib_type_syms), s, &x))
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
bool nj_flags_value(const json_t *j, enum vt vt, unsigned len,
			struct fw_val *v)
{
	const json_t *list = NULL, *e;
	size_t i;

	if (json_is_object(j))
		list = json_object_get(j, "|");
	else if (json_is_array(j))
		list = j;
	if (!list)
		return nj_scalar(j, vt, len, v);
	memset(v, 0, sizeof(*v));
	v->len = (uint8_t)len;
	json_array_foreach(list, i, e) {
		struct fw_val one;
		unsigned k;

		if (!nj_flags_value(e, vt, len, &one))
			return false;
		for (k = 0; k < len; k++)
			v->b[k] |= one.b[k];
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* keys */


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

/*
 * nft's fib expression: {"fib": {"result": "type" | "oif" | "oifname",
 * "flags": ["saddr", "iif", ...]}} (flags a list, or one name).  "oif
 * exists/missing" compares with a boolean: nj_fib_present() turns the
 * key into the 1-byte answer NFTA_FIB_F_PRESENT gives.
 */
static int parse_fib(struct nj *p, const json_t *m, struct keyinfo *ki)
{
	static const struct sym results[] = {
		{ "oif", FW_FIB_OIF }, { "oifname", FW_FIB_OIFNAME },
		{ "type", FW_FIB_ADDRTYPE },
	};
	static const struct sym flags[] = {
		{ "saddr", FW_FIB_F_SADDR }, { "daddr", FW_FIB_F_DADDR },
		{ "mark", FW_FIB_F_MARK }, { "iif", FW_FIB_F_IIF },
		{ "oif", FW_FIB_F_OIF },
	};
	const char *res = json_string_value(json_object_get(m, "result"));
	const json_t *fl = json_object_get(m, "flags"), *e;
	struct fw_key k;
	uint32_t v;
	size_t i;

	memset(&k, 0, sizeof(k));
	k.kind = FW_KEY_FIB;
	if (!res || !nj_sym_find(SYMS(results), res, &v))
		return nj_fail(p, "fib result %s: oif, oifname or type",
			       res ? res : "(none)");
	k.what = (uint8_t)v;
	if (json_is_string(fl)) {
		if (!nj_sym_find(SYMS(flags), json_string_value(fl), &v))
			return nj_fail(p, "fib flag %s", json_string_value(fl));
		k.fib_flags = (uint8_t)v;
	} else {
		json_array_foreach(fl, i, e) {
			if (!json_is_string(e) ||
			    !nj_sym_find(SYMS(flags), json_string_value(e), &v))
				return nj_fail(p, "fib flag %s",
					       json_is_string(e)
					       ? json_string_value(e) : "?");
			k.fib_flags |= (uint8_t)v;
		}
	}
	/* nft_fib_init(): exactly one of saddr, daddr; not iif with oif */
	if (!(k.fib_flags & FW_FIB_F_SADDR) == !(k.fib_flags & FW_FIB_F_DADDR))
		return nj_fail(p, "fib needs one of %s", "saddr, daddr");
	if ((k.fib_flags & FW_FIB_F_IIF) && (k.fib_flags & FW_FIB_F_OIF))
		return nj_fail(p, "fib takes iif or oif, not %s", "both");
	k.len = k.what == FW_FIB_OIFNAME ? 16 : 4;
	return key_simple(p, &k, k.what == FW_FIB_OIFNAME ? VT_IFNAME
			       : k.what == FW_FIB_ADDRTYPE ? VT_FIB_TYPE
							    : VT_INT, ki);
}

void nj_fib_present(struct nj *p, struct keyinfo *ki)
{
	struct fw_key *k = &p->rs->keys[ki->key];

	if (k->kind != FW_KEY_FIB || k->what == FW_FIB_ADDRTYPE)
		return;
	k->fib_flags |= FW_FIB_F_PRESENT;
	k->len = 1;
	ki->len = ki->partlen[0] = 1;
	ki->vt[0] = VT_INT;
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
		int r = nj_parse_key(p, e, &part);

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
int nj_parse_key(struct nj *p, const json_t *j, struct keyinfo *ki)
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
	if ((m = json_object_get(j, "fib")))
		return parse_fib(p, m, ki);
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
bool nj_key_value(const struct keyinfo *ki, const json_t *j,
		      struct fw_val *v)
{
	const json_t *parts, *e;
	size_t i;

	if (ki->nparts == 1)
		return nj_flags_value(j, ki->vt[0], ki->len, v);
	parts = json_is_object(j) ? json_object_get(j, "concat") : NULL;
	if (!parts || json_array_size(parts) != ki->nparts)
		return false;
	memset(v, 0, sizeof(*v));
	json_array_foreach(parts, i, e) {
		struct fw_val one;

		if (!nj_flags_value(e, ki->vt[i], ki->partlen[i], &one))
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
bool nj_elem_value(const struct keyinfo *ki, const json_t *j,
		       struct fw_elem *e)
{
	const json_t *m;

	memset(e, 0, sizeof(*e));
	e->verdict = -1;
	e->target = -1;
	if (json_is_object(j) && (m = json_object_get(j, "prefix"))) {
		return ki->nparts == 1 &&
		       nj_scalar(json_object_get(m, "addr"), ki->vt[0], ki->len,
			      &e->lo) &&
		       prefix_range(&e->lo, &e->hi,
				    (long)json_integer_value(
					    json_object_get(m, "len")));
	}
	if (json_is_object(j) && (m = json_object_get(j, "range"))) {
		return json_array_size(m) == 2 &&
		       nj_key_value(ki, json_array_get(m, 0), &e->lo) &&
		       nj_key_value(ki, json_array_get(m, 1), &e->hi);
	}
	if (json_is_object(j) && (m = json_object_get(j, "elem"))) {
		/* an element with options (timeout, comment) */
		return nj_elem_value(ki, json_object_get(m, "val"), e);
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
	if (!nj_key_value(ki, j, &e->lo))
		return false;
	e->hi = e->lo;
	return true;
}

/*
 * The key type of a named set: its "type" (a name or a list for a
 * concatenation).  Builds a keyinfo without a key (ki->key -1).
 */
bool nj_set_type(const json_t *type, struct keyinfo *ki)
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

		if (!nj_set_type(e, &one))
			return false;
		ki->vt[ki->nparts] = one.vt[0];
		ki->partlen[ki->nparts] = one.partlen[0];
		ki->nparts++;
		ki->len += (one.len + 3u) & ~3u;
	}
	return ki->len <= FW_VAL_MAX;
}

bool nj_has_flag(const json_t *flags, const char *name)
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

bool nj_icmp_code(const char *name, uint32_t *code)
{
	return nj_sym_find(SYMS(icmp_code_syms), name, code);
}
