/* \summary: generate a large synthetic capture (TCP, UDP, ICMP conversations) for benchmarks */
/*
 * gencap [-p PACKETS] [-c CONCURRENCY] [-i USEC] [-6 PERCENT] [-s SEED] -o FILE
 *
 * Writes a classic pcap (Ethernet, microsecond stamps) without libpcap.
 * CONCURRENCY conversations are open at any time; each step advances one
 * of them, chosen at random, by one packet, so conversations interleave
 * the way they do on a busy link and the conntrack table holds about
 * CONCURRENCY live entries (plus TIME_WAIT and UDP leftovers).
 *
 * The mix: 80% TCP (handshake with MSS and window scale, a request, 1-8
 * response segments each acknowledged, FIN from the server, FIN/ACK from
 * the client, last ACK), 15% UDP request/response, 5% ICMP echo.  Every
 * sequence number, acknowledgement and checksum is right, so a faithful
 * conntrack sees valid traffic only: the benchmark measures the fast
 * path, not error handling.  Tuples are never reused.
 *
 * Frames are stamped START + n * USEC microseconds (default 10 us), so
 * the capture time of PACKETS packets is PACKETS * USEC.  Output is a
 * pure function of the options.
 *
 * -m: the capture of a router masquerading its clients (IPv4 only): a
 * LINUX_SLL2 capture of all its interfaces (tcpdump -i any), each packet
 * as it came in (clients on lan0, ifindex 2; servers on wan0, ifindex 3)
 * followed by its copy leaving, translated to and from GEN_MASQ_ADDR.
 * A client port already mapped towards the same server (clients share
 * ports) is replaced by another one, as the kernel's NAT does (at random
 * there; here from a seeded generator, the copy tells the replay).
 * Mappings are never reused: entries outlive the capture.  -f: the same
 * router forwarding without NAT (the copies differ in TTL only).
 */
#define _POSIX_C_SOURCE 200809L  /* getopt */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "genlib.h"

#define GEN_START_SEC 1700000000u
#define GEN_MSS 1000u
#define GEN_MAX_FRAME 1600
#define GEN_MASQ_ADDR 0xac10fffeu       /* 172.16.255.254, wan0 */
#define GEN_SERVERS 64

enum gen_kind { GEN_TCP, GEN_UDP, GEN_ICMP };

/* One conversation: what it is and how far it got. */
struct gen_conv {
	enum gen_kind kind;
	bool v6;
	uint8_t csrc[16], sdst[16];
	uint16_t sport, dport;
	uint16_t mport;          /* -m: the client port as translated */
	uint32_t cseq, sseq;     /* next sequence number of client / server */
	uint16_t step;           /* packets sent so far */
	uint16_t nsteps;         /* packets in the whole conversation */
	uint8_t nresp;           /* TCP response segments */
};

struct gen {
	uint64_t rng;
	uint64_t nconv;          /* conversations started (tuple source) */
	unsigned v6_percent;
	FILE *out;
	uint64_t written;
	uint64_t usec;           /* stamp of the next frame */
	uint64_t step_usec;
	uint8_t frame[GEN_MAX_FRAME];
	size_t l2;               /* link header: Ethernet 14, SLL2 20 */
	bool last_reply;         /* the frame built last is the server's */
	bool masq;
	bool translate;          /* -m: masquerade; -f: forward only */
	uint64_t mrng;           /* -m: replacement ports */
	uint8_t *used;           /* -m: bit per server, protocol, port */
	uint64_t moved;          /* -m: client ports replaced */
};

/* xorshift64*: fast and reproducible, quality is irrelevant here */
static uint32_t gen_rand(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (uint32_t)((g->rng * 2685821657736338717ULL) >> 32);
}

/* -m: the port (ICMP id) the client's gets, free towards its server:
 * its own, else one from the kernel's class for it (1024-65535; ICMP
 * any id). */
