/* \summary: IPv4/IPv6 reassembly as the kernel's defrag hooks do it before conntrack */
/*
 * Mirrors Linux 6.x: ip_frag_queue()/ip_frag_reasm() for IPv4,
 * nf_ct_frag6_queue()/nf_ct_frag6_reasm() for IPv6, both on top of
 * inet_frag_queue_insert().  The points that decide what conntrack sees:
 *
 *  - A fragment is placed either after the last one (the usual case, the
 *    kernel's "fragment run" grows) or somewhere before it.  A fragment
 *    lying entirely inside an existing run is a duplicate: dropped, queue
 *    kept.  Any other overlap discards the whole datagram (RFC 5722, and
 *    for IPv4 since the 2018 FragmentSmack fixes).
 *  - Inconsistent lengths (a second, different last fragment; data past
 *    the end; empty fragments) discard the IPv4 datagram but only drop the
 *    IPv6 fragment; an IPv6 non-last fragment whose end is not a multiple
 *    of 8 kills the queue and the fragment goes on to conntrack as it is.
 *  - IPv4 counts fragments per source (ipfrag_max_dist = 64): a queue that
 *    sees more than 64 fragments of other datagrams from the same source
 *    between two of its own is restarted empty.
 *  - Memory: above 4 MiB (ipfrag_high_thresh, and the same default for
 *    nf_conntrack_frag6_high_thresh) new fragments are refused, not older
 *    queues evicted.  The kernel counts skb truesize; FRAG_TRUESIZE is an
 *    estimate of it for a fragment received off a NIC.
 *
 * Queues are kept in creation order in one array; lookups scan it, which
 * the memory bound keeps short (about 1500 queues at most).
 */
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "defrag.h"
#include "ct/tuple.h"

#define V4_TIMEOUT      (30 * CT_NSEC_PER_SEC)   /* net.ipv4.ipfrag_time */
#define V6_TIMEOUT      (60 * CT_NSEC_PER_SEC)   /* nf_conntrack_frag6_timeout */
#define HIGH_THRESH     (4u * 1024 * 1024)
#define QUEUE_SIZE      200u                      /* sizeof(struct ipq), roughly */
#define FRAG_TRUESIZE(l3len) ((((l3len) + 14u + 64u + 1023u) & ~1023u) + 768u)
#define MAX_DIST        64u                       /* net.ipv4.ipfrag_max_dist */
#define MAX_PEERS       4096
#define MAXPLEN         65535u
/* An IPv4 fragment may reach offset 65528 + 65515 bytes; the datagram is
 * refused only when reassembled, so the buffer must hold that much. */
#define DATA_MAX        (128u * 1024)
#define OUT_SIZE        (40u + 65535u + 8u)

/* libpcap link types the rebuilt datagram is decoded as. */
#define DLT_IPV4        228
#define DLT_IPV6        229

#define NH_HOP          0
#define NH_ROUTING      43
#define NH_FRAGMENT     44
#define NH_AUTH         51
#define NH_NONE         59
#define NH_DEST         60

/* inet_frag_queue_insert() outcomes. */
enum frag_insert { FRAG_OK, FRAG_DUP, FRAG_OVERLAP };

struct frag {
	uint32_t off, end;     /* data bytes [off, end) of the datagram */
	uint32_t capend;       /* captured up to here (<= end) */
	bool run_head;         /* starts a kernel "fragment run" */
};

struct frag_q {
	uint8_t l3num;
	uint8_t proto;         /* IPv4 only; 0 for IPv6 (not in its key) */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	ct_time deadline;

	uint32_t len;          /* q.len: end of the datagram as known so far */
	uint32_t meat;         /* data bytes held */
	bool first_in, last_in;
	uint8_t ecn;           /* IPFRAG_ECN_* bits seen */
	uint32_t max_size, max_df_size;  /* IPv4 DF bookkeeping */
	uint32_t rid;          /* IPv4 peer counter at our last fragment */
	size_t mem;

	struct frag *frags;    /* sorted by offset, disjoint: the last one is
				* the kernel's fragments_tail */
	size_t nfrags, capfrags;

	uint8_t *hdr;          /* unfragmentable part of the offset-0 fragment */
	uint32_t hdrlen;
	uint32_t nhoff;        /* IPv6: offset of the byte naming the frag hdr */
	uint8_t frag_nh;       /* IPv6: next header in the offset-0 frag hdr */
	uint8_t *data;         /* payload, indexed by fragment offset */
	uint32_t datasize;
};

struct peer {
	uint8_t addr[4];
	uint32_t rid;
};

