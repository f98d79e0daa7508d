/* \summary: CUnit suite for the bounds-checked byte reader (src/bytes.h) at every boundary */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "tests.h"
#include "bytes.h"
#include "common.h"

/*
 * Every getter is read through a wrapper of one shape, so that one table
 * drives them all.  A failed read must leave the value alone: the
 * wrappers start from SENTINEL and hand back whatever is there after.
 */
#define SENTINEL 0xdeadbeefu

/* Distinct bytes, high bits set in every other one (sign extension shows). */
static const uint8_t pat[12] = {
	0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0x88, 0x09, 0x8a, 0x0b, 0x8c
};

typedef bool (*at_fn)(const struct bytes *b, uint32_t off, uint32_t *v);
typedef bool (*cur_fn)(struct bytes *b, uint32_t *v);

static bool at_u8(const struct bytes *b, uint32_t off, uint32_t *v)
{
	uint8_t x = 0xa5;
	bool ok = bytes_get_u8_at(b, off, &x);

	*v = ok ? x : (x == 0xa5 ? SENTINEL : 0);
	return ok;
}

static bool at_be16(const struct bytes *b, uint32_t off, uint32_t *v)
{
	uint16_t x = 0xa5a5;
	bool ok = bytes_get_be16_at(b, off, &x);

	*v = ok ? x : (x == 0xa5a5 ? SENTINEL : 0);
	return ok;
}

static bool at_be32(const struct bytes *b, uint32_t off, uint32_t *v)
{
	*v = SENTINEL;
	return bytes_get_be32_at(b, off, v);
}

static bool at_le32(const struct bytes *b, uint32_t off, uint32_t *v)
{
	*v = SENTINEL;
	return bytes_get_le32_at(b, off, v);
}

/* A sub-view's first byte stands for the sub-view itself. */
static bool at_view4(const struct bytes *b, uint32_t off, uint32_t *v)
{
	struct bytes sub = { NULL, 0x5a5a, 7 };
	bool ok = bytes_view_at(b, off, 4, &sub);

	if (!ok) {
		*v = sub.p == NULL && sub.len == 0x5a5a && sub.off == 7
		     ? SENTINEL : 0;
		return false;
	}
	*v = sub.len == 4 && sub.off == 0 && sub.p == b->p + off
	     ? bytes_load_be32(sub.p) : 0;
	return true;
}

static bool cur_u8(struct bytes *b, uint32_t *v)
{
	uint8_t x = 0xa5;
	bool ok = bytes_get_u8(b, &x);

	*v = ok ? x : (x == 0xa5 ? SENTINEL : 0);
	return ok;
}

static bool cur_be16(struct bytes *b, uint32_t *v)
{
	uint16_t x = 0xa5a5;
	bool ok = bytes_get_be16(b, &x);

	*v = ok ? x : (x == 0xa5a5 ? SENTINEL : 0);
	return ok;
}

static bool cur_be32(struct bytes *b, uint32_t *v)
{
	*v = SENTINEL;
	return bytes_get_be32(b, v);
}

static bool cur_skip3(struct bytes *b, uint32_t *v)
{
	*v = SENTINEL;
	if (!bytes_skip(b, 3))
		return false;
	*v = 3;
	return true;
}

static bool cur_view4(struct bytes *b, uint32_t *v)
{
	const uint8_t *at = b->p + b->off;
	struct bytes sub = { NULL, 0x5a5a, 7 };
	bool ok = bytes_get_view(b, 4, &sub);

	if (!ok) {
		*v = sub.p == NULL && sub.len == 0x5a5a && sub.off == 7
		     ? SENTINEL : 0;
		return false;
	}
	*v = sub.len == 4 && sub.off == 0 && sub.p == at
	     ? bytes_load_be32(sub.p) : 0;
	return true;
}

