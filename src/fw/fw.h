/* \summary: the firewall's ruleset as ctreplay evaluates it: tables, chains, rules, expressions */
#ifndef CTREPLAY_FW_FW_H
#define CTREPLAY_FW_FW_H

/*
 * One in-memory form for both sources of a ruleset: `nft -j list ruleset`
 * (nft_json.c) and iptables-save (ipt_save.c).  It is close to what the
 * kernel runs: nf_tables rules are lists of expressions that load a key
 * (meta, payload, ct) and compare it, statements (counter, log, limit,
 * mark set ...) and one verdict; an iptables rule becomes the same list
 * (its matches are comparisons, its target a statement or verdict), the
 * way iptables-nft itself translates it.
 *
 * Everything is allocated once, when the ruleset is read; evaluating a
 * packet allocates nothing (eval.c).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common.h"

/* Netfilter hooks (enum nf_inet_hooks). */
enum fw_hook {
	FW_HOOK_PREROUTING = 0,
	FW_HOOK_INPUT,
	FW_HOOK_FORWARD,
	FW_HOOK_OUTPUT,
	FW_HOOK_POSTROUTING,
	FW_HOOK_INGRESS,       /* netdev/inet ingress: not evaluated */
	FW_HOOK_NONE,          /* a regular (user) chain */
};
#define FW_NHOOKS 5

/* Families (NFPROTO_*), as nft names them. */
enum fw_family {
	FW_FAM_IP = 0,         /* ipv4 only */
	FW_FAM_IP6,
	FW_FAM_INET,           /* both */
	FW_FAM_ARP,            /* never evaluated: no IP packet */
	FW_FAM_BRIDGE,         /* never evaluated: a router, not a bridge */
	FW_FAM_NETDEV,         /* never evaluated */
};

/* Chain types. */
enum fw_chain_type {
	FW_CHAIN_FILTER = 0,
	FW_CHAIN_NAT,
	FW_CHAIN_ROUTE,
};

/* Standard hook priorities (enum nf_ip_hook_priorities). */
#define FW_PRIO_RAW (-300)
#define FW_PRIO_CONNTRACK (-200)
#define FW_PRIO_MANGLE (-150)
#define FW_PRIO_DSTNAT (-100)
#define FW_PRIO_FILTER 0
#define FW_PRIO_SECURITY 50
#define FW_PRIO_SRCNAT 100
#define FW_PRIO_CONNTRACK_CONFIRM INT32_MAX

/* ------------------------------------------------------------------ */
/* values */

/*
 * A constant or a key loaded from a packet: up to FW_VAL_MAX bytes, in
 * network byte order for numbers and addresses (so that comparisons and
 * ranges are memcmp()), zero-padded strings for interface names.  A
 * concatenation is its parts one after another, each padded to a multiple
 * of 4 bytes (nft's registers).
 */
#define FW_VAL_MAX 64
struct fw_val {
	uint8_t len;
	uint8_t b[FW_VAL_MAX];
};

/* ------------------------------------------------------------------ */
/* keys: what an expression reads */

enum fw_key_kind {
	FW_KEY_META = 0,
	FW_KEY_PAYLOAD,
	FW_KEY_CT,
	FW_KEY_NUMGEN,
	FW_KEY_CONCAT,         /* parts: the next `nparts` keys in the rule */
	FW_KEY_FIB,            /* a route lookup (nft fib, xt addrtype) */
	FW_KEY_EITHER,         /* parts: the next `nparts` keys; a match
				* holds when it holds for one of them
				* (iptables -m multiport --ports) */
	FW_KEY_EXTHDR,         /* a field of an IPv6 extension header:
				* `what` its type (43 routing ...),
				* `offset`/`bits` as for payload */
};

/* FW_KEY_FIB: what the lookup yields (`what`, enum nft_fib_result),
 * and of which address, restricted to which interface (`fib_flags`,
 * NFTA_FIB_F_*). */
