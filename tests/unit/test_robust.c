/* \summary: CUnit suite for hostile frames: lying lengths, snap-length cuts, byte mutations */
/*
 * Every frame here is handed to ct_decode() in a heap block of exactly
 * its captured length, so in a sanitizer build (--enable-sanitizers) a
 * read one byte past the capture is an AddressSanitizer report, and the
 * view the decoder returns is checked to stay inside the frame.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tests.h"
#include "ct/engine.h"
#include "decode.h"
#include "testlib.h"

#define DLT_EN10MB_ 1
#define DLT_IPV4_   228
#define DLT_IPV6_   229

/* ------------------------------------------------------------------ */
/* frame building, byte by byte */

struct rframe {
	uint8_t b[256];
	uint32_t n;
};

static void rf_put(struct rframe *f, uint32_t off, const uint8_t *p, uint32_t n)
{
	memcpy(f->b + off, p, n);
	if (off + n > f->n)
		f->n = off + n;
}

static void ip4_fix_csum(uint8_t *ip)
{
	uint32_t ihl = (uint32_t)(ip[0] & 0x0f) * 4;

	ip[10] = ip[11] = 0;
	tl_put16(ip + 10, tl_csum(ip, ihl));
}

/*
 * IPv4 header at off: 20 bytes plus `opts` bytes of NOP options, total
 * length `tot` (written as given: it may lie), protocol proto.
 */
static void rf_ip4(struct rframe *f, uint32_t off, uint8_t proto,
		   uint32_t opts, uint32_t tot)
{
	uint8_t h[60];
	static const uint8_t src[4] = { 192, 0, 2, 1 };
	static const uint8_t dst[4] = { 198, 51, 100, 2 };

	memset(h, 0, sizeof(h));
	memset(h + 20, 1, opts);                /* NOP options */
	h[0] = (uint8_t)(0x40 | ((20 + opts) / 4));
	tl_put16(h + 2, tot);
	tl_put16(h + 4, 0x1234);
	h[6] = 0x40;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	ip4_fix_csum(h);
	rf_put(f, off, h, 20 + opts);
}

/* TCP header at off with data offset doff (in 32-bit words, may lie). */
static void rf_tcp(struct rframe *f, uint32_t off, uint8_t doff, uint8_t flags)
{
	uint8_t h[20];

	memset(h, 0, sizeof(h));
	tl_put16(h, 40000);
	tl_put16(h + 2, 80);
	h[4] = 0x11;                            /* seq 0x11000000 */
	h[12] = (uint8_t)(doff << 4);
	h[13] = flags;
	tl_put16(h + 14, 64240);
	rf_put(f, off, h, 20);
}

static void rf_udp(struct rframe *f, uint32_t off, uint32_t ulen)
{
	uint8_t h[8];

	memset(h, 0, sizeof(h));
	tl_put16(h, 40001);
	tl_put16(h + 2, 53);
	tl_put16(h + 4, ulen);                   /* checksum 0: none */
	rf_put(f, off, h, 8);
}

/* ------------------------------------------------------------------ */
/* decode into an exact-size copy and check the view stays inside it */

struct robust_run {
	struct ct_engine *eng;
	enum ct_ctstate state;
	char reason[128];
	const struct ct_conn *ct;
	int nverdicts;
};

static void robust_verdict(void *ctx, const struct ct_verdict *v)
{
	struct robust_run *r = ctx;

	r->nverdicts++;
	r->state = v->state;
	r->ct = v->ct;
	snprintf(r->reason, sizeof(r->reason), "%s", v->reason ? v->reason : "");
}