/* The value width bytes at p must give, computed the slow way. */
static uint32_t want_be(const uint8_t *p, uint32_t width)
{
	uint32_t v = 0, i;

	for (i = 0; i < width; i++)
		v = v * 256 + p[i];
	return v;
}

static uint32_t want_le(const uint8_t *p, uint32_t width)
{
	uint32_t v = 0, i;

	for (i = width; i > 0; i--)
		v = v * 256 + p[i - 1];
	return v;
}

static const struct getter {
	const char *name;
	uint32_t width;
	at_fn at;              /* the read at an offset */
	cur_fn cur;            /* the cursor form, if there is one */
	bool le;
	bool skip;             /* cur only moves: its value is the width */
} getters[] = {
	{ "u8", 1, at_u8, cur_u8, false, false },
	{ "be16", 2, at_be16, cur_be16, false, false },
	{ "be32", 4, at_be32, cur_be32, false, false },
	{ "le32", 4, at_le32, NULL, true, false },
	{ "view 4", 4, at_view4, cur_view4, false, false },
	{ "skip 3", 3, NULL, cur_skip3, false, true },
};

/*
 * Where a read of width bytes at off lies against the view's end: the
 * view is off + width + delta bytes long.
 */
static const struct boundary {
	const char *name;
	int delta;
	bool ok;
} boundaries[] = {
	{ "one spare", 1, true },
	{ "exact length", 0, true },
	{ "one short", -1, false },
	{ "all but one short", -100, false },   /* clamped to a zero length */
};

static void report(const struct getter *g, const char *where, uint32_t len,
		   uint32_t off, bool ok, uint32_t v)
{
	fprintf(stderr, "\n  %s, %s: len %u off %u -> %s 0x%x\n", g->name,
		where, len, off, ok ? "read" : "refused", v);
}

/* One read at off of a view over base[0, len): checked against the table. */
static void check_at(const struct getter *g, const char *where,
		     const uint8_t *base, uint32_t len, uint32_t off,
		     bool want_ok)
{
	struct bytes b = bytes_view(base, len);
	uint32_t v, want;
	bool ok;

	if (g->at != NULL) {
		ok = g->at(&b, off, &v);
		want = !want_ok ? SENTINEL :
		       g->le ? want_le(base + off, g->width) :
			       want_be(base + off, g->width);
		if (ok != want_ok || v != want)
			report(g, where, len, off, ok, v);
		CU_ASSERT_EQUAL(ok, want_ok);
		CU_ASSERT_EQUAL(v, want);
		CU_ASSERT_EQUAL(b.off, 0);        /* never moves the cursor */
		CU_ASSERT_EQUAL(b.len, len);
	}
	if (g->cur != NULL && off <= len) {
		b.off = off;
		ok = g->cur(&b, &v);
		want = !want_ok ? SENTINEL :
		       g->skip ? g->width : want_be(base + off, g->width);
		if (ok != want_ok || v != want)
			report(g, where, len, off, ok, v);
		CU_ASSERT_EQUAL(ok, want_ok);
		CU_ASSERT_EQUAL(v, want);
		/* past what it read, or not moved at all */
		CU_ASSERT_EQUAL(b.off, want_ok ? off + g->width : off);
		CU_ASSERT_EQUAL(b.len, len);
	}
}

/* Every getter at every offset, at each boundary of the view's end. */
static void test_boundaries(void)
{
	size_t gi, bi;
	uint32_t off;

	for (gi = 0; gi < CT_ARRAY_SIZE(getters); gi++) {
		const struct getter *g = &getters[gi];

		for (bi = 0; bi < CT_ARRAY_SIZE(boundaries); bi++) {
			const struct boundary *bd = &boundaries[bi];

			for (off = 0; off + g->width + 1 <= sizeof(pat); off++) {
				int len = (int)(off + g->width) + bd->delta;

				if (len < 0)
					len = 0;
				check_at(g, bd->name, pat, (uint32_t)len, off,
					 bd->ok);
			}
		}
	}
}