struct ct_defrag {
	struct frag_q *q;
	size_t nq, capq;
	size_t mem[2];         /* [0] IPv4, [1] IPv6 */
	struct peer *peers;
	size_t npeers;
	uint8_t *out;
	const char *reason;
};

struct ct_defrag *ct_defrag_create(void)
{
	struct ct_defrag *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->out = malloc(OUT_SIZE);
	if (!d->out) {
		free(d);
		return NULL;
	}
	return d;
}

static void queue_free(struct frag_q *q)
{
	free(q->frags);
	free(q->hdr);
	free(q->data);
}

void ct_defrag_destroy(struct ct_defrag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nq; i++)
		queue_free(&d->q[i]);
	free(d->q);
	free(d->peers);
	free(d->out);
	free(d);
}

static size_t *fam_mem(struct ct_defrag *d, uint8_t l3num)
{
	return &d->mem[l3num == CT_L3_IPV6];
}

/* inet_frag_kill(): the queue and every fragment in it are gone. */
static void queue_kill(struct ct_defrag *d, size_t i)
{
	struct frag_q *q = &d->q[i];
	size_t *mem = fam_mem(d, q->l3num);

	*mem -= q->mem < *mem ? q->mem : *mem;
	queue_free(q);
	memmove(&d->q[i], &d->q[i + 1], (d->nq - i - 1) * sizeof(*q));
	d->nq--;
}

void ct_defrag_expire(struct ct_defrag *d, ct_time now)
{
	size_t i = 0;

	while (i < d->nq) {
		if (d->q[i].deadline <= now)
			queue_kill(d, i);
		else
			i++;
	}
}

const char *ct_defrag_reason(const struct ct_defrag *d)
{
	return d->reason;
}

size_t ct_defrag_pending(const struct ct_defrag *d)
{
	return d->nq;
}

/* ip_frag_ecn_table: 0xff means the mix is illegal and the datagram dies. */
static uint8_t ecn_result(uint8_t seen)
{
	if ((seen & 1) && (seen & 0x0e))
		return 0xff;          /* not-ECT mixed with ECT or CE */
	if ((seen & 8) && (seen & 6))
		return 3;             /* CE with ECT: CE */
	return 0;
}

/* ipfrag_max_dist: bump the source's counter; true when q fell too far
 * behind (ip_frag_too_far). */
static bool v4_too_far(struct ct_defrag *d, struct frag_q *q)
{
	struct peer *p = NULL;
	uint32_t start, end;
	size_t i;

	for (i = 0; i < d->npeers; i++)
		if (!memcmp(d->peers[i].addr, q->src, 4)) {
			p = &d->peers[i];
			break;
		}
	if (!p) {
		if (!d->peers) {
			d->peers = calloc(MAX_PEERS, sizeof(*d->peers));
			if (!d->peers)
				return false;
		}
		if (d->npeers == MAX_PEERS)
			return false;     /* no peer entry: no check */
		p = &d->peers[d->npeers++];
		memcpy(p->addr, q->src, 4);
	}
	start = q->rid;
	end = ++p->rid;
	q->rid = end;
	return q->nfrags > 0 && end - start > MAX_DIST;
}

/* inet_frag_queue_insert(), over runs of adjacent fragments. */
static enum frag_insert frag_place(struct frag_q *q, uint32_t off,
				   uint32_t end, size_t *at, bool *head)
{
	const struct frag *last;
	size_t i, j;

	if (q->nfrags == 0) {
		*at = 0;
		*head = true;
		return FRAG_OK;
	}
	last = &q->frags[q->nfrags - 1];
	if (last->end < end) {
		/* Goes after the last fragment. */
		if (off < last->end)
			return FRAG_OVERLAP;
		*at = q->nfrags;
		*head = off != last->end;
		return FRAG_OK;
	}
	/* Somewhere before: compare with each run. */
	for (i = 0; i < q->nfrags; i = j) {
		uint32_t rs = q->frags[i].off, re = q->frags[i].end;

		for (j = i + 1; j < q->nfrags && !q->frags[j].run_head; j++)
			re = q->frags[j].end;
		if (end <= rs) {
			*at = i;
			*head = true;
			return FRAG_OK;
		}
		if (off >= re)
			continue;
		if (off >= rs && end <= re)
			return FRAG_DUP;
		return FRAG_OVERLAP;
	}
	*at = q->nfrags;   /* not reached: the tail run ends last */
	*head = true;
	return FRAG_OK;
}

