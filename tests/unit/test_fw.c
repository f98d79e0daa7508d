/* \summary: unit tests of the firewall: nft JSON rulesets run at the engine's hooks */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/engine.h"
#include "fw/eval.h"
#include "fw/fw.h"
#include "fw/ipt_save.h"
#include "fw/nft_json.h"
#include "fw/route.h"
#include "settings.h"
#include "testlib.h"
#include "tests.h"

#define SEC CT_NSEC_PER_SEC
#define MS (SEC / 1000)

static const uint8_t CLI[4] = { 10, 1, 0, 2 };
static const uint8_t SRV[4] = { 10, 2, 0, 2 };
static const uint8_t RTR[4] = { 10, 1, 0, 1 };

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

/* A rule of a test ruleset: chain name and its expressions (JSON). */
struct trule {
	const char *chain;
	const char *expr;
};

/* A base chain: name, hook, priority, policy. */
struct tchain {
	const char *name;
	const char *hook;          /* NULL: a user chain */
	int prio;
	const char *policy;
};

/* The JSON of table "inet t" with these chains and rules (handles
 * counted from 10), plus extra objects (sets) verbatim. */
static char *ruleset_json(const struct tchain *c, const struct trule *r,
			  const char *extra)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	int handle = 10;

	CU_ASSERT_FATAL(b != NULL);
	n += (size_t)snprintf(b + n, cap - n,
		"{\"nftables\": [{\"table\": {\"family\": \"inet\", "
		"\"name\": \"t\", \"handle\": 1}}");
	for (; c && c->name; c++) {
		if (c->hook)
			n += (size_t)snprintf(b + n, cap - n,
				", {\"chain\": {\"family\": \"inet\", \"table\": "
				"\"t\", \"name\": \"%s\", \"handle\": 2, "
				"\"type\": \"filter\", \"hook\": \"%s\", "
				"\"prio\": %d, \"policy\": \"%s\"}}",
				c->name, c->hook, c->prio, c->policy);
		else
			n += (size_t)snprintf(b + n, cap - n,
				", {\"chain\": {\"family\": \"inet\", \"table\": "
				"\"t\", \"name\": \"%s\", \"handle\": 3}}",
				c->name);
	}
	if (extra)
		n += (size_t)snprintf(b + n, cap - n, ", %s", extra);
	for (; r && r->chain; r++)
		n += (size_t)snprintf(b + n, cap - n,
			", {\"rule\": {\"family\": \"inet\", \"table\": \"t\", "
			"\"chain\": \"%s\", \"handle\": %d, \"expr\": [%s]}}",
			r->chain, handle++, r->expr);
	snprintf(b + n, cap - n, "]}");
	return b;
}

/* What the sink saw of each frame. */
struct fv {
	enum ct_ctstate state;
	enum ct_action action;
	char rule[96];
	bool unknown;
};

struct ft {
	struct ct_settings set;
	struct ct_engine *eng;
	struct fw_ruleset *rs;
	struct fw_state *st;
	struct fv v[64];
	int nv;
	uint64_t frame;
	ct_time now;
};

static void ft_verdict(void *ctx, const struct ct_verdict *v)
{
	struct ft *t = ctx;
	struct fv *f;

	if (t->nv >= 64)
		return;
	f = &t->v[t->nv++];
	f->state = v->state;
	f->action = v->action;
	snprintf(f->rule, sizeof(f->rule), "%s", v->rule ? v->rule : "-");
	f->unknown = v->unknown_rule != NULL;
}

static bool ft_run(void *ctx, enum ct_hook hook, int32_t lo, int32_t hi,
		   struct ct_hookpkt *hp)
{
	return fw_run_hook(ctx, hook, lo, hi, hp);
}

/* The router owns RTR; everything else is forwarded. */
static void ft_route(void *ctx, struct ct_hookpkt *hp)
{
	(void)ctx;
	hp->local = memcmp(hp->pkt->dst, RTR, 4) == 0;
}

/* The input interface every packet arrives on ("" none). */
static char ft_iif[16];

static void ft_enter(void *ctx, struct ct_hookpkt *hp)
{
	(void)ctx;
	memcpy(hp->iifname, ft_iif, sizeof(hp->iifname));
}

/* ruleset: nft JSON, or (ipt) iptables-save text (ip6tables-save with
 * ft_ipt6). */
static bool ft_ipt6;