/* A zero-length view refuses everything, wherever it points (NULL too). */
static void test_zero_length(void)
{
	static const uint8_t *const bases[] = { pat, pat + sizeof(pat), NULL };
	size_t gi, bi;
	uint32_t off;

	for (bi = 0; bi < CT_ARRAY_SIZE(bases); bi++) {
		struct bytes b = bytes_view(bases[bi], 0);

		CU_ASSERT_EQUAL(b.len, 0);
		CU_ASSERT_EQUAL(bytes_left(&b), 0);
		CU_ASSERT_TRUE(bytes_has(&b, 0, 0));
		CU_ASSERT_FALSE(bytes_has(&b, 0, 1));
		CU_ASSERT_FALSE(bytes_has(&b, 1, 0));
		CU_ASSERT_TRUE(bytes_skip(&b, 0));
		CU_ASSERT_FALSE(bytes_skip(&b, 1));
		if (bases[bi] == NULL)
			continue;   /* the getters' oracle reads base */
		for (gi = 0; gi < CT_ARRAY_SIZE(getters); gi++)
			for (off = 0; off < 3; off++)
				check_at(&getters[gi], "zero length",
					 bases[bi], 0, off, false);
	}
}

/* NULL with a length is an empty view: nothing can be read through it. */
static void test_null(void)
{
	struct bytes b = bytes_view(NULL, 100), rest, sub;
	uint32_t v32 = SENTINEL;
	uint16_t v16 = 0x1234;
	uint8_t v8 = 0x56;

	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_PTR_NULL(bytes_ptr(&b, 0));
	CU_ASSERT_FALSE(bytes_get_u8(&b, &v8));
	CU_ASSERT_FALSE(bytes_get_be16(&b, &v16));
	CU_ASSERT_FALSE(bytes_get_be32(&b, &v32));
	CU_ASSERT_FALSE(bytes_get_u8_at(&b, 0, &v8));
	CU_ASSERT_FALSE(bytes_get_le32_at(&b, 0, &v32));
	CU_ASSERT_FALSE(bytes_view_at(&b, 0, 1, &sub));
	CU_ASSERT_TRUE(bytes_view_at(&b, 0, 0, &sub));
	CU_ASSERT_EQUAL(sub.len, 0);
	CU_ASSERT_EQUAL(v8, 0x56);
	CU_ASSERT_EQUAL(v16, 0x1234);
	CU_ASSERT_EQUAL(v32, SENTINEL);
	rest = bytes_rest(&b);
	CU_ASSERT_PTR_NULL(rest.p);
	CU_ASSERT_EQUAL(rest.len, 0);
}

/* Offsets and lengths near 2^32 must not wrap into "inside". */
static void test_overflow(void)
{
	struct bytes b = bytes_view(pat, 8);
	uint32_t v = SENTINEL;
	uint8_t v8 = 0x56;
	struct bytes sub;

	CU_ASSERT_TRUE(bytes_has(&b, 8, 0));
	CU_ASSERT_FALSE(bytes_has(&b, 9, 0));
	CU_ASSERT_FALSE(bytes_has(&b, UINT32_MAX, 2));
	CU_ASSERT_FALSE(bytes_has(&b, 2, UINT32_MAX));
	CU_ASSERT_FALSE(bytes_has(&b, UINT32_MAX - 1, 4));
	CU_ASSERT_FALSE(bytes_get_be32_at(&b, UINT32_MAX - 2, &v));
	CU_ASSERT_FALSE(bytes_get_u8_at(&b, UINT32_MAX, &v8));
	CU_ASSERT_FALSE(bytes_view_at(&b, 4, UINT32_MAX - 2, &sub));
	CU_ASSERT_FALSE(bytes_skip(&b, UINT32_MAX));
	CU_ASSERT_EQUAL(b.off, 0);
	CU_ASSERT_TRUE(bytes_skip(&b, 6));
	CU_ASSERT_FALSE(bytes_skip(&b, UINT32_MAX - 3));
	CU_ASSERT_FALSE(bytes_get_be32(&b, &v));
	CU_ASSERT_EQUAL(b.off, 6);
	CU_ASSERT_EQUAL(v, SENTINEL);
	CU_ASSERT_EQUAL(v8, 0x56);
}