static bool frag_insert_at(struct frag_q *q, size_t at, bool head,
			   uint32_t off, uint32_t end, uint32_t capend)
{
	struct frag *f;

	if (q->nfrags == q->capfrags) {
		size_t n = q->capfrags ? q->capfrags * 2 : 8;

		f = realloc(q->frags, n * sizeof(*f));
		if (!f)
			return false;
		q->frags = f;
		q->capfrags = n;
	}
	memmove(&q->frags[at + 1], &q->frags[at],
		(q->nfrags - at) * sizeof(*f));
	q->frags[at].off = off;
	q->frags[at].end = end;
	q->frags[at].capend = capend;
	q->frags[at].run_head = head;
	q->nfrags++;
	return true;
}

static bool data_reserve(struct frag_q *q, uint32_t end)
{
	uint8_t *p;
	uint32_t n;

	if (end <= q->datasize)
		return true;
	n = q->datasize ? q->datasize : 2048;
	while (n < end)
		n *= 2;
	if (n > DATA_MAX)
		n = DATA_MAX;
	p = realloc(q->data, n);
	if (!p)
		return false;
	q->data = p;
	q->datasize = n;
	return true;
}

/*
 * IPv6: find the fragment header the way find_prev_fhdr() does, noting
 * the offset of the byte that names it.  False when the chain does not
 * lead to a fragment header within the captured bytes.
 */
static bool v6_find_fhdr(const struct ct_pkt *in, uint32_t *nhoff,
			 uint32_t *fhoff)
{
	struct bytes ip = ct_pkt_l3(in);
	uint32_t start = 40, prev = 6;
	uint8_t nh;

	if (!bytes_get_u8_at(&ip, 6, &nh))
		return false;
	while (nh != NH_FRAGMENT) {
		uint32_t hlen, len8;

		if (nh != NH_HOP && nh != NH_ROUTING && nh != NH_AUTH &&
		    nh != NH_DEST)
			return false;
		if (!bytes_has(&ip, start, 2))
			return false;
		len8 = bytes_u8(&ip, start + 1);
		hlen = nh == NH_AUTH ? (len8 + 2) * 4 : (len8 + 1) * 8;
		prev = start;
		nh = bytes_u8(&ip, start);
		start += hlen;
	}
	if (!bytes_has(&ip, start, 8))
		return false;
	*nhoff = prev;
	*fhoff = start;
	return true;
}

/*
 * ipv6frag_thdr_truncated() (include/net/ipv6_frag.h), which
 * nf_ct_frag6_gather() asks about every fragment before queueing it: a
 * first fragment (offset 0) that ends before the header of its transport
 * protocol (TCP 20 bytes, UDP and ICMPv6 8, anything else 1) is not
 * queued but handed on as it is ("Drop incomplete fragment", RFC 8200
 * 4.5, is only the debug message: nf_ct_frag6_gather() returns 0 and
 * ipv6_defrag() accepts it).  Conntrack then finds no tuple in it:
 * INVALID.  An atomic fragment with nothing after its header is one.
 * decode's walk from the fragment header is the one ipv6_skip_exthdr()
 * makes; its failures read as next header 59, which the kernel does not
 * call truncated either.
 */
static bool v6_thdr_truncated(const struct ct_pkt *in)
{
	uint32_t need;

	if (in->frag_off != 0 || in->l4num == NH_NONE)
		return false;
	switch (in->l4num) {
	case 6:
		need = 20;
		break;
	case 17:
	case 58:
		need = 8;
		break;
	default:
		need = 1;
		break;
	}
	return in->l3hdrlen > in->l3len || in->l3len - in->l3hdrlen < need;
}

static struct frag_q *queue_find(struct ct_defrag *d, const struct ct_pkt *in,
				 uint8_t proto, size_t *idx)
{
	size_t alen = in->l3num == CT_L3_IPV4 ? 4 : 16;
	size_t i;

	for (i = 0; i < d->nq; i++) {
		struct frag_q *q = &d->q[i];

		if (q->l3num == in->l3num && q->id == in->frag_id &&
		    q->proto == proto && !memcmp(q->src, in->src, alen) &&
		    !memcmp(q->dst, in->dst, alen)) {
			*idx = i;
			return q;
		}
	}
	return NULL;
}