static void ft_start_text(struct ft *t, const char *text, bool ipt)
{
	char errbuf[CT_ERRBUF_SIZE];
	struct ct_sink sink;
	struct ct_firewall hooks;

	memset(t, 0, sizeof(*t));
	ct_settings_init(&t->set);
	t->rs = fw_ruleset_new(ipt ? FW_SRC_IPTABLES : FW_SRC_NFT_JSON);
	CU_ASSERT_FATAL(t->rs != NULL);
	errbuf[0] = '\0';
	if ((ipt ? fw_ipt_read(t->rs, text, strlen(text),
			       ft_ipt6 ? FW_FAM_IP6 : FW_FAM_IP,
			       "test.txt", errbuf)
		 : fw_nft_read(t->rs, text, strlen(text), "test.json",
			       errbuf)) != 0 ||
	    fw_finish(t->rs, errbuf) != 0)
		fprintf(stderr, "\n%s\n", errbuf);
	CU_ASSERT_FATAL(errbuf[0] == '\0');
	t->st = fw_state_create(t->rs);
	CU_ASSERT_FATAL(t->st != NULL);
	t->eng = ct_engine_create(&t->set);
	CU_ASSERT_FATAL(t->eng != NULL);
	memset(&sink, 0, sizeof(sink));
	sink.ctx = t;
	sink.verdict = ft_verdict;
	CU_ASSERT_FATAL(ct_engine_add_sink(t->eng, &sink) == 0);
	memset(&hooks, 0, sizeof(hooks));
	hooks.ctx = t->st;
	hooks.enter = ft_enter;
	hooks.run = ft_run;
	hooks.route = ft_route;
	ct_engine_set_firewall(t->eng, &hooks);
	t->now = (ct_time)1700000000 * SEC;
}

static void ft_start(struct ft *t, const struct tchain *c,
		     const struct trule *r, const char *extra)
{
	char *json = ruleset_json(c, r, extra);

	ft_start_text(t, json, false);
	free(json);
}

static void ft_stop(struct ft *t)
{
	ct_engine_destroy(t->eng);
	fw_state_destroy(t->st);
	fw_ruleset_free(t->rs);
}

/* Feed one IPv4 packet: TCP (proto 6) with flags/seq/ack, UDP (17), or
 * an ICMP echo request (1); returns its record. */
static const struct fv *ft_send(struct ft *t, uint8_t proto,
				const uint8_t *src, const uint8_t *dst,
				uint16_t sport, uint16_t dport, uint8_t flags,
				uint32_t seq, uint32_t ack)
{
	uint8_t buf[128], *l4 = buf + TL_IPV4_HLEN;
	uint32_t l4len = proto == 6 ? 20 : 8, len;
	struct tl_l4 seg = { proto, l4, l4len,
			     proto == 6 ? 16 : proto == 17 ? 6 : 2 };
	struct ct_pkt pkt;

	memset(l4, 0, l4len);
	if (proto == 1) {
		l4[0] = 8;
		tl_put16(l4 + 4, sport);
		tl_put16(l4 + 6, 1);
	} else {
		tl_put16(l4, sport);
		tl_put16(l4 + 2, dport);
	}
	if (proto == 6) {
		tl_put32(l4 + 4, seq);
		tl_put32(l4 + 8, ack);
		l4[12] = 5 << 4;
		l4[13] = flags;
		tl_put16(l4 + 14, 65535);
	} else if (proto == 17) {
		tl_put16(l4 + 4, 8);
	}
	len = tl_build_ipv4(buf, sizeof(buf), src, dst,
			    (uint16_t)(t->frame + 1), &seg);
	CU_ASSERT_FATAL(tl_pkt_from_bytes(&pkt, buf, len, ++t->frame,
					  t->now));
	ct_engine_packet(t->eng, &pkt);
	t->now += MS;
	CU_ASSERT_FATAL(t->nv == (int)t->frame);
	return &t->v[t->nv - 1];
}

static const struct fv *syn(struct ft *t, uint16_t sport, uint16_t dport)
{
	return ft_send(t, 6, CLI, SRV, sport, dport, F_SYN, 100, 0);
}

#define CT_STATE_IN(states) \
	"{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}}, " \
	"\"right\": " states "}}"
#define TCP_DPORT(op, port) \
	"{\"match\": {\"op\": \"" op "\", \"left\": {\"payload\": " \
	"{\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": " port "}}"
#define COUNTER "{\"counter\": {\"packets\": 0, \"bytes\": 0}}"

/* The example of the firewall issue: policy drop, established accepted,
 * new 8080 accepted, 9443 rejected with a reset. */
