/* \summary: running a ruleset on packets at the hooks: chains, rules, counters, limits */
/*
 * The walk is nf_tables_core.c's nft_do_chain(): rules in order, each a
 * list of expressions of which any failing match ends the rule (NFT_BREAK)
 * and a verdict ends the chain; jump pushes a return point (at most
 * NFT_JUMP_STACK_SIZE deep), goto does not, return and the end of a user
 * chain pop it, and the end of a base chain (or a return with nothing to
 * pop) applies the policy.  Between chains of one hook, core.c's
 * nf_hook_slow(): accept lets the next chain run, drop ends the packet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"
#include "../ct/conn.h"
#include "../ct/nat.h"
#include "eval.h"
#include "natrule.h"
#include "route.h"

#define FW_JUMP_STACK 16

/* A rule's first match, prechecked: key (canonical) == val, len bytes. */
struct fw_quick {
	uint32_t key;          /* UINT32_MAX: no precheck */
	uint64_t mask;         /* the key's bytes among the first 8 */
	uint64_t val;          /* the constant's, loaded the same way */
};

/* A limit's token bucket (nft_limit.c: tokens in nanoseconds; xt_limit.c:
 * credits, and the jiffy of the last packet in `last`). */
struct fw_bucket {
	bool started;
	ct_time last;
	uint64_t tokens;
};

struct fw_state {
	const struct fw_ruleset *rs;
	uint64_t *cnt_pkts, *cnt_bytes;        /* per counter expression */
	uint64_t *pol_pkts, *pol_bytes;        /* per chain */
	uint64_t *rule_hits;                   /* per rule: all matches held */
	uint64_t *rule_drops;
	uint64_t *rule_unknown;                /* frames that reached it */
	uint64_t unknown_hits;
	struct fw_bucket *buckets;             /* per expression */
	uint64_t *nth;                         /* per expression */
	uint64_t *numgen;                      /* per key */
	uint64_t rng;
	/*
	 * Loaded keys, per packet and hook: rules of one chain often test the
	 * same field (ip saddr, tcp dport ...), so each distinct key is read
	 * once.  canon[k] is the first key equal to k (numgen and
	 * concatenations are their own); a cached value is valid while its
	 * generation is the current one, which moves at every hook and after
	 * every statement that changes what keys read (a mark set).
	 */
	uint32_t *canon;
	uint32_t *kgen;
	/* per rule: its first expression when that is "key == constant" of
	 * at most 8 bytes, checked before the rule is entered (the common
	 * way a rule does not match) */
	struct fw_quick *quick;
	struct fw_val *kval;
	bool *kok;
	uint32_t gen;
	/* names as reports print them, per rule and per chain policy */
	char **rule_name;
	char **policy_name;
	/* base chains per hook, in the order they run */
	int *hook_chains[FW_NHOOKS];
	size_t hook_n[FW_NHOOKS];
	fw_log_fn log;
	void *log_ctx;
	const struct fw_net *net;      /* masquerade/redirect addresses */
	uint32_t hz;
	/* --trace FRAME: where and for which frame */
	FILE *trace;
	uint64_t trace_frame;
	/* the reject statement of the last rule that rejected (enum
	 * fw_reject), -1 none: the firewall sends its answer */
	int reject;
};

/* ------------------------------------------------------------------ */
/* setup */

static char *name_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);

	if (c)
		memcpy(c, s, n);
	return c;
}

/* "inet filter forward handle 12" (nft) or "filter FORWARD 3"
 * (iptables, the rule's number in its chain). */
static char *rule_label(const struct fw_ruleset *rs, const struct fw_rule *r)
{
	const struct fw_chain *c = &rs->chains[r->chain];
	const struct fw_table *t = &rs->tables[c->table];
	char buf[256];

	if (rs->source == FW_SRC_IPTABLES)
		snprintf(buf, sizeof(buf), "%s %s %u", t->name, c->name,
			 (unsigned)(r->id - (int32_t)c->first_rule + 1));
	else
		snprintf(buf, sizeof(buf), "%s %s %s handle %llu",
			 fw_family_name(t->family), t->name, c->name,
			 (unsigned long long)r->handle);
	return name_dup(buf);
}

static char *policy_label(const struct fw_ruleset *rs, const struct fw_chain *c)
{
	const struct fw_table *t = &rs->tables[c->table];
	char buf[256];

	if (rs->source == FW_SRC_IPTABLES)
		snprintf(buf, sizeof(buf), "%s %s policy %s", t->name, c->name,
			 c->policy == FW_V_DROP ? "DROP" : "ACCEPT");
	else
		snprintf(buf, sizeof(buf), "%s %s %s policy %s",
			 fw_family_name(t->family), t->name, c->name,
			 c->policy == FW_V_DROP ? "drop" : "accept");
	return name_dup(buf);
}

/* Whether two keys read the same thing the same way. */
static bool key_same(const struct fw_key *a, const struct fw_key *b)
{
	return a->kind == b->kind && a->what == b->what && a->dep == b->dep &&
	       a->dir == b->dir && a->len == b->len && a->offset == b->offset &&
	       a->bits == b->bits && a->family == b->family &&
	       a->fib_flags == b->fib_flags && a->fib_types == b->fib_types &&
	       a->noentry_pass == b->noentry_pass;
}

static void key_canon(struct fw_state *st)
{
	const struct fw_ruleset *rs = st->rs;
	size_t i, j;

	for (i = 0; i < rs->nkeys; i++) {
		const struct fw_key *k = &rs->keys[i];

		st->canon[i] = (uint32_t)i;
		if (k->kind == FW_KEY_NUMGEN) {
			st->canon[i] = UINT32_MAX;
			continue;
		}
		if (k->kind == FW_KEY_CONCAT || k->kind == FW_KEY_EITHER)
			continue;
		for (j = 0; j < i; j++)
			if (st->canon[j] == (uint32_t)j &&
			    key_same(k, &rs->keys[j])) {
				st->canon[i] = (uint32_t)j;
				break;
			}
	}
	st->gen = 1;
}

static void rule_quick(struct fw_state *st)
{
	const struct fw_ruleset *rs = st->rs;
	size_t i;

	for (i = 0; i < rs->nrules; i++) {
		const struct fw_rule *r = &rs->rules[i];
		const struct fw_expr *x = r->n ? &rs->exprs[r->first] : NULL;
		const struct fw_key *k = x && x->key != UINT16_MAX
					 ? &rs->keys[x->key] : NULL;

		st->quick[i].key = UINT32_MAX;
		if (!x || x->kind != FW_X_MATCH || x->op != FW_OP_EQ ||
		    x->mask.len || x->set >= 0 || !k ||
		    k->kind == FW_KEY_NUMGEN || k->kind == FW_KEY_FIB ||
		    k->len > 8 ||
		    x->val.len != k->len)
			continue;
		{
			uint8_t m[8] = { 0 };

			memset(m, 0xff, k->len);
			st->quick[i].key = st->canon[x->key];
			memcpy(&st->quick[i].mask, m, 8);
			memcpy(&st->quick[i].val, x->val.b, 8);
			st->quick[i].val &= st->quick[i].mask;
		}
	}
}

