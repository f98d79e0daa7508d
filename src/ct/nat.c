/* \summary: NAT as nf_nat_core.c does it: bindings, tuple choice, and the packet as the later hooks see it */
#include <stdlib.h>
#include <string.h>

#include "../bytes.h"
#include "csum.h"
#include "engine_int.h"
#include "nat.h"

/*
 * Source mappings by original source (the kernel's nf_nat_bysource
 * hash): find_appropriate_src() reuses the mapping an earlier connection
 * of the same source got, so a host behind masquerade keeps its port
 * towards every peer.  Chained through per-entry links indexed by the
 * entries' pool index (0: none, else index + 1), newest first in each
 * bucket as hlist_add_head_rcu() leaves them.
 */
#define NAT_BUCKETS (1u << 16)
#define NAT_IN_BYSOURCE 0x01u
#define NAT_INFERRED    0x02u

/* How many frames ahead the translated copy of a packet is looked for. */
#define NAT_PEEK_FRAMES 64u

/* nf_nat_l4proto_unique_tuple()'s NF_NAT_MAX_ATTEMPTS. */
#define NAT_MAX_ATTEMPTS 128u

struct ct_nat {
	uint32_t *head;
	uint32_t *next;
	uint32_t *prev;
	uint8_t *flags;
	size_t cap;                    /* per-entry arrays, by pool index */
	uint64_t rng;
	ct_peek_fn peek;
	void *peek_ctx;
	bool picked;                   /* the last port came from the capture */
	/* the translated packet the later hooks see */
	struct ct_pkt view;
	uint8_t *buf;
	size_t bufcap;
};

/* The seed of the port search when the capture cannot tell the kernel's
 * choice (get_random_u16() in the kernel): fixed, so replays repeat. */
#define NAT_RNG_SEED UINT64_C(0x6e61747265706c79)

struct ct_nat *ct_nat_create(void)
{
	struct ct_nat *nat = calloc(1, sizeof(*nat));

	if (!nat)
		return NULL;
	nat->head = calloc(NAT_BUCKETS, sizeof(*nat->head));
	nat->bufcap = 65536 + 64;
	nat->buf = malloc(nat->bufcap);
	if (!nat->head || !nat->buf) {
		ct_nat_destroy(nat);
		return NULL;
	}
	nat->rng = NAT_RNG_SEED;
	return nat;
}

void ct_nat_destroy(struct ct_nat *nat)
{
	if (!nat)
		return;
	free(nat->head);
	free(nat->next);
	free(nat->prev);
	free(nat->flags);
	free(nat->buf);
	free(nat);
}

void ct_nat_set_peek(struct ct_nat *nat, ct_peek_fn fn, void *ctx)
{
	nat->peek = fn;
	nat->peek_ctx = ctx;
}

static uint16_t nat_random16(struct ct_nat *nat)
{
	/* xorshift64*: any fixed generator does; only determinism matters */
	nat->rng ^= nat->rng >> 12;
	nat->rng ^= nat->rng << 25;
	nat->rng ^= nat->rng >> 27;
	return (uint16_t)((nat->rng * UINT64_C(0x2545F4914F6CDD1D)) >> 48);
}

/* ------------------------------------------------------------------ */
/* jhash2 (Bob Jenkins' lookup3 hashword(), as include/linux/jhash.h) */

static uint32_t rol32(uint32_t w, unsigned s)
{
	return (w << s) | (w >> (32 - s));
}

uint32_t ct_nat_jhash2(const uint32_t *k, uint32_t n, uint32_t initval)
{
	uint32_t a, b, c;

	a = b = c = 0xdeadbeefu + (n << 2) + initval;
	while (n > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		a -= c; a ^= rol32(c, 4);  c += b;
		b -= a; b ^= rol32(a, 6);  a += c;
		c -= b; c ^= rol32(b, 8);  b += a;
		a -= c; a ^= rol32(c, 16); c += b;
		b -= a; b ^= rol32(a, 19); a += c;
		c -= b; c ^= rol32(b, 4);  b += a;
		n -= 3;
		k += 3;
	}
	switch (n) {
	case 3:
		c += k[2];
		/* fall through */
	case 2:
		b += k[1];
		/* fall through */
	case 1:
		a += k[0];
		c ^= b; c -= rol32(b, 14);
		a ^= c; a -= rol32(c, 11);
		b ^= a; b -= rol32(a, 25);
		c ^= b; c -= rol32(b, 16);
		a ^= c; a -= rol32(c, 4);
		b ^= a; b -= rol32(a, 14);
		c ^= b; c -= rol32(b, 24);
		break;
	default:
		break;
	}
	return c;
}

/* An address as the kernel's union nf_inet_addr words: read in the
 * byte order of the machine the recordings come from (x86, little
 * endian), which is what jhash2() over the raw words hashes. */
static void addr_words(const uint8_t *a, size_t alen, uint32_t w[4])
{
	uint8_t b[16] = { 0 };
	int i;

	memcpy(b, a, alen);
	for (i = 0; i < 4; i++)
		w[i] = bytes_load_le32(b + 4 * i);
}

/* ------------------------------------------------------------------ */
/* the source mappings */

static uint32_t bysource_hash(const struct ct_tuple *t)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;
	uint8_t b[16 + 2 + 1 + 1 + 2];

	memcpy(b, t->src, 16);
	b[16] = (uint8_t)(t->sport >> 8);
	b[17] = (uint8_t)t->sport;
	b[18] = t->l3num;
	b[19] = t->l4num;
	b[20] = (uint8_t)(t->zone >> 8);
	b[21] = (uint8_t)t->zone;
	for (i = 0; i < sizeof(b); i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return (uint32_t)(h ^ (h >> 32)) & (NAT_BUCKETS - 1);
}