static void test_fw_policy_drop(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "drop" }, { NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", CT_STATE_IN("[\"established\", \"related\"]") ", "
			 COUNTER ", {\"accept\": null}" },
		{ "fwd", TCP_DPORT("==", "8080") ", "
			 CT_STATE_IN("\"new\"") ", " COUNTER
			 ", {\"accept\": null}" },
		{ "fwd", TCP_DPORT("==", "9443") ", " COUNTER
			 ", {\"reject\": {\"type\": \"tcp reset\"}}" },
		{ NULL, NULL },
	};
	struct ft t;
	const struct fv *v;
	const uint64_t *pk, *by, *ppk, *pby;

	ft_start(&t, c, r, NULL);
	v = syn(&t, 40000, 8080);
	CU_ASSERT_EQUAL(v->state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(v->action, CT_ACT_ACCEPT);
	CU_ASSERT_STRING_EQUAL(v->rule, "inet t fwd handle 11");
	v = ft_send(&t, 6, SRV, CLI, 8080, 40000, F_SYN | F_ACK, 500, 101);
	CU_ASSERT_EQUAL(v->state, CT_STATE_ESTABLISHED);
	CU_ASSERT_STRING_EQUAL(v->rule, "inet t fwd handle 10");
	v = syn(&t, 40001, 9000);
	CU_ASSERT_EQUAL(v->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(v->rule, "inet t fwd policy drop");
	v = syn(&t, 40002, 9443);
	CU_ASSERT_EQUAL(v->action, CT_ACT_REJECT);
	CU_ASSERT_STRING_EQUAL(v->rule, "inet t fwd handle 12");
	/* a dropped SYN leaves no entry: its retransmission is NEW again */
	v = syn(&t, 40001, 9000);
	CU_ASSERT_EQUAL(v->state, CT_STATE_NEW);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 1);
	fw_state_counters(t.st, &pk, &by, &ppk, &pby);
	CU_ASSERT_EQUAL(pk[0], 1);
	CU_ASSERT_EQUAL(pk[1], 1);
	CU_ASSERT_EQUAL(pk[2], 1);
	CU_ASSERT_EQUAL(by[1], 40);
	CU_ASSERT_EQUAL(ppk[0], 2);
	ft_stop(&t);
}

/* accept ends one base chain, not the hook; drop is final. */
static void test_fw_two_chains(void)
{
	static const struct tchain c[] = {
		{ "early", "forward", -10, "accept" },
		{ "late", "forward", 10, "accept" },
		{ NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "late", TCP_DPORT("==", "22") ", {\"drop\": null}" },
		{ "early", "{\"accept\": null}" },
		{ NULL, NULL },
	};
	struct ft t;

	ft_start(&t, c, r, NULL);
	CU_ASSERT_EQUAL(syn(&t, 40000, 22)->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[0].rule, "inet t late handle 10");
	CU_ASSERT_EQUAL(syn(&t, 40001, 80)->action, CT_ACT_ACCEPT);
	ft_stop(&t);
}

/* jump returns to the next rule; goto does not, and the base chain's
 * policy ends the walk. */
static void test_fw_jump_goto(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "drop" },
		{ "sub", NULL, 0, NULL }, { "sub2", NULL, 0, NULL },
		{ NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", TCP_DPORT("==", "80") ", {\"jump\": {\"target\": \"sub\"}}" },
		{ "fwd", TCP_DPORT("==", "80") ", {\"accept\": null}" },
		{ "fwd", TCP_DPORT("==", "81") ", {\"goto\": {\"target\": \"sub2\"}}" },
		{ "fwd", TCP_DPORT("==", "81") ", {\"accept\": null}" },
		{ "sub", TCP_DPORT("==", "80") ", " COUNTER },
		{ "sub", "{\"return\": null}" },
		{ "sub", "{\"drop\": null}" },
		{ "sub2", COUNTER },
		{ NULL, NULL },
	};
	struct ft t;

	ft_start(&t, c, r, NULL);
	CU_ASSERT_EQUAL(syn(&t, 40000, 80)->action, CT_ACT_ACCEPT);
	CU_ASSERT_STRING_EQUAL(t.v[0].rule, "inet t fwd handle 11");
	CU_ASSERT_EQUAL(syn(&t, 40001, 81)->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[1].rule, "inet t fwd policy drop");
	ft_stop(&t);
}

/* A packet conntrack gives no entry meets "ct state invalid". */
static void test_fw_invalid_no_entry(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "accept" }, { NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", CT_STATE_IN("\"invalid\"") ", " COUNTER
			 ", {\"drop\": null}" },
		{ NULL, NULL },
	};
	struct ft t;
	const struct fv *v;

	ft_start(&t, c, r, NULL);
	/* a SYN/ACK cannot start an entry: INVALID, no entry attached */
	v = ft_send(&t, 6, CLI, SRV, 40000, 80, F_SYN | F_ACK, 1, 1);
	CU_ASSERT_EQUAL(v->state, CT_STATE_INVALID);
	CU_ASSERT_EQUAL(v->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(syn(&t, 40001, 80)->action, CT_ACT_ACCEPT);
	ft_stop(&t);
}