/*
 * Chains are added to a hook in declaration order; an insertion by
 * priority that passes only strictly greater ones keeps that order among
 * equal priorities, as nf_hook_entries_grow() places a new hook after
 * the existing ones of its priority.
 */
static void hook_add(struct fw_state *st, int h, int c)
{
	const struct fw_chain *ch = st->rs->chains;
	int *list = st->hook_chains[h];
	size_t k = st->hook_n[h]++;

	while (k > 0 && ch[list[k - 1]].prio > ch[c].prio) {
		list[k] = list[k - 1];
		k--;
	}
	list[k] = c;
}

static bool family_evaluated(enum fw_family f)
{
	return f == FW_FAM_IP || f == FW_FAM_IP6 || f == FW_FAM_INET;
}

struct fw_state *fw_state_create(const struct fw_ruleset *rs)
{
	struct fw_state *st = calloc(1, sizeof(*st));
	size_t i, nc = rs->ncounters ? rs->ncounters : 1;
	size_t nch = rs->nchains ? rs->nchains : 1;
	size_t nr = rs->nrules ? rs->nrules : 1;
	size_t nx = rs->nexprs ? rs->nexprs : 1;
	size_t nk = rs->nkeys ? rs->nkeys : 1;
	int h;

	if (!st)
		return NULL;
	st->rs = rs;
	st->hz = 250;
	st->rng = UINT64_C(0x9e3779b97f4a7c15);
	st->cnt_pkts = calloc(nc, sizeof(uint64_t));
	st->cnt_bytes = calloc(nc, sizeof(uint64_t));
	st->pol_pkts = calloc(nch, sizeof(uint64_t));
	st->pol_bytes = calloc(nch, sizeof(uint64_t));
	st->rule_hits = calloc(nr, sizeof(uint64_t));
	st->rule_drops = calloc(nr, sizeof(uint64_t));
	st->rule_unknown = calloc(nr, sizeof(uint64_t));
	st->buckets = calloc(nx, sizeof(*st->buckets));
	st->nth = calloc(nx, sizeof(uint64_t));
	st->numgen = calloc(nk, sizeof(uint64_t));
	st->canon = calloc(nk, sizeof(uint32_t));
	st->kgen = calloc(nk, sizeof(uint32_t));
	st->kval = calloc(nk, sizeof(struct fw_val));
	st->kok = calloc(nk, sizeof(bool));
	st->quick = calloc(nr, sizeof(*st->quick));
	st->rule_name = calloc(nr, sizeof(char *));
	st->policy_name = calloc(nch, sizeof(char *));
	if (!st->cnt_pkts || !st->cnt_bytes || !st->pol_pkts ||
	    !st->pol_bytes || !st->rule_hits || !st->rule_drops ||
	    !st->rule_unknown || !st->buckets || !st->nth || !st->numgen ||
	    !st->canon || !st->kgen || !st->kval || !st->kok || !st->quick ||
	    !st->rule_name || !st->policy_name)
		goto fail;
	for (i = 0; i < rs->nrules; i++)
		if (!(st->rule_name[i] = rule_label(rs, &rs->rules[i])))
			goto fail;
	key_canon(st);
	rule_quick(st);
	for (i = 0; i < rs->nchains; i++)
		if (!(st->policy_name[i] = policy_label(rs, &rs->chains[i])))
			goto fail;
	for (h = 0; h < FW_NHOOKS; h++) {
		st->hook_chains[h] = calloc(nch, sizeof(int));
		if (!st->hook_chains[h])
			goto fail;
		for (i = 0; i < rs->nchains; i++) {
			const struct fw_chain *c = &rs->chains[i];

			if ((int)c->hook == h &&
			    family_evaluated(rs->tables[c->table].family))
				hook_add(st, h, (int)i);
		}
	}
	/* counters start from what the ruleset says: the kernel's counts
	 * before the capture are the base a write-back adds to (zero for a
	 * ruleset dumped before the traffic) */
	for (i = 0; i < rs->nexprs; i++) {
		const struct fw_expr *x = &rs->exprs[i];

		if (x->kind == FW_X_COUNTER && x->counter >= 0) {
			st->cnt_pkts[x->counter] = x->packets;
			st->cnt_bytes[x->counter] = x->nbytes;
		}
	}
	for (i = 0; i < rs->nchains; i++) {
		st->pol_pkts[i] = rs->chains[i].pol_packets;
		st->pol_bytes[i] = rs->chains[i].pol_bytes;
	}
	return st;
fail:
	fw_state_destroy(st);
	return NULL;
}

void fw_state_destroy(struct fw_state *st)
{
	size_t i;
	int h;

	if (!st)
		return;
	if (st->rule_name)
		for (i = 0; i < st->rs->nrules; i++)
			free(st->rule_name[i]);
	if (st->policy_name)
		for (i = 0; i < st->rs->nchains; i++)
			free(st->policy_name[i]);
	for (h = 0; h < FW_NHOOKS; h++)
		free(st->hook_chains[h]);
	free(st->rule_name);
	free(st->policy_name);
	free(st->cnt_pkts);
	free(st->cnt_bytes);
	free(st->pol_pkts);
	free(st->pol_bytes);
	free(st->rule_hits);
	free(st->rule_drops);
	free(st->rule_unknown);
	free(st->buckets);
	free(st->nth);
	free(st->numgen);
	free(st->canon);
	free(st->kgen);
	free(st->kval);
	free(st->kok);
	free(st->quick);
	free(st);
}

void fw_state_set_trace(struct fw_state *st, FILE *out, uint64_t frame)
{
	st->trace = out;
	st->trace_frame = frame;
}

void fw_state_set_hz(struct fw_state *st, uint32_t hz)
{
	if (hz)
		st->hz = hz;
}

void fw_state_set_log(struct fw_state *st, fw_log_fn fn, void *ctx)
{
	st->log = fn;
	st->log_ctx = ctx;
}

/* ------------------------------------------------------------------ */
/* keys */

static void put_be(struct fw_val *v, uint64_t x, unsigned len)
{
	unsigned i;

	v->len = (uint8_t)len;
	for (i = 0; i < len; i++)
		v->b[len - 1 - i] = (uint8_t)(x >> (8 * i));
}

/* Whether the packet has what a payload field depends on. */
static bool dep_ok(uint8_t dep, const struct ct_pkt *pkt)
{
	switch (dep) {
	case FW_DEP_NONE:
		return true;
	case FW_DEP_IP:
		return pkt->l3num == CT_L3_IPV4;
	case FW_DEP_IP6:
		return pkt->l3num == CT_L3_IPV6;
	case FW_DEP_TCP:
		return pkt->l4num == 6;
	case FW_DEP_UDP:
		return pkt->l4num == 17;
	case FW_DEP_UDPLITE:
		return pkt->l4num == 136;
	case FW_DEP_ICMP:
		return pkt->l4num == 1 && pkt->l3num == CT_L3_IPV4;
	case FW_DEP_ICMPV6:
		return pkt->l4num == 58 && pkt->l3num == CT_L3_IPV6;
	case FW_DEP_SCTP:
		return pkt->l4num == 132;
	case FW_DEP_DCCP:
		return pkt->l4num == 33;
	case FW_DEP_ESP:
		return pkt->l4num == 50;
	case FW_DEP_AH:
		return pkt->l4num == 51;
	case FW_DEP_GRE:
		return pkt->l4num == 47;
	case FW_DEP_TH:
		return true;
	default:
		return false;
	}
}

