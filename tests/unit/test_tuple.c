/* \summary: unit tests for tuples and address text (ct/tuple.c) */
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/tuple.h"
#include "tests.h"

/* Address text both ways: what /proc prints (expanded) and what conntrack
 * -E prints (inet_ntop, compressed). */
static const struct {
	const char *in;
	int family;
	const char *compressed;
	const char *expanded;
} addr_rows[] = {
	{ "10.77.1.2", CT_L3_IPV4, "10.77.1.2", "10.77.1.2" },
	{ "0.0.0.0", CT_L3_IPV4, "0.0.0.0", "0.0.0.0" },
	{ "255.255.255.255", CT_L3_IPV4, "255.255.255.255", "255.255.255.255" },
	{ "fd77:1::2", CT_L3_IPV6, "fd77:1::2",
	  "fd77:0001:0000:0000:0000:0000:0000:0002" },
	{ "FD77:0001:0000:0000:0000:0000:0000:0002", CT_L3_IPV6, "fd77:1::2",
	  "fd77:0001:0000:0000:0000:0000:0000:0002" },
	{ "::", CT_L3_IPV6, "::", "0000:0000:0000:0000:0000:0000:0000:0000" },
	{ "::1", CT_L3_IPV6, "::1", "0000:0000:0000:0000:0000:0000:0000:0001" },
	{ "2001:db8::1:0:0:1", CT_L3_IPV6, "2001:db8::1:0:0:1",
	  "2001:0db8:0000:0000:0001:0000:0000:0001" },
	/* a single zero group is not compressed (RFC 5952 4.2.2) */
	{ "2001:db8:0:1:1:1:1:1", CT_L3_IPV6, "2001:db8:0:1:1:1:1:1",
	  "2001:0db8:0000:0001:0001:0001:0001:0001" },
	/* first of two equal runs wins */
	{ "1:0:0:2:0:0:3:4", CT_L3_IPV6, "1::2:0:0:3:4",
	  "0001:0000:0000:0002:0000:0000:0003:0004" },
	{ "fe80::1", CT_L3_IPV6, "fe80::1",
	  "fe80:0000:0000:0000:0000:0000:0000:0001" },
	{ "::ffff:10.0.0.1", CT_L3_IPV6, "::ffff:10.0.0.1",
	  "0000:0000:0000:0000:0000:ffff:0a00:0001" },
	{ "1:2:3:4:5:6:7::", CT_L3_IPV6, "1:2:3:4:5:6:7:0",
	  "0001:0002:0003:0004:0005:0006:0007:0000" },
};

static void test_addr_text(void)
{
	size_t i;

	for (i = 0; i < sizeof(addr_rows) / sizeof(addr_rows[0]); i++) {
		uint8_t a[16];
		char buf[64];
		int fam = ct_addr_parse(addr_rows[i].in, a);

		CU_ASSERT_EQUAL(fam, addr_rows[i].family);
		ct_addr_format(buf, sizeof(buf), (uint8_t)fam, a, false);
		CU_ASSERT_STRING_EQUAL(buf, addr_rows[i].compressed);
		ct_addr_format(buf, sizeof(buf), (uint8_t)fam, a, true);
		CU_ASSERT_STRING_EQUAL(buf, addr_rows[i].expanded);
	}
}

static void test_addr_reject(void)
{
	static const char *bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "a.b.c.d",
		":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
		"1:2:3:4:5:6:7", ":1::", "localhost",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t a[16];

		CU_ASSERT_EQUAL_FATAL(ct_addr_parse(bad[i], a) == 0, 1);
	}
}

static void make_tuple(struct ct_tuple *t, const char *src, const char *dst,
		       uint8_t l4, uint16_t sport, uint16_t dport)
{
	memset(t, 0, sizeof(*t));
	t->l3num = (uint8_t)ct_addr_parse(src, t->src);
	ct_addr_parse(dst, t->dst);
	t->l4num = l4;
	t->sport = sport;
	t->dport = dport;
}

static void test_tuple_equal_hash(void)
{
	struct ct_tuple a, b;

	make_tuple(&a, "10.77.1.2", "10.77.2.2", 6, 52598, 8080);
	make_tuple(&b, "10.77.1.2", "10.77.2.2", 6, 52598, 8080);
	CU_ASSERT_TRUE(ct_tuple_equal(&a, &b));
	CU_ASSERT_EQUAL(ct_tuple_hash(&a, 7), ct_tuple_hash(&b, 7));
	/* any one field changes identity */
	b.sport = 52599;
	CU_ASSERT_FALSE(ct_tuple_equal(&a, &b));
	make_tuple(&b, "10.77.1.2", "10.77.2.2", 17, 52598, 8080);
	CU_ASSERT_FALSE(ct_tuple_equal(&a, &b));
	make_tuple(&b, "10.77.2.2", "10.77.1.2", 6, 52598, 8080);
	CU_ASSERT_FALSE(ct_tuple_equal(&a, &b));
	make_tuple(&b, "10.77.1.2", "10.77.2.2", 6, 52598, 8080);
	b.zone = 1;
	CU_ASSERT_FALSE(ct_tuple_equal(&a, &b));
	CU_ASSERT_EQUAL(ct_tuple_addr_len(&a), 4);
	make_tuple(&b, "fd77:1::2", "fd77:2::2", 6, 1, 2);
	CU_ASSERT_EQUAL(ct_tuple_addr_len(&b), 16);
}

/* Low bits of the hash must spread sequential ports over buckets. */
static void test_tuple_hash_spread(void)
{
	enum { BUCKETS = 256, N = 4096 };
	unsigned count[BUCKETS] = { 0 };
	struct ct_tuple t;
	unsigned i, max = 0;

	for (i = 0; i < N; i++) {
		make_tuple(&t, "10.0.0.1", "10.0.0.2", 6, (uint16_t)(1024 + i),
			   80);
		count[ct_tuple_hash(&t, 0) % BUCKETS]++;
	}
	for (i = 0; i < BUCKETS; i++)
		if (count[i] > max)
			max = count[i];
	/* 16 per bucket on average; a poor hash piles them up */
	CU_ASSERT(max < 40);
}

static void test_icmp_fields(void)
{
	struct ct_tuple t;

	memset(&t, 0, sizeof(t));
	ct_tuple_set_icmp(&t, 8, 0, 6605);
	CU_ASSERT_EQUAL(ct_tuple_icmp_type(&t), 8);
	CU_ASSERT_EQUAL(ct_tuple_icmp_code(&t), 0);
	CU_ASSERT_EQUAL(t.sport, 6605);
	ct_tuple_set_icmp(&t, 3, 13, 0);
	CU_ASSERT_EQUAL(ct_tuple_icmp_type(&t), 3);
	CU_ASSERT_EQUAL(ct_tuple_icmp_code(&t), 13);
}

int test_tuple_register(void)
{
	CU_pSuite s = CU_add_suite("tuple", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	if (!CU_add_test(s, "address text", test_addr_text) ||
	    !CU_add_test(s, "address rejects", test_addr_reject) ||
	    !CU_add_test(s, "equal and hash", test_tuple_equal_hash) ||
	    !CU_add_test(s, "hash spread", test_tuple_hash_spread) ||
	    !CU_add_test(s, "icmp fields", test_icmp_fields))
		return CU_get_error();
	return 0;
}