static bool nat_grow(struct ct_nat *nat, size_t need)
{
	size_t cap = nat->cap ? nat->cap : CT_POOL_CHUNK, i;
	uint32_t *n, *p;
	uint8_t *f;

	while (cap < need)
		cap *= 2;
	n = realloc(nat->next, cap * sizeof(*n));
	if (!n)
		return false;
	nat->next = n;
	p = realloc(nat->prev, cap * sizeof(*p));
	if (!p)
		return false;
	nat->prev = p;
	f = realloc(nat->flags, cap);
	if (!f)
		return false;
	nat->flags = f;
	for (i = nat->cap; i < cap; i++) {
		nat->next[i] = nat->prev[i] = 0;
		nat->flags[i] = 0;
	}
	nat->cap = cap;
	return true;
}

static bool bysource_add(struct ct_nat *nat, const struct ct_conn *ct)
{
	uint32_t i = ct->pool_index, b;

	if (i >= nat->cap && !nat_grow(nat, (size_t)i + 1))
		return false;
	b = bysource_hash(&ct->tuple[CT_DIR_ORIGINAL]);
	nat->prev[i] = 0;
	nat->next[i] = nat->head[b];
	if (nat->head[b])
		nat->prev[nat->head[b] - 1] = i + 1;
	nat->head[b] = i + 1;
	nat->flags[i] |= NAT_IN_BYSOURCE;
	return true;
}

void ct_nat_forget(struct ct_nat *nat, const struct ct_conn *ct)
{
	uint32_t i = ct->pool_index;

	if (!nat || i >= nat->cap)
		return;
	if (nat->flags[i] & NAT_IN_BYSOURCE) {
		uint32_t n = nat->next[i], p = nat->prev[i];

		if (p)
			nat->next[p - 1] = n;
		else
			nat->head[bysource_hash(&ct->tuple[CT_DIR_ORIGINAL])] = n;
		if (n)
			nat->prev[n - 1] = p;
		nat->next[i] = nat->prev[i] = 0;
	}
	nat->flags[i] = 0;
}

bool ct_nat_inferred(const struct ct_nat *nat, const struct ct_conn *ct)
{
	return nat && ct->pool_index < nat->cap &&
	       (nat->flags[ct->pool_index] & NAT_INFERRED);
}

/* ------------------------------------------------------------------ */
/* ranges and the table */

static bool addr_in_range(const uint8_t *a, size_t alen,
			  const struct ct_nat_range *r)
{
	return memcmp(a, r->min_addr, alen) >= 0 &&
	       memcmp(a, r->max_addr, alen) <= 0;
}

static bool port_proto(uint8_t l4num)
{
	return l4num == 6 || l4num == 17 || l4num == 136 || l4num == 33 ||
	       l4num == 132;
}

/* l4proto_in_range(): the manipulated port (ICMP: the id). */
static bool l4_in_range(const struct ct_tuple *t, enum ct_nat_manip m,
			uint16_t min, uint16_t max)
{
	uint16_t v;

	if (t->l4num == 1 || t->l4num == 58)
		v = t->sport;
	else if (port_proto(t->l4num) || t->l4num == 47)
		v = m == CT_NAT_MANIP_SRC ? t->sport : t->dport;
	else
		return true;
	return v >= min && v <= max;
}

/* in_range(): would a source mapped to t's source meet the range? */
static bool src_in_range(const struct ct_tuple *t, const struct ct_nat_range *r)
{
	if ((r->flags & CT_NAT_MAP_IPS) &&
	    !addr_in_range(t->src, ct_tuple_addr_len(t), r))
		return false;
	if (!(r->flags & CT_NAT_PROTO_SPECIFIED))
		return true;
	return l4_in_range(t, CT_NAT_MANIP_SRC, r->min_port, r->max_port);
}

/*
 * nf_nat_used_tuple() and nf_conntrack_tuple_taken(): whether a confirmed
 * entry already answers to the reply the mapping t would have.  An entry
 * of the very same flow (same original tuple) does not count: the clash
 * is left to confirmation.
 */
static bool used_tuple(struct ct_engine *eng, const struct ct_tuple *t,
		       const struct ct_conn *ignored)
{
	struct ct_tuple reply;
	struct ct_conn *found;
	enum ct_dir d;

	if (!ct_l4_invert(&reply, t))
		return false;
	found = ct_engine_find(eng, &reply, &d);
	if (!found || found == ignored)
		return false;
	if (ct_table_tuple_equal(&found->tuple[CT_DIR_ORIGINAL],
				 &ignored->tuple[CT_DIR_ORIGINAL]))
		return false;
	return true;
}

/*
 * nf_nat_used_tuple_harder(): in the last NAT_HARDER_THRESH attempts of a
 * port search for a TCP connection's SYN, an entry of an earlier
 * connection that holds the tuple may be killed instead: one in
 * TIME_WAIT or later, source-translated, not of fixed timeout, whose
 * sequence numbers the new one's have passed (nf_nat_may_kill(),
 * nf_seq_has_advanced()).  Returns whether the tuple stays taken.
 */
#define NAT_HARDER_THRESH (NAT_MAX_ATTEMPTS / 4)

static bool used_tuple_harder(struct ct_engine *eng, const struct ct_tuple *t,
			      struct ct_conn *ignored, uint32_t left)
{
	struct ct_tuple reply;
	struct ct_conn *old;
	enum ct_dir d;