/*
 * Sub-views: reads in one count from its start and stop at its end,
 * though the parent has bytes beyond it; nested twice.
 */
static const struct subcase {
	uint32_t at, len;      /* the sub-view within pat */
} subcases[] = {
	{ 0, 4 }, { 1, 4 }, { 3, 5 }, { 5, 2 }, { 7, 1 }, { 2, 0 }, { 12, 0 },
};

static void test_subviews(void)
{
	struct bytes parent = bytes_view(pat, sizeof(pat));
	size_t si, gi, bi;

	for (si = 0; si < CT_ARRAY_SIZE(subcases); si++) {
		const struct subcase *c = &subcases[si];
		struct bytes sub = { NULL, 0, 0 }, cur = parent;
		struct bytes inner = { NULL, 0, 0 };

		CU_ASSERT_TRUE_FATAL(bytes_view_at(&parent, c->at, c->len,
						   &sub));
		CU_ASSERT_PTR_EQUAL(sub.p, pat + c->at);
		CU_ASSERT_EQUAL(sub.len, c->len);
		CU_ASSERT_EQUAL(sub.off, 0);
		/* the same through the cursor, which moves past it */
		CU_ASSERT_TRUE_FATAL(bytes_skip(&cur, c->at));
		CU_ASSERT_TRUE_FATAL(bytes_get_view(&cur, c->len, &inner));
		CU_ASSERT_EQUAL(cur.off, c->at + c->len);
		CU_ASSERT_PTR_EQUAL(inner.p, sub.p);
		CU_ASSERT_EQUAL(inner.len, sub.len);

		/* every getter at the sub-view's own boundaries */
		for (gi = 0; gi < CT_ARRAY_SIZE(getters); gi++) {
			const struct getter *g = &getters[gi];

			for (bi = 0; bi < CT_ARRAY_SIZE(boundaries); bi++) {
				const struct boundary *bd = &boundaries[bi];
				int off = (int)c->len - (int)g->width - bd->delta;

				if (off < 0 || (uint32_t)off > c->len)
					continue;
				check_at(g, bd->name, sub.p, sub.len,
					 (uint32_t)off, bd->ok);
			}
		}

		/* one byte too many, at either end, is refused */
		CU_ASSERT_FALSE(bytes_view_at(&sub, 0, c->len + 1, &inner));
		CU_ASSERT_FALSE(bytes_view_at(&sub, 1, c->len, &inner));
		/* a sub-view of the sub-view */
		if (c->len >= 2) {
			CU_ASSERT_TRUE(bytes_view_at(&sub, 1, c->len - 1,
						     &inner));
			CU_ASSERT_PTR_EQUAL(inner.p, pat + c->at + 1);
			CU_ASSERT_EQUAL(inner.len, c->len - 1);
		}
	}
	/* past the parent's end */
	{
		struct bytes sub;

		CU_ASSERT_FALSE(bytes_view_at(&parent, 9, 4, &sub));
		CU_ASSERT_FALSE(bytes_view_at(&parent, 13, 0, &sub));
	}
}

/* The rest of a view: from the cursor, its own cursor at 0. */
static void test_rest(void)
{
	struct bytes b = bytes_view(pat, 10), rest;
	uint16_t v16;

	CU_ASSERT_TRUE(bytes_skip(&b, 3));
	rest = bytes_rest(&b);
	CU_ASSERT_PTR_EQUAL(rest.p, pat + 3);
	CU_ASSERT_EQUAL(rest.len, 7);
	CU_ASSERT_EQUAL(rest.off, 0);
	CU_ASSERT_TRUE(bytes_get_be16_at(&rest, 0, &v16));
	CU_ASSERT_EQUAL(v16, 0x8405);
	CU_ASSERT_TRUE(bytes_skip(&b, 7));
	rest = bytes_rest(&b);
	CU_ASSERT_EQUAL(rest.len, 0);
	CU_ASSERT_FALSE(bytes_get_be16_at(&rest, 0, &v16));
}

