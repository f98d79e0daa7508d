/* \summary: the one bounds-checked reader of packet bytes: a view over (pointer, length) */
#ifndef CTREPLAY_BYTES_H
#define CTREPLAY_BYTES_H
/*
 * Every decoder, tracker and helper reads the frame through this, the way
 * every tcpdump printer reads through netdissect.h's GET_BE_U_2() and
 * ND_TCHECK_LEN(), which compare against ndo->ndo_snapend, instead of
 * comparing lengths by hand and then indexing a pointer.  Unlike tcpdump
 * nothing longjmps: a checked read that would pass the end returns false
 * and leaves the value and the cursor as they were, so the caller gives
 * its own reason (the kernel's reasons differ by protocol and by which of
 * the IP length and the captured length fell short).
 *
 * A view is the bytes [p, p + len) and a cursor, off, into them.  Three
 * kinds of access:
 *  - the cursor getters, bytes_get_u8() ... bytes_get_view() and
 *    bytes_skip(): read at off and move past what they read;
 *  - the checked reads at an offset from the start of the view,
 *    bytes_get_u8_at() ... bytes_view_at(), which leave off alone;
 *  - the unchecked reads at an offset, bytes_u8() ... bytes_ptr(), for
 *    fields inside a range that bytes_has() accepted already (tcpdump's
 *    EXTRACT_BE_U_2() after ND_TCHECK_LEN()), and bytes_load_be16() ...
 *    on a bare pointer, for fixed-size buffers that are no view (an
 *    address in a tuple).
 *
 * Lengths and offsets are 32 bits; no check can overflow.  A view holds
 * no state beyond its three fields: nothing static, no allocation, so
 * any thread may read any frame.  All of it is inline: it is read for
 * every frame.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct bytes {
	const uint8_t *p;
	uint32_t len;          /* readable bytes from p */
	uint32_t off;          /* the cursor, 0 <= off <= len */
};

/* ---- loads from a bare pointer: the caller knows the bytes are there */

static inline uint16_t bytes_load_be16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t bytes_load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t bytes_load_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* Two bytes in the host's order, at any alignment: for fields a capture
 * stores in the byte order of the host reading it (libpcap swaps
 * DLT_NFLOG's TLV headers into it, as tcpdump's GET_HE_U_2() expects). */
static inline uint16_t bytes_load_ne16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Four bytes in the host's order, at any alignment: for sums that do not
 * depend on byte order (the IPv4 header checksum). */
static inline uint32_t bytes_load_ne32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void bytes_store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void bytes_store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- views */

/* The len bytes at p, cursor at the start.  A NULL p makes an empty view
 * whatever len says, so no read can reach it. */
static inline struct bytes bytes_view(const uint8_t *p, uint32_t len)
{
	struct bytes b;

	b.p = p;
	b.len = p != NULL ? len : 0;
	b.off = 0;
	return b;
}

/* Bytes from the cursor to the end. */
static inline uint32_t bytes_left(const struct bytes *b)
{
	return b->len - b->off;
}

/* Whether the n bytes at offset off (from the start, not the cursor) are
 * all in the view. */
static inline bool bytes_has(const struct bytes *b, uint32_t off, uint32_t n)
{
	return off <= b->len && b->len - off >= n;
}

/* ---- unchecked reads at an offset inside a range bytes_has() accepted */

static inline const uint8_t *bytes_ptr(const struct bytes *b, uint32_t off)
{
	return b->p != NULL ? b->p + off : NULL;
}

/* The view from the cursor to the end, its own cursor at its start. */
static inline struct bytes bytes_rest(const struct bytes *b)
{
	struct bytes r;

	r.p = bytes_ptr(b, b->off);
	r.len = b->len - b->off;
	r.off = 0;
	return r;
}

static inline uint8_t bytes_u8(const struct bytes *b, uint32_t off)
{
	return b->p[off];
}

static inline uint16_t bytes_be16(const struct bytes *b, uint32_t off)
{
	return bytes_load_be16(b->p + off);
}

static inline uint32_t bytes_be32(const struct bytes *b, uint32_t off)
{
	return bytes_load_be32(b->p + off);
}

static inline uint32_t bytes_le32(const struct bytes *b, uint32_t off)
{
	return bytes_load_le32(b->p + off);
}

/* ---- checked reads at an offset: false, and *v untouched, when short */

static inline bool bytes_get_u8_at(const struct bytes *b, uint32_t off,
				   uint8_t *v)
{
	if (!bytes_has(b, off, 1))
		return false;
	*v = bytes_u8(b, off);
	return true;
}

static inline bool bytes_get_be16_at(const struct bytes *b, uint32_t off,
				     uint16_t *v)
{
	if (!bytes_has(b, off, 2))
		return false;
	*v = bytes_be16(b, off);
	return true;
}

static inline bool bytes_get_ne16_at(const struct bytes *b, uint32_t off,
				     uint16_t *v)
{
	if (!bytes_has(b, off, 2))
		return false;
	*v = bytes_load_ne16(b->p + off);
	return true;
}

static inline bool bytes_get_be32_at(const struct bytes *b, uint32_t off,
				     uint32_t *v)
{
	if (!bytes_has(b, off, 4))
		return false;
	*v = bytes_be32(b, off);
	return true;
}

static inline bool bytes_get_le32_at(const struct bytes *b, uint32_t off,
				     uint32_t *v)
{
	if (!bytes_has(b, off, 4))
		return false;
	*v = bytes_le32(b, off);
	return true;
}

/* The n bytes at offset off as a view of their own (offsets in it count
 * from off); false, *sub untouched, when they are not all there. */
static inline bool bytes_view_at(const struct bytes *b, uint32_t off,
				 uint32_t n, struct bytes *sub)
{
	if (!bytes_has(b, off, n))
		return false;
	sub->p = bytes_ptr(b, off);
	sub->len = n;          /* 0 if p is NULL: b->len is 0 then */
	sub->off = 0;
	return true;
}

/* ---- the cursor: read at off and move past; false, nothing moved and
 * *v untouched, when short */

static inline bool bytes_skip(struct bytes *b, uint32_t n)
{
	if (bytes_left(b) < n)
		return false;
	b->off += n;
	return true;
}

static inline bool bytes_get_u8(struct bytes *b, uint8_t *v)
{
	if (!bytes_get_u8_at(b, b->off, v))
		return false;
	b->off += 1;
	return true;
}

static inline bool bytes_get_be16(struct bytes *b, uint16_t *v)
{
	if (!bytes_get_be16_at(b, b->off, v))
		return false;
	b->off += 2;
	return true;
}

static inline bool bytes_get_be32(struct bytes *b, uint32_t *v)
{
	if (!bytes_get_be32_at(b, b->off, v))
		return false;
	b->off += 4;
	return true;
}

/* The next n bytes as a view of their own. */
static inline bool bytes_get_view(struct bytes *b, uint32_t n,
				  struct bytes *sub)
{
	if (!bytes_view_at(b, b->off, n, sub))
		return false;
	b->off += n;
	return true;
}

#endif