	if (left > NAT_HARDER_THRESH || t->l4num != 6 ||
	    ignored->proto.tcp.state != CT_TCP_SYN_SENT)
		return used_tuple(eng, t, ignored);
	if (!ct_l4_invert(&reply, t))
		return false;
	old = ct_engine_find(eng, &reply, &d);
	if (!old || old == ignored)
		return false;
	if (d == CT_DIR_ORIGINAL || old->l4 != ignored->l4 ||
	    old->proto.tcp.state < CT_TCP_TIME_WAIT ||
	    (old->status & CT_IPS_DYING) || !(old->status & CT_IPS_SRC_NAT))
		return true;
	if ((int32_t)(ignored->proto.tcp.seen[0].td_end -
		      old->proto.tcp.seen[0].td_end) <= 0)
		return true;
	ct_engine_kill(eng, old, &eng->ctx);
	return false;
}

/* find_appropriate_src(): an earlier mapping of the same source. */
static bool find_appropriate_src(struct ct_engine *eng,
				 const struct ct_tuple *orig,
				 struct ct_tuple *result,
				 const struct ct_nat_range *r)
{
	struct ct_nat *nat = eng->nat;
	uint32_t i = nat->head[bysource_hash(orig)];
	size_t alen = ct_tuple_addr_len(orig);

	for (; i; i = nat->next[i - 1]) {
		const struct ct_conn *ct = ct_pool_at(&eng->pool, i - 1);
		const struct ct_tuple *t = &ct->tuple[CT_DIR_ORIGINAL];

		if (t->l3num != orig->l3num || t->l4num != orig->l4num ||
		    memcmp(t->src, orig->src, alen) != 0 ||
		    t->sport != orig->sport || t->zone != orig->zone)
			continue;
		if (!ct_l4_invert(result, &ct->tuple[CT_DIR_REPLY]))
			continue;
		memcpy(result->dst, orig->dst, sizeof(result->dst));
		result->dport = orig->dport;
		result->l4num = orig->l4num;
		result->zone = orig->zone;
		if (src_in_range(result, r))
			return true;
	}
	return false;
}

/* find_best_ips_proto(): the address from the range, by jhash2 of the
 * source (and, unless persistent, the destination). */
static void find_best_ips(struct ct_tuple *t, const struct ct_nat_range *r,
			  enum ct_nat_manip m)
{
	uint8_t *var = m == CT_NAT_MANIP_SRC ? t->src : t->dst;
	size_t alen = ct_tuple_addr_len(t);
	uint32_t sw[4], dw[4], j, i, max = alen == 4 ? 0 : 3;
	bool full = false, persistent = r->flags & CT_NAT_PERSISTENT;

	if (!(r->flags & CT_NAT_MAP_IPS))
		return;
	if (memcmp(r->min_addr, r->max_addr, alen) == 0) {
		memcpy(var, r->min_addr, alen);
		return;
	}
	addr_words(t->src, alen, sw);
	addr_words(t->dst, alen, dw);
	j = ct_nat_jhash2(sw, 4, persistent ? 0 : dw[max] ^ t->zone);
	for (i = 0; i <= max; i++) {
		uint32_t minip, dist, v;

		if (!full) {
			minip = bytes_load_be32(r->min_addr + 4 * i);
			dist = bytes_load_be32(r->max_addr + 4 * i) - minip + 1;
		} else {
			minip = 0;
			dist = ~0u;
		}
		/* reciprocal_scale() */
		v = minip + (uint32_t)(((uint64_t)j * dist) >> 32);
		bytes_store_be32(var + 4 * i, v);
		if (memcmp(var + 4 * i, r->max_addr + 4 * i, 4) != 0)
			full = true;
		if (!persistent)
			j ^= dw[i];
	}
}

/*
 * The kernel's pick, read off the capture: the packet's translated copy
 * leaving the firewall (an -i any capture holds it right after), known
 * by everything NAT leaves alone (the other end, the IPv4 id, TCP's
 * sequence number, the ICMP sequence, UDP's length).  Returns the port
 * (ICMP id) it carries, or -1.
 */
static int32_t kernel_pick(struct ct_nat *nat, const struct ct_pkt *pkt,
			   const struct ct_tuple *t, enum ct_nat_manip m)
{
	size_t alen = ct_tuple_addr_len(t);
	bool icmp = t->l4num == 1 || t->l4num == 58;
	unsigned k;

	if (!nat->peek || !pkt || pkt->l4cap < 8)
		return -1;
	for (k = 0; k < NAT_PEEK_FRAMES; k++) {
		const struct ct_pkt *o = nat->peek(nat->peek_ctx, k);

		if (!o)
			break;
		if (!o->outgoing || o->l3num != t->l3num ||
		    o->l4num != t->l4num || o->l4cap < 8 || o->is_fragment ||
		    memcmp(o->src, t->src, alen) != 0 ||
		    memcmp(o->dst, t->dst, alen) != 0)
			continue;
		if (t->l3num == CT_L3_IPV4 &&
		    (pkt->l3cap < 6 || o->l3cap < 6 ||
		     memcmp(o->l3 + 4, pkt->l3 + 4, 2) != 0))
			continue;
		if (icmp) {
			if (memcmp(o->l4, pkt->l4, 2) != 0 ||
			    memcmp(o->l4 + 6, pkt->l4 + 6, 2) != 0)
				continue;
			return bytes_load_be16(o->l4 + 4);
		}
		/* the end NAT leaves alone */
		if (m == CT_NAT_MANIP_SRC
			    ? memcmp(o->l4 + 2, pkt->l4 + 2, 2) != 0
			    : memcmp(o->l4, pkt->l4, 2) != 0)
			continue;
		if (t->l4num == 6 ? memcmp(o->l4 + 4, pkt->l4 + 4, 4) != 0
				  : memcmp(o->l4 + 4, pkt->l4 + 4, 2) != 0)
			continue;
		return bytes_load_be16(o->l4 + (m == CT_NAT_MANIP_SRC ? 0 : 2));
	}
	return -1;
}