/* `bits` bits at bit `off` of p[0..cap), right-aligned into v (len
 * bytes); false when they were not captured. */
static bool load_bits(const uint8_t *p, uint32_t cap, unsigned off,
		      unsigned bits, unsigned len, struct fw_val *v)
{
	unsigned first = off / 8, last = (off + bits - 1) / 8, i;

	if (!p || last >= cap)
		return false;
	v->len = (uint8_t)len;
	if (off % 8 == 0 && bits % 8 == 0) {
		memcpy(v->b, p + first, bits / 8);
		return true;
	}
	/* a field inside at most 4 bytes (ip dscp, flowlabel, doff) */
	{
		uint64_t acc = 0;
		unsigned nb = last - first + 1;
		unsigned shift = nb * 8 - (off % 8) - bits;

		for (i = 0; i < nb; i++)
			acc = acc << 8 | p[first + i];
		acc >>= shift;
		acc &= bits >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
		put_be(v, acc, len);
	}
	return true;
}

static bool load_payload(const struct fw_key *k, const struct ct_hookpkt *hp,
			 struct fw_val *v)
{
	const struct ct_pkt *pkt = hp->pkt;

	if (!dep_ok(k->dep, pkt))
		return false;
	if (k->what == FW_BASE_NH) {
		bool ttl = pkt->l3num == CT_L3_IPV4 ? k->offset == 64
						     : k->offset == 56;

		if (!load_bits(pkt->l3, pkt->l3cap, k->offset, k->bits,
			       k->len, v))
			return false;
		/* ip_forward() decrements the TTL before the FORWARD hook */
		if (ttl && k->bits == 8 && !hp->local && v->b[0] > 0 &&
		    (hp->hook == CT_HOOK_FORWARD ||
		     hp->hook == CT_HOOK_POSTROUTING))
			v->b[0]--;
		return true;
	}
	if (k->what == FW_BASE_TH) {
		/* no transport header in a fragment that is not the first */
		if (pkt->is_fragment && pkt->frag_off != 0)
			return false;
		return load_bits(pkt->l4, pkt->l4cap, k->offset, k->bits,
				 k->len, v);
	}
	return false;
}

static void load_ifname(struct fw_val *v, const char *name)
{
	memset(v, 0, sizeof(*v));
	v->len = 16;
	memcpy(v->b, name, 16);
}

static bool load_meta(const struct fw_key *k, const struct ct_hookpkt *hp,
		      struct fw_val *v)
{
	const struct ct_pkt *pkt = hp->pkt;

	switch (k->what) {
	case FW_META_IIFNAME:
		load_ifname(v, hp->iifname);
		return true;
	case FW_META_OIFNAME:
		/* no output device before the routing decision: an empty
		 * name (nft_meta.c: a missing device does not break) */
		if (hp->hook == CT_HOOK_PREROUTING || hp->local) {
			v->len = 16;
			memset(v->b, 0, 16);
			return true;
		}
		load_ifname(v, hp->oifname);
		return true;
	case FW_META_IIF:
		put_be(v, hp->iif, 4);
		return true;
	case FW_META_OIF:
		put_be(v, hp->hook == CT_HOOK_PREROUTING || hp->local ? 0
								      : hp->oif,
		       4);
		return true;
	case FW_META_NFPROTO:
		put_be(v, pkt->l3num == CT_L3_IPV6 ? 10 : 2, 1);
		return true;
	case FW_META_L4PROTO:
		put_be(v, pkt->l4num, 1);
		return true;
	case FW_META_MARK:
		put_be(v, hp->mark, 4);
		return true;
	case FW_META_PKTTYPE:
		put_be(v, hp->pkttype, 1);
		return true;
	case FW_META_LENGTH:
		put_be(v, pkt->l3len, 4);
		return true;
	case FW_META_PROTOCOL:
		put_be(v, pkt->l3num == CT_L3_IPV6 ? 0x86dd : 0x0800, 2);
		return true;
	case FW_META_IIFTYPE:
		put_be(v, 1, 2);
		return true;
	case FW_META_OIFTYPE:
		if (hp->hook == CT_HOOK_PREROUTING || hp->local)
			return false;
		put_be(v, 1, 2);
		return true;
	default:
		return false;
	}
}

static bool load_ct(const struct fw_key *k, const struct ct_hookpkt *hp,
		    struct fw_val *v)
{
	const struct ct_conn *ct = hp->ct;
	int dir;

	if (k->what == FW_CT_STATE) {
		put_be(v, hp->ctstate, 4);
		return true;
	}
	if (k->what == FW_CT_XT_STATE) {
		/* conntrack_mt(): the NAT bits come from the entry's status
		 * (IPS_SRC_NAT 0x10, IPS_DST_NAT 0x20) */
		uint32_t bits = hp->ctstate;

		if (ct && !hp->untracked) {
			if (ct->status & 0x10u)
				bits |= FW_XT_CTS_SNAT;
			if (ct->status & 0x20u)
				bits |= FW_XT_CTS_DNAT;
		}
		put_be(v, bits, 4);
		return true;
	}
	/* every other key needs an entry (nft_ct_get_eval(): NFT_BREAK) */
	if (!ct || hp->untracked)
		return false;
	dir = k->dir >= 0 ? k->dir : (int)hp->dir;
	switch (k->what) {
	case FW_CT_STATUS:
		put_be(v, ct->status, 4);
		return true;
	case FW_CT_MARK:
		put_be(v, ct->mark, 4);
		return true;
	case FW_CT_ZONE:
		put_be(v, ct->tuple[CT_DIR_ORIGINAL].zone, 2);
		return true;
	case FW_CT_DIRECTION:
		put_be(v, hp->dir, 1);
		return true;
	case FW_CT_HELPER:
		if (!ct_conn_helper(ct))
			return false;
		v->len = 16;
		memset(v->b, 0, 16);
		snprintf((char *)v->b, 16, "%s", ct_conn_helper(ct)->name);
		return true;
	case FW_CT_L3PROTO:
		put_be(v, ct->tuple[0].l3num == CT_L3_IPV6 ? 10 : 2, 1);
		return true;
	case FW_CT_PROTOCOL:
		put_be(v, ct->tuple[0].l4num, 1);
		return true;
	case FW_CT_SADDR:
	case FW_CT_DADDR: {
		const struct ct_tuple *t = &ct->tuple[dir];
		size_t alen = ct_tuple_addr_len(t);

		if (k->family && (k->family == 4) != (alen == 4))
			return false;
		v->len = (uint8_t)(k->family ? k->len : alen);
		memcpy(v->b, k->what == FW_CT_SADDR ? t->src : t->dst, alen);
		return true;
	}
	case FW_CT_PROTO_SRC:
		put_be(v, ct->tuple[dir].sport, 2);
		return true;
	case FW_CT_PROTO_DST:
		put_be(v, ct->tuple[dir].dport, 2);
		return true;
	default:
		return false;
	}
}

