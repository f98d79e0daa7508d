/* \summary: connection tuples: compare, hash, print and parse addresses */
#include <stdio.h>
#include <string.h>

#include "../bytes.h"
#include "tuple.h"

_Static_assert(sizeof(struct ct_tuple) == 40,
	       "struct ct_tuple must have no padding: it is hashed as bytes");

bool ct_tuple_equal(const struct ct_tuple *a, const struct ct_tuple *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * FNV-1a over the tuple's bytes, then a final avalanche so the low bits
 * (used to pick a bucket) depend on every input byte.  The seed is fixed
 * by the caller: bucket order must be the same on every run.
 */
/* Little-endian on every host, so hashes (and with them early-drop
 * choices and table order) are the same on every machine. */
static uint64_t tuple_word(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/*
 * Five 64-bit words, each xored in and multiplied (a multiply spreads a
 * word's low bits upwards, the shift brings the high bits back down),
 * then a final avalanche; the table uses the top bits, tests the low
 * ones.  A tenth of byte-at-a-time FNV's work: this runs for every frame.
 */
uint32_t ct_tuple_hash(const struct ct_tuple *t, uint32_t seed)
{
	const uint8_t *p = (const uint8_t *)t;
	uint64_t h = 0x9e3779b97f4a7c15u ^ seed;
	size_t i;

	for (i = 0; i < sizeof(*t); i += 8) {
		h ^= tuple_word(p + i);
		h *= 0xbf58476d1ce4e5b9u;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return (uint32_t)h;
}

size_t ct_tuple_addr_len(const struct ct_tuple *t)
{
	return t->l3num == CT_L3_IPV6 ? 16 : 4;
}

/*
 * RFC 5952 text: the longest run of two or more zero groups (the first
 * one on a tie) becomes "::"; IPv4-mapped and -compatible forms are
 * printed the way glibc's inet_ntop does (::ffff:a.b.c.d), since that is
 * what conntrack-tools shows.
 */
static int format_ipv6_compressed(char *buf, size_t len, const uint8_t *a)
{
	uint16_t g[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	int i, n = 0;

	for (i = 0; i < 8; i++)
		g[i] = bytes_load_be16(a + 2 * i);
	for (i = 0; i < 8; i++) {
		if (g[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
			if (curlen > bestlen) {
				best = cur;
				bestlen = curlen;
			}
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2)
		best = -1;

	/* ::ffff:a.b.c.d and ::a.b.c.d (not :: and ::1) as glibc prints */
	if (best == 0 && (bestlen == 6 || (bestlen == 5 && g[5] == 0xffff)) &&
	    !(bestlen == 6 && g[6] == 0 && g[7] <= 1)) {
		return snprintf(buf, len, "::%s%u.%u.%u.%u",
				bestlen == 5 ? "ffff:" : "", a[12], a[13],
				a[14], a[15]);
	}

	buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
				      "::");
			i += bestlen - 1;
			continue;
		}
		n += snprintf(buf + n, len > (size_t)n ? len - n : 0, "%s%x",
			      (i == 0 || i == best + bestlen) ? "" : ":",
			      g[i]);
	}
	return n;
}

int ct_addr_format(char *buf, size_t len, uint8_t l3num, const uint8_t *addr,
		   bool expanded)
{
	if (len == 0)
		return 0;
	if (l3num != CT_L3_IPV6)
		return snprintf(buf, len, "%u.%u.%u.%u", addr[0], addr[1],
				addr[2], addr[3]);
	if (!expanded)
		return format_ipv6_compressed(buf, len, addr);
	return snprintf(buf, len,
			"%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
			"%02x%02x:%02x%02x:%02x%02x:%02x%02x",
			addr[0], addr[1], addr[2], addr[3], addr[4], addr[5],
			addr[6], addr[7], addr[8], addr[9], addr[10], addr[11],
			addr[12], addr[13], addr[14], addr[15]);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_ipv4(const char *s, uint8_t out[4])
{
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned)(*s - '0');
			if (++digits > 3 || v > 255)
				return false;
			s++;
		}
		if (digits == 0)
			return false;
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (*s != '.')
				return false;
			s++;
		}
	}
	return *s == '\0';
}

/* Parses the textual forms RFC 4291 §2.2 allows, without a resolver. */
static bool parse_ipv6(const char *s, uint8_t out[16])
{
	uint16_t g[8] = { 0 };
	int n = 0, gap = -1, i;

	if (s[0] == ':') {
		if (s[1] != ':')
			return false;
		gap = 0;
		s += 2;
		if (*s == '\0')
			goto done;
	}
	for (;;) {
		unsigned v = 0;
		int digits = 0;
		const char *start = s;

		if (n >= 8)
			return false;
		while (hexval(*s) >= 0) {
			v = (v << 4) | (unsigned)hexval(*s);
			if (++digits > 4)
				return false;
			s++;
		}
		if (*s == '.') {
			uint8_t v4[4];

			if (n > 6 || !parse_ipv4(start, v4))
				return false;
			g[n++] = bytes_load_be16(v4);
			g[n++] = bytes_load_be16(v4 + 2);
			break;
		}
		if (digits == 0)
			return false;
		g[n++] = (uint16_t)v;
		if (*s == '\0')
			break;
		if (*s != ':')
			return false;
		s++;
		if (*s == ':') {
			if (gap >= 0)
				return false;
			gap = n;
			s++;
			if (*s == '\0')
				break;
		}
	}
done:
	if (gap < 0 && n != 8)
		return false;
	if (gap >= 0 && n >= 8)
		return false;
	memset(out, 0, 16);
	if (gap < 0)
		gap = n;
	for (i = 0; i < gap; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
	for (i = gap; i < n; i++) {
		int pos = 8 - (n - i);

		out[2 * pos] = (uint8_t)(g[i] >> 8);
		out[2 * pos + 1] = (uint8_t)g[i];
	}
	return true;
}

int ct_addr_parse(const char *text, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (parse_ipv4(text, addr))
		return CT_L3_IPV4;
	memset(addr, 0, 16);
	if (strchr(text, ':') && parse_ipv6(text, addr))
		return CT_L3_IPV6;
	memset(addr, 0, 16);
	return 0;
}