/* notrack before conntrack: the packet is untracked, no entry is made. */
static void test_fw_notrack(void)
{
	static const struct tchain c[] = {
		{ "raw", "prerouting", -300, "accept" },
		{ "fwd", "forward", 0, "drop" },
		{ NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "raw", "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": "
			 "{\"protocol\": \"udp\", \"field\": \"dport\"}}, "
			 "\"right\": 53}}, {\"notrack\": null}" },
		{ "fwd", CT_STATE_IN("\"untracked\"") ", {\"accept\": null}" },
		{ NULL, NULL },
	};
	struct ft t;
	const struct fv *v;

	ft_start(&t, c, r, NULL);
	v = ft_send(&t, 17, CLI, SRV, 5353, 53, 0, 0, 0);
	CU_ASSERT_EQUAL(v->state, CT_STATE_UNTRACKED);
	CU_ASSERT_EQUAL(v->action, CT_ACT_ACCEPT);
	CU_ASSERT_EQUAL(ct_engine_count(t.eng), 0);
	v = ft_send(&t, 17, CLI, SRV, 5353, 54, 0, 0, 0);
	CU_ASSERT_EQUAL(v->action, CT_ACT_DROP);
	ft_stop(&t);
}

/* Verdict maps, named sets with intervals, and the input hook. */
static void test_fw_vmap_sets_input(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "accept" },
		{ "in", "input", 0, "drop" },
		{ "sub", NULL, 0, NULL },
		{ NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", "{\"match\": {\"op\": \"==\", \"left\": {\"payload\": "
			 "{\"protocol\": \"ip\", \"field\": \"saddr\"}}, "
			 "\"right\": \"@bad\"}}, {\"drop\": null}" },
		{ "fwd", "{\"vmap\": {\"key\": {\"payload\": {\"protocol\": "
			 "\"tcp\", \"field\": \"dport\"}}, \"data\": {\"set\": "
			 "[[80, {\"accept\": null}], [81, {\"drop\": null}], "
			 "[82, {\"jump\": {\"target\": \"sub\"}}]]}}}" },
		{ "sub", "{\"drop\": null}" },
		{ "in", "{\"match\": {\"op\": \"==\", \"left\": {\"meta\": "
			 "{\"key\": \"l4proto\"}}, \"right\": \"icmp\"}}, "
			 "{\"accept\": null}" },
		{ NULL, NULL },
	};
	static const char *sets =
		"{\"set\": {\"family\": \"inet\", \"name\": \"bad\", \"table\": "
		"\"t\", \"type\": \"ipv4_addr\", \"handle\": 5, \"flags\": "
		"[\"interval\"], \"elem\": [{\"prefix\": {\"addr\": "
		"\"192.168.0.0\", \"len\": 16}}, {\"range\": [\"10.9.0.1\", "
		"\"10.9.0.9\"]}]}}";
	static const uint8_t BAD1[4] = { 192, 168, 7, 7 };
	static const uint8_t BAD2[4] = { 10, 9, 0, 5 };
	static const uint8_t OK1[4] = { 10, 9, 0, 10 };
	struct ft t;

	ft_start(&t, c, r, sets);
	CU_ASSERT_EQUAL(syn(&t, 1, 80)->action, CT_ACT_ACCEPT);
	CU_ASSERT_EQUAL(syn(&t, 2, 81)->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(syn(&t, 3, 82)->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[2].rule, "inet t sub handle 12");
	CU_ASSERT_EQUAL(syn(&t, 4, 83)->action, CT_ACT_ACCEPT);
	CU_ASSERT_EQUAL(ft_send(&t, 6, BAD1, SRV, 5, 80, F_SYN, 1, 0)->action,
			CT_ACT_DROP);
	CU_ASSERT_EQUAL(ft_send(&t, 6, BAD2, SRV, 5, 80, F_SYN, 1, 0)->action,
			CT_ACT_DROP);
	CU_ASSERT_EQUAL(ft_send(&t, 6, OK1, SRV, 5, 80, F_SYN, 1, 0)->action,
			CT_ACT_ACCEPT);
	/* to the router itself: input, not forward */
	CU_ASSERT_EQUAL(ft_send(&t, 1, CLI, RTR, 7, 0, 0, 0, 0)->action,
			CT_ACT_ACCEPT);
	CU_ASSERT_STRING_EQUAL(t.v[7].rule, "inet t in handle 13");
	CU_ASSERT_EQUAL(ft_send(&t, 6, CLI, RTR, 5, 22, F_SYN, 1, 0)->action,
			CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[8].rule, "inet t in policy drop");
	ft_stop(&t);
}

