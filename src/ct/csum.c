/* \summary: internet checksum (RFC 1071) over L4 with the IPv4/IPv6 pseudo-header */
#include <string.h>

#include "csum.h"
#include "tuple.h"

/* Sum of the four 16-bit lanes of a lane accumulator. */
static uint64_t csum_lanes(uint64_t x)
{
	return (x & 0xffffu) + ((x >> 16) & 0xffffu) + ((x >> 32) & 0xffffu) +
	       (x >> 48);
}

uint32_t ct_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;
	size_t i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * Sixteen bytes at a time: the sum of the big-endian words is 256
	 * times the sum of the even bytes plus the sum of the odd ones, and
	 * each goes into the 16-bit lanes of accumulators of its own (a
	 * little-endian load puts the even bytes in the low half of every
	 * lane).  The lanes are emptied every 2048 bytes, before a lane of
	 * the two accumulators together could pass 65535: the total is the
	 * exact integer the word-by-word loop below adds, so is the result.
	 * Short chunks (pseudo-headers, bare TCP headers) skip it.
	 */
	while (len - i >= 32) {
		uint64_t even = 0, odd = 0, even2 = 0, odd2 = 0;
		size_t n = len - i < 2048 ? (len - i) & ~(size_t)15 : 2048;
		size_t end = i + n;

		for (; i < end; i += 16) {
			uint64_t x, y;

			memcpy(&x, p + i, sizeof(x));
			memcpy(&y, p + i + 8, sizeof(y));
			even += x & 0x00ff00ff00ff00ffu;
			odd += (x >> 8) & 0x00ff00ff00ff00ffu;
			even2 += y & 0x00ff00ff00ff00ffu;
			odd2 += (y >> 8) & 0x00ff00ff00ff00ffu;
		}
		acc += (csum_lanes(even + even2) << 8) + csum_lanes(odd + odd2);
	}
#endif
	for (; i + 1 < len; i += 2)
		acc += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)(p[len - 1] << 8);
	/* Fold the carries back in now so the 32-bit result stays exact. */
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t ct_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t ct_csum_pseudo(uint8_t l3num, const uint8_t *src, const uint8_t *dst,
			uint8_t l4num, uint32_t l4len)
{
	uint32_t sum = 0;

	if (l3num == CT_L3_IPV6) {
		sum = ct_csum_add(sum, src, 16);
		sum = ct_csum_add(sum, dst, 16);
		/* 32-bit upper-layer length, then 24 zero bits and next header */
		sum = ct_csum_add(sum, (const uint8_t[]){
			(uint8_t)(l4len >> 24), (uint8_t)(l4len >> 16),
			(uint8_t)(l4len >> 8), (uint8_t)l4len,
			0, 0, 0, l4num }, 8);
	} else {
		/* the six words directly (once per IPv4 packet): no carry
		 * to fold, the same sum as ct_csum_add() over the bytes */
		sum = (uint32_t)((src[0] << 8) | src[1]) +
		      (uint32_t)((src[2] << 8) | src[3]) +
		      (uint32_t)((dst[0] << 8) | dst[1]) +
		      (uint32_t)((dst[2] << 8) | dst[3]) + l4num +
		      (l4len & 0xffffu);
	}
	return sum;
}

bool ct_l4_csum_ok(const struct ct_pkt *pkt)
{
	uint32_t sum = 0;

	if (pkt->l4 == NULL || pkt->l4cap < pkt->l4len)
		return true;
	if (!(pkt->l3num == CT_L3_IPV4 && pkt->l4num == 1))
		sum = ct_csum_pseudo(pkt->l3num, pkt->src, pkt->dst,
				     pkt->l4num, pkt->l4len);
	sum = ct_csum_add(sum, pkt->l4, pkt->l4len);
	return ct_csum_fold(sum) == 0;
}