static void masq_map(struct gen *g, struct gen_conv *c)
{
	unsigned srv = (unsigned)(((uint32_t)c->sdst[0] << 24 |
				   (uint32_t)c->sdst[1] << 16 |
				   (uint32_t)c->sdst[2] << 8 | c->sdst[3]) -
				  0xac100001u) % GEN_SERVERS;
	unsigned pr = (unsigned)c->kind;
	uint32_t port = c->sport;

	if (!g->translate) {
		c->mport = c->sport;
		return;
	}
	for (;;) {
		size_t bit = ((size_t)srv * 3 + pr) * 65536 + port;

		if (!(g->used[bit / 8] & (1u << (bit % 8)))) {
			g->used[bit / 8] |= (uint8_t)(1u << (bit % 8));
			break;
		}
		g->mrng ^= g->mrng >> 12;
		g->mrng ^= g->mrng << 25;
		g->mrng ^= g->mrng >> 27;
		port = (uint32_t)((g->mrng * 2685821657736338717ULL) >> 40);
		port = c->kind == GEN_ICMP ? port % 65536 : 1024 + port % 64512;
	}
	c->mport = (uint16_t)port;
	if (port != c->sport)
		g->moved++;
}

static void conv_start(struct gen *g, struct gen_conv *c)
{
	uint32_t r = gen_rand(g) % 100;
	uint64_t n = g->nconv++;
	uint32_t host = (uint32_t)(n / 50000);   /* client address index */

	memset(c, 0, sizeof(*c));
	c->kind = r < 80 ? GEN_TCP : r < 95 ? GEN_UDP : GEN_ICMP;
	c->v6 = gen_rand(g) % 100 < g->v6_percent;
	c->sport = (uint16_t)(10000 + n % 50000);
	if (c->v6) {
		static const uint8_t cpfx[8] = { 0xfd, 0, 0, 0x01, 0, 0, 0, 0 };
		static const uint8_t spfx[8] = { 0xfd, 0, 0, 0x02, 0, 0, 0, 0 };

		memcpy(c->csrc, cpfx, 8);
		put32(c->csrc + 12, host + 1);
		memcpy(c->sdst, spfx, 8);
		put32(c->sdst + 12, 1 + gen_rand(g) % 64);
	} else {
		/* clients 10.0.0.1 and up, servers 172.16.0.1 - 172.16.0.64 */
		put32(c->csrc, 0x0a000001u + host);
		put32(c->sdst, 0xac100001u + gen_rand(g) % 64);
	}
	c->cseq = gen_rand(g);
	c->sseq = gen_rand(g);
	if (g->masq)
		c->v6 = false;
	switch (c->kind) {
	case GEN_TCP:
		c->dport = 80;
		c->nresp = (uint8_t)(1 + gen_rand(g) % 8);
		/* SYN, SYN/ACK, ACK, request, 2 per response segment, 3 to close */
		c->nsteps = (uint16_t)(7 + 2 * c->nresp);
		break;
	case GEN_UDP:
		c->dport = 53;
		c->nsteps = 2;
		break;
	case GEN_ICMP:
		c->dport = 0;
		c->nsteps = 2;
		break;
	}
}

/*
 * Build the IP header (and the Ethernet header in front) for a packet of
 * l4len transport bytes already at frame + 14 + iphdr; returns the frame
 * length.  The transport checksum is filled by the caller's offset csoff
 * (from the start of the transport header), or not at all when csoff < 0.
 */