enum fw_fib_result {
	FW_FIB_OIF = 1,        /* 4 bytes: the route's interface index */
	FW_FIB_OIFNAME,        /* 16 bytes: its name */
	FW_FIB_ADDRTYPE,       /* 4 bytes: RTN_* of the address */
	FW_FIB_XT_ADDRTYPE,    /* 4 bytes, -m addrtype: 1 << RTN_* of an IPv4
				* address; IPv6 has no one type: fib_types
				* when match_type6() holds for them, else 0 */
};
#define FW_FIB_F_SADDR   0x01u
#define FW_FIB_F_DADDR   0x02u
#define FW_FIB_F_MARK    0x04u
#define FW_FIB_F_IIF     0x08u
#define FW_FIB_F_OIF     0x10u
#define FW_FIB_F_PRESENT 0x20u   /* exists / missing: 1 byte */

/* Route types (RTN_* of rtnetlink.h), the FW_FIB_ADDRTYPE values. */
enum fw_rtn {
	FW_RTN_UNSPEC = 0, FW_RTN_UNICAST, FW_RTN_LOCAL, FW_RTN_BROADCAST,
	FW_RTN_ANYCAST, FW_RTN_MULTICAST, FW_RTN_BLACKHOLE,
	FW_RTN_UNREACHABLE, FW_RTN_PROHIBIT, FW_RTN_THROW, FW_RTN_NAT,
	FW_RTN_XRESOLVE,
};

enum fw_meta {
	FW_META_IIFNAME = 0,
	FW_META_OIFNAME,
	FW_META_IIF,           /* interface index, 4 bytes host order as nft */
	FW_META_OIF,
	FW_META_NFPROTO,       /* 1 byte: NFPROTO_IPV4 2, NFPROTO_IPV6 10 */
	FW_META_L4PROTO,       /* 1 byte */
	FW_META_MARK,          /* 4 bytes */
	FW_META_PKTTYPE,       /* 1 byte: PACKET_HOST 0, BROADCAST 1 ... */
	FW_META_LENGTH,        /* 4 bytes: skb->len (the IP datagram) */
	FW_META_PROTOCOL,      /* 2 bytes big-endian: ethertype */
	FW_META_IIFTYPE,       /* 2 bytes: ARPHRD_ETHER 1 */
	FW_META_OIFTYPE,
};

/* Payload bases (enum nft_payload_bases). */
enum fw_base {
	FW_BASE_LL = 0,
	FW_BASE_NH,
	FW_BASE_TH,
};

/* The protocol a payload field needs (nft's implicit dependency). */
enum fw_dep {
	FW_DEP_NONE = 0,
	FW_DEP_IP,             /* nfproto ipv4 */
	FW_DEP_IP6,
	FW_DEP_TCP,            /* meta l4proto 6 */
	FW_DEP_UDP,
	FW_DEP_UDPLITE,
	FW_DEP_ICMP,
	FW_DEP_ICMPV6,
	FW_DEP_SCTP,
	FW_DEP_DCCP,
	FW_DEP_ESP,
	FW_DEP_AH,
	FW_DEP_GRE,
	FW_DEP_TH,             /* any transport header ("th dport") */
};

enum fw_ct_key {
	FW_CT_STATE = 0,       /* 4 bytes bitmask: NF_CT_STATE_* bits */
	FW_CT_STATUS,          /* 4 bytes: IPS_* bits */
	FW_CT_MARK,
	FW_CT_ZONE,            /* 2 bytes */
	FW_CT_DIRECTION,       /* 1 byte: 0 original, 1 reply */
	FW_CT_HELPER,          /* string, 16 bytes */
	FW_CT_L3PROTO,         /* 1 byte: NFPROTO_* */
	FW_CT_PROTOCOL,        /* 1 byte */
	FW_CT_SADDR,           /* per direction: ip or ip6 address */
	FW_CT_DADDR,
	FW_CT_PROTO_SRC,       /* 2 bytes */
	FW_CT_PROTO_DST,
	FW_CT_EXPIRATION,      /* 4 bytes ms */
	FW_CT_XT_STATE,        /* 4 bytes: FW_CTS_* | FW_XT_CTS_SNAT/DNAT
				* (xt_conntrack's state bits) */
};

/* xt_conntrack's --ctstate SNAT and DNAT: the entry's status has
 * IPS_SRC_NAT / IPS_DST_NAT. */
#define FW_XT_CTS_SNAT 0x100u
#define FW_XT_CTS_DNAT 0x200u