static void robust_event(void *ctx, const struct ct_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void robust_start(struct robust_run *r, bool checksum)
{
	struct ct_settings set;
	struct ct_sink sink = { r, robust_event, robust_verdict };

	memset(r, 0, sizeof(*r));
	ct_settings_init(&set);
	set.checksum = checksum;
	set.acct = true;
	r->eng = ct_engine_create(&set);
	CU_ASSERT_FATAL(r->eng != NULL);
	CU_ASSERT_FATAL(ct_engine_add_sink(r->eng, &sink) == 0);
}

/* True when [p, p + n) lies inside [base, base + len). */
static bool inside(const uint8_t *p, uint32_t n, const uint8_t *base,
		   uint32_t len)
{
	return p >= base && p <= base + len && n <= (uint32_t)(base + len - p);
}

static uint64_t robust_frame_no;

/*
 * Decode `len` bytes of `bytes` (copied into a block of exactly that size)
 * and feed the engine.  Returns the decoded kind; *pkt_out (may be NULL)
 * receives the packet (its pointers are dead on return).
 */
static enum ct_pkt_kind robust_feed(struct robust_run *r, int dlt,
				    const uint8_t *bytes, uint32_t len,
				    struct ct_pkt *pkt_out)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct ct_pkt pkt;
	bool ok = true;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, bytes, len);
	robust_frame_no++;
	ct_decode(dlt, copy, len, robust_frame_no,
		  1700000000LL * CT_NSEC_PER_SEC +
			  (ct_time)robust_frame_no * 1000,
		  &pkt);
	if (pkt.kind == CT_PKT_IP) {
		/* l3hdrlen may pass l3len (an IPv6 extension header
		 * running past the end), but then nothing is left to read */
		ok = pkt.l3cap <= pkt.l3len && pkt.l4cap <= pkt.l4len &&
		     inside(pkt.l3, pkt.l3cap, copy, len) &&
		     (pkt.l4 == NULL || inside(pkt.l4, pkt.l4cap, copy, len));
		if (!ok)
			fprintf(stderr,
				"\nframe %llu: view outside the capture: len %u l3len %u l3cap %u l4len %u l4cap %u\n",
				(unsigned long long)robust_frame_no, len,
				pkt.l3len, pkt.l3cap, pkt.l4len, pkt.l4cap);
	} else {
		ok = pkt.reason != NULL && pkt.reason[0] != '\0';
	}
	CU_ASSERT(ok);
	r->nverdicts = 0;
	ct_engine_packet(r->eng, &pkt);
	free(copy);
	if (pkt_out)
		*pkt_out = pkt;
	return pkt.kind;
}

/* ------------------------------------------------------------------ */
/* handmade lies, one row each */

enum robust_shape {
	RS_TCP,        /* IPv4 + TCP SYN */
	RS_UDP,        /* IPv4 + UDP */
};

struct robust_case {
	const char *name;
	enum robust_shape shape;
	uint32_t ip_opts;      /* NOP option bytes in the IPv4 header */
	int32_t tot;           /* IPv4 total length; -1: the true length */
	uint8_t doff;          /* TCP data offset words; 0: 5 */
	int32_t ulen;          /* UDP length field; -1: the true length */
	uint32_t payload;      /* bytes after the transport header */
	int32_t caplen;        /* captured bytes; -1: all that was built */
	enum ct_pkt_kind kind;
	enum ct_ctstate state; /* when kind is CT_PKT_IP */
	const char *reason;    /* substring of the verdict/decode reason */
	uint64_t bytes;        /* accounted bytes of a created entry; 0: none */
};

static const struct robust_case robust_cases[] = {
	/* snap length: lengths come from the IP header, not the capture */
	{ "snaplen cut SYN with 1000 payload bytes", RS_TCP, 0, -1, 0, -1, 1000,
	  40, CT_PKT_IP, CT_STATE_NEW, "", 1040 },
	{ "snaplen cut UDP, 1400 payload bytes", RS_UDP, 0, -1, 0, -1, 1400,
	  28, CT_PKT_IP, CT_STATE_NEW, "", 1428 },
	{ "snaplen cut inside the TCP header", RS_TCP, 0, -1, 0, -1, 1000,
	  30, CT_PKT_IP, CT_STATE_INVALID, "not captured", 0 },
	{ "snaplen cut before the UDP ports", RS_UDP, 0, -1, 0, -1, 100,
	  22, CT_PKT_IP, CT_STATE_INVALID, "not captured", 0 },
	{ "snaplen cut inside TCP options", RS_TCP, 0, -1, 10, -1, 0,
	  44, CT_PKT_IP, CT_STATE_NEW, "", 60 },
	/* IP total length beyond the frame: believed, like a snap length */
	{ "IPv4 total length 9000 on a 40-byte frame", RS_TCP, 0, 9000, 0, -1, 0,
	  -1, CT_PKT_IP, CT_STATE_NEW, "", 9000 },
	{ "IPv4 total length 65535, UDP length 65515", RS_UDP, 0, 65535, 0, 65515,
	  0, -1, CT_PKT_IP, CT_STATE_NEW, "", 65535 },
	/* IPv4 header lies */
	{ "IPv4 options past the captured header", RS_TCP, 40, -1, 0, -1, 0,
	  40, CT_PKT_NONE, CT_STATE_NONE, "truncated IPv4 header", 0 },
	{ "IPv4 options past the total length", RS_TCP, 40, 40, 0, -1, 0,
	  80, CT_PKT_NONE, CT_STATE_NONE, "bad IPv4 total length", 0 },
	{ "IPv4 total length below the header", RS_UDP, 0, 12, 0, -1, 0,
	  28, CT_PKT_NONE, CT_STATE_NONE, "bad IPv4 total length", 0 },
	/* transport header lies */
	{ "TCP doff 60 bytes in a 20-byte segment", RS_TCP, 0, 40, 15, -1, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "truncated", 0 },
	{ "TCP doff 60 bytes, options cut short by the IP length", RS_TCP, 0, 50,
	  15, -1, 0, -1, CT_PKT_IP, CT_STATE_INVALID, "truncated", 0 },
	{ "TCP doff below 5", RS_TCP, 0, 40, 2, -1, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "truncated", 0 },
	{ "TCP segment shorter than a header", RS_TCP, 0, 30, 0, -1, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "truncated", 0 },
	{ "UDP length beyond the IP payload", RS_UDP, 0, -1, 0, 500, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "malformed", 0 },
	{ "UDP length below its header", RS_UDP, 0, -1, 0, 4, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "malformed", 0 },
	{ "UDP datagram shorter than a header", RS_UDP, 0, 24, 0, -1, 0,
	  -1, CT_PKT_IP, CT_STATE_INVALID, "short packet", 0 },
};