static size_t finish_frame(struct gen *g, const struct gen_conv *c, bool reply,
			   uint8_t proto, size_t l4len, int csoff)
{
	uint8_t *f = g->frame, masq[4];
	const uint8_t *src = reply ? c->sdst : c->csrc;
	const uint8_t *dst = reply ? c->csrc : c->sdst;
	size_t iphl = c->v6 ? 40 : 20;
	uint8_t *ip = f + g->l2, *l4 = ip + iphl;
	uint32_t sum = 0;

	g->last_reply = reply;

	if (g->masq) {
		/* SLL2: in on the sender's side; the server answers the
		 * translated address */
		put16(f, 0x0800);
		put16(f + 2, 0);
		put32(f + 4, reply ? 3 : 2);
		put16(f + 8, 1);
		f[10] = 0;
		f[11] = 6;
		memcpy(f + 12, reply ? "\x02\x00\x00\x00\x00\x03\0\0"
				     : "\x02\x00\x00\x00\x00\x04\0\0", 8);
		if (reply && g->translate) {
			put32(masq, GEN_MASQ_ADDR);
			dst = masq;
		}
	} else {
		/* MACs say which side sent it; the router's side is ...:01 */
		memcpy(f, reply ? "\x02\x00\x00\x00\x00\x02" : "\x02\x00\x00\x00\x00\x01", 6);
		memcpy(f + 6, reply ? "\x02\x00\x00\x00\x00\x03" : "\x02\x00\x00\x00\x00\x04", 6);
		put16(f + 12, c->v6 ? 0x86dd : 0x0800);
	}
	if (c->v6) {
		put32(ip, 0x60000000u);
		put16(ip + 4, (uint32_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		sum = csum_add(0, ip + 8, 32);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint32_t)(20 + l4len));
		put16(ip + 4, (uint32_t)(g->written & 0xffff));
		put16(ip + 6, 0x4000);  /* DF */
		ip[8] = 64;
		ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		sum = csum_add(0, ip + 12, 8);
	}
	if (csoff >= 0) {
		uint16_t cs;

		sum += proto + (uint32_t)l4len;
		put16(l4 + csoff, 0);
		cs = csum_fold(csum_add(sum, l4, l4len));
		if (proto == 17 && cs == 0)
			cs = 0xffff;
		put16(l4 + csoff, cs);
	}
	return g->l2 + iphl + l4len;
}

/*
 * -m: the frame just written, as it leaves the router: the client's
 * packet from GEN_MASQ_ADDR and its mapped port on wan0, the server's to
 * the client and its own port on lan0; TTL one less, checksums redone.
 */
static void masq_copy(struct gen *g, const struct gen_conv *c, bool reply,
		      size_t len)
{
	uint8_t *f = g->frame, *ip = f + 20, *l4 = ip + 20;
	size_t l4len = len - 40;
	uint8_t proto = ip[9];
	uint32_t sum;
	int csoff = proto == 6 ? 16 : proto == 17 ? 6 : 2;

	put32(f + 4, reply ? 2 : 3);
	f[10] = 4;                       /* PACKET_OUTGOING */
	memcpy(f + 12, "\x02\x00\x00\x00\x00\x01\0\0", 8);
	ip[8]--;
	if (!g->translate) {
		put16(ip + 10, 0);
		put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
		return;
	}
	if (reply) {
		memcpy(ip + 16, c->csrc, 4);
		if (proto == 1)
			put16(l4 + 4, c->sport);
		else
			put16(l4 + 2, c->sport);
	} else {
		put32(ip + 12, GEN_MASQ_ADDR);
		if (proto == 1)
			put16(l4 + 4, c->mport);
		else
			put16(l4, c->mport);
	}
	put16(ip + 10, 0);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	sum = proto == 1 ? 0 : csum_add(0, ip + 12, 8) + proto + (uint32_t)l4len;
	put16(l4 + csoff, 0);
	sum = csum_fold(csum_add(sum, l4, l4len));
	if (proto == 17 && sum == 0)
		sum = 0xffff;
	put16(l4 + csoff, sum);
}

static void fill_payload(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)('a' + (seed + i) % 26);
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_ACK 0x10
#define TH_PSH 0x08