/* limit rate 2/second burst 2: a burst of 4 at one instant lets 2 pass;
 * a second later 2 more tokens. */
static void test_fw_limit(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "drop" }, { NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", "{\"limit\": {\"rate\": 2, \"burst\": 2, \"per\": "
			 "\"second\"}}, {\"accept\": null}" },
		{ NULL, NULL },
	};
	struct ft t;
	int i, pass = 0;

	ft_start(&t, c, r, NULL);
	for (i = 0; i < 4; i++) {
		t.now -= MS;  /* same instant */
		pass += ft_send(&t, 1, CLI, SRV, (uint16_t)i, 0, 0, 0, 0)
				->action == CT_ACT_ACCEPT;
	}
	CU_ASSERT_EQUAL(pass, 2);
	t.now += SEC;
	pass = 0;
	for (i = 0; i < 4; i++) {
		t.now -= MS;
		pass += ft_send(&t, 1, CLI, SRV, (uint16_t)(10 + i), 0, 0, 0, 0)
				->action == CT_ACT_ACCEPT;
	}
	CU_ASSERT_EQUAL(pass, 2);
	ft_stop(&t);
}

/* An expression ctreplay does not know is never guessed. */
static void test_fw_unknown(void)
{
	static const struct tchain c[] = {
		{ "fwd", "forward", 0, "accept" }, { NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "fwd", "{\"match\": {\"op\": \"==\", \"left\": {\"osf\": "
			 "{\"key\": \"name\"}}, \"right\": \"Linux\"}}, "
			 "{\"drop\": null}" },
		{ NULL, NULL },
	};
	struct ft t;
	const struct fv *v;

	ft_start(&t, c, r, NULL);
	v = syn(&t, 1, 80);
	CU_ASSERT_TRUE(v->unknown);
	CU_ASSERT_EQUAL(fw_state_unknown_hits(t.st), 1);
	CU_ASSERT_TRUE(t.rs->rules[0].unknown);
	ft_stop(&t);
}

/*
 * The router of the fib tests: eth0 10.1.0.1/24 (the client's side),
 * eth1 10.2.0.1/24 (the server's), a blackhole for 10.9.0.0/16, and the
 * local table's entries as `ip -j route show table all` lists them.
 */
static struct fw_iface fib_ifaces[] = {
	{ .name = "eth0", .index = 2, .naddrs = 1,
	  .addrs = { { 4, 24, { 10, 1, 0, 1 } } } },
	{ .name = "eth1", .index = 3, .naddrs = 1,
	  .addrs = { { 4, 24, { 10, 2, 0, 1 } } } },
};

static struct fw_route fib_routes[] = {
	{ 4, { 10, 1, 0, 0 }, 24, "eth0", false, false, FW_RTN_UNICAST,
	  false, false },
	{ 4, { 10, 2, 0, 0 }, 24, "eth1", false, false, FW_RTN_UNICAST,
	  false, false },
	{ 4, { 10, 9, 0, 0 }, 16, "", false, true, FW_RTN_BLACKHOLE, false,
	  false },
	{ 4, { 10, 1, 0, 1 }, 32, "eth0", true, false, FW_RTN_LOCAL, false,
	  false },
	{ 4, { 10, 2, 0, 1 }, 32, "eth1", true, false, FW_RTN_LOCAL, false,
	  false },
	{ 4, { 10, 1, 0, 255 }, 32, "eth0", true, false, FW_RTN_BROADCAST,
	  false, false },
	/* policy routing: a table other than main and local is not
	 * consulted */
	{ 4, { 10, 7, 0, 0 }, 16, "eth0", false, false, FW_RTN_UNICAST,
	  false, true },
};

static const struct fw_net fib_net = {
	fib_ifaces, CT_ARRAY_SIZE(fib_ifaces), CT_ARRAY_SIZE(fib_ifaces),
	fib_routes, CT_ARRAY_SIZE(fib_routes), CT_ARRAY_SIZE(fib_routes),
	true, true,
};

static const uint8_t BCAST[4] = { 10, 1, 0, 255 };
static const uint8_t SPOOF[4] = { 10, 2, 0, 9 };
static const uint8_t HOLE[4] = { 10, 9, 0, 1 };
static const uint8_t POLICY[4] = { 10, 7, 0, 1 };

#define FIB(result, flags) \
	"{\"fib\": {\"result\": \"" result "\", \"flags\": " flags "}}"

/*
 * nft fib: the reverse path filter `fib saddr . iif oif missing drop`
 * (nft_fib4_eval(): the route back to the source must use the input
 * interface) and `fib daddr type` (inet_dev_addr_type()).
 */