static void robust_build(const struct robust_case *c, struct rframe *f)
{
	uint32_t ihl = 20 + c->ip_opts;
	uint8_t doff = c->doff ? c->doff : 5;
	uint32_t l4hdr = c->shape == RS_TCP ? (uint32_t)doff * 4 : 8;
	uint32_t tot = c->tot >= 0 ? (uint32_t)c->tot : ihl + l4hdr + c->payload;

	/* Only headers are written: payload is what a snap length removed. */
	memset(f, 0, sizeof(*f));
	rf_ip4(f, 0, c->shape == RS_TCP ? 6 : 17, c->ip_opts, tot);
	if (c->shape == RS_TCP) {
		rf_tcp(f, ihl, doff, 0x02);
		if (doff > 5) {
			/* NOP-filled options ending in an honest EOL */
			memset(f->b + ihl + 20, 1, l4hdr - 20);
			f->b[ihl + l4hdr - 1] = 0;
			f->n = ihl + l4hdr;
		}
	} else {
		rf_udp(f, ihl, c->ulen >= 0 ? (uint32_t)c->ulen : l4hdr + c->payload);
	}
	if (c->caplen >= 0)
		f->n = (uint32_t)c->caplen;
	else if (f->n > tot)
		f->n = tot;
}

static void test_lying_lengths(void)
{
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(robust_cases); i++) {
		const struct robust_case *c = &robust_cases[i];
		struct robust_run r;
		struct rframe f;
		struct ct_pkt pkt;
		enum ct_pkt_kind kind;
		const char *why;
		bool ok;

		robust_start(&r, false);
		robust_build(c, &f);
		kind = robust_feed(&r, DLT_IPV4_, f.b, f.n, &pkt);
		why = kind == CT_PKT_NONE ? pkt.reason : r.reason;
		ok = kind == c->kind && strstr(why ? why : "", c->reason) != NULL;
		if (ok && kind == CT_PKT_IP)
			ok = r.nverdicts == 1 && r.state == c->state;
		if (ok && c->bytes) {
			size_t n;
			const struct ct_conn *const *l =
				ct_engine_list(r.eng, &n);

			ok = n == 1 && l[0]->bytes[CT_DIR_ORIGINAL] == c->bytes &&
			     l[0]->packets[CT_DIR_ORIGINAL] == 1;
		} else if (ok) {
			ok = ct_engine_count(r.eng) == 0;
		}
		if (!ok)
			fprintf(stderr,
				"\n%s: kind %d state %s reason '%s', %zu entries\n",
				c->name, kind, ct_ctstate_name(r.state),
				why ? why : "", ct_engine_count(r.eng));
		CU_ASSERT(ok);
		ct_engine_destroy(r.eng);
	}
}

/*
 * The same datagram as a full capture and cut to 34 bytes by a snap
 * length: conntrack's view (entry, state, byte count) must not change.
 */