/* nft's ct state bits (NF_CT_STATE_BIT and friends). */
#define FW_CTS_INVALID   0x01u
#define FW_CTS_ESTABLISHED 0x02u
#define FW_CTS_RELATED   0x04u
#define FW_CTS_NEW       0x08u
#define FW_CTS_UNTRACKED 0x40u

struct fw_key {
	uint8_t kind;          /* enum fw_key_kind */
	uint8_t what;          /* enum fw_meta / fw_ct_key / fw_base */
	uint8_t dep;           /* enum fw_dep (payload) */
	int8_t dir;            /* ct keys: -1 the packet's, 0 original, 1 reply */
	uint8_t len;           /* bytes the key yields */
	uint8_t nparts;        /* concat */
	uint16_t offset;       /* payload: bits from the base */
	uint16_t bits;         /* payload: length in bits (may be < 8*len) */
	uint8_t family;        /* ct saddr/daddr: 4 or 6 (0 either) */
	uint32_t mod;          /* numgen modulus */
	uint32_t num_offset;   /* numgen offset */
	uint8_t fib_flags;     /* fib: FW_FIB_F_* */
	uint16_t fib_types;    /* fib XT_ADDRTYPE, IPv6: 1 << FW_RTN_* */
	bool noentry_pass;     /* ct: a packet without an entry passes the
				* match instead of breaking the rule
				* (conntrack_mt() after --ctstate) */
};

/* ------------------------------------------------------------------ */
/* sets and maps */

/* One element: a value or an inclusive range [lo, hi] (prefixes become
 * ranges); in a map, the data it maps to. */
struct fw_elem {
	struct fw_val lo;
	struct fw_val hi;
	int32_t verdict;       /* maps: enum fw_verdict_code, -1 none */
	int32_t target;        /* jump/goto: chain index */
	struct fw_val data;    /* data maps (mark, NAT address ...) */
};

struct fw_set {
	char name[64];         /* "" for an anonymous set */
	int table;             /* index into ruleset->tables */
	uint8_t keylen;        /* bytes of the key */
	bool interval;
	bool is_map;
	bool is_vmap;
	struct fw_elem *elems;
	size_t nelems;
	size_t cap;
};

/* ------------------------------------------------------------------ */
/* expressions of a rule */

enum fw_op {
	FW_OP_EQ = 0,
	FW_OP_NE,
	FW_OP_LT,
	FW_OP_GT,
	FW_OP_LE,
	FW_OP_GE,
	FW_OP_IN,              /* in set (or range when set < 0) */
	FW_OP_NOTIN,
	FW_OP_FLAGS,           /* (key & mask) != 0: "ct state new,established" */
	FW_OP_NOFLAGS,         /* (key & mask) == 0 */
};

/* Verdicts (NF_ACCEPT ... and nft's NFT_JUMP ...). */
enum fw_verdict_code {
	FW_V_CONTINUE = 0,     /* go on with the next rule */
	FW_V_ACCEPT,
	FW_V_DROP,
	FW_V_QUEUE,
	FW_V_JUMP,
	FW_V_GOTO,
	FW_V_RETURN,
	FW_V_REJECT,           /* a drop that answers (counted as drop) */
};

enum fw_expr_kind {
	FW_X_MATCH = 0,        /* key op value/set; false ends the rule */
	FW_X_COUNTER,
	FW_X_LOG,
	FW_X_LIMIT,            /* over the limit: the rule ends (or inv) */
	FW_X_META_SET,         /* meta mark set VALUE / from a key */
	FW_X_CT_SET,           /* ct mark set ..., ct helper set */
	FW_X_NOTRACK,
	FW_X_REJECT,
	FW_X_VERDICT,
	FW_X_VMAP,             /* key vmap set */
	FW_X_CT_COUNT,         /* ct count [over] N */
	FW_X_STATISTIC,        /* iptables -m statistic: nth or random */
	FW_X_NAT,              /* snat/dnat/masquerade/redirect (the NAT issue) */
	FW_X_UNKNOWN,          /* an expression ctreplay does not know */
};

/* Log flags (NF_LOG_* of include/uapi/linux/netfilter/nf_log.h), in a
 * FW_X_LOG's code. */
