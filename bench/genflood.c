/* \summary: generate a flood capture: one packet per flow, every flow distinct */
/*
 * genflood [-n FLOWS] [-o FILE]
 *
 * Writes a classic pcap (LINKTYPE_RAW, microsecond stamps) to FILE or
 * standard output: FLOWS frames (default 1000000), one microsecond apart,
 * each opening a flow no other frame shares.  Even frames are UDP
 * datagrams to port 53, odd frames TCP SYNs to port 80; the source
 * address and port walk through 10.0.0.0/8 and 1024..60999, so every
 * 5-tuple is new.  Checksums are right (UDP sends none, which is valid),
 * so conntrack creates an entry for each frame and, with nothing ever
 * answered, none becomes ASSURED: a full table must early-drop.  Nothing
 * expires either (the whole capture spans FLOWS microseconds).  Output is
 * a pure function of FLOWS, so tests can compare counters exactly.
 */
#define _POSIX_C_SOURCE 200809L  /* getopt */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOD_START_SEC 1700000000u
#define FLOOD_LINKTYPE_RAW 101u
#define FLOOD_FRAME_MAX 40

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* pcap headers are in the writer's byte order: always little endian here. */
static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Ones' complement sum of 16-bit big-endian words, not yet folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Frame i: IPv4 header plus a UDP header or a TCP SYN.  Returns its length. */
static size_t flood_frame(uint8_t *f, uint32_t i)
{
	uint32_t src = 0x0a000000u | (i & 0x00ffffffu);
	uint32_t sport = 1024 + i % 60000;
	int tcp = i & 1;
	size_t l4len = tcp ? 20 : 8;
	size_t len = 20 + l4len;
	uint8_t *l4 = f + 20;
	uint32_t sum;

	memset(f, 0, len);
	f[0] = 0x45;
	put16(f + 2, (uint32_t)len);
	put16(f + 4, i & 0xffff);
	f[6] = 0x40;                      /* DF */
	f[8] = 64;
	f[9] = tcp ? 6 : 17;
	put32(f + 12, src);
	put32(f + 16, 0xc0000201u);       /* 192.0.2.1 */
	put16(f + 10, fold(sum16(f, 20, 0)));

	put16(l4, sport);
	if (tcp) {
		put16(l4 + 2, 80);
		put32(l4 + 4, i * 2654435761u);   /* any ISN */
		l4[12] = 5 << 4;
		l4[13] = 0x02;                    /* SYN */
		put16(l4 + 14, 64240);
		/* pseudo header: addresses, protocol, length */
		sum = sum16(f + 12, 8, 0) + 6 + (uint32_t)l4len;
		put16(l4 + 16, fold(sum16(l4, l4len, sum)));
	} else {
		put16(l4 + 2, 53);
		put16(l4 + 4, (uint32_t)l4len);   /* checksum 0: none */
	}
	return len;
}

int main(int argc, char **argv)
{
	uint8_t hdr[24], rec[16], frame[FLOOD_FRAME_MAX];
	unsigned long long flows = 1000000;
	const char *path = NULL;
	FILE *out = stdout;
	uint32_t i;
	int c;

	while ((c = getopt(argc, argv, "n:o:")) != -1) {
		switch (c) {
		case 'n':
			flows = strtoull(optarg, NULL, 10);
			break;
		case 'o':
			path = optarg;
			break;
		default:
			fprintf(stderr, "usage: genflood [-n FLOWS] [-o FILE]\n");
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
	for (i = 0; i < flows; i++) {
		size_t len = flood_frame(frame, i);

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
