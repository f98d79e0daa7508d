/* \summary: connection tuples: build, compare, invert, hash, print */
#ifndef CTREPLAY_CT_TUPLE_H
#define CTREPLAY_CT_TUPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CT_L3_IPV4 2   /* AF_INET as the kernel prints it */
#define CT_L3_IPV6 10  /* AF_INET6 as the kernel prints it */

enum ct_dir { CT_DIR_ORIGINAL = 0, CT_DIR_REPLY = 1 };

/*
 * One direction of a connection, as nf_conntrack_tuple holds it.  The
 * struct has no implicit padding and is always fully zeroed before being
 * filled, so equality is memcmp() and hashing runs over the bytes.
 *
 *  TCP/UDP/UDPLite/SCTP: sport/dport are the ports (host order).
 *  ICMP/ICMPv6: sport is the echo id, dport is (type << 8) | code.
 *  GRE: sport/dport are the keys (0 unless PPTP).
 *  generic: both 0.
 * IPv4 addresses use the first 4 bytes of src/dst, the rest stays zero.
 */
struct ct_tuple {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t l3num;
	uint8_t l4num;
	uint16_t zone;  /* conntrack zone; 0 unless --zone-from */
};

static inline uint8_t ct_tuple_icmp_type(const struct ct_tuple *t)
{
	return (uint8_t)(t->dport >> 8);
}

static inline uint8_t ct_tuple_icmp_code(const struct ct_tuple *t)
{
	return (uint8_t)(t->dport & 0xff);
}

static inline void ct_tuple_set_icmp(struct ct_tuple *t, uint8_t type,
				     uint8_t code, uint16_t id)
{
	t->dport = (uint16_t)((type << 8) | code);
	t->sport = id;
}

bool ct_tuple_equal(const struct ct_tuple *a, const struct ct_tuple *b);
uint32_t ct_tuple_hash(const struct ct_tuple *t, uint32_t seed);

/* Address length in bytes for the tuple's family (4 or 16). */
size_t ct_tuple_addr_len(const struct ct_tuple *t);

/*
 * Format an address.  expanded=true gives the kernel's %pI6 form (8 groups
 * of 4 hex digits, as /proc prints), false the inet_ntop compressed form
 * (as conntrack -E prints).  IPv4 is dotted decimal either way.  Returns
 * the number of characters written (buf always NUL-terminated; 46 bytes
 * suffice).
 */
int ct_addr_format(char *buf, size_t len, uint8_t l3num, const uint8_t *addr,
		   bool expanded);

/*
 * Parse "a.b.c.d" or an IPv6 address into addr (16 bytes, zero padded).
 * Returns CT_L3_IPV4, CT_L3_IPV6 or 0 when the text is not an address.
 */
int ct_addr_parse(const char *text, uint8_t addr[16]);

#endif