/*
 * A field of an IPv6 extension header (ip6t_rt.c and nft_exthdr.c find
 * it with ipv6_find_hdr()): the chain is followed from the IPv6 header
 * through hop-by-hop, routing, destination options, fragment and AH
 * headers; a fragment that is not the first ends the search.  No such
 * header (or not captured): no value.
 */
static bool load_exthdr(const struct fw_key *k, const struct ct_hookpkt *hp,
			struct fw_val *v)
{
	const struct ct_pkt *pkt = hp->pkt;
	struct bytes b = ct_pkt_l3(pkt);
	uint32_t off = 40;
	uint8_t nh;

	if (pkt->l3num != CT_L3_IPV6 || !bytes_has(&b, 0, 40))
		return false;
	nh = bytes_u8(&b, 6);
	for (;;) {
		uint32_t len;

		if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51)
			return false;
		if (!bytes_has(&b, off, 8))
			return false;
		if (nh == k->what)
			break;
		if (nh == 44) {
			/* fragment offset not 0: what follows is not here */
			uint16_t fo = bytes_load_be16(bytes_ptr(&b, off + 2));

			if (fo & 0xfff8u)
				return false;
			len = 8;
		} else if (nh == 51) {
			len = ((uint32_t)bytes_u8(&b, off + 1) + 2) * 4;
		} else {
			len = ((uint32_t)bytes_u8(&b, off + 1) + 1) * 8;
		}
		nh = bytes_u8(&b, off);
		off += len;
	}
	return load_bits(bytes_ptr(&b, off), b.len - off, k->offset, k->bits,
			 k->len, v);
}

/* An interface name as a C string (the hook keeps 16 bytes, not
 * necessarily terminated); NULL when there is none. */
static const char *ifname_of(const char name[16], char buf[17])
{
	memcpy(buf, name, 16);
	buf[16] = '\0';
	return buf[0] ? buf : NULL;
}

/*
 * nft fib and xt addrtype: a route lookup in the host's tables.  The
 * address is the packet's source or destination; the interface the
 * lookup is restricted to is the input (iif) or output (oif) one.
 * net/ipv4/netfilter/nft_fib_ipv4.c (nft_fib4_eval(),
 * nft_fib4_eval_type()), net/ipv6/netfilter/nft_fib_ipv6.c
 * (nft_fib6_eval(), __nft_fib6_eval_type()), include/net/netfilter/
 * nft_fib.h (nft_fib_is_loopback()), net/netfilter/xt_addrtype.c.
 * Without the host's addresses and routes (addr.json, route.json) there
 * is no answer: the rule breaks.
 */
static bool load_fib(const struct fw_state *st, const struct fw_key *k,
		     const struct ct_hookpkt *hp, struct fw_val *v)
{
	const struct ct_pkt *pkt = hp->pkt;
	const struct fw_net *net = st->net;
	int family = pkt->l3num == CT_L3_IPV6 ? 6 : 4;
	const uint8_t *a = k->fib_flags & FW_FIB_F_DADDR ? pkt->dst : pkt->src;
	char ib[17], ob[17];
	const char *in = ifname_of(hp->iifname, ib);
	const char *out = hp->hook == CT_HOOK_PREROUTING || hp->local
			  ? NULL : ifname_of(hp->oifname, ob);
	/* the device the packet is on (skb->dev) */
	const char *skbdev = hp->hook == CT_HOOK_OUTPUT ||
			     hp->hook == CT_HOOK_POSTROUTING ? out : in;
	const char *dev = k->fib_flags & FW_FIB_F_IIF ? in
			: k->fib_flags & FW_FIB_F_OIF ? out : NULL;
	static const uint8_t zero6[16];
	const char *found;
	const struct fw_iface *f;

	if (!net || (!net->have_addrs && !net->have_routes))
		return false;
	switch (k->what) {
	case FW_FIB_ADDRTYPE:
		put_be(v, family == 6 ? fw_net_addr_type6(net, a, dev, skbdev)
				      : fw_net_addr_type4(net, a, dev), 4);
		return true;
	case FW_FIB_XT_ADDRTYPE:
		/* match_type() tests mask & (1 << type); match_type6() is
		 * no single type */
		if (family == 4)
			put_be(v, 1u << fw_net_addr_type4(net, a, dev), 4);
		else
			put_be(v, fw_net_xt_addrtype6(net, a, dev, k->fib_types)
				  ? k->fib_types : 0, 4);
		return true;
	default:
		break;
	}
	/* the oif lookup: the route to the address (nft_fib4_eval() looks
	 * for the output interface among the route's, oif first) */
	dev = k->fib_flags & FW_FIB_F_OIF ? out
	    : k->fib_flags & FW_FIB_F_IIF ? in : NULL;
	if (hp->hook == CT_HOOK_PREROUTING && in && strcmp(in, "lo") == 0) {
		/* nft_fib_is_loopback(): the input device */
		found = in;
	} else if (family == 4 && pkt->src[0] == 0 && pkt->src[1] == 0 &&
		   pkt->src[2] == 0 && pkt->src[3] == 0 &&
		   ((pkt->dst[0] == 255 && pkt->dst[1] == 255 &&
		     pkt->dst[2] == 255 && pkt->dst[3] == 255) ||
		    (pkt->dst[0] == 224 && pkt->dst[1] == 0 &&
		     pkt->dst[2] == 0))) {
		/* 0.0.0.0 to a local broadcast or multicast (DHCP) */
		found = skbdev;
	} else if (family == 6 && hp->hook == CT_HOOK_PREROUTING &&
		   pkt->l4num == 58 && memcmp(pkt->src, zero6, 16) == 0 &&
		   (pkt->dst[0] == 0xff ? (pkt->dst[1] & 0x0f) == 0x02
					: pkt->dst[0] == 0xfe &&
					  (pkt->dst[1] & 0xc0) == 0x80)) {
		/* nft_fib_v6_skip_icmpv6(): DAD and MLD from :: */
		found = in;
	} else {
		found = fw_net_fib_dev(net, family, a, dev, skbdev);
	}
	if (k->fib_flags & FW_FIB_F_PRESENT) {
		put_be(v, found != NULL, 1);
		return true;
	}
	if (k->what == FW_FIB_OIFNAME) {
		memset(v, 0, sizeof(*v));
		v->len = 16;
		if (found)
			snprintf((char *)v->b, 16, "%s", found);
		return true;
	}
	f = found ? fw_net_iface_by_name(net, found) : NULL;
	put_be(v, f ? f->index : 0, 4);
	return true;
}

/* A fixed-seed xorshift: numgen random and statistic random repeat run
 * to run (the kernel's are truly random: say so, never pretend). */
static uint32_t fw_random(struct fw_state *st)
{
	uint64_t x = st->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	st->rng = x;
	return (uint32_t)(x >> 32);
}

static bool load_key(struct fw_state *st, int ki, const struct ct_hookpkt *hp,
		     struct fw_val *v)
{
	const struct fw_key *k = &st->rs->keys[ki];
	int i;