/* The unchecked loads and the store, against the slow way. */
static void test_loads(void)
{
	struct bytes b = bytes_view(pat, sizeof(pat));
	uint8_t buf[2];
	uint32_t ne, off;

	for (off = 0; off + 4 <= sizeof(pat); off++) {
		CU_ASSERT_EQUAL(bytes_load_be16(pat + off), want_be(pat + off, 2));
		CU_ASSERT_EQUAL(bytes_load_be32(pat + off), want_be(pat + off, 4));
		CU_ASSERT_EQUAL(bytes_load_le32(pat + off), want_le(pat + off, 4));
		memcpy(&ne, pat + off, 4);
		CU_ASSERT_EQUAL(bytes_load_ne32(pat + off), ne);
		CU_ASSERT_EQUAL(bytes_u8(&b, off), pat[off]);
		CU_ASSERT_EQUAL(bytes_be16(&b, off), want_be(pat + off, 2));
		CU_ASSERT_EQUAL(bytes_be32(&b, off), want_be(pat + off, 4));
		CU_ASSERT_EQUAL(bytes_le32(&b, off), want_le(pat + off, 4));
		CU_ASSERT_PTR_EQUAL(bytes_ptr(&b, off), pat + off);
	}
	bytes_store_be16(buf, 0xbeef);
	CU_ASSERT_EQUAL(buf[0], 0xbe);
	CU_ASSERT_EQUAL(buf[1], 0xef);
	CU_ASSERT_EQUAL(bytes_load_be16(buf), 0xbeef);
}

/* A walk to the end with the cursor reads each byte once, then stops. */
static void test_walk(void)
{
	struct bytes b = bytes_view(pat, 7);
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	CU_ASSERT_TRUE(bytes_get_u8(&b, &v8));
	CU_ASSERT_TRUE(bytes_get_be32(&b, &v32));
	CU_ASSERT_EQUAL(v8, 0x01);
	CU_ASSERT_EQUAL(v32, 0x82038405);
	CU_ASSERT_EQUAL(bytes_left(&b), 2);
	CU_ASSERT_FALSE(bytes_get_be32(&b, &v32));      /* two short */
	CU_ASSERT_EQUAL(bytes_left(&b), 2);
	CU_ASSERT_TRUE(bytes_get_be16(&b, &v16));
	CU_ASSERT_EQUAL(v16, 0x8607);
	CU_ASSERT_EQUAL(bytes_left(&b), 0);
	CU_ASSERT_FALSE(bytes_get_u8(&b, &v8));
	CU_ASSERT_EQUAL(v8, 0x01);
	CU_ASSERT_TRUE(bytes_skip(&b, 0));
}

int test_bytes_register(void)
{
	CU_pSuite s = CU_add_suite("bytes", NULL, NULL);

	if (!s)
		return CU_get_error();
	if (!CU_add_test(s, "every getter at the end of a view", test_boundaries) ||
	    !CU_add_test(s, "zero-length views", test_zero_length) ||
	    !CU_add_test(s, "a NULL view", test_null) ||
	    !CU_add_test(s, "offsets near 2^32", test_overflow) ||
	    !CU_add_test(s, "sub-views", test_subviews) ||
	    !CU_add_test(s, "the rest of a view", test_rest) ||
	    !CU_add_test(s, "unchecked loads and the store", test_loads) ||
	    !CU_add_test(s, "a walk with the cursor", test_walk))
		return CU_get_error();
	return 0;
}