static struct frag_q *queue_create(struct ct_defrag *d, const struct ct_pkt *in,
				   uint8_t proto, size_t *idx)
{
	struct frag_q *q;

	if (d->nq == d->capq) {
		size_t n = d->capq ? d->capq * 2 : 16;

		q = realloc(d->q, n * sizeof(*q));
		if (!q)
			return NULL;
		d->q = q;
		d->capq = n;
	}
	*idx = d->nq;
	q = &d->q[d->nq++];
	memset(q, 0, sizeof(*q));
	q->l3num = in->l3num;
	q->proto = proto;
	memcpy(q->src, in->src, sizeof(q->src));
	memcpy(q->dst, in->dst, sizeof(q->dst));
	q->id = in->frag_id;
	q->deadline = in->ts + (in->l3num == CT_L3_IPV4 ? V4_TIMEOUT : V6_TIMEOUT);
	q->mem = QUEUE_SIZE;
	*fam_mem(d, in->l3num) += QUEUE_SIZE;
	return q;
}

/* Drop the queue and report the fragment as dropped. */
static int discard(struct ct_defrag *d, size_t idx, const char *why)
{
	queue_kill(d, idx);
	d->reason = why;
	return -1;
}

static int drop(struct ct_defrag *d, const char *why)
{
	d->reason = why;
	return -1;
}

/*
 * Rebuild the datagram into d->out and decode it.  The header comes from
 * the offset-0 fragment, as the kernel morphs the head skb.
 */
static int reassemble(struct ct_defrag *d, size_t idx, const struct ct_pkt *in,
		      struct ct_pkt *out)
{
	struct frag_q *q = &d->q[idx];
	uint8_t ecn = ecn_result(q->ecn);
	uint32_t total, cap, i;

	if (ecn == 0xff)
		return discard(d, idx, "fragments disagree on ECN");
	if (q->l3num == CT_L3_IPV4) {
		total = q->hdrlen + q->len;
		if (total > MAXPLEN)
			return discard(d, idx, "oversized reassembled datagram");
	} else {
		if (q->hdrlen - 40 + q->len > MAXPLEN)
			return discard(d, idx, "oversized reassembled datagram");
		total = q->hdrlen + q->len;
	}
	memcpy(d->out, q->hdr, q->hdrlen);
	memcpy(d->out + q->hdrlen, q->data, q->len);

	/* The captured prefix: fragments in order until the first hole. */
	cap = 0;
	for (i = 0; i < q->nfrags; i++) {
		if (q->frags[i].off > cap)
			break;
		if (q->frags[i].capend > cap)
			cap = q->frags[i].capend;
		if (q->frags[i].capend < q->frags[i].end)
			break;
	}
	if (cap > q->len)
		cap = q->len;
	memset(d->out + q->hdrlen + cap, 0, q->len - cap);

	if (q->l3num == CT_L3_IPV4) {
		uint8_t *h = d->out;
		uint32_t sum = 0, k;

		bytes_store_be16(h + 2, (uint16_t)total);
		bytes_store_be16(h + 6,
				 q->max_df_size == q->max_size ? 0x4000 : 0);
		h[1] |= ecn;
		h[10] = h[11] = 0;
		for (k = 0; k + 1 < q->hdrlen; k += 2)
			sum += bytes_load_be16(h + k);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		bytes_store_be16(h + 10, (uint16_t)~sum);
	} else {
		uint8_t *h = d->out;

		h[q->nhoff] = q->frag_nh;
		bytes_store_be16(h + 4, (uint16_t)(total - 40));
		/* ipv6_change_dsfield(hdr, 0xff, ecn): traffic class |= ecn */
		h[1] |= (uint8_t)(ecn << 4);
	}

	ct_decode(q->l3num == CT_L3_IPV4 ? DLT_IPV4 : DLT_IPV6, d->out,
		  q->hdrlen + cap, in->frame, in->ts, out);
	memcpy(out->vlan, in->vlan, sizeof(out->vlan));
	out->nvlan = in->nvlan;
	/* an NFLOG message's prefix and hook: the completing fragment's */
	out->is_nflog = in->is_nflog;
	out->nflog = in->nflog;
	queue_kill(d, idx);
	if (out->kind != CT_PKT_IP)
		return drop(d, out->reason);
	d->reason = NULL;
	return 1;
}

int ct_defrag_feed(struct ct_defrag *d, const struct ct_pkt *in,
		   struct ct_pkt *out)
{
	const bool v4 = in->l3num == CT_L3_IPV4;
	/* decode saw the whole fixed header, v6_find_fhdr() the rest */
	const struct bytes ip = ct_pkt_l3(in);
	struct frag_q *q;
	const uint8_t *payload;
	uint32_t off, end, datalen, capped, hdrlen, nhoff = 0;
	uint8_t proto, ecnbits;
	size_t idx, at;
	bool last, head;
	enum frag_insert ins;

	d->reason = NULL;
	ct_defrag_expire(d, in->ts);
	if (in->kind != CT_PKT_IP || !in->is_fragment) {
		*out = *in;
		return 1;
	}