#define FW_LOG_TCPSEQ    0x01u
#define FW_LOG_TCPOPT    0x02u
#define FW_LOG_IPOPT     0x04u
#define FW_LOG_UID       0x08u
#define FW_LOG_MACDECODE 0x20u

/* Reject types (nft reject ... / iptables --reject-with). */
enum fw_reject {
	FW_REJ_DEFAULT = 0,    /* icmp port-unreachable (family's own) */
	FW_REJ_TCP_RESET,
	FW_REJ_ICMP,           /* code: the icmp code */
	FW_REJ_ICMPV6,
	FW_REJ_ICMPX,
};

struct fw_expr {
	uint8_t kind;          /* enum fw_expr_kind */
	uint8_t op;            /* enum fw_op (match) */
	uint16_t key;          /* index of the key in ruleset->keys (match,
				* vmap, set from a key), or UINT16_MAX */
	int32_t set;           /* match/vmap: set index, -1 value/range */
	struct fw_val val;     /* match: value, or lo for a range; set:
				* value; flags: mask */
	struct fw_val hi;      /* match: hi of a range (op IN/NOTIN, set -1) */
	struct fw_val mask;    /* match: key & mask before comparing (len 0:
				* none); META_SET/CT_SET from a key: the new
				* value is (key & mask) ^ xor (nft's bitwise,
				* and xt_MARK with the mark itself as key);
				* without a key, it is val */
	struct fw_val xor;
	/* statements */
	uint8_t what;          /* META_SET/CT_SET: enum fw_meta/fw_ct_key;
				* REJECT: enum fw_reject; LOG: level */
	uint8_t verdict;       /* VERDICT: enum fw_verdict_code */
	bool inv;              /* limit/ct count "over", statistic inverted */
	bool queue_bypass;     /* queue: fanout/bypass: accept if no listener */
	int32_t target;        /* jump/goto chain index (fw_finish() resolves
				* target_name into it) */
	const char *target_name;
	uint32_t code;         /* reject code; queue number */
	/* limit: a token bucket on the capture clock */
	uint64_t rate;         /* tokens per `unit_ns` */
	uint64_t unit_ns;
	uint64_t burst;
	bool bytes;            /* rate in bytes, not packets */
	/* statistic */
	uint32_t every;
	uint32_t packet;
	uint32_t probability;  /* random: out of 2^31 */
	/* counter / log / names */
	uint64_t packets;      /* counter: as read (kept for --counters) */
	uint64_t nbytes;
	const char *text;      /* log prefix, helper name, unknown's name */
	int32_t counter;       /* index into the runtime counters */
	/* nat: enum fw_nat_kind in `what`, the NF_NAT_RANGE_* flags
	 * (hook.h's CT_NAT_*) in `code`, addresses [val, hi] (len 0: none),
	 * or from the map `set` looked up by `key` (set >= 0: its data is
	 * an address, or an address and a port as a concatenation), ports
	 * [port_min, port_max] (0, 0: none), family 4 or 6 (0: either) */
	uint16_t port_min, port_max;
	uint8_t nat_family;
};

enum fw_nat_kind {
	FW_NAT_SNAT = 0,
	FW_NAT_DNAT,
	FW_NAT_MASQUERADE,
	FW_NAT_REDIRECT,
};

struct fw_rule {
	uint64_t handle;       /* nft handle, or iptables rule number */
	int chain;
	const char *comment;   /* or NULL */
	uint32_t first;        /* expressions [first, first + n) */
	uint32_t n;
	bool unknown;          /* holds an expression ctreplay cannot judge */
	const char *unknown_what;
	int32_t id;            /* index of this rule in ruleset->rules */
};

struct fw_chain {
	char name[64];
	int table;
	enum fw_hook hook;     /* FW_HOOK_NONE: a user chain */
	enum fw_chain_type type;
	int32_t prio;
	int policy;            /* FW_V_ACCEPT or FW_V_DROP (base chains) */
	uint64_t handle;
	uint32_t first_rule;   /* rules of this chain, in order */
	uint32_t nrules;
	/* iptables: the chain's own counters [packets:bytes] */
	uint64_t pol_packets, pol_bytes;
	/* iptables-nft: the chain keeps no policy counter (seen on 6.18
	 * with iptables 1.8.9: built-in chains left at policy ACCEPT stay
	 * [0:0]; a DROP policy counts) */
	bool pol_uncounted;
};