static size_t tcp_packet(struct gen *g, struct gen_conv *c, bool reply,
			 uint8_t flags, size_t paylen)
{
	uint8_t *l4 = g->frame + g->l2 + (c->v6 ? 40 : 20);
	uint32_t *seq = reply ? &c->sseq : &c->cseq;
	uint16_t cport = g->masq && reply ? c->mport : c->sport;
	uint32_t ack = reply ? c->cseq : c->sseq;
	size_t hl = (flags & TH_SYN) ? 28 : 20;

	put16(l4, reply ? c->dport : cport);
	put16(l4 + 2, reply ? cport : c->dport);
	put32(l4 + 4, *seq);
	put32(l4 + 8, (flags & TH_ACK) ? ack : 0);
	l4[12] = (uint8_t)((hl / 4) << 4);
	l4[13] = flags;
	put16(l4 + 14, (flags & TH_SYN) ? 65535 : 2048);  /* scaled by 2^5 */
	put16(l4 + 18, 0);
	if (flags & TH_SYN) {
		/* MSS, NOP, window scale 5 */
		static const uint8_t opts[8] = { 2, 4, GEN_MSS >> 8, GEN_MSS & 0xff,
						 1, 3, 3, 5 };

		memcpy(l4 + 20, opts, 8);
	}
	fill_payload(l4 + hl, paylen, *seq);
	*seq += (uint32_t)paylen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	return finish_frame(g, c, reply, 6, hl + paylen, 16);
}

/* The next packet of conversation c into g->frame; returns its length. */
static size_t conv_next(struct gen *g, struct gen_conv *c)
{
	uint8_t *l4 = g->frame + g->l2 + (c->v6 ? 40 : 20);
	unsigned s = c->step++;
	/* the mapping is made when the first packet passes (the first of
	 * two clients sharing a port keeps it) */
	if (g->masq && s == 0)
		masq_map(g, c);
	/* the client's port as the other end sees it */
	uint16_t cport = g->masq && s == 1 ? c->mport : c->sport;

	switch (c->kind) {
	case GEN_UDP: {
		bool reply = s == 1;
		size_t len = reply ? 120 : 40;

		put16(l4, reply ? c->dport : cport);
		put16(l4 + 2, reply ? cport : c->dport);
		put16(l4 + 4, (uint32_t)(8 + len));
		fill_payload(l4 + 8, len, c->sport);
		return finish_frame(g, c, reply, 17, 8 + len, 6);
	}
	case GEN_ICMP: {
		bool reply = s == 1;
		uint8_t proto = c->v6 ? 58 : 1;

		l4[0] = c->v6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
		l4[1] = 0;
		put16(l4 + 4, cport);
		put16(l4 + 6, 1);
		fill_payload(l4 + 8, 56, c->sport);
		if (c->v6)
			return finish_frame(g, c, reply, proto, 64, 2);
		put16(l4 + 2, 0);
		put16(l4 + 2, csum_fold(csum_add(0, l4, 64)));
		return finish_frame(g, c, reply, proto, 64, -1);
	}
	case GEN_TCP:
		break;
	}
	if (s == 0)
		return tcp_packet(g, c, false, TH_SYN, 0);
	if (s == 1)
		return tcp_packet(g, c, true, TH_SYN | TH_ACK, 0);
	if (s == 2)
		return tcp_packet(g, c, false, TH_ACK, 0);
	if (s == 3)
		return tcp_packet(g, c, false, TH_PSH | TH_ACK, 100);
	s -= 4;
	if (s < 2u * c->nresp)
		return (s & 1) ? tcp_packet(g, c, false, TH_ACK, 0)
			       : tcp_packet(g, c, true, TH_PSH | TH_ACK, GEN_MSS);
	s -= 2u * c->nresp;
	if (s == 0)
		return tcp_packet(g, c, true, TH_FIN | TH_ACK, 0);
	if (s == 1)
		return tcp_packet(g, c, false, TH_FIN | TH_ACK, 0);
	return tcp_packet(g, c, true, TH_ACK, 0);
}

static int write_record(struct gen *g, size_t len)
{
	uint8_t hdr[16];

	put32le(hdr, (uint32_t)(GEN_START_SEC + g->usec / 1000000));
	put32le(hdr + 4, (uint32_t)(g->usec % 1000000));
	put32le(hdr + 8, (uint32_t)len);
	put32le(hdr + 12, (uint32_t)len);
	g->usec += g->step_usec;
	g->written++;
	if (fwrite(hdr, 1, sizeof(hdr), g->out) != sizeof(hdr) ||
	    fwrite(g->frame, 1, len, g->out) != len)
		return -1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: gencap [-p PACKETS] [-c CONCURRENCY] [-i USEC] [-6 PERCENT] [-s SEED] [-m|-f] -o FILE\n"
		"  -p  packets to write (default 1000000)\n"
		"  -c  conversations open at once (default 10000)\n"
		"  -i  microseconds between frames (default 10)\n"
		"  -6  percent of conversations over IPv6 (default 0)\n"
		"  -s  random seed (default 1)\n"
		"  -m  a masquerading router's -i any capture (SLL2, IPv4)\n"
		"  -f  the same router forwarding without NAT\n");
	exit(1);
}

