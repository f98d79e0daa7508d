/* \summary: generate a flood capture: one packet per flow, every flow distinct */
/*
 * genflood [-n FLOWS] [-b | -c | -s] [-o FILE]
 *
 * Writes a classic pcap (LINKTYPE_RAW, microsecond stamps) to FILE or
 * standard output: FLOWS frames (default 1000000), one microsecond apart,
 * each opening a flow no other frame shares.  Even frames are UDP
 * datagrams to port 53, odd frames TCP SYNs to port 80; the source
 * address and port walk through 10.0.0.0/8 and 1024..60999, so every
 * 5-tuple is new.  Checksums are right (UDP sends none, which is valid),
 * so conntrack creates an entry for each frame and, with nothing ever
 * answered, none becomes ASSURED: a full table must early-drop.  Nothing
 * expires either (the whole capture spans FLOWS microseconds).
 *
 * -b: every flow is instead a TCP handshake (SYN, SYN/ACK) followed by a
 * client ACK for data the server never sent, so each flow ends with one
 * INVALID frame whose reason ("ACK is over upper bound N") names that
 * flow's own sequence number: as many distinct reasons as flows.
 *
 * -c: every flow is a TCP connection taking one of the tracker's paths
 * that count packets and bytes, or that must not (flow i, by i % 8):
 *   0-3  handshake, then a FIN from each side with a sequence number a
 *        quarter of the sequence space beyond the window: both INVALID,
 *        and the second, answering the first, lowers the ESTABLISHED
 *        timeout to tcp_timeout_unacknowledged without counting
 *        (net/netfilter/nf_conntrack_proto_tcp.c, nf_tcp_handle_invalid());
 *        5 frames, the entry stays;
 *   4-5  SYN, the same SYN again (the retransmission renews nothing and
 *        counts nothing), SYN/ACK, ACK, FIN from each side and the last
 *        ACK: TIME_WAIT; 7 frames, the entry stays;
 *   6    SYN, then a RST from the client before any reply: the entry is
 *        counted and killed (nf_conntrack_tcp_packet(), nf_ct_kill_acct());
 *        2 frames;
 *   7    SYN, then the server's RST/ACK: the same; 2 frames.
 * Six flows in eight keep their entry.  A killed entry's slot goes to
 * the next flow, so the entries left fill ctreplay's pool densely in
 * creation order: slot k holds a flow of kind 0-3 when k % 6 < 4, which
 * is true of slot 1023, the last of the first block of 1024 (and of many
 * later blocks' last slots).
 *
 * -s: every flow is an SCTP association's first two packets, an INIT and
 * its INIT_ACK, with right CRC32c checksums: with -j each worker thread
 * checks CRCs of its own flows at the same time as the others.
 *
 * Output is a pure function of the options, so tests can compare
 * counters exactly.
 */
#define _POSIX_C_SOURCE 200809L  /* getopt */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "genlib.h"

#define FLOOD_START_SEC 1700000000u
#define FLOOD_LINKTYPE_RAW 101u
#define FLOOD_FRAME_MAX 64

#define FLOOD_SERVER 0xc0000201u      /* 192.0.2.1 */

/* IPv4 header for an l4len-byte payload from src to dst. */
static void flood_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
		     size_t l4len, uint32_t id)
{
	memset(f, 0, 20 + l4len);
	f[0] = 0x45;
	put16(f + 2, (uint32_t)(20 + l4len));
	put16(f + 4, id & 0xffff);
	f[6] = 0x40;                      /* DF */
	f[8] = 64;
	f[9] = proto;
	put32(f + 12, src);
	put32(f + 16, dst);
	put16(f + 10, csum_fold(csum_add(0, f, 20)));
}

/* IPv4 + TCP header (no options) with a correct checksum.  Returns 40. */
static size_t flood_tcp(uint8_t *f, uint32_t src, uint32_t dst,
			uint32_t sport, uint32_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, uint32_t id)
{
	uint8_t *l4 = f + 20;
	uint32_t sum;

	flood_ip(f, src, dst, 6, 20, id);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put32(l4 + 4, seq);
	put32(l4 + 8, ack);
	l4[12] = 5 << 4;
	l4[13] = flags;
	put16(l4 + 14, 64240);
	/* pseudo header: addresses, protocol, length */
	sum = csum_add(0, f + 12, 8) + 6 + 20;
	put16(l4 + 16, csum_fold(csum_add(sum, l4, 20)));
	return 40;
}