/* nf_nat_l4proto_unique_tuple(): move the port (ICMP id) into the range
 * until the tuple is free; the kernel starts at a random offset. */
static void l4_unique_tuple(struct ct_engine *eng, struct ct_tuple *t,
			    const struct ct_nat_range *r, enum ct_nat_manip m,
			    struct ct_conn *ct, const struct ct_pkt *pkt)
{
	struct ct_nat *nat = eng->nat;
	uint32_t min, size, attempts, i;
	uint16_t *key, off;
	int32_t pick;

	if (t->l4num == 1 || t->l4num == 58) {
		key = &t->sport;
		if (!(r->flags & CT_NAT_PROTO_SPECIFIED)) {
			min = 0;
			size = 65536;
		} else {
			min = r->min_port;
			size = (uint32_t)r->max_port - r->min_port + 1;
		}
	} else if (port_proto(t->l4num)) {
		key = m == CT_NAT_MANIP_SRC ? &t->sport : &t->dport;
		if (!(r->flags & CT_NAT_PROTO_SPECIFIED)) {
			/* a destination keeps its port */
			if (m == CT_NAT_MANIP_DST)
				return;
			if (*key < 1024) {
				/* the kernel's classes: below 512, 600-1023 */
				if (*key < 512) {
					min = 1;
					size = 511;
				} else {
					min = 600;
					size = 1023 - 600 + 1;
				}
			} else {
				min = 1024;
				size = 65535 - 1024 + 1;
			}
		} else {
			uint32_t lo = r->min_port, hi = r->max_port;

			if (hi < lo) {
				uint32_t x = lo;

				lo = hi;
				hi = x;
			}
			min = lo;
			size = hi - lo + 1;
		}
	} else {
		/* GRE keys move only for PPTP, which is not modelled */
		return;
	}

	if (r->flags & CT_NAT_PROTO_OFFSET) {
		off = (uint16_t)(*key - r->base_port);
	} else {
		/* random in the kernel: take the capture's word for it */
		pick = kernel_pick(nat, pkt, t, m);
		if (pick >= 0 && (uint32_t)pick >= min &&
		    (uint32_t)pick < min + size) {
			uint16_t save = *key;

			*key = (uint16_t)pick;
			/* the kernel used it: an entry holding it is one it
			 * could evict (nf_nat_used_tuple_harder()) */
			if (!used_tuple_harder(eng, t, ct, 1)) {
				nat->picked = true;
				return;
			}
			*key = save;
		}
		if (ct->pool_index < nat->cap ||
		    nat_grow(nat, (size_t)ct->pool_index + 1))
			nat->flags[ct->pool_index] |= NAT_INFERRED;
		off = nat_random16(nat);
	}
	attempts = size < NAT_MAX_ATTEMPTS ? size : NAT_MAX_ATTEMPTS;
	for (;;) {
		for (i = 0; i < attempts; i++, off++) {
			*key = (uint16_t)(min + off % size);
			if (!used_tuple_harder(eng, t, ct, attempts - i))
				return;
		}
		if (attempts >= size || attempts < 16)
			return;
		attempts /= 2;
		off = nat_random16(nat);
	}
}

/* get_unique_tuple() */
static void get_unique_tuple(struct ct_engine *eng, struct ct_tuple *t,
			     const struct ct_tuple *orig,
			     const struct ct_nat_range *r,
			     struct ct_conn *ct, enum ct_nat_manip m,
			     const struct ct_pkt *pkt)
{
	/* 1) a source keeps its own tuple, or an earlier mapping, when
	 * that is in the range and free */
	if (m == CT_NAT_MANIP_SRC && !(r->flags & CT_NAT_PROTO_RANDOM_ALL)) {
		if (src_in_range(orig, r)) {
			if (!used_tuple(eng, orig, ct)) {
				*t = *orig;
				return;
			}
		} else if (find_appropriate_src(eng, orig, t, r)) {
			if (!used_tuple(eng, t, ct))
				return;
		}
	}
	/* 2) the address */
	*t = *orig;
	find_best_ips(t, r, m);
	/* 3) the port, unless it is in range and free already */
	if (!(r->flags & CT_NAT_PROTO_RANDOM_ALL)) {
		if (r->flags & CT_NAT_PROTO_SPECIFIED) {
			if (!(r->flags & CT_NAT_PROTO_OFFSET) &&
			    l4_in_range(t, m, r->min_port, r->max_port) &&
			    (r->min_port == r->max_port ||
			     !used_tuple(eng, t, ct)))
				return;
		} else if (!used_tuple(eng, t, ct)) {
			return;
		}
	}
	l4_unique_tuple(eng, t, r, m, ct, pkt);
}

/* --explain: what the mapping changed, and where a port came from. */
static void nat_explain(struct ct_engine *eng, const struct ct_conn *ct,
			const struct ct_tuple *from, const struct ct_tuple *to,
			enum ct_nat_manip m)
{
	char a[64], b[64];
	bool src = m == CT_NAT_MANIP_SRC;
	bool icmp = from->l4num == 1 || from->l4num == 58;
	uint16_t p0 = src || icmp ? from->sport : from->dport;
	uint16_t p1 = src || icmp ? to->sport : to->dport;