static unsigned long long parse_num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static const uint8_t filehdr[24] = {
		0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 1, 0, 0, 0,  /* snaplen 65535, Ethernet */
	};
	struct gen g;
	struct gen_conv *convs;
	unsigned long long packets = 1000000, conc = 10000, seed = 1;
	const char *path = NULL;
	int opt;
	uint64_t i;

	memset(&g, 0, sizeof(g));
	g.step_usec = 10;
	g.l2 = 14;
	while ((opt = getopt(argc, argv, "p:c:i:6:s:o:mf")) != -1) {
		switch (opt) {
		case 'p': packets = parse_num(optarg); break;
		case 'c': conc = parse_num(optarg); break;
		case 'i': g.step_usec = parse_num(optarg); break;
		case '6': g.v6_percent = (unsigned)parse_num(optarg); break;
		case 's': seed = parse_num(optarg); break;
		case 'o': path = optarg; break;
		case 'm': g.masq = g.translate = true; break;
		case 'f': g.masq = true; break;
		default: usage();
		}
	}
	if (!path || optind != argc || conc == 0 || g.v6_percent > 100)
		usage();
	g.rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (g.masq) {
		g.l2 = 20;
		g.mrng = seed * 0x2545f4914f6cdd1dULL + 7;
		g.used = calloc((size_t)GEN_SERVERS * 3 * 65536 / 8, 1);
		if (!g.used) {
			fprintf(stderr, "gencap: out of memory\n");
			return 1;
		}
	}
	convs = calloc(conc, sizeof(*convs));
	if (!convs) {
		fprintf(stderr, "gencap: out of memory\n");
		return 1;
	}
	g.out = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!g.out) {
		fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(g.out, NULL, _IOFBF, 1 << 20);
	if (g.masq) {
		uint8_t hdr[24];

		memcpy(hdr, filehdr, sizeof(hdr));
		hdr[20] = 276 & 0xff;    /* LINKTYPE_LINUX_SLL2 */
		hdr[21] = 276 >> 8;
		if (fwrite(hdr, 1, sizeof(hdr), g.out) != sizeof(hdr))
			goto out_write_error;
	} else if (fwrite(filehdr, 1, sizeof(filehdr), g.out) != sizeof(filehdr)) {
		goto out_write_error;
	}
	for (i = 0; i < conc; i++)
		conv_start(&g, &convs[i]);
	for (i = 0; i < packets; i++) {
		struct gen_conv *c = &convs[gen_rand(&g) % conc];
		bool reply;
		size_t len;

		len = conv_next(&g, c);
		reply = g.last_reply;
		if (write_record(&g, len) < 0)
			goto out_write_error;
		if (g.masq) {
			masq_copy(&g, c, reply, len);
			if (write_record(&g, len) < 0)
				goto out_write_error;
		}
		if (c->step == c->nsteps)
			conv_start(&g, c);
	}
	if (fflush(g.out) != 0 || (g.out != stdout && fclose(g.out) != 0))
		goto out_write_error;
	fprintf(stderr, "gencap: %llu packets, %llu conversations started, %.1f s of capture\n",
		packets, (unsigned long long)g.nconv, (double)(packets * g.step_usec) / 1e6);
	if (g.masq)
		fprintf(stderr, "gencap: masquerading: %llu client ports replaced (clashes)\n",
			(unsigned long long)g.moved);
	free(convs);
	free(g.used);
	return 0;

out_write_error:
	fprintf(stderr, "gencap: %s: write error: %s\n", path, strerror(errno));
	free(convs);
	return 1;
}
