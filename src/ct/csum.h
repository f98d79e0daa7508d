/* \summary: internet checksum (RFC 1071) over L4 with the IPv4/IPv6 pseudo-header */
#ifndef CTREPLAY_CT_CSUM_H
#define CTREPLAY_CT_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../decode.h"

/*
 * Add `len` bytes to a running one's complement sum (32-bit accumulator,
 * not yet folded).  Bytes are taken as big-endian 16-bit words; an odd
 * trailing byte is padded with zero, so only the last chunk of a sum may
 * have an odd length.
 */
uint32_t ct_csum_add(uint32_t sum, const uint8_t *p, size_t len);

/* Fold a running sum to 16 bits and complement it: the checksum field. */
uint16_t ct_csum_fold(uint32_t sum);

/*
 * Running sum of the pseudo-header for an L4 segment of `l4len` bytes of
 * protocol `l4num` between src and dst (RFC 768 for IPv4, RFC 8200 §8.1
 * for IPv6).
 */
uint32_t ct_csum_pseudo(uint8_t l3num, const uint8_t *src, const uint8_t *dst,
			uint8_t l4num, uint32_t l4len);

/*
 * Whether the packet's L4 checksum verifies, as nf_checksum() decides:
 * over all l4len bytes, with the pseudo-header except for ICMP over IPv4
 * (RFC 792 sums the ICMP message alone).  A packet whose L4 bytes are not
 * all captured (l4cap < l4len) cannot be verified and counts as good.
 * The caller handles protocol rules such as UDP's "zero means none".
 */
bool ct_l4_csum_ok(const struct ct_pkt *pkt);

/*
 * Compute ct_l4_csum_ok() now and keep the answer in pkt->csum, which
 * ct_l4_csum_ok() then returns: for a reader thread that has the bytes
 * in its cache, so that the tracking thread need not read them again.
 */
void ct_l4_csum_note(struct ct_pkt *pkt);

#endif