	if (!eng->ctx.want_explain)
		return;
	ct_addr_format(a, sizeof(a), from->l3num, src ? from->src : from->dst,
		       false);
	ct_addr_format(b, sizeof(b), to->l3num, src ? to->src : to->dst,
		       false);
	ct_explain(&eng->ctx, "nat: %s %s %s %u to %s %u%s",
		   src ? "source" : "destination", a, icmp ? "id" : "port",
		   p0, b, p1,
		   eng->nat->picked ? " (the port the kernel picked, from "
				      "its copy in the capture)"
		   : ct_nat_inferred(eng->nat, ct)
			   ? " (port chosen by ctreplay: the kernel's random "
			     "pick is not in the capture)"
			   : "");
}

bool ct_nat_setup(struct ct_engine *eng, struct ct_conn *ct,
		  const struct ct_nat_range *r, enum ct_nat_manip m,
		  const struct ct_pkt *pkt)
{
	struct ct_tuple curr, t;

	if (!eng->nat || (ct->status & CT_IPS_CONFIRMED) ||
	    ct_nat_initialized(ct, m))
		return true;
	/* what the packet looks like now: the inverse of the reply */
	if (!ct_l4_invert(&curr, &ct->tuple[CT_DIR_REPLY]))
		return true;
	curr.zone = ct->tuple[CT_DIR_ORIGINAL].zone;
	eng->nat->picked = false;
	get_unique_tuple(eng, &t, &curr, r, ct, m, pkt);
	if (!ct_table_tuple_equal(&t, &curr)) {
		nat_explain(eng, ct, &curr, &t, m);
		struct ct_tuple reply;

		if (ct_l4_invert(&reply, &t)) {
			reply.zone = ct->tuple[CT_DIR_REPLY].zone;
			ct->tuple[CT_DIR_REPLY] = reply;
			ct->status |= m == CT_NAT_MANIP_SRC ? CT_IPS_SRC_NAT
							    : CT_IPS_DST_NAT;
		}
	}
	if (m == CT_NAT_MANIP_SRC && !bysource_add(eng->nat, ct))
		return false;
	ct->status |= m == CT_NAT_MANIP_SRC ? CT_IPS_SRC_NAT_DONE
					    : CT_IPS_DST_NAT_DONE;
	return true;
}

bool ct_nat_null_binding(struct ct_engine *eng, struct ct_conn *ct,
			 enum ct_nat_manip m, const struct ct_pkt *pkt)
{
	const struct ct_tuple *rt = &ct->tuple[CT_DIR_REPLY];
	struct ct_nat_range r;

	memset(&r, 0, sizeof(r));
	r.flags = CT_NAT_MAP_IPS;
	memcpy(r.min_addr, m == CT_NAT_MANIP_SRC ? rt->dst : rt->src, 16);
	memcpy(r.max_addr, r.min_addr, 16);
	return ct_nat_setup(eng, ct, &r, m, pkt);
}

/* ------------------------------------------------------------------ */
/* the packet */

/* Make pkt the NAT state's own view (a copy of its bytes) to rewrite. */
static struct ct_pkt *nat_view(struct ct_nat *nat, const struct ct_pkt *pkt)
{
	struct ct_pkt *v = &nat->view;
	size_t n = pkt->l3cap, l4off;

	if (pkt == v)
		return v;
	*v = *pkt;
	if (n > nat->bufcap)
		n = nat->bufcap;
	if (pkt->l3 && n)
		memcpy(nat->buf, pkt->l3, n);
	v->l3 = nat->buf;
	v->l3cap = (uint32_t)n;
	if (pkt->l4 && pkt->l3 && pkt->l4 >= pkt->l3 &&
	    (size_t)(pkt->l4 - pkt->l3) <= n) {
		l4off = (size_t)(pkt->l4 - pkt->l3);
		v->l4 = nat->buf + l4off;
		if (v->l4cap > n - l4off)
			v->l4cap = (uint32_t)(n - l4off);
	} else if (pkt->l4 && n + pkt->l4cap <= nat->bufcap) {
		/* a transport part kept apart from the header */
		memcpy(nat->buf + n, pkt->l4, pkt->l4cap);
		v->l4 = nat->buf + n;
	} else {
		v->l4cap = 0;
	}
	return v;
}

/*
 * Adjust the Internet checksum at sum for n bytes (even, at an even
 * offset of what it covers) changing from old to new (RFC 1624, eqn. 3:
 * what the kernel's inet_proto_csum_replace*() compute).  udp: a zero
 * checksum means none (IPv4 UDP) and stays; a result of zero is sent
 * as 0xffff.
 */