	switch (k->kind) {
	case FW_KEY_META:
		return load_meta(k, hp, v);
	case FW_KEY_PAYLOAD:
		return load_payload(k, hp, v);
	case FW_KEY_CT:
		return load_ct(k, hp, v);
	case FW_KEY_FIB:
		return load_fib(st, k, hp, v);
	case FW_KEY_EXTHDR:
		return load_exthdr(k, hp, v);
	case FW_KEY_NUMGEN: {
		uint32_t n = k->what == 1 ? (uint32_t)(st->numgen[ki]++ % k->mod)
					  : fw_random(st) % k->mod;

		put_be(v, n + k->num_offset, 4);
		return true;
	}
	case FW_KEY_CONCAT: {
		struct fw_val part;
		uint8_t len = 0;

		for (i = 1; i <= k->nparts; i++) {
			if (!load_key(st, ki + i, hp, &part))
				return false;
			memcpy(v->b + len, part.b, part.len);
			memset(v->b + len + part.len, 0,
			       ((part.len + 3u) & ~3u) - part.len);
			len = (uint8_t)(len + ((part.len + 3u) & ~3u));
		}
		v->len = len;
		return true;
	}
	default:
		return false;
	}
}

/* A new generation: every cached key is stale. */
static void gen_next(struct fw_state *st)
{
	if (++st->gen == 0) {
		memset(st->kgen, 0, st->rs->nkeys * sizeof(*st->kgen));
		st->gen = 1;
	}
}

/* load_key() through the per-packet cache; NULL when the key is absent
 * (the rule breaks).  canon[] is UINT32_MAX for keys read anew each time
 * (numgen). */
static inline const struct fw_val *key_get(struct fw_state *st, int ki,
					   const struct ct_hookpkt *hp,
					   struct fw_val *tmp)
{
	uint32_t c = st->canon[ki];

	if (c == UINT32_MAX)
		return load_key(st, ki, hp, tmp) ? tmp : NULL;
	if (st->kgen[c] != st->gen) {
		st->kgen[c] = st->gen;
		st->kok[c] = load_key(st, (int)c, hp, &st->kval[c]);
	}
	return st->kok[c] ? &st->kval[c] : NULL;
}

/* ------------------------------------------------------------------ */
/* comparisons */

static int val_cmp(const struct fw_val *a, const struct fw_val *b)
{
	size_t n = a->len < b->len ? a->len : b->len, i;

	/* values are short (ports, addresses): a loop beats a call */
	for (i = 0; i < n; i++)
		if (a->b[i] != b->b[i])
			return a->b[i] < b->b[i] ? -1 : 1;
	return 0;
}

static bool in_range(const struct fw_val *v, const struct fw_val *lo,
		     const struct fw_val *hi)
{
	return val_cmp(v, lo) >= 0 && val_cmp(v, hi) <= 0;
}

static const struct fw_elem *set_find(const struct fw_set *s,
				      const struct fw_val *v)
{
	size_t i;

	for (i = 0; i < s->nelems; i++)
		if (in_range(v, &s->elems[i].lo, &s->elems[i].hi))
			return &s->elems[i];
	return NULL;
}

static bool match(const struct fw_state *st, const struct fw_expr *x,
		  const struct fw_val *key)
{
	struct fw_val masked;
	const struct fw_val *v = key;
	unsigned i;
	bool any = false;

	if (x->mask.len) {
		masked.len = key->len;
		for (i = 0; i < key->len; i++)
			masked.b[i] = i < x->mask.len ? key->b[i] & x->mask.b[i]
						      : key->b[i];
		v = &masked;
	}
	switch (x->op) {
	case FW_OP_EQ:
		return val_cmp(v, &x->val) == 0;
	case FW_OP_NE:
		return val_cmp(v, &x->val) != 0;
	case FW_OP_LT:
		return val_cmp(v, &x->val) < 0;
	case FW_OP_GT:
		return val_cmp(v, &x->val) > 0;
	case FW_OP_LE:
		return val_cmp(v, &x->val) <= 0;
	case FW_OP_GE:
		return val_cmp(v, &x->val) >= 0;
	case FW_OP_IN:
	case FW_OP_NOTIN: {
		bool hit = x->set >= 0
			? set_find(&st->rs->sets[x->set], v) != NULL
			: in_range(v, &x->val, &x->hi);

		return x->op == FW_OP_IN ? hit : !hit;
	}
	case FW_OP_FLAGS:
	case FW_OP_NOFLAGS:
		for (i = 0; i < v->len && i < x->val.len; i++)
			any = any || (v->b[i] & x->val.b[i]);
		return x->op == FW_OP_FLAGS ? any : !any;
	default:
		return false;
	}
}

/*
 * nft_limit.c, nft_limit_eval(): tokens are nanoseconds of credit.  A
 * packet limit costs unit/rate per packet and holds burst packets' worth
 * (nft always sends a burst; 0 means 5); a byte limit costs
 * unit * length / rate and holds unit * (rate + burst) / rate.  The
 * bucket starts full.  Returns true when the packet is within the limit
 * (and takes its cost).
 */
static bool limit_ok(struct fw_bucket *b, const struct fw_expr *x,
		     ct_time now, uint32_t len)
{
	uint64_t cost, max, tokens;

	if (x->bytes) {
		cost = x->unit_ns * len / x->rate;
		max = x->unit_ns * (x->rate + x->burst) / x->rate;
	} else {
		cost = x->unit_ns / x->rate;
		max = cost * (x->burst ? x->burst : 5);
	}
	if (!b->started) {
		b->started = true;
		b->last = now;
		b->tokens = max;
	}
	tokens = b->tokens + (uint64_t)(now > b->last ? now - b->last : 0);
	if (tokens > max)
		tokens = max;
	b->last = now;
	if (tokens >= cost) {
		b->tokens = tokens - cost;
		return true;
	}
	b->tokens = tokens;
	return false;
}

/*
 * xt_limit.c, limit_mt(): credits gained per jiffy are the largest power
 * of two not above 0xffffffff / (HZ * 86400); a packet costs its average
 * interval in credits, the bucket holds burst of them and starts full.
 * avg is in 1/10000 s (XT_LIMIT_SCALE), here unit_ns / 100000.
 */
static uint64_t xt_credits(uint64_t user, uint32_t hz, uint64_t cpj)
{
	if (user > 0xffffffffu / (hz * cpj))
		return (user / 10000) * hz * cpj;
	return user * hz * cpj / 10000;
}