	if (v4) {
		hdrlen = in->l3hdrlen;
		payload = in->l4;
		datalen = in->l4len;
		capped = in->l4cap;
		proto = in->l4num;
		ecnbits = bytes_u8(&ip, 1) & 3;
	} else {
		uint32_t fhoff;

		/* Jumbograms never get here: decode refuses them. */
		if (!v6_find_fhdr(in, &nhoff, &fhoff) ||
		    v6_thdr_truncated(in)) {
			*out = *in;
			return 1;
		}
		hdrlen = fhoff;
		payload = bytes_ptr(&ip, fhoff + 8);
		if (in->l3len < fhoff + 8)
			return drop(d, "truncated fragment header");
		datalen = in->l3len - fhoff - 8;
		capped = in->l3cap - fhoff - 8;
		proto = 0;
		ecnbits = (uint8_t)((bytes_u8(&ip, 1) >> 4) & 3);
	}
	off = (uint32_t)in->frag_off * 8;
	last = !in->frag_more;
	end = off + datalen;
	if (!v4 && end > MAXPLEN)
		return drop(d, "fragment past 64 KiB");

	if (*fam_mem(d, in->l3num) > HIGH_THRESH)
		return drop(d, "fragment memory full");
	q = queue_find(d, in, proto, &idx);
	if (!q) {
		q = queue_create(d, in, proto, &idx);
		if (!q)
			return drop(d, "out of memory");
	}

	if (v4 && v4_too_far(d, q)) {
		/* ip_frag_reinit(): start over with this fragment. */
		size_t *mem = fam_mem(d, q->l3num);

		*mem -= q->mem - QUEUE_SIZE;
		q->mem = QUEUE_SIZE;
		q->nfrags = 0;
		q->len = q->meat = 0;
		q->first_in = q->last_in = false;
		q->ecn = 0;
		q->max_size = q->max_df_size = 0;
		q->hdrlen = 0;
		q->deadline = in->ts + V4_TIMEOUT;
	}

	if (last) {
		if (end < q->len || (q->last_in && end != q->len))
			return v4 ? discard(d, idx, "conflicting last fragment") :
				    drop(d, "conflicting last fragment");
		q->last_in = true;
		q->len = end;
	} else {
		if (end & 7) {
			if (!v4) {
				/* nf_ct_frag6_queue: kill the queue, and the
				 * fragment goes on to conntrack untouched. */
				queue_kill(d, idx);
				*out = *in;
				return 1;
			}
			end &= ~7u;     /* IPv4 trims the odd tail */
		}
		if (end > q->len) {
			if (q->last_in)
				return v4 ? discard(d, idx, "fragment past the last one") :
					    drop(d, "fragment past the last one");
			q->len = end;
		}
	}
	if (end == off)
		return v4 ? discard(d, idx, "empty fragment") :
			    drop(d, "empty fragment");

	ins = frag_place(q, off, end, &at, &head);
	if (ins == FRAG_DUP) {
		d->reason = "duplicate fragment";
		return 0;
	}
	if (ins == FRAG_OVERLAP)
		return discard(d, idx, "overlapping fragment");

	if (capped > end - off)
		capped = end - off;
	if (!data_reserve(q, end) ||
	    !frag_insert_at(q, at, head, off, end, off + capped))
		return discard(d, idx, "out of memory");
	memcpy(q->data + off, payload, capped);
	if (off == 0) {
		uint8_t *h = malloc(hdrlen);

		if (!h)
			return discard(d, idx, "out of memory");
		memcpy(h, in->l3, hdrlen);
		free(q->hdr);
		q->hdr = h;
		q->hdrlen = hdrlen;
		q->first_in = true;
		if (!v4) {
			q->nhoff = nhoff;
			q->frag_nh = bytes_u8(&ip, hdrlen);
		}
	}
	q->meat += end - off;
	q->ecn |= (uint8_t)(1u << ecnbits);
	q->mem += FRAG_TRUESIZE(in->l3len);
	*fam_mem(d, q->l3num) += FRAG_TRUESIZE(in->l3len);
	if (v4) {
		uint32_t fragsize = end - off + hdrlen;

		if (fragsize > q->max_size)
			q->max_size = fragsize;
		if ((bytes_be16(&ip, 6) & 0x4000) && fragsize > q->max_df_size)
			q->max_df_size = fragsize;
	}

	if (q->first_in && q->last_in && q->meat == q->len)
		return reassemble(d, idx, in, out);
	d->reason = "fragment held";
	return 0;
}