static void test_fw_fib(void)
{
	static const struct tchain c[] = {
		{ "pre", "prerouting", 0, "accept" }, { NULL, NULL, 0, NULL },
	};
	static const struct trule r[] = {
		{ "pre", "{\"match\": {\"op\": \"==\", \"left\": "
			 FIB("oif", "[\"saddr\", \"iif\"]")
			 ", \"right\": false}}, {\"drop\": null}" },
		{ "pre", "{\"match\": {\"op\": \"==\", \"left\": "
			 FIB("type", "[\"daddr\"]") ", \"right\": \"local\"}}, "
			 COUNTER },
		{ "pre", "{\"match\": {\"op\": \"==\", \"left\": "
			 FIB("type", "\"daddr\"") ", \"right\": {\"set\": "
			 "[\"broadcast\", \"multicast\"]}}}, "
			 "{\"drop\": null}" },
		{ "pre", "{\"match\": {\"op\": \"==\", \"left\": "
			 FIB("oifname", "[\"daddr\"]") ", \"right\": "
			 "\"eth1\"}}, " COUNTER },
		{ NULL, NULL },
	};
	static const uint8_t MCAST[4] = { 224, 0, 0, 251 };
	static const uint8_t LBCAST[4] = { 255, 255, 255, 255 };
	struct ft t;
	const uint64_t *pk, *by, *ppk, *pby;

	snprintf(ft_iif, sizeof(ft_iif), "eth0");
	ft_start(&t, c, r, NULL);
	fw_state_set_net(t.st, &fib_net);
	/* the client, from its own side: through; the server's route
	 * leaves through eth1 */
	CU_ASSERT_EQUAL(syn(&t, 40000, 80)->action, CT_ACT_ACCEPT);
	/* to the router itself: local */
	CU_ASSERT_EQUAL(ft_send(&t, 6, CLI, RTR, 40001, 22, F_SYN, 1, 0)
			->action, CT_ACT_ACCEPT);
	fw_state_counters(t.st, &pk, &by, &ppk, &pby);
	CU_ASSERT_EQUAL(pk[0], 1);
	CU_ASSERT_EQUAL(pk[1], 1);
	/* a source behind eth1 arriving on eth0, a source with a
	 * blackhole route, one only a policy-routing table knows: the
	 * reverse lookup fails */
	CU_ASSERT_EQUAL(ft_send(&t, 6, SPOOF, SRV, 40002, 80, F_SYN, 1, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "inet t pre handle 10");
	CU_ASSERT_EQUAL(ft_send(&t, 6, HOLE, SRV, 40003, 80, F_SYN, 1, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(ft_send(&t, 6, POLICY, SRV, 40004, 80, F_SYN, 1, 0)
			->action, CT_ACT_DROP);
	/* the subnet's broadcast (a local-table entry), 255.255.255.255
	 * and multicast */
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, BCAST, 5000, 5001, 0, 0, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "inet t pre handle 12");
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, LBCAST, 5000, 5001, 0, 0, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, MCAST, 5000, 5353, 0, 0, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(fw_state_unknown_hits(t.st), 0);
	ft_stop(&t);

	/* without the host's addresses and routes: not guessed */
	ft_start(&t, c, r, NULL);
	CU_ASSERT_TRUE(syn(&t, 40000, 80)->unknown);
	CU_ASSERT_EQUAL(syn(&t, 40000, 80)->action, CT_ACT_ACCEPT);
	/* two frames, each reaching the four fib rules */
	CU_ASSERT_EQUAL(fw_state_unknown_hits(t.st), 8);
	ft_stop(&t);
	ft_iif[0] = '\0';
}

/*
 * iptables matches that are not one comparison: -m addrtype (a route
 * lookup), -m multiport --ports (either port), -m conntrack --ctstate
 * with other options (a packet without an entry is judged by its state
 * alone, conntrack_mt()) and with SNAT/DNAT next to states.
 */
static void test_fw_ipt_matches(void)
{
	static const char text[] =
		"*filter\n"
		":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		"-A INPUT -m addrtype ! --dst-type LOCAL -j DROP\n"
		"-A INPUT -m addrtype --src-type LOCAL --limit-iface-in "
		"-j DROP\n"
		"-A FORWARD -m addrtype --dst-type BROADCAST,MULTICAST "
		"-j DROP\n"
		"-A FORWARD -p tcp -m multiport --ports 22,8000:8100 -j DROP\n"
		"-A FORWARD -p udp -m multiport ! --ports 53 -j DROP\n"
		"-A FORWARD -m conntrack --ctstate INVALID,NEW "
		"--ctorigdst 10.2.0.2 -j ACCEPT\n"
		"-A FORWARD -m conntrack ! --ctstate ESTABLISHED,DNAT "
		"-j DROP\n"
		"-A FORWARD -j ACCEPT\n"
		"COMMIT\n";
	static const uint8_t SRV3[4] = { 10, 2, 0, 3 };
	struct ft t;
	const struct fv *v;

	snprintf(ft_iif, sizeof(ft_iif), "eth0");
	ft_start_text(&t, text, true);
	fw_state_set_net(t.st, &fib_net);
	/* INPUT: to the router's own address on eth0 passes; its other
	 * address is local too (no --limit-iface) */
	CU_ASSERT_EQUAL(ft_send(&t, 6, CLI, RTR, 40000, 22, F_SYN, 1, 0)
			->action, CT_ACT_ACCEPT);
	/* forwarded: the broadcast type; either port */
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, BCAST, 53, 53, 0, 0, 0)->action,
			CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 1");
	CU_ASSERT_EQUAL(syn(&t, 22, 80)->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 2");
	CU_ASSERT_EQUAL(syn(&t, 40001, 8050)->action, CT_ACT_DROP);
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, SRV, 53, 5000, 0, 0, 0)->action,
			CT_ACT_ACCEPT);
	CU_ASSERT_EQUAL(ft_send(&t, 17, CLI, SRV, 5001, 5002, 0, 0, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 3");
	/* NEW to the server: --ctorigdst holds; to another address it
	 * does not, and ! ESTABLISHED,DNAT drops it */
	CU_ASSERT_EQUAL(syn(&t, 40002, 80)->action, CT_ACT_ACCEPT);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 4");
	CU_ASSERT_EQUAL(ft_send(&t, 6, CLI, SRV3, 40003, 80, F_SYN, 1, 0)
			->action, CT_ACT_DROP);
	CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 5");
	/* INVALID without an entry: the state test alone decides, though
	 * the --ctorigdst of rule 4 has no entry to read */
	v = ft_send(&t, 6, CLI, SRV3, 40004, 80, F_SYN | F_ACK, 1, 1);
	CU_ASSERT_EQUAL(v->state, CT_STATE_INVALID);
	CU_ASSERT_EQUAL(v->action, CT_ACT_ACCEPT);
	CU_ASSERT_STRING_EQUAL(v->rule, "filter FORWARD 4");
	/* the SYN/ACK of the accepted connection is ESTABLISHED */
	v = ft_send(&t, 6, SRV, CLI, 80, 40002, F_SYN | F_ACK, 500, 101);
	CU_ASSERT_EQUAL(v->state, CT_STATE_ESTABLISHED);
	CU_ASSERT_STRING_EQUAL(v->rule, "filter FORWARD 6");
	CU_ASSERT_EQUAL(fw_state_unknown_hits(t.st), 0);
	ft_stop(&t);
	ft_iif[0] = '\0';
}

/* ip6tables -m rt --rt-type (rt_mt6()): the routing header's type; a
 * packet without one matches neither the rule nor its negation. */
static void test_fw_ipt_rt(void)
{
	static const char text[] =
		"*filter\n:FORWARD ACCEPT [0:0]\n"
		"-A FORWARD -m rt --rt-type 0 -j DROP\n"
		"-A FORWARD -m rt ! --rt-type 2 -j DROP\n"
		"COMMIT\n";
	static const uint8_t c6[16] = { 0xfd, 0x77, 0, 1, [15] = 2 };
	static const uint8_t s6[16] = { 0xfd, 0x77, 0, 2, [15] = 2 };
	static const uint8_t types[] = { 0, 2, 3 };
	static const char *const want[] = {
		"filter FORWARD 1", "-", "filter FORWARD 2",
	};
	uint8_t buf[128], l4[16];
	struct ct_pkt pkt;
	struct ft t;
	size_t k;

	ft_ipt6 = true;
	ft_start_text(&t, text, true);
	ft_ipt6 = false;
	for (k = 0; k <= CT_ARRAY_SIZE(types); k++) {
		/* a routing header of the type (none for the last), UDP */
		struct tl_l4 seg = { 43, l4, 16, TL_NO_CSUM };
		uint32_t len;

		memset(l4, 0, sizeof(l4));
		l4[0] = 17;
		if (k < CT_ARRAY_SIZE(types))
			l4[2] = types[k];
		else
			seg = (struct tl_l4){ 17, l4 + 8, 8, 6 };
		tl_put16(l4 + 8, 5000);
		tl_put16(l4 + 10, 5001);
		tl_put16(l4 + 12, 8);
		len = tl_build_ipv6(buf, sizeof(buf), c6, s6, &seg);
		CU_ASSERT_FATAL(tl_pkt_from_bytes(&pkt, buf, len, ++t.frame,
						  t.now));
		ct_engine_packet(t.eng, &pkt);
		t.now += MS;
		CU_ASSERT_FATAL(t.nv == (int)t.frame);
		if (k < CT_ARRAY_SIZE(types)) {
			CU_ASSERT_EQUAL(t.v[k].action, strcmp(want[k], "-")
				? CT_ACT_DROP : CT_ACT_ACCEPT);
			if (strcmp(want[k], "-"))
				CU_ASSERT_STRING_EQUAL(t.v[k].rule, want[k]);
		} else {
			CU_ASSERT_EQUAL(t.v[k].action, CT_ACT_ACCEPT);
		}
	}
	/* the routing header behind a hop-by-hop header is found too */
	{
		uint8_t ext[24];
		struct tl_l4 seg = { 0, ext, 24, TL_NO_CSUM };
		uint32_t len;

		memset(ext, 0, sizeof(ext));
		ext[0] = 43;           /* hop-by-hop: 8 bytes, then routing */
		ext[2] = 1;            /* PadN over the rest of it */
		ext[3] = 4;
		ext[8] = 17;           /* routing type 0, then UDP */
		tl_put16(ext + 16, 5000);
		tl_put16(ext + 18, 5001);
		tl_put16(ext + 20, 8);
		len = tl_build_ipv6(buf, sizeof(buf), c6, s6, &seg);
		CU_ASSERT_FATAL(tl_pkt_from_bytes(&pkt, buf, len, ++t.frame,
						  t.now));
		ct_engine_packet(t.eng, &pkt);
		CU_ASSERT_FATAL(t.nv == (int)t.frame);
		CU_ASSERT_EQUAL(t.v[t.nv - 1].action, CT_ACT_DROP);
		CU_ASSERT_STRING_EQUAL(t.v[t.nv - 1].rule, "filter FORWARD 1");
	}
	ft_stop(&t);
}

/* Malformed rulesets: a clear message naming the file and the rule. */
static void test_fw_malformed(void)
{
	static const struct {
		const char *json;
		const char *needle;
	} cases[] = {
		{ "not json", "bad.json:1:" },
		{ "{\"x\": 1}", "no \"nftables\" list" },
		{ "{\"nftables\": [{\"rule\": {\"family\": \"inet\", "
		  "\"table\": \"nope\", \"chain\": \"c\", \"expr\": []}}]}",
		  "unknown table nope" },
		{ "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": "
		  "\"t\"}}, {\"chain\": {\"family\": \"inet\", \"table\": \"t\", "
		  "\"name\": \"c\"}}, {\"rule\": {\"family\": \"inet\", "
		  "\"table\": \"t\", \"chain\": \"c\", \"handle\": 4, \"expr\": "
		  "[{\"match\": {\"op\": \"==\", \"left\": {\"payload\": "
		  "{\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": "
		  "\"300.1.1.1\"}}]}}]}",
		  "chain c, rule handle 4" },
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(cases); i++) {
		struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_NFT_JSON);
		char errbuf[CT_ERRBUF_SIZE] = "";
		int r = fw_nft_read(rs, cases[i].json, strlen(cases[i].json),
				    "bad.json", errbuf);

		CU_ASSERT_NOT_EQUAL(r, 0);
		if (!strstr(errbuf, cases[i].needle))
			fprintf(stderr, "\ncase %zu: %s\n", i, errbuf);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, cases[i].needle));
		fw_ruleset_free(rs);
	}
}

