/* \summary: internet checksum (RFC 1071) over L4 with the IPv4/IPv6 pseudo-header */
#include <string.h>

#include "../bytes.h"
#include "csum.h"
#include "tuple.h"

/*
 * ct_csum_add() returns the exact integer the word-by-word definition
 * adds (not merely a congruent one), so callers that chain or compare
 * running sums see the same value whatever the host.  It gets there by
 * splitting the sum of big-endian words into 256 times the sum of the
 * bytes at even offsets plus the sum of those at odd offsets.  Native
 * 8-byte loads gather both, whatever their alignment: their bytes at
 * even positions (the low byte of each 16-bit lane) go into the lanes of
 * an accumulator of their own, and a 128-bit sum of the whole words
 * yields the odd ones by difference, for two operations a word fewer
 * than masking out both.
 */
#define BYTE_LANES UINT64_C(0x00ff00ff00ff00ff)

/*
 * Bytes per block between emptying the lanes.  A 16-bit lane overflows
 * after 257 bytes of 0xff and each load adds one byte to every lane, so
 * a full block of 127 rounds of 16 bytes gives a lane 254 bytes; a
 * shorter last block has at most 126 rounds (252) and a tail of 8, 4, 2
 * and 1 bytes that adds at most 4 more.  Being a multiple of 16, only
 * the last block can end on an odd byte.
 */
#define CSUM_BLOCK (127 * 16)

/* Running totals of a block, see above. */
struct csum_acc {
	uint64_t sum;       /* low half of the 128-bit sum of the loads */
	uint64_t carries;   /* its high half */
	uint64_t lo;        /* lanes: bytes at even positions of the loads */
};

/*
 * Whether a native load puts the first byte in the low bits.  A constant
 * the compiler folds, unlike <endian.h>-style macros, which differ by
 * system and compiler.
 */
static bool host_little_endian(void)
{
	const uint16_t one = 1;
	uint8_t first;

	memcpy(&first, &one, 1);
	return first == 1;
}

/* One load, widened to 64 bits, into the totals of its block. */
static void csum_word(struct csum_acc *a, uint64_t x)
{
	a->sum += x;
	a->carries += a->sum < x;
	a->lo += x & BYTE_LANES;
}

/* The four 16-bit lanes of x added pairwise into two 32-bit lanes. */
static uint64_t csum_pairs(uint64_t x)
{
	const uint64_t m = UINT64_C(0x0000ffff0000ffff);

	return (x & m) + ((x >> 16) & m);
}

/* The exact sum of the big-endian words of a block. */
static uint64_t csum_join(const struct csum_acc *a)
{
	/*
	 * The loads less their even-position bytes are 256 times the lanes
	 * of odd-position bytes: a 72-bit number, so the high half's
	 * difference fits in the top 8 bits once shifted down.
	 */
	uint64_t top = a->carries - (a->sum < a->lo);
	uint64_t hi = ((a->sum - a->lo) >> 8) | (top << 56);
	/*
	 * On a little-endian host the even positions hold the bytes at
	 * even offsets (the words' high bytes), on a big-endian one the
	 * odd positions do.
	 */
	uint64_t high = host_little_endian() ? a->lo : hi;
	uint64_t low = host_little_endian() ? hi : a->lo;
	/* 32-bit lanes of at most 2 * 65535 * 257: no carry between them */
	uint64_t t = (csum_pairs(high) << 8) + csum_pairs(low);

	return (t & 0xffffffffu) + (t >> 32);
}

/* The exact sum of the big-endian words of n <= CSUM_BLOCK bytes. */
static inline uint64_t csum_block(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + (n & ~(size_t)15);
	struct csum_acc a = { 0, 0, 0 };
	uint64_t x, y;

	for (; p != end; p += 16) {
		memcpy(&x, p, sizeof(x));
		memcpy(&y, p + 8, sizeof(y));
		csum_word(&a, x);
		csum_word(&a, y);
	}
	/*
	 * The tail, in native loads of 8, 4 and 2 bytes.  Each starts at an
	 * even offset and is an even number of bytes wide, so a narrower
	 * load, widened, puts every byte in a position of the same parity
	 * as the 8-byte load would.
	 */
	if (n & 8) {
		memcpy(&x, p, sizeof(x));
		csum_word(&a, x);
		p += 8;
	}
	if (n & 4) {
		uint32_t w;

		memcpy(&w, p, sizeof(w));
		csum_word(&a, w);
		p += 4;
	}
	if (n & 2) {
		uint16_t w;

		memcpy(&w, p, sizeof(w));
		csum_word(&a, w);
		p += 2;
	}
	if (n & 1) {
		/* the high byte of a word padded with zero, loaded as such
		 * so it lands where the host puts it */
		const uint8_t pad[2] = { p[0], 0 };
		uint16_t w;

		memcpy(&w, pad, sizeof(w));
		csum_word(&a, w);
	}
	return csum_join(&a);
}

uint32_t ct_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t total = sum;

	/* only jumbo frames and reassembled datagrams take more than one */
	for (; len > CSUM_BLOCK; len -= CSUM_BLOCK, p += CSUM_BLOCK)
		total += csum_block(p, CSUM_BLOCK);
	total += csum_block(p, len);
	/* Fold the carries back in now so the 32-bit result stays exact. */
	while (total >> 32)
		total = (total & 0xffffffffu) + (total >> 32);
	return (uint32_t)total;
}

uint16_t ct_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The IPv4 pseudo-header's six words, added directly (once per packet):
 * no carry to fold, the same sum as ct_csum_add() over the bytes.
 */
static uint32_t pseudo_v4(const uint8_t *src, const uint8_t *dst,
			  uint8_t l4num, uint32_t l4len)
{
	return (uint32_t)bytes_load_be16(src) + bytes_load_be16(src + 2) +
	       bytes_load_be16(dst) + bytes_load_be16(dst + 2) + l4num +
	       (l4len & 0xffffu);
}

uint32_t ct_csum_pseudo(uint8_t l3num, const uint8_t *src, const uint8_t *dst,
			uint8_t l4num, uint32_t l4len)
{
	if (l3num != CT_L3_IPV6)
		return pseudo_v4(src, dst, l4num, l4len);
	/*
	 * The addresses' words, then the 32-bit upper-layer length and 24
	 * zero bits and the next header: at most 18 words, so the exact
	 * sum fits 32 bits as chained ct_csum_add() calls would leave it.
	 */
	return (uint32_t)(csum_block(src, 16) + csum_block(dst, 16)) +
	       (l4len >> 16) + (l4len & 0xffffu) + l4num;
}

bool ct_l4_csum_ok(const struct ct_pkt *pkt)
{
	uint32_t sum = 0;

	if (pkt->csum != 0)
		return pkt->csum > 0;
	if (pkt->l4 == NULL || pkt->l4cap < pkt->l4len)
		return true;
	if (pkt->l3num == CT_L3_IPV4) {
		if (pkt->l4num != 1)
			sum = pseudo_v4(pkt->src, pkt->dst, pkt->l4num,
					pkt->l4len);
	} else {
		sum = ct_csum_pseudo(pkt->l3num, pkt->src, pkt->dst,
				     pkt->l4num, pkt->l4len);
	}
	sum = ct_csum_add(sum, pkt->l4, pkt->l4len);
	return ct_csum_fold(sum) == 0;
}

void ct_l4_csum_note(struct ct_pkt *pkt)
{
	pkt->csum = 0;
	pkt->csum = ct_l4_csum_ok(pkt) ? 1 : -1;
}