static void csum_fix(uint8_t *sum, const uint8_t *old, const uint8_t *new,
		     size_t n, bool udp)
{
	uint32_t s;
	size_t i;

	if (!sum)
		return;
	s = (uint16_t)~bytes_load_be16(sum);
	if (udp && bytes_load_be16(sum) == 0)
		return;
	for (i = 0; i + 1 < n; i += 2) {
		s += (uint16_t)~bytes_load_be16(old + i);
		s += bytes_load_be16(new + i);
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = (uint16_t)~s;
	if (udp && s == 0)
		s = 0xffff;
	bytes_store_be16(sum, (uint16_t)s);
}

/* A transport header's checksum: where it is and what it covers. */
struct l4sum {
	uint8_t *at;           /* NULL: none reachable */
	bool pseudo;           /* covers the addresses */
	bool udp;
};

static struct l4sum l4_sum(uint8_t l3num, uint8_t l4num, uint8_t *l4,
			   size_t avail, bool quoted)
{
	struct l4sum s = { NULL, false, false };
	size_t off;

	switch (l4num) {
	case 6:
		/* a quoted TCP header of 8 bytes keeps its checksum as is */
		off = 16;
		s.pseudo = true;
		if (quoted && avail < 20)
			return s;
		break;
	case 17:
		off = 6;
		s.pseudo = true;
		s.udp = l3num == CT_L3_IPV4;
		break;
	case 136:
	case 33:
		off = 6;
		s.pseudo = true;
		break;
	case 1:
		off = 2;
		break;
	case 58:
		off = 2;
		s.pseudo = true;
		break;
	default:
		return s;
	}
	if (avail >= off + 2)
		s.at = l4 + off;
	return s;
}

/*
 * Rewrite n bytes at p to new: every checksum covering them follows
 * (ipsum: the IPv4 header's, when p is in it; l4: the transport
 * checksum when the bytes are in its pseudo header or its data; outer:
 * an ICMP error's own checksum when p is inside its quoted packet).
 */
static void patch(uint8_t *p, const uint8_t *new, size_t n, uint8_t *ipsum,
		  const struct l4sum *l4, bool in_pseudo, uint8_t *outer)
{
	uint8_t old[16];

	if (memcmp(p, new, n) == 0)
		return;
	memcpy(old, p, n);
	if (ipsum) {
		uint8_t before[2];

		memcpy(before, ipsum, 2);
		csum_fix(ipsum, old, new, n, false);
		if (outer)
			csum_fix(outer, before, ipsum, 2, false);
	}
	if (l4 && l4->at && (!in_pseudo || l4->pseudo)) {
		/* the transport checksum itself lies inside an ICMP
		 * error's quote: the outer one sees it change too */
		uint8_t before[2];

		memcpy(before, l4->at, 2);
		csum_fix(l4->at, old, new, n, l4->udp);
		if (outer)
			csum_fix(outer, before, l4->at, 2, false);
	}
	if (outer)
		csum_fix(outer, old, new, n, false);
	memcpy(p, new, n);
}

/*
 * One IP header and its transport header rewritten for manipulation m
 * towards target (nf_nat_ipv4_manip_pkt() and the l4 manip): ip at the
 * IP header (avail bytes from it), ports only when l4_too; outer: the
 * checksum of the ICMP error quoting this header, or NULL.
 */
static void manip_hdr(uint8_t *ip, size_t avail, uint8_t l3num,
		      const struct ct_tuple *target, enum ct_nat_manip m,
		      bool l4_too, bool quoted, uint8_t *outer)
{
	size_t alen = l3num == CT_L3_IPV6 ? 16 : 4, hl, aoff;
	uint8_t *ipsum = NULL, *l4 = NULL, nb[2];
	size_t l4avail = 0;
	struct l4sum s = { NULL, false, false };
	uint8_t proto;

	if (l3num == CT_L3_IPV4) {
		if (avail < 20)
			return;
		hl = (size_t)(ip[0] & 0x0f) * 4;
		proto = ip[9];
		ipsum = ip + 10;
		aoff = m == CT_NAT_MANIP_SRC ? 12 : 16;
		/* a fragment other than the first has no transport header */
		if (((ip[6] & 0x1f) | ip[7]) != 0)
			l4_too = false;
	} else {
		if (avail < 40)
			return;
		hl = 40;
		proto = ip[6];
		aoff = m == CT_NAT_MANIP_SRC ? 8 : 24;
	}
	if (hl <= avail) {
		l4 = ip + hl;
		l4avail = avail - hl;
		s = l4_sum(l3num, proto, l4, l4avail, quoted);
	}
	if (proto != target->l4num)
		l4_too = false;
	if (l4_too && l4) {
		if (port_proto(proto)) {
			size_t poff = m == CT_NAT_MANIP_SRC ? 0 : 2;

			if (l4avail >= poff + 2) {
				bytes_store_be16(nb, m == CT_NAT_MANIP_SRC ? target->sport
							       : target->dport);
				patch(l4 + poff, nb, 2, NULL, &s, false,
				      outer);
			}
		} else if ((proto == 1 || proto == 58) && l4avail >= 6) {
			bytes_store_be16(nb, target->sport);
			patch(l4 + 4, nb, 2, NULL, &s, false, outer);
		}
	}
	if (avail >= aoff + alen)
		patch(ip + aoff, m == CT_NAT_MANIP_SRC ? target->src
						       : target->dst,
		      alen, ipsum, &s, true, outer);
}

/* Keep the view's decoded fields in step with its bytes. */
static void view_sync(struct ct_pkt *v)
{
	size_t alen = v->l3num == CT_L3_IPV6 ? 16 : 4;

	if (v->l3num == CT_L3_IPV4 && v->l3cap >= 20) {
		memcpy(v->src, v->l3 + 12, 4);
		memcpy(v->dst, v->l3 + 16, 4);
	} else if (v->l3num == CT_L3_IPV6 && v->l3cap >= 40) {
		memcpy(v->src, v->l3 + 8, alen);
		memcpy(v->dst, v->l3 + 24, alen);
	}
}

/* nf_nat_packet()'s test: whether ct's translation rewrites a packet of
 * direction dir at a hook whose manipulation is m (the source in one
 * direction is the destination in the other). */
static bool manip_applies(const struct ct_conn *ct, enum ct_dir dir,
			  enum ct_nat_manip m)
{
	uint32_t bit = m == CT_NAT_MANIP_SRC ? CT_IPS_SRC_NAT : CT_IPS_DST_NAT;

	if (dir == CT_DIR_REPLY)
		bit ^= CT_IPS_NAT_MASK;
	return ct->status & bit;
}

const struct ct_pkt *ct_nat_packet(struct ct_nat *nat,
				   const struct ct_pkt *pkt,
				   const struct ct_conn *ct, enum ct_dir dir,
				   enum ct_nat_manip m)
{
	struct ct_tuple target;
	struct ct_pkt *v;

	if (!nat || !manip_applies(ct, dir, m))
		return pkt;
	/* look like the inverse of the other direction */
	if (!ct_l4_invert(&target, &ct->tuple[!dir]))
		return pkt;
	v = nat_view(nat, pkt);
	manip_hdr((uint8_t *)v->l3, v->l3cap, v->l3num, &target, m, true,
		  false, NULL);
	view_sync(v);
	return v;
}

const struct ct_pkt *ct_nat_icmp_error(struct ct_nat *nat,
				       const struct ct_pkt *pkt,
				       const struct ct_conn *ct,
				       enum ct_dir dir, enum ct_nat_manip m)
{
	struct ct_tuple target;
	struct ct_pkt *v;
	uint8_t *icmp;

	if (!nat || !manip_applies(ct, dir, m) || pkt->l4cap < 8)
		return pkt;
	v = nat_view(nat, pkt);
	icmp = (uint8_t *)v->l4;
	/* the quoted packet back as it was before the NAT of this hook
	 * (the opposite manipulation, towards the other direction) */
	if (v->l4cap > 8)
		manip_hdr(icmp + 8, v->l4cap - 8, v->l3num,
			  &ct->tuple[!dir],
			  m == CT_NAT_MANIP_SRC ? CT_NAT_MANIP_DST
						: CT_NAT_MANIP_SRC,
			  true, true, icmp + 2);
	/* the outer header as the reply to what the quote was */
	if (ct_l4_invert(&target, &ct->tuple[!dir])) {
		target.l4num = v->l4num;
		manip_hdr((uint8_t *)v->l3, v->l3cap, v->l3num, &target, m,
			  false, false, NULL);
	}
	view_sync(v);
	return v;
}

const struct ct_pkt *ct_nat_untranslate(struct ct_engine *eng,
					const struct ct_pkt *pkt)
{
	struct ct_tuple t, inv;
	struct ct_conn *ct;
	struct ct_pkt *v;
	enum ct_dir d;

	if (!eng->nat || pkt->l4cap < 4 || pkt->is_fragment ||
	    !(port_proto(pkt->l4num) || pkt->l4num == 1 || pkt->l4num == 58))
		return NULL;
	ct_l4_tuple_from_pkt(&t, pkt);
	if (port_proto(pkt->l4num)) {
		t.sport = bytes_load_be16(pkt->l4);
		t.dport = bytes_load_be16(pkt->l4 + 2);
	} else if (pkt->l4cap >= 8) {
		ct_tuple_set_icmp(&t, pkt->l4[0], pkt->l4[1],
				  bytes_load_be16(pkt->l4 + 4));
	} else {
		return NULL;
	}
	t.zone = ct_engine_pkt_zone(eng, pkt);
	if (ct_engine_find(eng, &t, &d) || !ct_l4_invert(&inv, &t))
		return NULL;
	ct = ct_engine_find(eng, &inv, &d);
	if (!ct || !(ct->status & CT_IPS_NAT_MASK))
		return NULL;
	/* found as the other direction: the packet went in direction !d,
	 * and left the host as its tuple says */
	v = nat_view(eng->nat, pkt);
	manip_hdr((uint8_t *)v->l3, v->l3cap, v->l3num, &ct->tuple[!d],
		  CT_NAT_MANIP_SRC, true, false, NULL);
	manip_hdr((uint8_t *)v->l3, v->l3cap, v->l3num, &ct->tuple[!d],
		  CT_NAT_MANIP_DST, true, false, NULL);
	view_sync(v);
	return v;
}

/* ------------------------------------------------------------------ */
/* NAT helpers: payloads that carry addresses */

bool ct_engine_nat_on(const struct ct_engine *eng, const struct ct_conn *ct)
{
	return eng->nat && (ct->status & CT_IPS_NAT_MASK);
}

void ct_nat_follow_master(struct ct_engine *eng, struct ct_conn *ct,
			  const struct ct_conn *master, enum ct_dir edir,
			  uint16_t saved_port, const struct ct_pkt *pkt)
{
	const struct ct_tuple *m = &master->tuple[!edir];
	struct ct_nat_range r;

	if (!eng->nat)
		return;
	/* from where the master sends to */
	memset(&r, 0, sizeof(r));
	r.flags = CT_NAT_MAP_IPS;
	memcpy(r.min_addr, m->dst, 16);
	memcpy(r.max_addr, m->dst, 16);
	ct_nat_setup(eng, ct, &r, CT_NAT_MANIP_SRC, pkt);
	/* to where it was expected, on the port the command named */
	r.flags = CT_NAT_MAP_IPS | CT_NAT_PROTO_SPECIFIED;
	r.min_port = r.max_port = saved_port;
	memcpy(r.min_addr, m->src, 16);
	memcpy(r.max_addr, m->src, 16);
	ct_nat_setup(eng, ct, &r, CT_NAT_MANIP_DST, pkt);
}

/* nf_ct_seqadj_set(): from seq on, direction dir's numbers move by off. */
static void seqadj_set(struct ct_conn *ct, enum ct_dir dir, uint32_t seq,
		       int32_t off)
{
	if (off == 0 || !ct->ext)
		return;
	ct->status |= CT_IPS_SEQ_ADJUST;
	if (ct->ext->seqadj[dir].offset_before ==
		    ct->ext->seqadj[dir].offset_after ||
	    (int32_t)(ct->ext->seqadj[dir].correction_pos - seq) < 0) {
		ct->ext->seqadj[dir].correction_pos = seq;
		ct->ext->seqadj[dir].offset_before =
			ct->ext->seqadj[dir].offset_after;
		ct->ext->seqadj[dir].offset_after += off;
	}
}

/* The TCP checksum of a view, computed anew (nf_nat_csum()). */
static void tcp_csum_full(struct ct_pkt *v)
{
	uint8_t *th = (uint8_t *)v->l4;
	uint32_t sum;

	if (v->l4cap < 18 || v->l4cap < v->l4len)
		return;
	bytes_store_be16(th + 16, 0);
	sum = ct_csum_pseudo(v->l3num, v->src, v->dst, 6, v->l4len);
	sum = ct_csum_add(sum, th, v->l4len);
	bytes_store_be16(th + 16, ct_csum_fold(sum));
}

bool ct_engine_nat_mangle_tcp(struct ct_engine *eng, struct ct_conn *ct,
			      struct ct_pctx *ctx, uint32_t off, uint32_t len,
			      const char *buf, size_t n)
{
	struct ct_nat *nat = eng->nat;
	const struct ct_pkt *pkt = ctx->pkt;
	struct ct_hookpkt *hp = &eng->hp;
	struct ct_pkt *v;
	uint32_t doff, start, tail, seq;
	int32_t delta = (int32_t)n - (int32_t)len;
	uint8_t *ip;

	if (!nat || pkt->l4cap < 20)
		return false;
	seq = bytes_load_be32(pkt->l4 + 4);
	/* the packet the hooks carry (already translated) gets the text */
	v = nat_view(nat, hp->pkt ? hp->pkt : pkt);
	doff = (uint32_t)(v->l4[12] >> 4) * 4;
	start = (uint32_t)(v->l4 - v->l3) + doff + off;
	if (start + len > v->l3cap ||
	    (size_t)v->l3cap + (size_t)(delta > 0 ? delta : 0) > nat->bufcap ||
	    v->l3len + delta > 65535)
		return false;
	tail = v->l3cap - (start + len);
	ip = nat->buf;
	memmove(ip + start + n, ip + start + len, tail);
	memcpy(ip + start, buf, n);
	v->l3cap = (uint32_t)((int32_t)v->l3cap + delta);
	v->l3len = (uint32_t)((int32_t)v->l3len + delta);
	v->l4len = (uint32_t)((int32_t)v->l4len + delta);
	v->l4cap = (uint32_t)((int32_t)v->l4cap + delta);
	if (v->l3num == CT_L3_IPV4) {
		bytes_store_be16(ip + 2, (uint16_t)v->l3len);
		bytes_store_be16(ip + 10, 0);
		bytes_store_be16(ip + 10, ct_csum_fold(ct_csum_add(0, ip, (size_t)(ip[0] & 0x0f) * 4)));
	} else {
		bytes_store_be16(ip + 4, (uint16_t)(v->l3len - 40));
	}
	tcp_csum_full(v);
	hp->pkt = v;
	seqadj_set(ct, ctx->dir, seq, delta);
	return true;
}

/* nf_ct_sack_adjust() for one block edge. */
static uint32_t sack_edge(uint32_t edge, const struct ct_conn *ct, int dir)
{
	const uint32_t pos = ct->ext->seqadj[dir].correction_pos;
	int32_t before = ct->ext->seqadj[dir].offset_before;

	if ((int32_t)(edge - (uint32_t)before - pos) > 0)
		return edge - (uint32_t)ct->ext->seqadj[dir].offset_after;
	return edge - (uint32_t)before;
}

const struct ct_pkt *ct_nat_seq_adjust(struct ct_nat *nat,
				       const struct ct_pkt *pkt,
				       const struct ct_conn *ct, enum ct_dir dir)
{
	struct ct_pkt *v;
	uint8_t *th, nb[4];
	uint32_t seq, ack, nseq, nack, doff, i;
	struct l4sum s;

	if (!nat || !(ct->status & CT_IPS_SEQ_ADJUST) || !ct->ext ||
	    pkt->l4num != 6 || pkt->l4cap < 20)
		return pkt;
	v = nat_view(nat, pkt);
	th = (uint8_t *)v->l4;
	s = l4_sum(v->l3num, 6, th, v->l4cap, false);
	seq = bytes_load_be32(th + 4);
	ack = bytes_load_be32(th + 8);
	/* nf_ct_seq_adjust(): this direction's offset on seq, the other's
	 * taken off the ack */
	nseq = seq + (uint32_t)ct_seqadj_offset(ct, dir, seq);
	if ((int32_t)(ack - (uint32_t)ct->ext->seqadj[!dir].offset_before -
		      ct->ext->seqadj[!dir].correction_pos) > 0)
		nack = ack - (uint32_t)ct->ext->seqadj[!dir].offset_after;
	else
		nack = ack - (uint32_t)ct->ext->seqadj[!dir].offset_before;
	bytes_store_be32(nb, nseq);
	patch(th + 4, nb, 4, NULL, &s, false, NULL);
	bytes_store_be32(nb, nack);
	patch(th + 8, nb, 4, NULL, &s, false, NULL);
	/* SACK blocks acknowledge the other direction's numbers */
	doff = (uint32_t)(th[12] >> 4) * 4;
	for (i = 20; i + 1 < doff && i + 1 < v->l4cap;) {
		uint8_t kind = th[i], olen;
		uint32_t b;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		olen = th[i + 1];
		if (olen < 2 || i + olen > doff || i + olen > v->l4cap)
			break;
		if (kind == 5)
			for (b = i + 2; b + 8 <= i + olen; b += 4) {
				uint32_t e = bytes_load_be32(th + b);

				bytes_store_be32(nb, sack_edge(e, ct, !dir));
				patch(th + b, nb, 4, NULL, &s, false, NULL);
			}
		i += olen;
	}
	return v;
}