static void test_snaplen_same_view(void)
{
	struct robust_run full, cut;
	struct rframe f;
	const struct ct_conn *const *l;
	size_t n1, n2;
	uint64_t b1, b2;

	memset(&f, 0, sizeof(f));
	rf_ip4(&f, 0, 17, 0, 228);
	rf_udp(&f, 20, 208);
	f.n = 228;
	robust_start(&full, true);
	robust_start(&cut, true);
	CU_ASSERT_EQUAL(robust_feed(&full, DLT_IPV4_, f.b, f.n, NULL), CT_PKT_IP);
	CU_ASSERT_EQUAL(robust_feed(&cut, DLT_IPV4_, f.b, 34, NULL), CT_PKT_IP);
	CU_ASSERT_EQUAL(full.state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(cut.state, CT_STATE_NEW);
	l = ct_engine_list(full.eng, &n1);
	b1 = n1 == 1 ? l[0]->bytes[CT_DIR_ORIGINAL] : 0;
	l = ct_engine_list(cut.eng, &n2);
	b2 = n2 == 1 ? l[0]->bytes[CT_DIR_ORIGINAL] : 0;
	CU_ASSERT_EQUAL(n1, 1);
	CU_ASSERT_EQUAL(n2, 1);
	CU_ASSERT_EQUAL(b1, 228);
	CU_ASSERT_EQUAL(b2, 228);
	ct_engine_destroy(full.eng);
	ct_engine_destroy(cut.eng);
}

/* ------------------------------------------------------------------ */
/* byte mutation sweep: every byte, a few values, every truncation */

static const uint8_t eth_hdr[14] = { 0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10,
				     0x08, 0x00 };

/* Ethernet + IPv4 (4 option bytes) + TCP SYN with MSS/SACK/WS options. */
static void tmpl_tcp_syn(struct rframe *f)
{
	static const uint8_t opts[20] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0,
					  0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };

	memset(f, 0, sizeof(*f));
	rf_put(f, 0, eth_hdr, 14);
	rf_ip4(f, 14, 6, 4, 24 + 40);
	rf_tcp(f, 38, 10, 0x02);
	rf_put(f, 58, opts, 20);
}

/* Ethernet + 802.1Q + IPv4 + UDP with 8 payload bytes. */
static void tmpl_udp_vlan(struct rframe *f)
{
	static const uint8_t tag[4] = { 0x00, 0x64, 0x08, 0x00 };

	memset(f, 0, sizeof(*f));
	rf_put(f, 0, eth_hdr, 12);
	f->b[12] = 0x81;
	f->b[13] = 0x00;
	f->n = 14;
	rf_put(f, 14, tag, 4);
	rf_ip4(f, 18, 17, 0, 36);
	rf_udp(f, 38, 16);
	memset(f->b + 46, 'x', 8);
	f->n = 54;
}

/* Ethernet + IPv4 ICMP port unreachable quoting IPv4 + UDP. */
static void tmpl_icmp_error(struct rframe *f)
{
	memset(f, 0, sizeof(*f));
	rf_put(f, 0, eth_hdr, 14);
	rf_ip4(f, 14, 1, 0, 20 + 8 + 28);
	f->b[34] = 3;                            /* dest unreachable */
	f->b[35] = 3;                            /* port */
	f->n = 42;
	rf_ip4(f, 42, 17, 0, 28);
	/* the quoted datagram goes the other way */
	memcpy(f->b + 42 + 12, f->b + 14 + 16, 4);
	memcpy(f->b + 42 + 16, f->b + 14 + 12, 4);
	ip4_fix_csum(f->b + 42);
	rf_udp(f, 62, 8);
	tl_put16(f->b + 36, tl_csum(f->b + 34, 36));
}

/* Ethernet + IPv6 + hop-by-hop + fragment header + TCP SYN. */
static void tmpl_ipv6_ext(struct rframe *f)
{
	uint8_t *ip;

	memset(f, 0, sizeof(*f));
	rf_put(f, 0, eth_hdr, 12);
	f->b[12] = 0x86;
	f->b[13] = 0xdd;
	f->n = 14;
	ip = f->b + 14;
	ip[0] = 0x60;
	tl_put16(ip + 4, 8 + 8 + 20);
	ip[6] = 0;                               /* hop-by-hop */
	ip[7] = 64;
	ip[8] = 0x20;
	ip[9] = 0x01;
	ip[15] = 1;
	ip[24] = 0x20;
	ip[25] = 0x01;
	ip[39] = 2;
	ip[40] = 44;                             /* -> fragment */
	ip[41] = 0;
	ip[42] = 1;                              /* PadN, 4 bytes */
	ip[43] = 4;
	ip[48] = 6;                              /* fragment -> TCP */
	ip[52] = 0;
	ip[53] = 0;
	ip[54] = 0x12;
	ip[55] = 0x34;
	f->n = 14 + 56;
	rf_tcp(f, 70, 5, 0x02);
}