/* Frame i: a UDP datagram (even i) or a TCP SYN (odd i).  Returns its length. */
static size_t flood_frame(uint8_t *f, uint32_t i)
{
	uint32_t src = 0x0a000000u | (i & 0x00ffffffu);
	uint32_t sport = 1024 + i % 60000;

	if (i & 1)
		return flood_tcp(f, src, FLOOD_SERVER, sport, 80,
				 i * 2654435761u, 0, 0x02, i);
	flood_ip(f, src, FLOOD_SERVER, 17, 8, i);
	put16(f + 20, sport);
	put16(f + 22, 53);
	put16(f + 24, 8);                 /* checksum 0: none */
	return 28;
}

/* Frame k of -b: flow k / 3, step k % 3 (SYN, SYN/ACK, bad ACK). */
static size_t flood_badack_frame(uint8_t *f, uint32_t k)
{
	uint32_t i = k / 3;
	uint32_t cli = 0x0a000000u | (i & 0x00ffffffu);
	uint32_t cport = 1024 + i % 60000;
	uint32_t cisn = i * 2654435761u, sisn = i * 40503u + 7;

	switch (k % 3) {
	case 0:
		return flood_tcp(f, cli, FLOOD_SERVER, cport, 80, cisn, 0,
				 0x02, k);
	case 1:
		return flood_tcp(f, FLOOD_SERVER, cli, 80, cport, sisn,
				 cisn + 1, 0x12, k);
	default:
		return flood_tcp(f, cli, FLOOD_SERVER, cport, 80, cisn + 1,
				 sisn + 1000000, 0x10, k);
	}
}

/* Frames of one flow of -c (see the top): flow i's kind is i % 8. */
#define CLOSE_KINDS 8
#define CLOSE_OOW 0x40000000u             /* a quarter of the seq space */

/* Frames flow i of -c has. */
static unsigned close_nframes(uint32_t i)
{
	switch (i % CLOSE_KINDS) {
	case 4:
	case 5:
		return 7;
	case 6:
	case 7:
		return 2;
	default:
		return 5;
	}
}

/* Frame `step` of flow i of -c.  Returns its length. */
static size_t close_frame(uint8_t *f, uint32_t i, unsigned step, uint32_t id)
{
	uint32_t cli = 0x0a000000u | (i & 0x00ffffffu);
	uint32_t cport = 1024 + i % 60000;
	uint32_t c = i * 2654435761u, s = i * 40503u + 7; /* ISNs */
	const uint8_t SYN = 0x02, SYNACK = 0x12, ACK = 0x10, FINACK = 0x11;
	const uint8_t RST = 0x04, RSTACK = 0x14;

#define FROM_CLI(seq, ack, fl) \
	flood_tcp(f, cli, FLOOD_SERVER, cport, 80, (seq), (ack), (fl), id)
#define FROM_SRV(seq, ack, fl) \
	flood_tcp(f, FLOOD_SERVER, cli, 80, cport, (seq), (ack), (fl), id)
	switch (i % CLOSE_KINDS) {
	case 4:
	case 5:
		switch (step) {
		case 0:
		case 1:
			return FROM_CLI(c, 0, SYN);
		case 2:
			return FROM_SRV(s, c + 1, SYNACK);
		case 3:
			return FROM_CLI(c + 1, s + 1, ACK);
		case 4:
			return FROM_CLI(c + 1, s + 1, FINACK);
		case 5:
			return FROM_SRV(s + 1, c + 2, FINACK);
		default:
			return FROM_CLI(c + 2, s + 2, ACK);
		}
	case 6:
		return step == 0 ? FROM_CLI(c, 0, SYN) : FROM_CLI(c + 1, 0, RST);
	case 7:
		return step == 0 ? FROM_CLI(c, 0, SYN)
				 : FROM_SRV(0, c + 1, RSTACK);
	default:
		switch (step) {
		case 0:
			return FROM_CLI(c, 0, SYN);
		case 1:
			return FROM_SRV(s, c + 1, SYNACK);
		case 2:
			return FROM_CLI(c + 1, s + 1, ACK);
		case 3:
			return FROM_CLI(c + 1 + CLOSE_OOW, s + 1, FINACK);
		default:
			return FROM_SRV(s + 1 + CLOSE_OOW, c + 1, FINACK);
		}
	}
#undef FROM_CLI
#undef FROM_SRV
}

/* CRC32c (RFC 9260 appendix B) bit by bit, without ctreplay's table. */
static uint32_t crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int j;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (j = 0; j < 8; j++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	return ~crc;
}