struct fw_table {
	char name[64];
	enum fw_family family;
	uint64_t handle;
};

/* Where a ruleset came from: decides how it is written back and named. */
enum fw_source {
	FW_SRC_NFT_JSON = 0,
	FW_SRC_IPTABLES,
};

struct fw_ruleset {
	enum fw_source source;
	struct fw_table *tables;
	size_t ntables;
	struct fw_chain *chains;
	size_t nchains;
	struct fw_rule *rules;     /* grouped by chain, in chain order */
	size_t nrules;
	struct fw_expr *exprs;
	size_t nexprs;
	struct fw_key *keys;
	size_t nkeys;
	struct fw_set *sets;
	size_t nsets;
	/* strings the rules point to (comments, prefixes, names) */
	char **strings;
	size_t nstrings;
	/* the parsed document, kept to write the counters back, and
	 * what frees it (fw_ruleset_free() calls it) */
	void *doc;
	void (*doc_free)(struct fw_ruleset *rs);
	size_t ncounters;          /* counter expressions (fw_finish()) */
	/* iptables-legacy: -m limit is xt_limit's jiffy credits, not nft's
	 * nanosecond tokens (iptables-nft turns it into an nft limit) */
	bool xt_limit;
	int cur_rule;              /* the rule being built */
};

/* ------------------------------------------------------------------ */
/* building a ruleset (ruleset.c), for the parsers */

/* An empty ruleset; NULL when out of memory. */
struct fw_ruleset *fw_ruleset_new(enum fw_source source);
void fw_ruleset_free(struct fw_ruleset *rs);

/* One more zeroed element at the end of *arr (*n elements of sz bytes,
 * room for *cap, which doubles); NULL when out of memory. */
void *fw_array_add(void **arr, size_t *n, size_t *cap, size_t sz);

/* A copy of s owned by the ruleset (NULL when out of memory). */
const char *fw_strdup(struct fw_ruleset *rs, const char *s);

/* Add a table, chain or set; each returns its index, or -1 when out of
 * memory.  A chain starts with no rules; policy FW_V_ACCEPT by default. */
int fw_add_table(struct fw_ruleset *rs, const char *name,
		 enum fw_family family, uint64_t handle);
int fw_add_chain(struct fw_ruleset *rs, int table, const char *name,
		 enum fw_hook hook, enum fw_chain_type type, int32_t prio,
		 int policy, uint64_t handle);
int fw_add_set(struct fw_ruleset *rs, int table, const char *name,
	       uint8_t keylen);

/* Lookups by name; -1 when absent. */
int fw_find_table(const struct fw_ruleset *rs, const char *name,
		  enum fw_family family);
int fw_find_chain(const struct fw_ruleset *rs, int table, const char *name);
int fw_find_set(const struct fw_ruleset *rs, int table, const char *name);

/* Append an element to a set (grows it); false when out of memory. */
bool fw_set_add(struct fw_ruleset *rs, int set, const struct fw_elem *e);

/* Start a rule at the end of `chain`; returns its index or -1. */
int fw_begin_rule(struct fw_ruleset *rs, int chain, uint64_t handle,
		  const char *comment);
/* A zeroed expression appended to the rule begun last (key UINT16_MAX,
 * set -1, target -1, counter -1); NULL when out of memory. */
struct fw_expr *fw_add_expr(struct fw_ruleset *rs);
/* A key appended to the ruleset; its index, or -1. */
int fw_add_key(struct fw_ruleset *rs, const struct fw_key *k);
/* Mark the rule begun last as holding an expression ctreplay does not
 * know (`what` names it); its evaluation then stops there. */
void fw_rule_unknown(struct fw_ruleset *rs, const char *what);

/*
 * After the last rule: resolve jump/goto targets by name (in the rule's
 * table), put the rules in chain order, number the counters.  Returns 0,
 * or CT_ERR_PARSE with errbuf naming what is wrong (a jump to a chain
 * that does not exist).
 */
int fw_finish(struct fw_ruleset *rs, char *errbuf);

/* Names of hooks, families and verdicts as nft prints them. */
const char *fw_hook_name(enum fw_hook hook);
const char *fw_family_name(enum fw_family fam);

#endif