static bool xt_limit_ok(struct fw_bucket *b, const struct fw_expr *x,
			ct_time now, uint32_t hz)
{
	uint64_t max_cpj = 0xffffffffu / ((uint64_t)hz * 86400), cpj = 1;
	uint64_t avg = x->unit_ns / 100000, burst = x->burst ? x->burst : 5;
	uint64_t cost, cap;
	int64_t j = ct_jiffies(now, hz);

	while (cpj * 2 <= max_cpj)
		cpj *= 2;
	cost = xt_credits(avg, hz, cpj);
	cap = xt_credits(avg * burst, hz, cpj);
	if (!b->started) {
		b->started = true;
		b->last = j;
		b->tokens = cap;
	}
	if (b->tokens < cost && b->last == j)
		return false;
	b->tokens += (uint64_t)(j - b->last) * cpj;
	b->last = j;
	if (b->tokens > cap)
		b->tokens = cap;
	if (b->tokens >= cost) {
		b->tokens -= cost;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* rules and chains */

enum rule_res {
	RULE_NOMATCH = -1,     /* NFT_BREAK: on to the next rule */
	RULE_MATCHED = -2,     /* every match held, no verdict: next rule */
};

static uint32_t val_u32(const struct fw_val *v)
{
	uint32_t r = 0;
	unsigned i;

	for (i = 0; i < v->len && i < 4; i++)
		r = r << 8 | v->b[i];
	return r;
}

/* Set a mark from a statement: a value, or a key's value. */
static bool stmt_value(struct fw_state *st, const struct fw_expr *x,
		       const struct ct_hookpkt *hp, uint32_t *out)
{
	struct fw_val v;

	if (x->key != UINT16_MAX) {
		if (!load_key(st, x->key, hp, &v))
			return false;
		*out = val_u32(&v);
		/* nft's bitwise on the way, and xt_MARK's: (key & mask) ^ xor */
		if (x->mask.len)
			*out &= val_u32(&x->mask);
		if (x->xor.len)
			*out ^= val_u32(&x->xor);
		return true;
	}
	*out = val_u32(&x->val);
	return true;
}

/* A match on an either key (xt_multiport's ports_match_v1() with
 * XT_MULTIPORT_EITHER): in the set for one of the parts; not in it for
 * any.  A part that cannot be read breaks the rule. */
static bool match_either(struct fw_state *st, const struct fw_expr *x,
			 const struct ct_hookpkt *hp)
{
	const struct fw_key *k = &st->rs->keys[x->key];
	bool neg = x->op == FW_OP_NOTIN || x->op == FW_OP_NE;
	bool any = false;
	unsigned i;

	for (i = 1; i <= k->nparts; i++) {
		struct fw_val tmp;
		const struct fw_val *kv = key_get(st, x->key + (int)i, hp,
						  &tmp);

		if (!kv)
			return false;
		/* neg: match() says "not in"; any part in makes it fail */
		if (match(st, x, kv) != neg)
			any = true;
	}
	return any != neg;
}

/* Never guessed: a rule that cannot be judged is taken as not matching,
 * and the frame says so. */
static int rule_unknown(struct fw_state *st, const struct fw_rule *r,
			struct ct_hookpkt *hp)
{
	st->rule_unknown[r->id]++;
	st->unknown_hits++;
	if (!hp->unknown) {
		hp->unknown = true;
		hp->unknown_rule = st->rule_name[r->id];
	}
	return RULE_NOMATCH;
}

/* A fib key without the host's addresses and routes to look in: the
 * answer is not known (rather than a lookup that finds nothing). */
static bool fib_unknown(const struct fw_state *st, uint16_t key)
{
	return st->rs->keys[key].kind == FW_KEY_FIB &&
	       (!st->net || (!st->net->have_addrs && !st->net->have_routes));
}

/*
 * One rule: its expressions in order.  Returns a verdict code, or
 * RULE_NOMATCH when a match fails or no verdict is given (continue).
 */
static int run_rule(struct fw_state *st, const struct fw_rule *r,
		    struct ct_hookpkt *hp, int32_t *target)
{
	const struct fw_ruleset *rs = st->rs;
	uint32_t i;

	for (i = r->first; i < r->first + r->n; i++) {
		const struct fw_expr *x = &rs->exprs[i];
		struct fw_val v;
		uint32_t m;

		switch (x->kind) {
		case FW_X_MATCH: {
			const struct fw_val *kv = key_get(st, x->key, hp, &v);

			if (rs->keys[x->key].kind == FW_KEY_EITHER) {
				if (!match_either(st, x, hp))
					return RULE_NOMATCH;
				break;
			}
			if (!kv && fib_unknown(st, x->key))
				return rule_unknown(st, r, hp);
			if (!kv && rs->keys[x->key].noentry_pass &&
			    (!hp->ct || hp->untracked))
				break;
			if (!kv || !match(st, x, kv))
				return RULE_NOMATCH;
			break;
		}
		case FW_X_COUNTER:
			st->cnt_pkts[x->counter]++;
			st->cnt_bytes[x->counter] += hp->pkt->l3len;
			break;
		case FW_X_LOG:
			if (st->log && !x->inv)
				st->log(st->log_ctx, x->text, x->code, hp);
			break;
		case FW_X_LIMIT:
			if (rs->xt_limit) {
				if (!xt_limit_ok(&st->buckets[i], x, hp->now,
						 st->hz))
					return RULE_NOMATCH;
			} else if (limit_ok(&st->buckets[i], x, hp->now,
					    hp->pkt->l3len) == x->inv) {
				return RULE_NOMATCH;
			}
			break;
		case FW_X_STATISTIC:
			if (x->every) {
				uint64_t n = st->nth[i];

				st->nth[i] = (n + 1) % x->every;
				if ((n != x->packet) != x->inv)
					return RULE_NOMATCH;
			} else if ((fw_random(st) >> 1 < x->probability) ==
				   x->inv) {
				return RULE_NOMATCH;
			}
			break;
		case FW_X_META_SET:
			if (stmt_value(st, x, hp, &m))
				hp->mark = m;
			gen_next(st);
			break;
		case FW_X_CT_SET:
			if (x->what == FW_CT_HELPER) {
				hp->helper = x->text;
			} else if (hp->ct && !hp->untracked &&
				   stmt_value(st, x, hp, &m)) {
				if (hp->ct->mark != m) {
					hp->ct->mark = m;
					hp->ct->events |= CT_IPCT_MARK;
				}
			}
			gen_next(st);
			break;
		case FW_X_NOTRACK:
			hp->notrack = true;
			break;
		case FW_X_REJECT:
			st->reject = x->what;
			break;
		case FW_X_VERDICT:
			*target = x->target;
			if (x->verdict == FW_V_QUEUE)
				return x->queue_bypass ? FW_V_ACCEPT
						       : FW_V_DROP;
			if (x->verdict == FW_V_CONTINUE)
				return RULE_MATCHED;
			return x->verdict;
		case FW_X_VMAP: {
			const struct fw_elem *e;

			const struct fw_val *kv = key_get(st, x->key, hp, &v);

			if (!kv)
				return RULE_NOMATCH;
			e = set_find(&rs->sets[x->set], kv);
			if (!e || e->verdict < 0)
				return RULE_NOMATCH;
			*target = e->target;
			if (e->verdict == FW_V_CONTINUE)
				return RULE_MATCHED;
			return e->verdict;
		}
		case FW_X_NAT: {
			const struct fw_val *data = NULL;
			int res;

			if (x->set >= 0) {
				/* an address map: no element, no match */
				const struct fw_val *kv = key_get(st, x->key,
								  hp, &v);
				const struct fw_elem *e;

				if (!kv || !(e = set_find(&rs->sets[x->set],
							  kv)))
					return RULE_NOMATCH;
				data = &e->data;
			}
			res = fw_nat_eval(x, data, st->net, hp,
					  st->rule_name[r->id]);
			if (res == FW_NAT_GO_ON)
				break;
			*target = -1;
			return res;
		}
		case FW_X_CT_COUNT:
		case FW_X_UNKNOWN:
		default:
			return rule_unknown(st, r, hp);
		}
	}
	return RULE_MATCHED;
}

static const char *verdict_name(int v)
{
	static const char *const names[] = {
		"continue", "accept", "drop", "queue", "jump", "goto",
		"return", "reject",
	};

	return v >= 0 && (size_t)v < CT_ARRAY_SIZE(names) ? names[v] : "?";
}

static bool tracing(const struct fw_state *st, const struct ct_hookpkt *hp)
{
	return st->trace && hp->pkt->frame == st->trace_frame;
}

/* "inet filter forward" of chain c. */
static void trace_chain(const struct fw_state *st, int c)
{
	const struct fw_chain *ch = &st->rs->chains[c];
	const struct fw_table *t = &st->rs->tables[ch->table];

	fprintf(st->trace, "trace id %llu %s %s %s ",
		(unsigned long long)st->trace_frame, fw_family_name(t->family),
		t->name, ch->name);
}

/* The packet as it enters a base chain, as nft monitor trace shows it
 * ("packet: iif ... ip saddr ... "), with the ct state the rules see. */
static void trace_packet(const struct fw_state *st, int c,
			 const struct ct_hookpkt *hp)
{
	static const char *const states[] = {
		"invalid", "established", "related", "new", "", "", "untracked",
	};
	const struct ct_pkt *pkt = hp->pkt;
	/* ip_forward() decremented the TTL before FORWARD */
	unsigned dec = !hp->local && pkt->ttl > 0 &&
		       (hp->hook == CT_HOOK_FORWARD ||
			hp->hook == CT_HOOK_POSTROUTING);
	char a[64], b[64];
	unsigned i;

	trace_chain(st, c);
	fprintf(st->trace, "packet: iif \"%.16s\"", hp->iifname);
	if (hp->oifname[0] && hp->hook != CT_HOOK_PREROUTING && !hp->local)
		fprintf(st->trace, " oif \"%.16s\"", hp->oifname);
	if (pkt->l3num == CT_L3_IPV4) {
		snprintf(a, sizeof(a), "%u.%u.%u.%u", pkt->src[0], pkt->src[1],
			 pkt->src[2], pkt->src[3]);
		snprintf(b, sizeof(b), "%u.%u.%u.%u", pkt->dst[0], pkt->dst[1],
			 pkt->dst[2], pkt->dst[3]);
		fprintf(st->trace, " ip saddr %s ip daddr %s ip ttl %u "
			"ip protocol %u", a, b, pkt->ttl - dec, pkt->l4num);
	} else {
		fprintf(st->trace, " ip6 nexthdr %u ip6 hoplimit %u",
			pkt->l4num, pkt->ttl - dec);
	}
	if ((pkt->l4num == 6 || pkt->l4num == 17) && pkt->l4cap >= 4)
		fprintf(st->trace, " th sport %u th dport %u",
			(unsigned)(pkt->l4[0] << 8 | pkt->l4[1]),
			(unsigned)(pkt->l4[2] << 8 | pkt->l4[3]));
	fprintf(st->trace, " ct state");
	for (i = 0; i < CT_ARRAY_SIZE(states); i++)
		if (hp->ctstate & (1u << i))
			fprintf(st->trace, " %s", states[i]);
	if (hp->mark)
		fprintf(st->trace, " meta mark 0x%08x", hp->mark);
	fputc('\n', st->trace);
}

/*
 * One base chain (nft_do_chain()).  Returns FW_V_ACCEPT or FW_V_DROP /
 * FW_V_REJECT; *rule is the deciding rule, or -1 for the policy.
 */
static int run_chain(struct fw_state *st, int base, struct ct_hookpkt *hp,
		     int *rule)
{
	const struct fw_ruleset *rs = st->rs;
	struct {
		int chain;
		uint32_t next;
	} stack[FW_JUMP_STACK];
	int sp = 0, chain = base;
	uint32_t i = 0;
	unsigned steps = 0;

	for (;;) {
		const struct fw_chain *c = &rs->chains[chain];
		int32_t target = -1;
		int res;

		if (i >= c->nrules) {
			if (sp == 0)
				break;
			sp--;
			chain = stack[sp].chain;
			i = stack[sp].next;
			continue;
		}
		/* a loop through goto/jump cannot be loaded into the
		 * kernel; a bound keeps a malformed file from hanging */
		if (++steps > 1000000)
			break;
		if (st->quick[c->first_rule + i].key != UINT32_MAX) {
			const struct fw_quick *q = &st->quick[c->first_rule + i];
			struct fw_val tmp;
			const struct fw_val *kv = key_get(st, (int)q->key, hp,
							  &tmp);

			uint64_t w;

			if (kv)
				memcpy(&w, kv->b, 8);
			if (!kv || (w & q->mask) != q->val) {
				i++;
				continue;
			}
		}
		res = run_rule(st, &rs->rules[c->first_rule + i], hp, &target);
		if (res != RULE_NOMATCH)
			st->rule_hits[c->first_rule + i]++;
		if (res != RULE_NOMATCH && tracing(st, hp)) {
			const struct fw_rule *r = &rs->rules[c->first_rule + i];

			trace_chain(st, chain);
			fprintf(st->trace, "rule %s %llu (verdict %s%s%s)\n",
				rs->source == FW_SRC_IPTABLES ? "number"
							      : "handle",
				rs->source == FW_SRC_IPTABLES
					? (unsigned long long)(i + 1)
					: (unsigned long long)r->handle,
				res == RULE_MATCHED ? "continue"
						    : verdict_name(res),
				target >= 0 ? " " : "",
				target >= 0 ? rs->chains[target].name : "");
		}
		if (res == RULE_NOMATCH || res == RULE_MATCHED) {
			i++;
			continue;
		}
		switch (res) {
		case FW_V_JUMP:
			if (sp >= FW_JUMP_STACK || target < 0) {
				i++;
				continue;
			}
			stack[sp].chain = chain;
			stack[sp].next = i + 1;
			sp++;
			chain = target;
			i = 0;
			continue;
		case FW_V_GOTO:
			if (target < 0) {
				i++;
				continue;
			}
			chain = target;
			i = 0;
			continue;
		case FW_V_RETURN:
			if (sp == 0)
				goto policy;
			sp--;
			chain = stack[sp].chain;
			i = stack[sp].next;
			continue;
		default:
			*rule = (int)(c->first_rule + i);
			return res;
		}
	}
policy:
	*rule = -1;
	if (tracing(st, hp)) {
		trace_chain(st, base);
		fprintf(st->trace, "policy %s\n",
			verdict_name(rs->chains[base].policy));
	}
	st->pol_pkts[base]++;
	st->pol_bytes[base] += hp->pkt->l3len;
	return rs->chains[base].policy;
}

static bool family_sees(const struct fw_ruleset *rs, const struct fw_chain *c,
			const struct ct_hookpkt *hp)
{
	enum fw_family f = rs->tables[c->table].family;

	if (f == FW_FAM_IP && hp->pkt->l3num != CT_L3_IPV4)
		return false;
	if (f == FW_FAM_IP6 && hp->pkt->l3num != CT_L3_IPV6)
		return false;
	return true;
}

/* A chain the hook runs in priority order: nat chains are not among
 * them, the NAT core runs them (fw_run_nat()). */
static bool chain_sees(const struct fw_ruleset *rs, const struct fw_chain *c,
		       const struct ct_hookpkt *hp)
{
	return c->type != FW_CHAIN_NAT && family_sees(rs, c, hp);
}

/* Where a chain decided (rule, or its policy when rule < 0). */
static void decided_at(const struct fw_state *st, enum ct_hook hook, int c,
		       int rule, struct ct_hookpkt *hp)
{
	hp->rule = rule >= 0 ? st->rule_name[rule] : st->policy_name[c];
	hp->comment = rule >= 0 ? st->rs->rules[rule].comment : NULL;
	hp->rule_hook = hook;
}

/* A chain dropped (or rejected) the packet. */
static bool dropped_at(struct fw_state *st, int rule, int res,
		       struct ct_hookpkt *hp)
{
	hp->action = res == FW_V_REJECT ? CT_ACT_REJECT : CT_ACT_DROP;
	if (rule >= 0)
		st->rule_drops[rule]++;
	return false;
}

bool fw_run_nat(struct fw_state *st, enum ct_hook hook, struct ct_hookpkt *hp)
{
	const struct fw_ruleset *rs = st->rs;
	enum ct_nat_manip m = hook == CT_HOOK_PREROUTING ||
				      hook == CT_HOOK_OUTPUT
			      ? CT_NAT_MANIP_DST
			      : CT_NAT_MANIP_SRC;
	size_t k;

	if ((unsigned)hook >= FW_NHOOKS)
		return true;
	gen_next(st);
	for (k = 0; k < st->hook_n[hook]; k++) {
		int c = st->hook_chains[hook][k];
		const struct fw_chain *ch = &rs->chains[c];
		int rule, res;

		if (ch->type != FW_CHAIN_NAT || !family_sees(rs, ch, hp))
			continue;
		if (tracing(st, hp))
			trace_packet(st, c, hp);
		res = run_chain(st, c, hp, &rule);
		if (res != FW_V_ACCEPT) {
			decided_at(st, hook, c, rule, hp);
			return dropped_at(st, rule, res, hp);
		}
		/* a mapping set up ends the nat chains (nf_nat_inet_fn()) */
		if (hp->ct && ct_nat_initialized(hp->ct, m))
			break;
	}
	return true;
}

bool fw_state_has_nat(const struct fw_state *st, int family)
{
	const struct fw_ruleset *rs = st->rs;
	size_t i;

	for (i = 0; i < rs->nchains; i++) {
		const struct fw_chain *c = &rs->chains[i];
		enum fw_family f = rs->tables[c->table].family;

		if (c->type != FW_CHAIN_NAT || c->hook == FW_HOOK_NONE)
			continue;
		if (f == FW_FAM_INET || (family == 4 && f == FW_FAM_IP) ||
		    (family == 6 && f == FW_FAM_IP6))
			return true;
	}
	return false;
}

void fw_state_set_net(struct fw_state *st, const struct fw_net *net)
{
	st->net = net;
}

bool fw_run_hook(struct fw_state *st, enum ct_hook hook, int32_t lo,
		 int32_t hi, struct ct_hookpkt *hp)
{
	const struct fw_ruleset *rs = st->rs;
	size_t k;

	if ((unsigned)hook >= FW_NHOOKS)
		return true;
	/* what keys read changes from hook to hook (and packet to packet) */
	gen_next(st);
	st->reject = -1;
	for (k = 0; k < st->hook_n[hook]; k++) {
		int c = st->hook_chains[hook][k];
		const struct fw_chain *ch = &rs->chains[c];
		int rule, res;

		if (ch->prio < lo || ch->prio >= hi || !chain_sees(rs, ch, hp))
			continue;
		if (tracing(st, hp))
			trace_packet(st, c, hp);
		res = run_chain(st, c, hp, &rule);
		/* the decision reported: a drop, else the last accept of
		 * the filter hooks (input/forward) or, without one, the
		 * last accept at all */
		if (res != FW_V_ACCEPT || hook == CT_HOOK_INPUT ||
		    hook == CT_HOOK_FORWARD || hp->rule == NULL ||
		    (hp->rule_hook != CT_HOOK_INPUT &&
		     hp->rule_hook != CT_HOOK_FORWARD))
			decided_at(st, hook, c, rule, hp);
		if (res == FW_V_ACCEPT) {
			hp->action = CT_ACT_ACCEPT;
			continue;
		}
		return dropped_at(st, rule, res, hp);
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* results */

void fw_state_counters(const struct fw_state *st, const uint64_t **pkts,
		       const uint64_t **bytes, const uint64_t **pol_pkts,
		       const uint64_t **pol_bytes)
{
	*pkts = st->cnt_pkts;
	*bytes = st->cnt_bytes;
	*pol_pkts = st->pol_pkts;
	*pol_bytes = st->pol_bytes;
}

int fw_state_reject(const struct fw_state *st)
{
	return st->reject;
}

uint64_t fw_state_unknown_hits(const struct fw_state *st)
{
	return st->unknown_hits;
}

void fw_state_summary(const struct fw_state *st, FILE *out)
{
	const struct fw_ruleset *rs = st->rs;
	size_t i, never = 0;

	fprintf(out, "firewall: %zu tables, %zu chains, %zu rules\n",
		rs->ntables, rs->nchains, rs->nrules);
	for (i = 0; i < rs->nrules; i++)
		if (st->rule_drops[i])
			fprintf(out, "  dropped %llu by %s%s%s\n",
				(unsigned long long)st->rule_drops[i],
				st->rule_name[i],
				rs->rules[i].comment ? " comment " : "",
				rs->rules[i].comment ? rs->rules[i].comment
						     : "");
	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].hook != FW_HOOK_NONE &&
		    rs->chains[i].policy == FW_V_DROP && st->pol_pkts[i])
			fprintf(out, "  dropped %llu by %s\n",
				(unsigned long long)(st->pol_pkts[i] -
						     rs->chains[i].pol_packets),
				st->policy_name[i]);
	for (i = 0; i < rs->nrules; i++)
		if (st->rule_unknown[i])
			fprintf(out, "  unknown %llu frames reached %s (%s)\n",
				(unsigned long long)st->rule_unknown[i],
				st->rule_name[i],
				rs->rules[i].unknown_what ?
				rs->rules[i].unknown_what :
				"a route lookup without addr.json and "
				"route.json");
	for (i = 0; i < rs->nrules; i++)
		if (!st->rule_hits[i] && !st->rule_unknown[i])
			never++;
	fprintf(out, "  rules never hit: %zu\n", never);
	for (i = 0; i < rs->nrules; i++)
		if (!st->rule_hits[i] && !st->rule_unknown[i])
			fprintf(out, "    %s\n", st->rule_name[i]);
}