/* Frame k of -s: flow k / 2, an INIT (even k) or its INIT_ACK. */
static size_t sctp_frame(uint8_t *f, uint32_t k)
{
	uint32_t i = k / 2;
	uint32_t cli = 0x0a000000u | (i & 0x00ffffffu);
	uint32_t cport = 1024 + i % 60000;
	uint32_t ctag = i * 2654435761u | 1, stag = i * 40503u + 7;
	int ack = k & 1;
	size_t l4len = 12 + 20 + (ack ? 8 : 0);
	uint8_t *l4 = f + 20, *ch = l4 + 12;
	uint32_t crc;

	flood_ip(f, ack ? FLOOD_SERVER : cli, ack ? cli : FLOOD_SERVER, 132,
		 l4len, k);
	put16(l4, ack ? 5000 : cport);
	put16(l4 + 2, ack ? cport : 5000);
	put32(l4 + 4, ack ? ctag : 0);            /* INIT: vtag 0 */
	ch[0] = ack ? 2 : 1;                      /* INIT_ACK, INIT */
	put16(ch + 2, (uint32_t)(l4len - 12));
	put32(ch + 4, ack ? stag : ctag);         /* initiate tag */
	put32(ch + 8, 65535);                     /* a_rwnd */
	put16(ch + 12, 1);                        /* outbound streams */
	put16(ch + 14, 1);                        /* inbound streams */
	put32(ch + 16, ack ? stag : ctag);        /* initial TSN */
	if (ack) {
		put16(ch + 20, 7);                /* State Cookie */
		put16(ch + 22, 8);
		put32(ch + 24, i);
	}
	/* least significant byte first */
	crc = crc32c(l4, l4len);
	l4[8] = (uint8_t)crc;
	l4[9] = (uint8_t)(crc >> 8);
	l4[10] = (uint8_t)(crc >> 16);
	l4[11] = (uint8_t)(crc >> 24);
	return 20 + l4len;
}

/* Append frame number k (its stamp: k microseconds from the start). */
static void put_frame(FILE *out, uint64_t k, const uint8_t *frame, size_t len)
{
	uint8_t rec[16];

	put32le(rec, (uint32_t)(FLOOD_START_SEC + k / 1000000));
	put32le(rec + 4, (uint32_t)(k % 1000000));
	put32le(rec + 8, (uint32_t)len);
	put32le(rec + 12, (uint32_t)len);
	fwrite(rec, 1, sizeof(rec), out);
	fwrite(frame, 1, len, out);
}

int main(int argc, char **argv)
{
	uint8_t hdr[24], frame[FLOOD_FRAME_MAX];
	unsigned long long flows = 1000000;
	const char *path = NULL;
	FILE *out = stdout;
	unsigned long long frames;
	int badack = 0, closing = 0, sctp = 0;
	uint64_t k;
	uint32_t i;
	int c;

	while ((c = getopt(argc, argv, "n:bcso:")) != -1) {
		switch (c) {
		case 'n':
			flows = strtoull(optarg, NULL, 10);
			break;
		case 'b':
			badack = 1;
			break;
		case 'c':
			closing = 1;
			break;
		case 's':
			sctp = 1;
			break;
		case 'o':
			path = optarg;
			break;
		default:
			fprintf(stderr, "usage: genflood [-n FLOWS] [-b | -c | -s] [-o FILE]\n");
			return 1;
		}
	}
	if (flows == 0 || flows > 16000000) {
		fprintf(stderr, "genflood: FLOWS must be 1..16000000\n");
		return 1;
	}
	if (badack + closing + sctp > 1) {
		fprintf(stderr, "genflood: -b, -c and -s exclude each other\n");
		return 1;
	}
	if (path && (out = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "genflood: %s: %s\n", path, strerror(errno));
		return 1;
	}

	put32le(hdr, 0xa1b2c3d4u);
	hdr[4] = 2;
	hdr[5] = 0;
	hdr[6] = 4;
	hdr[7] = 0;
	memset(hdr + 8, 0, 8);
	put32le(hdr + 16, 65535);
	put32le(hdr + 20, FLOOD_LINKTYPE_RAW);
	fwrite(hdr, 1, sizeof(hdr), out);
	if (closing) {
		k = 0;
		for (i = 0; i < flows; i++) {
			unsigned step, n = close_nframes(i);

			for (step = 0; step < n; step++, k++)
				put_frame(out, k, frame,
					  close_frame(frame, i, step,
						      (uint32_t)k));
		}
	} else {
		frames = badack ? flows * 3 : sctp ? flows * 2 : flows;
		for (k = 0; k < frames; k++) {
			i = (uint32_t)k;
			put_frame(out, k, frame,
				  badack ? flood_badack_frame(frame, i)
				  : sctp ? sctp_frame(frame, i)
					 : flood_frame(frame, i));
		}
	}
	if (fflush(out) != 0 || ferror(out) || (path && fclose(out) != 0)) {
		fprintf(stderr, "genflood: write error\n");
		return 1;
	}
	return 0;
}
