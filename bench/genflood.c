/* \summary: generate a flood capture: one packet per flow, every flow distinct */
/*
 * genflood [-n FLOWS] [-b] [-o FILE]
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
#define FLOOD_FRAME_MAX 40

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

int main(int argc, char **argv)
{
	uint8_t hdr[24], rec[16], frame[FLOOD_FRAME_MAX];
	unsigned long long flows = 1000000;
	const char *path = NULL;
	FILE *out = stdout;
	unsigned long long frames;
	int badack = 0;
	uint32_t i;
	int c;

	while ((c = getopt(argc, argv, "n:bo:")) != -1) {
		switch (c) {
		case 'n':
			flows = strtoull(optarg, NULL, 10);
			break;
		case 'b':
			badack = 1;
			break;
		case 'o':
			path = optarg;
			break;
		default:
			fprintf(stderr, "usage: genflood [-n FLOWS] [-b] [-o FILE]\n");
			return 1;
		}
	}
	if (flows == 0 || flows > 16000000) {
		fprintf(stderr, "genflood: FLOWS must be 1..16000000\n");
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
	frames = badack ? flows * 3 : flows;
	for (i = 0; i < frames; i++) {
		size_t len = badack ? flood_badack_frame(frame, i)
				    : flood_frame(frame, i);

		put32le(rec, FLOOD_START_SEC + i / 1000000);
		put32le(rec + 4, i % 1000000);
		put32le(rec + 8, (uint32_t)len);
		put32le(rec + 12, (uint32_t)len);
		fwrite(rec, 1, sizeof(rec), out);
		fwrite(frame, 1, len, out);
	}
	if (fflush(out) != 0 || ferror(out) || (path && fclose(out) != 0)) {
		fprintf(stderr, "genflood: write error\n");
		return 1;
	}
	return 0;
}