/* First fragment (MF set) of a UDP datagram: reassembly holds it. */
static void tmpl_frag(struct rframe *f)
{
	memset(f, 0, sizeof(*f));
	rf_put(f, 0, eth_hdr, 14);
	rf_ip4(f, 14, 17, 0, 20 + 16);
	f->b[14 + 6] = 0x20;                     /* MF, offset 0 */
	ip4_fix_csum(f->b + 14);
	rf_udp(f, 34, 8 + 24);
	memset(f->b + 42, 'y', 8);
	f->n = 50;
}

static void (*const templates[])(struct rframe *) = {
	tmpl_tcp_syn, tmpl_udp_vlan, tmpl_icmp_error, tmpl_ipv6_ext, tmpl_frag,
};

/* Keep an IPv4 header's checksum right so the mutation gets past ip_rcv. */
static void maybe_fix_ip4(struct rframe *f)
{
	uint32_t l3 = 14;
	uint32_t ihl;

	if (f->n >= 18 && tl_get16(f->b + 12) == 0x8100)
		l3 = 18;
	if (f->n < l3 + 20 || (f->b[l3] >> 4) != 4)
		return;
	ihl = (uint32_t)(f->b[l3] & 0x0f) * 4;
	if (ihl >= 20 && l3 + ihl <= f->n)
		ip4_fix_csum(f->b + l3);
}

static void test_mutation_sweep(void)
{
	static const uint8_t values[] = { 0x00, 0x01, 0x05, 0x0f, 0x40, 0x7f,
					  0x80, 0xfe, 0xff };
	struct robust_run r;
	size_t t, v;
	uint32_t i, fed = 0, tracked = 0;

	robust_start(&r, true);
	for (t = 0; t < CT_ARRAY_SIZE(templates); t++) {
		struct rframe base, f;

		templates[t](&base);
		/* every truncation of the intact frame */
		for (i = 0; i <= base.n; i++) {
			robust_feed(&r, DLT_EN10MB_, base.b, i, NULL);
			fed++;
		}
		/* every byte set to each value, with and without a fixed
		 * IPv4 header checksum */
		for (i = 0; i < base.n; i++) {
			for (v = 0; v < CT_ARRAY_SIZE(values); v++) {
				f = base;
				f.b[i] = values[v];
				robust_feed(&r, DLT_EN10MB_, f.b, f.n, NULL);
				maybe_fix_ip4(&f);
				if (robust_feed(&r, DLT_EN10MB_, f.b, f.n,
						NULL) == CT_PKT_IP)
					tracked++;
				fed += 2;
			}
		}
	}
	/* a week later everything expires, reporters or not */
	ct_engine_advance(r.eng, ct_engine_now(r.eng) +
					 7 * 86400 * CT_NSEC_PER_SEC);
	CU_ASSERT_EQUAL(ct_engine_count(r.eng), 0);
	/* the sweep must reach the trackers, not stop at ip_rcv */
	CU_ASSERT(tracked > fed / 4);
	ct_engine_destroy(r.eng);

	/* the same frames as raw IPv4/IPv6 link types */
	robust_start(&r, false);
	for (t = 0; t < CT_ARRAY_SIZE(templates); t++) {
		struct rframe base;
		uint32_t l3 = 14;

		templates[t](&base);
		if (tl_get16(base.b + 12) == 0x8100)
			l3 = 18;
		for (i = l3; i <= base.n; i++)
			robust_feed(&r, (base.b[l3] >> 4) == 6 ? DLT_IPV6_
							      : DLT_IPV4_,
				    base.b + l3, i - l3, NULL);
	}
	ct_engine_destroy(r.eng);
}

int test_robust_register(void)
{
	CU_pSuite s = CU_add_suite("robustness", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "lying length fields", test_lying_lengths) ||
	    !CU_add_test(s, "snap length keeps conntrack's view",
			 test_snaplen_same_view) ||
	    !CU_add_test(s, "byte mutation sweep", test_mutation_sweep))
		return -1;
	return 0;
}
