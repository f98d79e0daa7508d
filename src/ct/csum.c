/* \summary: internet checksum (RFC 1071) over L4 with the IPv4/IPv6 pseudo-header */
#include "csum.h"
#include "tuple.h"

uint32_t ct_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
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
		sum = ct_csum_add(sum, src, 4);
		sum = ct_csum_add(sum, dst, 4);
		sum = ct_csum_add(sum, (const uint8_t[]){
			0, l4num, (uint8_t)(l4len >> 8), (uint8_t)l4len }, 4);
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