int test_fw_register(void)
{
	CU_pSuite s = CU_add_suite("firewall", NULL, NULL);

	if (!s)
		return CU_get_error();
	if (!CU_add_test(s, "policy drop, reject, established",
			 test_fw_policy_drop) ||
	    !CU_add_test(s, "two base chains on one hook", test_fw_two_chains) ||
	    !CU_add_test(s, "jump returns, goto does not", test_fw_jump_goto) ||
	    !CU_add_test(s, "ct state invalid without an entry",
			 test_fw_invalid_no_entry) ||
	    !CU_add_test(s, "notrack", test_fw_notrack) ||
	    !CU_add_test(s, "verdict maps, interval sets, input",
			 test_fw_vmap_sets_input) ||
	    !CU_add_test(s, "limit on the capture clock", test_fw_limit) ||
	    !CU_add_test(s, "fib: reverse path and address types",
			 test_fw_fib) ||
	    !CU_add_test(s, "iptables addrtype, multiport --ports, "
			 "conntrack options", test_fw_ipt_matches) ||
	    !CU_add_test(s, "ip6tables -m rt", test_fw_ipt_rt) ||
	    !CU_add_test(s, "unknown expressions", test_fw_unknown) ||
	    !CU_add_test(s, "malformed rulesets", test_fw_malformed))
		return CU_get_error();
	return 0;
}
