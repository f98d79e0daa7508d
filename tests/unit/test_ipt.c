/* \summary: unit tests for the iptables-save reader and writer: matches, targets, errors, counters, samples */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "fw/fw.h"
#include "fw/ipt_save.h"
#include "tests.h"

/* ------------------------------------------------------------------ */
/* a rule's expressions as one line of text, to compare with a table */

struct out {
	char s[4096];
	size_t n;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (o->n >= sizeof(o->s))
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->s + o->n, sizeof(o->s) - o->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
	if (o->n > sizeof(o->s))
		o->n = sizeof(o->s);
}

static void put_hex(struct out *o, const struct fw_val *v)
{
	unsigned i;

	for (i = 0; i < v->len; i++)
		put(o, "%02x", v->b[i]);
}

/* Interface names: the name, 0xff bytes as '~'. */
static void put_name(struct out *o, const struct fw_val *v)
{
	unsigned i;

	put(o, "\"");
	for (i = 0; i < v->len && v->b[i]; i++)
		put(o, "%c", v->b[i] == 0xff ? '~' : v->b[i]);
	put(o, "\"");
}

static bool key_is_name(const struct fw_key *k)
{
	return k->kind == FW_KEY_META && (k->what == FW_META_IIFNAME ||
					  k->what == FW_META_OIFNAME);
}

static void put_key(struct out *o, const struct fw_key *k)
{
	static const char *const metas[] = {
		"iifname", "oifname", "iif", "oif", "nfproto", "l4proto",
		"mark", "pkttype", "length", "protocol", "iiftype", "oiftype",
	};
	static const char *const cts[] = {
		"state", "status", "mark", "zone", "direction", "helper",
		"l3proto", "protocol", "saddr", "daddr", "proto-src",
		"proto-dst", "expiration",
	};
	static const char *const deps[] = {
		"", "ip", "ip6", "tcp", "udp", "udplite", "icmp", "icmpv6",
		"sctp", "dccp", "esp", "ah", "gre", "th",
	};

	switch (k->kind) {
	case FW_KEY_META:
		put(o, "meta %s", metas[k->what]);
		break;
	case FW_KEY_PAYLOAD:
		put(o, "%s@%u/%u:%s", k->what == FW_BASE_NH ? "nh" : "th",
		    k->offset, k->bits, deps[k->dep]);
		break;
	case FW_KEY_CT:
		put(o, "ct %s%s", k->dir == 0 ? "original " : k->dir == 1 ?
		    "reply " : "", k->what == FW_CT_XT_STATE ? "xtstate"
							     : cts[k->what]);
		if (k->family)
			put(o, "%u", k->family);
		if (k->noentry_pass)
			put(o, "?");
		break;
	case FW_KEY_FIB:
		put(o, "fib %s%s%s %s", k->fib_flags & FW_FIB_F_SADDR ? "saddr"
					: "daddr",
		    k->fib_flags & FW_FIB_F_IIF ? " iif" : "",
		    k->fib_flags & FW_FIB_F_OIF ? " oif" : "",
		    k->what == FW_FIB_XT_ADDRTYPE ? "xt" : "type");
		if (k->fib_types)
			put(o, " %x", k->fib_types);
		break;
	case FW_KEY_EXTHDR:
		put(o, "exthdr %u@%u/%u", k->what, k->offset, k->bits);
		break;
	case FW_KEY_EITHER:
		put(o, "either(");
		put_key(o, k + 1);
		put(o, ",");
		put_key(o, k + 2);
		put(o, ")");
		break;
	default:
		put(o, "key?");
	}
}

static void put_expr(struct out *o, const struct fw_ruleset *rs,
		     const struct fw_expr *x)
{
	static const char *const ops[] = {
		"==", "!=", "<", ">", "<=", ">=", "in", "!in", "flags",
		"!flags",
	};
	static const char *const verdicts[] = {
		"continue", "accept", "drop", "queue", "jump", "goto",
		"return", "rejected",
	};
	const struct fw_key *k = x->key != UINT16_MAX ? &rs->keys[x->key]
						      : NULL;

	switch (x->kind) {
	case FW_X_MATCH:
		put_key(o, k);
		if (x->mask.len) {
			put(o, "&");
			put_hex(o, &x->mask);
		}
		put(o, " %s ", ops[x->op]);
		if (x->set >= 0) {
			const struct fw_set *s = &rs->sets[x->set];
			size_t e;

			put(o, "{");
			for (e = 0; e < s->nelems; e++) {
				put(o, "%s", e ? "," : "");
				put_hex(o, &s->elems[e].lo);
				if (memcmp(s->elems[e].lo.b, s->elems[e].hi.b,
					   s->elems[e].lo.len)) {
					put(o, "-");
					put_hex(o, &s->elems[e].hi);
				}
			}
			put(o, "}%s", s->interval ? "i" : "");
		} else if (key_is_name(k)) {
			put_name(o, &x->val);
			if (x->op == FW_OP_IN || x->op == FW_OP_NOTIN) {
				put(o, "-");
				put_name(o, &x->hi);
			}
		} else {
			put_hex(o, &x->val);
			if (x->op == FW_OP_IN || x->op == FW_OP_NOTIN) {
				put(o, "-");
				put_hex(o, &x->hi);
			}
		}
		break;
	case FW_X_COUNTER:
		put(o, "counter");
		if (x->packets || x->nbytes)
			put(o, " %llu:%llu", (unsigned long long)x->packets,
			    (unsigned long long)x->nbytes);
		break;
	case FW_X_VERDICT:
		put(o, "%s", verdicts[x->verdict]);
		if (x->target_name)
			put(o, " %s", x->target_name);
		if (x->verdict == FW_V_QUEUE)
			put(o, " %u%s", x->code, x->queue_bypass ? " bypass"
								 : "");
		break;
	case FW_X_REJECT:
		put(o, "reject %s", x->what == FW_REJ_TCP_RESET ? "tcp-reset"
			: x->what == FW_REJ_ICMP ? "icmp"
			: x->what == FW_REJ_ICMPV6 ? "icmpv6" : "?");
		if (x->what != FW_REJ_TCP_RESET)
			put(o, " %u", x->code);
		break;
	case FW_X_LOG:
		if (x->inv)
			put(o, "nflog \"%s\"", x->text);
		else
			put(o, "log %u \"%s\"", x->what, x->text);
		break;
	case FW_X_LIMIT:
		put(o, "limit %llu/%lluns burst %llu",
		    (unsigned long long)x->rate,
		    (unsigned long long)x->unit_ns,
		    (unsigned long long)x->burst);
		break;
	case FW_X_STATISTIC:
		if (x->every)
			put(o, "%snth %u %u", x->inv ? "!" : "", x->every,
			    x->packet);
		else
			put(o, "%srandom %u", x->inv ? "!" : "",
			    x->probability);
		break;
	case FW_X_META_SET:
	case FW_X_CT_SET:
		if (x->kind == FW_X_CT_SET && x->what == FW_CT_HELPER) {
			put(o, "ct helper = \"%s\"", x->text);
			break;
		}
		put(o, "%s = ", x->kind == FW_X_META_SET ? "meta mark"
							: "ct mark");
		if (!k) {
			put_hex(o, &x->val);
			break;
		}
		put_key(o, k);
		if (x->mask.len) {
			put(o, "&");
			put_hex(o, &x->mask);
		}
		if (x->xor.len) {
			put(o, "^");
			put_hex(o, &x->xor);
		}
		break;
	case FW_X_NOTRACK:
		put(o, "notrack");
		break;
	case FW_X_NAT:
		put(o, "nat %s", x->text);
		break;
	case FW_X_UNKNOWN:
		put(o, "unknown %s", x->text);
		break;
	default:
		put(o, "kind %u", x->kind);
	}
}

static void describe(struct out *o, const struct fw_ruleset *rs,
		     const struct fw_rule *r)
{
	uint32_t k;

	o->n = 0;
	o->s[0] = '\0';
	for (k = r->first; k < r->first + r->n; k++) {
		if (k > r->first)
			put(o, "; ");
		put_expr(o, rs, &rs->exprs[k]);
	}
}

/* ------------------------------------------------------------------ */
/* reading one rule */

/* *TABLE, its chain CHAIN, a user chain DOCKER, and one rule in CHAIN. */
static struct fw_ruleset *read_rule(enum fw_family fam, const char *table,
				    const char *chain, const char *opts,
				    char *err)
{
	char text[2048];
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	int rc;

	snprintf(text, sizeof(text),
		 "*%s\n:%s ACCEPT [0:0]\n:DOCKER - [0:0]\n-A %s %s\nCOMMIT\n",
		 table, chain, chain, opts);
	err[0] = '\0';
	rc = fw_ipt_read(rs, text, strlen(text), fam, "t.txt", err);
	if (rc == 0)
		rc = fw_finish(rs, err);
	if (rc != 0) {
		fw_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

struct row {
	const char *table;     /* NULL: filter */
	const char *opts;
	const char *want;
};

static void check_rows(enum fw_family fam, const struct row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *table = rows[i].table ? rows[i].table : "filter";
		const char *chain = strcmp(table, "filter") == 0 ? "INPUT"
				  : strcmp(table, "nat") == 0 ? "POSTROUTING"
							      : "PREROUTING";
		char err[CT_ERRBUF_SIZE];
		struct fw_ruleset *rs = read_rule(fam, table, chain,
						  rows[i].opts, err);
		struct out o;

		if (!rs) {
			fprintf(stderr, "\nrow %zu \"%s\": %s\n", i,
				rows[i].opts, err);
			CU_FAIL("rule did not read");
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rs->nrules, 1);
		describe(&o, rs, &rs->rules[0]);
		if (strcmp(o.s, rows[i].want) != 0) {
			fprintf(stderr, "\nrow %zu \"%s\":\n  got  %s\n  want %s\n",
				i, rows[i].opts, o.s, rows[i].want);
			CU_FAIL("expressions differ");
		}
		/* unknown: exactly when an expression says so */
		CU_ASSERT_EQUAL(rs->rules[0].unknown,
				strstr(rows[i].want, "unknown") != NULL);
		fw_ruleset_free(rs);
	}
}

/* ------------------------------------------------------------------ */
/* matches */

static void test_ip_part(void)
{
	static const struct row rows[] = {
		{ NULL, "-s 10.0.0.0/8",
		  "nh@96/32:ip in 0a000000-0affffff; counter" },
		{ NULL, "-s 1.2.3.4/32 -j ACCEPT",
		  "nh@96/32:ip == 01020304; counter; accept" },
		{ NULL, "-s 1.2.3.4",
		  "nh@96/32:ip == 01020304; counter" },
		{ NULL, "! -d 192.168.1.7/24",
		  "nh@128/32:ip !in c0a80100-c0a801ff; counter" },
		{ NULL, "-d 10.0.0.0/255.255.0.0",
		  "nh@128/32:ip in 0a000000-0a00ffff; counter" },
		{ NULL, "! -s 10.0.0.0/255.0.255.0",
		  "nh@96/32:ip&ff00ff00 != 0a000000; counter" },
		{ NULL, "-p tcp", "meta l4proto == 06; counter" },
		{ NULL, "! -p udp", "meta l4proto != 11; counter" },
		{ NULL, "-p 47", "meta l4proto == 2f; counter" },
		{ NULL, "-p all", "counter" },
		{ NULL, "--protocol ICMP", "meta l4proto == 01; counter" },
		{ NULL, "-i eth0", "meta iifname == \"eth0\"; counter" },
		{ NULL, "! -o docker0",
		  "meta oifname != \"docker0\"; counter" },
		{ NULL, "-o eth+",
		  "meta oifname in \"eth\"-\"eth~~~~~~~~~~~~~\"; counter" },
		{ NULL, "! -i br-+",
		  "meta iifname !in \"br-\"-\"br-~~~~~~~~~~~~~\"; counter" },
		{ NULL, "-f", "nh@48/16:ip&1fff != 0000; counter" },
		{ NULL, "! -f", "nh@48/16:ip&1fff == 0000; counter" },
		/* the header part comes first, wherever it is written */
		{ NULL, "-m mark --mark 1 -s 1.2.3.4 -p tcp -i lo",
		  "nh@96/32:ip == 01020304; meta iifname == \"lo\"; "
		  "meta l4proto == 06; meta mark == 00000001; counter" },
		{ NULL, "-d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp "
			"-m tcp --dport 80 -j ACCEPT",
		  "nh@128/32:ip == ac110002; meta iifname != \"docker0\"; "
		  "meta oifname == \"docker0\"; meta l4proto == 06; "
		  "th@16/16:tcp == 0050; counter; accept" },
	};

	check_rows(FW_FAM_IP, rows, CT_ARRAY_SIZE(rows));
}

static void test_ports(void)
{
	static const struct row rows[] = {
		{ NULL, "-p tcp -m tcp --dport 80",
		  "meta l4proto == 06; th@16/16:tcp == 0050; counter" },
		{ NULL, "-p tcp --sport 1024:65535",
		  "meta l4proto == 06; th@0/16:tcp in 0400-ffff; counter" },
		{ NULL, "-p udp -m udp ! --dport 53",
		  "meta l4proto == 11; th@16/16:udp != 0035; counter" },
		{ NULL, "-p tcp -m tcp --dport :1023",
		  "meta l4proto == 06; th@16/16:tcp in 0000-03ff; counter" },
		{ NULL, "-p tcp -m tcp --destination-port 8000: "
			"--source-port ssh",
		  "meta l4proto == 06; th@0/16:tcp == 0016; "
		  "th@16/16:tcp in 1f40-ffff; counter" },
		{ NULL, "-p sctp -m sctp --dport 5060",
		  "meta l4proto == 84; th@16/16:sctp == 13c4; counter" },
		{ NULL, "-p dccp --sport 1:2",
		  "meta l4proto == 21; th@0/16:dccp in 0001-0002; counter" },
		{ NULL, "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN",
		  "meta l4proto == 06; th@104/8:tcp&17 == 02; counter" },
		{ NULL, "-p tcp --syn",
		  "meta l4proto == 06; th@104/8:tcp&17 == 02; counter" },
		{ NULL, "-p tcp -m tcp ! --syn",
		  "meta l4proto == 06; th@104/8:tcp&17 != 02; counter" },
		{ NULL, "-p tcp -m tcp --tcp-flags ALL NONE",
		  "meta l4proto == 06; th@104/8:tcp&ff == 00; counter" },
		{ NULL, "-p tcp -m tcp --tcp-option 2 -j DROP",
		  "meta l4proto == 06; unknown -m tcp --tcp-option; counter; "
		  "drop" },
		{ NULL, "-p tcp -m multiport --dports 80,443,8000:8080",
		  "meta l4proto == 06; th@16/16:tcp in "
		  "{0050,01bb,1f40-1f90}i; counter" },
		{ NULL, "-p udp -m multiport ! --sports 53,67",
		  "meta l4proto == 11; th@0/16:udp !in {0035,0043}; counter" },
		{ NULL, "-p udplite -m multiport --destination-ports 9",
		  "meta l4proto == 88; th@16/16:udplite in {0009}; counter" },
		/* xt_multiport's XT_MULTIPORT_EITHER */
		{ NULL, "-p tcp -m multiport --ports 22,80",
		  "meta l4proto == 06; either(th@0/16:tcp,th@16/16:tcp) in "
		  "{0016,0050}; counter" },
		{ NULL, "-p udp -m multiport ! --ports 53,1000:2000",
		  "meta l4proto == 11; either(th@0/16:udp,th@16/16:udp) !in "
		  "{0035,03e8-07d0}i; counter" },
	};

	check_rows(FW_FAM_IP, rows, CT_ARRAY_SIZE(rows));
}

static void test_icmp(void)
{
	static const struct row rows4[] = {
		{ NULL, "-p icmp -m icmp --icmp-type 8",
		  "meta l4proto == 01; th@0/8:icmp == 08; counter" },
		{ NULL, "-p icmp -m icmp --icmp-type 3/4",
		  "meta l4proto == 01; th@0/16:icmp == 0304; counter" },
		{ NULL, "-p icmp -m icmp ! --icmp-type echo-request",
		  "meta l4proto == 01; th@0/8:icmp != 08; counter" },
		{ NULL, "-p icmp -m icmp --icmp-type port-unreachable",
		  "meta l4proto == 01; th@0/16:icmp == 0303; counter" },
		{ NULL, "-p icmp --icmp-type any",
		  "meta l4proto == 01; counter" },
		{ NULL, "-p icmp -m icmp ! --icmp-type any",
		  "meta l4proto == 01; th@0/8:icmp !in 00-ff; counter" },
	};
	static const struct row rows6[] = {
		{ NULL, "-p ipv6-icmp -m icmp6 --icmpv6-type 128",
		  "meta l4proto == 3a; th@0/8:icmpv6 == 80; counter" },
		{ NULL, "-p icmpv6 -m icmp6 --icmpv6-type "
			"neighbour-solicitation",
		  "meta l4proto == 3a; th@0/8:icmpv6 == 87; counter" },
		{ NULL, "-p ipv6-icmp --icmpv6-type 1/4",
		  "meta l4proto == 3a; th@0/16:icmpv6 == 0104; counter" },
	};

	check_rows(FW_FAM_IP, rows4, CT_ARRAY_SIZE(rows4));
	check_rows(FW_FAM_IP6, rows6, CT_ARRAY_SIZE(rows6));
}

static void test_conntrack(void)
{
	static const struct row rows[] = {
		{ NULL, "-m state --state RELATED,ESTABLISHED",
		  "ct state flags 00000006; counter" },
		{ NULL, "-m state ! --state NEW",
		  "ct state !flags 00000008; counter" },
		{ NULL, "-m conntrack --ctstate INVALID",
		  "ct state flags 00000001; counter" },
		{ NULL, "-m conntrack --ctstate UNTRACKED,new",
		  "ct state flags 00000048; counter" },
		/* SNAT/DNAT: the entry's NAT status in the same OR */
		{ NULL, "-m conntrack --ctstate DNAT",
		  "ct xtstate flags 00000200; counter" },
		{ NULL, "-m conntrack --ctstate SNAT,DNAT",
		  "ct xtstate flags 00000300; counter" },
		{ NULL, "-m conntrack ! --ctstate INVALID,UNTRACKED,SNAT",
		  "ct xtstate !flags 00000141; counter" },
		{ NULL, "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT",
		  "ct xtstate !flags 00000206; counter" },
		{ NULL, "-m conntrack --ctstate NEW,DNAT",
		  "ct xtstate flags 00000208; counter" },
		{ NULL, "-m conntrack ! --ctstate DNAT",
		  "ct xtstate !flags 00000200; counter" },
		{ NULL, "-m conntrack --ctstatus ASSURED,SEEN_REPLY",
		  "ct status flags 00000006; counter" },
		{ NULL, "-m conntrack ! --ctstatus CONFIRMED",
		  "ct status !flags 00000008; counter" },
		{ NULL, "-m conntrack --ctorigsrc 10.0.0.0/8 --ctrepldst "
			"1.2.3.4",
		  "ct original saddr4 in 0a000000-0affffff; "
		  "ct reply daddr4 == 01020304; counter" },
		{ NULL, "-m conntrack ! --ctorigdst 10.0.0.1 --ctreplsrc "
			"10.1.0.0/16",
		  "ct original daddr4 != 0a000001; "
		  "ct reply saddr4 in 0a010000-0a01ffff; counter" },
		{ NULL, "-m conntrack --ctorigdstport 80 --ctproto tcp "
			"! --ctreplsrcport 1000:2000",
		  "ct original proto-dst == 0050; "
		  "ct reply proto-src !in 03e8-07d0; ct protocol == 06; "
		  "counter" },
		{ NULL, "-m conntrack --ctdir REPLY",
		  "ct direction == 01; counter" },
		{ NULL, "-m conntrack --ctdir ORIGINAL",
		  "ct direction == 00; counter" },
		/* conntrack_mt(): without an entry only --ctstate counts;
		 * the other options' keys let such a packet pass (?) */
		{ NULL, "-m conntrack --ctstate NEW --ctorigsrc 10.0.0.1",
		  "ct state flags 00000008; ct original saddr4? == 0a000001; "
		  "counter" },
		{ NULL, "-m conntrack --ctstate INVALID --ctorigsrc 10.0.0.1",
		  "ct state flags 00000001; ct original saddr4? == 0a000001; "
		  "counter" },
		{ NULL, "-m conntrack ! --ctstate ESTABLISHED --ctdir REPLY "
			"--ctstatus ASSURED",
		  "ct state !flags 00000002; ct direction? == 01; "
		  "ct status? flags 00000004; counter" },
		{ NULL, "-m conntrack --ctexpire 10:20",
		  "unknown -m conntrack --ctexpire; counter" },
	};
	static const struct row rows6[] = {
		{ NULL, "-m conntrack --ctorigsrc 2001:db8::1",
		  "ct original saddr6 == 20010db8000000000000000000000001; "
		  "counter" },
	};

	check_rows(FW_FAM_IP, rows, CT_ARRAY_SIZE(rows));
	check_rows(FW_FAM_IP6, rows6, CT_ARRAY_SIZE(rows6));
}

static void test_other_matches(void)
{
	static const struct row rows[] = {
		{ NULL, "-m mark --mark 0x4000/0x4000",
		  "meta mark&00004000 == 00004000; counter" },
		{ NULL, "-m mark ! --mark 1",
		  "meta mark != 00000001; counter" },
		{ NULL, "-m connmark --mark 0x10/0xf0",
		  "ct mark&000000f0 == 00000010; counter" },
		{ NULL, "-m comment --comment \"a \\\"b\\\" c\" -j ACCEPT",
		  "counter; accept" },
		/* xt_addrtype: 1 << RTN_* of the address, in the mask */
		{ NULL, "-m addrtype --dst-type LOCAL -j DOCKER",
		  "fib daddr xt flags 00000004; counter; jump DOCKER" },
		{ NULL, "-m addrtype ! --src-type LOCAL,BROADCAST "
			"--dst-type MULTICAST --limit-iface-in",
		  "fib saddr iif xt !flags 0000000c; "
		  "fib daddr iif xt flags 00000020; counter" },
		{ NULL, "-m addrtype --dst-type UNICAST --limit-iface-out",
		  "fib daddr oif xt flags 00000002; counter" },
		{ NULL, "-m iprange --src-range 10.0.0.1-10.0.0.9",
		  "nh@96/32:ip in 0a000001-0a000009; counter" },
		{ NULL, "-m iprange ! --dst-range 10.0.0.1-10.0.0.9",
		  "nh@128/32:ip !in 0a000001-0a000009; counter" },
		{ NULL, "-m length --length 0:100",
		  "meta length in 00000000-00000064; counter" },
		{ NULL, "-m length ! --length 1500",
		  "meta length != 000005dc; counter" },
		/* 5/min: one per 12 s (avg 120000 x 100 us) */
		{ NULL, "-m limit --limit 5/min --limit-burst 10 -j LOG",
		  "limit 1/12000000000ns burst 10; counter; log 4 \"\"" },
		/* the default: 3/hour, burst 5 */
		{ NULL, "-m limit", "limit 1/1200000000000ns burst 5; counter" },
		/* 7/s: avg 10000/7 = 1428, truncated as the kernel does */
		{ NULL, "-m limit --limit 7/second",
		  "limit 1/142800000ns burst 5; counter" },
		{ NULL, "-m statistic --mode random --probability 0.33333333349",
		  "random 715827883; counter" },
		{ NULL, "-m statistic --mode random ! --probability 0.5",
		  "!random 1073741824; counter" },
		{ NULL, "-m statistic --mode nth --every 3 --packet 1",
		  "nth 3 1; counter" },
		{ NULL, "-m statistic --mode nth ! --every 2",
		  "!nth 2 0; counter" },
		{ NULL, "-m ttl --ttl-lt 5", "nh@64/8:ip < 05; counter" },
		{ NULL, "-m ttl ! --ttl-eq 64", "nh@64/8:ip != 40; counter" },
		{ NULL, "-m set --match-set foo src -j DROP",
		  "unknown -m set; counter; drop" },
		{ NULL, "-m recent --name x --rcheck --seconds 60 -j DROP",
		  "unknown -m recent; counter; drop" },
		{ NULL, "-m physdev --physdev-in eth0 ! --physdev-is-bridged "
			"-s 1.2.3.4",
		  "nh@96/32:ip == 01020304; unknown -m physdev; counter" },
		{ NULL, "-m string --algo bm --string \"GET /\" -m owner "
			"--uid-owner 0",
		  "unknown -m string; unknown -m owner; counter" },
	};
	static const struct row rows6[] = {
		{ NULL, "-s 2001:db8::/32",
		  "nh@64/128:ip6 in 20010db8000000000000000000000000-"
		  "20010db8ffffffffffffffffffffffff; counter" },
		{ NULL, "! -d ::1/128", "nh@192/128:ip6 != "
		  "00000000000000000000000000000001; counter" },
		{ NULL, "-m hl --hl-eq 255", "nh@56/8:ip6 == ff; counter" },
		/* ufw's ip6tables rules: routing header type 0 */
		{ NULL, "-m rt --rt-type 0 -j DROP",
		  "exthdr 43@16/8 == 00; counter; drop" },
		{ NULL, "-m rt ! --rt-type 0 --rt-segsleft 1",
		  "unknown -m rt with other options than --rt-type; counter" },
		/* IPv6 has no one type per address: the key answers for
		 * the rule's types (match_type6()) */
		{ NULL, "-m addrtype --dst-type LOCAL,ANYCAST",
		  "fib daddr xt 14 flags 00000014; counter" },
		{ NULL, "-m iprange --src-range ::1-::2",
		  "nh@64/128:ip6 in 00000000000000000000000000000001-"
		  "00000000000000000000000000000002; counter" },
	};

	check_rows(FW_FAM_IP, rows, CT_ARRAY_SIZE(rows));
	check_rows(FW_FAM_IP6, rows6, CT_ARRAY_SIZE(rows6));
}

/* ------------------------------------------------------------------ */
/* targets */

static void test_targets(void)
{
	static const struct row rows[] = {
		{ NULL, "-j DROP", "counter; drop" },
		{ NULL, "-j ACCEPT", "counter; accept" },
		{ NULL, "-j RETURN", "counter; return" },
		{ NULL, "", "counter" },
		{ NULL, "-j DOCKER", "counter; jump DOCKER" },
		{ NULL, "-g DOCKER", "counter; goto DOCKER" },
		{ NULL, "-j REJECT", "counter; reject icmp 3; rejected" },
		{ NULL, "-j REJECT --reject-with icmp-host-prohibited",
		  "counter; reject icmp 10; rejected" },
		{ NULL, "-p tcp -j REJECT --reject-with tcp-reset",
		  "meta l4proto == 06; counter; reject tcp-reset; rejected" },
		{ NULL, "-j REJECT --reject-with admin-prohib",
		  "counter; reject icmp 13; rejected" },
		{ NULL, "-j REJECT --reject-with icmp-net-unreachable",
		  "counter; reject icmp 0; rejected" },
		{ NULL, "-j LOG --log-prefix \"IN: \" --log-level 6 --log-uid",
		  "counter; log 6 \"IN: \"" },
		{ NULL, "-j LOG --log-level debug --log-prefix "
			"\"say \\\"hi\\\" \\\\o/\"",
		  "counter; log 7 \"say \"hi\" \\o/\"" },
		{ NULL, "-j NFLOG --nflog-group 2 --nflog-prefix x",
		  "counter; nflog \"x\"" },
		{ NULL, "-j MARK --set-xmark 0x4000/0x4000",
		  "counter; meta mark = meta mark&ffffbfff^00004000" },
		{ NULL, "-j MARK --set-xmark 0x4000/0x0",
		  "counter; meta mark = meta mark^00004000" },
		{ NULL, "-j MARK --set-mark 0x1",
		  "counter; meta mark = 00000001" },
		{ NULL, "-j MARK --set-mark 0x1/0xf",
		  "counter; meta mark = meta mark&fffffff0^00000001" },
		{ NULL, "-j MARK --and-mark 0xff",
		  "counter; meta mark = meta mark&000000ff" },
		{ NULL, "-j MARK --or-mark 0x100",
		  "counter; meta mark = meta mark&fffffeff^00000100" },
		{ NULL, "-j MARK --xor-mark 0x3",
		  "counter; meta mark = meta mark^00000003" },
		{ NULL, "-j CONNMARK --set-xmark 0x1/0xff",
		  "counter; ct mark = ct mark&ffffff00^00000001" },
		{ NULL, "-j CONNMARK --set-mark 0x7",
		  "counter; ct mark = 00000007" },
		{ NULL, "-j CONNMARK --save-mark --nfmask 0xffffffff "
			"--ctmask 0xffffffff",
		  "counter; ct mark = meta mark" },
		{ NULL, "-j CONNMARK --save-mark --nfmask 0xff --ctmask "
			"0xffffffff",
		  "counter; ct mark = meta mark&000000ff" },
		{ NULL, "-j CONNMARK --restore-mark --nfmask 0xffffffff "
			"--ctmask 0xff",
		  "counter; meta mark = ct mark&000000ff" },
		{ NULL, "-j CONNMARK --restore-mark --mask 0xff",
		  "counter; unknown -j CONNMARK --restore-mark with an nfmask" },
		{ "raw", "-j NOTRACK", "counter; notrack" },
		{ "raw", "-p udp -j CT --notrack",
		  "meta l4proto == 11; counter; notrack" },
		{ "raw", "-p tcp --dport 21 -j CT --helper ftp",
		  "meta l4proto == 06; th@16/16:tcp == 0015; counter; "
		  "ct helper = \"ftp\"" },
		{ "raw", "-j CT --zone 1", "counter; unknown -j CT --zone" },
		{ "nat", "-p tcp -j DNAT --to-destination 172.17.0.2:80",
		  "meta l4proto == 06; counter; "
		  "nat dnat --to-destination 172.17.0.2:80" },
		{ "nat", "-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
		  "nh@96/32:ip in ac110000-ac11ffff; "
		  "meta oifname != \"docker0\"; counter; nat masquerade" },
		{ "nat", "-j MASQUERADE --random-fully",
		  "counter; nat masquerade --random-fully" },
		{ "nat", "-j SNAT --to-source 1.2.3.4 --persistent",
		  "counter; nat snat --to-source 1.2.3.4 --persistent" },
		{ "nat", "-p tcp -j REDIRECT --to-ports 8080",
		  "meta l4proto == 06; counter; nat redirect --to-ports 8080" },
		{ NULL, "-j NFQUEUE --queue-num 3 --queue-bypass",
		  "counter; queue 3 bypass" },
		{ NULL, "-j NFQUEUE --queue-balance 4:7",
		  "counter; queue 4" },
		{ NULL, "-j QUEUE", "counter; queue 0" },
		{ "raw", "-j TRACE", "counter; unknown -j TRACE" },
		{ NULL, "-j AUDIT --type drop", "counter; unknown -j AUDIT" },
		{ "mangle", "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS "
			    "--clamp-mss-to-pmtu",
		  "meta l4proto == 06; th@104/8:tcp&06 == 02; counter; "
		  "unknown -j TCPMSS" },
		/* -c inside the rule, as iptables-restore takes it */
		{ NULL, "-c 5 300 -j ACCEPT", "counter 5:300; accept" },
	};
	static const struct row rows6[] = {
		{ NULL, "-j REJECT", "counter; reject icmpv6 4; rejected" },
		{ NULL, "-j REJECT --reject-with icmp6-adm-prohibited",
		  "counter; reject icmpv6 1; rejected" },
		{ NULL, "-p tcp -j REJECT --reject-with tcp-reset",
		  "meta l4proto == 06; counter; reject tcp-reset; rejected" },
	};

	check_rows(FW_FAM_IP, rows, CT_ARRAY_SIZE(rows));
	check_rows(FW_FAM_IP6, rows6, CT_ARRAY_SIZE(rows6));
}

/* Tables, chains, hooks, priorities, comments, rule numbers. */
static void test_structure(void)
{
	static const char text[] =
		"# Generated by iptables-save v1.8.7\n"
		"*nat\n"
		":PREROUTING ACCEPT [1:60]\n"
		":INPUT ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		":POSTROUTING ACCEPT [0:0]\n"
		":KUBE-MARK-MASQ - [0:0]\n"
		"-A PREROUTING -m comment --comment \"kube: \\\"x\\\"\" "
		"-j KUBE-MARK-MASQ\n"
		"-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n"
		"-A PREROUTING -m comment --comment two -j ACCEPT\n"
		"COMMIT\n"
		"*filter\n"
		":INPUT DROP [7:420]\n"
		":FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -i lo -j ACCEPT\n"
		"COMMIT\n"
		"*mangle\n"
		":OUTPUT ACCEPT [0:0]\n"
		"COMMIT\n"
		"*raw\n"
		":PREROUTING ACCEPT [0:0]\n"
		"COMMIT\n"
		"*security\n"
		":INPUT ACCEPT [0:0]\n"
		"COMMIT\n";
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	char err[CT_ERRBUF_SIZE];
	const struct fw_chain *c;
	int t, k;

	CU_ASSERT_EQUAL_FATAL(fw_ipt_read(rs, text, strlen(text), FW_FAM_IP,
					  "s.txt", err), 0);
	CU_ASSERT_EQUAL_FATAL(fw_finish(rs, err), 0);
	CU_ASSERT_EQUAL(rs->ntables, 5);
	t = fw_find_table(rs, "nat", FW_FAM_IP);
	CU_ASSERT_EQUAL_FATAL(t, 0);
	k = fw_find_chain(rs, t, "PREROUTING");
	c = &rs->chains[k];
	CU_ASSERT_EQUAL(c->hook, FW_HOOK_PREROUTING);
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_DSTNAT);
	CU_ASSERT_EQUAL(c->type, FW_CHAIN_NAT);
	CU_ASSERT_EQUAL(c->pol_packets, 1);
	CU_ASSERT_EQUAL(c->pol_bytes, 60);
	CU_ASSERT_EQUAL(c->nrules, 2);
	/* rule numbers and comments, in chain order after fw_finish() */
	CU_ASSERT_EQUAL(rs->rules[c->first_rule].handle, 1);
	CU_ASSERT_STRING_EQUAL(rs->rules[c->first_rule].comment,
			       "kube: \"x\"");
	CU_ASSERT_EQUAL(rs->rules[c->first_rule + 1].handle, 2);
	CU_ASSERT_STRING_EQUAL(rs->rules[c->first_rule + 1].comment, "two");
	c = &rs->chains[fw_find_chain(rs, t, "INPUT")];
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_SRCNAT);
	c = &rs->chains[fw_find_chain(rs, t, "POSTROUTING")];
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_SRCNAT);
	c = &rs->chains[fw_find_chain(rs, t, "OUTPUT")];
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_DSTNAT);
	c = &rs->chains[fw_find_chain(rs, t, "KUBE-MARK-MASQ")];
	CU_ASSERT_EQUAL(c->hook, FW_HOOK_NONE);
	CU_ASSERT_EQUAL(c->nrules, 1);
	/* the jump resolved */
	{
		const struct fw_rule *r =
			&rs->rules[rs->chains[k].first_rule];
		const struct fw_expr *x = &rs->exprs[r->first + r->n - 1];

		CU_ASSERT_EQUAL(x->verdict, FW_V_JUMP);
		CU_ASSERT_EQUAL(x->target,
				fw_find_chain(rs, t, "KUBE-MARK-MASQ"));
	}
	t = fw_find_table(rs, "filter", FW_FAM_IP);
	c = &rs->chains[fw_find_chain(rs, t, "INPUT")];
	CU_ASSERT_EQUAL(c->policy, FW_V_DROP);
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_FILTER);
	CU_ASSERT_EQUAL(c->type, FW_CHAIN_FILTER);
	t = fw_find_table(rs, "mangle", FW_FAM_IP);
	c = &rs->chains[fw_find_chain(rs, t, "OUTPUT")];
	CU_ASSERT_EQUAL(c->prio, FW_PRIO_MANGLE);
	CU_ASSERT_EQUAL(c->type, FW_CHAIN_ROUTE);
	t = fw_find_table(rs, "raw", FW_FAM_IP);
	CU_ASSERT_EQUAL(rs->chains[fw_find_chain(rs, t, "PREROUTING")].prio,
			FW_PRIO_RAW);
	t = fw_find_table(rs, "security", FW_FAM_IP);
	CU_ASSERT_EQUAL(rs->chains[fw_find_chain(rs, t, "INPUT")].prio,
			FW_PRIO_SECURITY);
	/* every rule has exactly one counter */
	CU_ASSERT_EQUAL(rs->ncounters, rs->nrules);
	fw_ruleset_free(rs);
}

/* ------------------------------------------------------------------ */
/* errors: FILE:LINE: what */

static void test_errors(void)
{
	static const struct {
		int fam;
		const char *text;
		const char *want;      /* the start of the message */
	} rows[] = {
		{ 4, "-A INPUT -j ACCEPT\n", "e.txt:1: a rule before *TABLE" },
		{ 4, "# x\n:INPUT ACCEPT [0:0]\n",
		  "e.txt:2: a chain before *TABLE" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n",
		  "e.txt:3: *filter (line 1) has no COMMIT before the end" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n*nat\nCOMMIT\n",
		  "e.txt:3: *nat: table filter (line 1) has no COMMIT" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A FOO -j ACCEPT\nCOMMIT\n",
		  "e.txt:3: -A FOO: no chain FOO in table filter" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\n"
		     "-A INPUT -j ACCEPT\nCOMMIT\n",
		  "e.txt:3: -j NOPE: no chain NOPE in table filter" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -g NOPE\nCOMMIT\n",
		  "e.txt:3: -j NOPE: no chain NOPE" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		     "-A INPUT -j FORWARD\nCOMMIT\n",
		  "e.txt:4: -j FORWARD: a built-in chain cannot be jumped to" },
		/* addrtype_mt_checkentry_v1() */
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in "
		     "--limit-iface-out\nCOMMIT\n",
		  "e.txt:3: -m addrtype: --limit-iface-in and "
		  "--limit-iface-out exclude each other" },
		{ 6, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m addrtype --dst-type BROADCAST\nCOMMIT\n",
		  "e.txt:3: --dst-type BROADCAST: ip6tables matches" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m addrtype --src-type HOME\nCOMMIT\n",
		  "e.txt:3: --src-type HOME: types are" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m addrtype --limit-iface-in\nCOMMIT\n",
		  "e.txt:3: -m addrtype without --src-type or --dst-type" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n",
		  "e.txt:3: unknown option --dport (no -m or -p loads it)" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m mark --foo 1\nCOMMIT\n",
		  "e.txt:3: unknown option --foo" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -j ACCEPT --log-prefix x\nCOMMIT\n",
		  "e.txt:3: unknown option --log-prefix (not one of -j ACCEPT" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m tcp --dport 22\nCOMMIT\n",
		  "e.txt:3: -m tcp needs -p tcp" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -p udp -m multiport --dports 1,2\n"
		     "-A INPUT -m multiport --dports 1,2\nCOMMIT\n",
		  "e.txt:4: -m multiport needs -p tcp" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 300.1.1.1\n"
		     "COMMIT\n", "e.txt:3: -s 300.1.1.1: not an IPv4" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4/33\n"
		     "COMMIT\n", "e.txt:3: -s 1.2.3.4/33: not an IPv4" },
		{ 6, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4\n"
		     "COMMIT\n", "e.txt:3: -s 1.2.3.4: not an IPv6" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4,5.6.7.8\n"
		     "COMMIT\n", "e.txt:3: -s 1.2.3.4,5.6.7.8: lists" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -p tcp --dport 99999\nCOMMIT\n",
		  "e.txt:3: --dport 99999: not a port" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -p tcp --dport 9:1\nCOMMIT\n",
		  "e.txt:3: --dport 9:1: not a port" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n"
		     "-A INPUT -m comment --comment \"abc\nCOMMIT\n",
		  "e.txt:3: a quote that is not closed" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n[1:x] -A INPUT\nCOMMIT\n",
		  "e.txt:3: counters are [PACKETS:BYTES]" },
		{ 4, "*filter\n:INPUT ACCEPT [1]\nCOMMIT\n",
		  "e.txt:2: :INPUT ACCEPT [1]: counters are" },
		{ 4, "*foo\nCOMMIT\n", "e.txt:1: *foo: not a table" },
		{ 4, "*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n",
		  "e.txt:2: chain FOO: not a built-in chain of table filter" },
		{ 4, "*filter\n:INPUT BOUNCE [0:0]\nCOMMIT\n",
		  "e.txt:2: chain INPUT: policy BOUNCE" },
		{ 4, "*filter\n:FOO - [0:0]\n:FOO - [0:0]\nCOMMIT\n",
		  "e.txt:3: chain FOO declared twice" },
		{ 4, "*filter\n:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123 - [0:0]\nCOMMIT\n",
		  "e.txt:2: chain name \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123\"" },
		{ 4, "*filter\nCOMMIT\n*filter\nCOMMIT\n",
		  "e.txt:3: *filter: the table again" },
		{ 4, "COMMIT\n", "e.txt:1: COMMIT without *TABLE" },
		{ 4, "*filter\nhello\nCOMMIT\n",
		  "e.txt:2: \"hello\": not a line of iptables-save" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j\nCOMMIT\n",
		  "e.txt:3: -j needs a target or chain" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT -j DROP\n"
		     "COMMIT\n", "e.txt:3: more than one -j or -g" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n! -A INPUT\nCOMMIT\n",
		  "e.txt:3: \"! -A INPUT\": not a line" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ! ! -s 1.2.3.4\n"
		     "COMMIT\n", "e.txt:3: ! twice" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4 !\n"
		     "COMMIT\n", "e.txt:3: ! at the end of the rule" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.2.3.4 -s "
		     "1.2.3.5\nCOMMIT\n", "e.txt:3: -s given twice" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic "
		     "--mode nth --every 2 --packet 2\nCOMMIT\n",
		  "e.txt:3: -m statistic: --packet must be below --every" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m statistic "
		     "--mode random --probability 2\nCOMMIT\n",
		  "e.txt:3: --probability 2: a number from 0 to 1" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m limit "
		     "! --limit 1/s\nCOMMIT\n",
		  "e.txt:3: --limit cannot be negated with !" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m limit "
		     "--limit 1/fortnight\nCOMMIT\n",
		  "e.txt:3: --limit 1/fortnight: the unit is" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m state "
		     "--state NEW,DNAT\nCOMMIT\n",
		  "e.txt:3: --state NEW,DNAT: states are" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT "
		     "--reject-with icmp6-no-route\nCOMMIT\n",
		  "e.txt:3: --reject-with icmp6-no-route: unknown reject type" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j MARK\nCOMMIT\n",
		  "e.txt:3: -j MARK without" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i "
		     "abcdefghijklmnopq\nCOMMIT\n",
		  "e.txt:3: -i abcdefghijklmnopq: an interface name" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-I INPUT 1 -j ACCEPT\n"
		     "COMMIT\n", "e.txt:3: -I: not a command" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m\nCOMMIT\n",
		  "e.txt:3: -m needs a match name" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m mark\nCOMMIT\n",
		  "e.txt:3: -m mark without --mark" },
		{ 6, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -f\nCOMMIT\n",
		  "e.txt:3: -f: ip6tables has no -f" },
		{ 6, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p icmp -m icmp "
		     "--icmp-type 8\nCOMMIT\n",
		  "e.txt:3: -m icmp is for iptables (ip6tables: -m icmp6)" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p 58 -m icmp6 "
		     "--icmpv6-type 8\nCOMMIT\n",
		  "e.txt:3: -m icmp6 is for ip6tables (iptables: -m icmp)" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -g ACCEPT\n"
		     "COMMIT\n", "e.txt:3: -g ACCEPT: goto takes a chain" },
		{ 4, "*filter\n:INPUT ACCEPT [0:0]\n[1:2]\nCOMMIT\n",
		  "e.txt:3: counters without a rule" },
	};
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(rows); i++) {
		struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
		char err[CT_ERRBUF_SIZE] = "";
		int rc = fw_ipt_read(rs, rows[i].text, strlen(rows[i].text),
				     rows[i].fam == 4 ? FW_FAM_IP : FW_FAM_IP6,
				     "e.txt", err);

		CU_ASSERT_EQUAL(rc, CT_ERR_PARSE);
		if (strncmp(err, rows[i].want, strlen(rows[i].want)) != 0) {
			fprintf(stderr, "\nerror row %zu:\n  got  %s\n  want %s\n",
				i, err, rows[i].want);
			CU_FAIL("error message differs");
		}
		fw_ruleset_free(rs);
	}
	/* a NUL byte */
	{
		static const char nul[] = "*filter\nCO\0MMIT\n";
		struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
		char err[CT_ERRBUF_SIZE] = "";

		CU_ASSERT_EQUAL(fw_ipt_read(rs, nul, sizeof(nul) - 1, FW_FAM_IP,
					    "n.txt", err), CT_ERR_PARSE);
		CU_ASSERT_STRING_EQUAL(err, "n.txt:2: a NUL byte: not a text "
				       "file");
		fw_ruleset_free(rs);
	}
}

/* ------------------------------------------------------------------ */
/* --counters: written back */

static char *write_str(const struct fw_ruleset *rs, int fam,
		       const uint64_t *pkts, const uint64_t *bytes,
		       const uint64_t *pp, const uint64_t *pb)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return NULL;
	rc = fam < 0 ? fw_ipt_write(f, rs, pkts, bytes, pp, pb)
		     : fw_ipt_write_family(f, rs, (enum fw_family)fam, pkts,
					   bytes, pp, pb);
	fclose(f);
	CU_ASSERT_EQUAL(rc, 0);
	return buf;
}

/* The counters as read, in arrays as the evaluator keeps them. */
static void counters_of(const struct fw_ruleset *rs, uint64_t **pk,
			uint64_t **by, uint64_t **pp, uint64_t **pb)
{
	size_t i;

	*pk = calloc(rs->ncounters + 1, sizeof(**pk));
	*by = calloc(rs->ncounters + 1, sizeof(**by));
	*pp = calloc(rs->nchains + 1, sizeof(**pp));
	*pb = calloc(rs->nchains + 1, sizeof(**pb));
	for (i = 0; i < rs->nexprs; i++)
		if (rs->exprs[i].kind == FW_X_COUNTER &&
		    rs->exprs[i].counter >= 0) {
			(*pk)[rs->exprs[i].counter] = rs->exprs[i].packets;
			(*by)[rs->exprs[i].counter] = rs->exprs[i].nbytes;
		}
	for (i = 0; i < rs->nchains; i++) {
		(*pp)[i] = rs->chains[i].pol_packets;
		(*pb)[i] = rs->chains[i].pol_bytes;
	}
}

static const char counted[] =
	"# Generated by iptables-save v1.8.7 on Tue Mar  5 10:00:00 2024\n"
	"*nat\n"
	":PREROUTING ACCEPT [310:18600]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [402:28140]\n"
	":POSTROUTING ACCEPT [402:28140]\n"
	":DOCKER - [0:0]\n"
	"[296:17760] -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n"
	"[14:840] -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n"
	"[21:1260] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT "
	"--to-destination 172.17.0.2:80\n"
	"COMMIT\n"
	"# Completed on Tue Mar  5 10:00:00 2024\n"
	"# Generated by iptables-save v1.8.7 on Tue Mar  5 10:00:00 2024\n"
	"*filter\n"
	":INPUT DROP [5:300]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [18446744073709551615:1]\n"
	":USER - [0:0]\n"
	"[0:0] -A INPUT -j USER\n"
	"[7:700] -A INPUT -m comment --comment \"say \\\"hi\\\"\" -j ACCEPT\n"
	"[1:2] -A USER -j RETURN\n"
	"COMMIT\n"
	"# Completed on Tue Mar  5 10:00:00 2024\n";

static void test_counters_roundtrip(void)
{
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	char err[CT_ERRBUF_SIZE];
	uint64_t *pk, *by, *pp, *pb;
	char *out;

	CU_ASSERT_EQUAL_FATAL(fw_ipt_read(rs, counted, strlen(counted),
					  FW_FAM_IP, "c.txt", err), 0);
	CU_ASSERT_EQUAL_FATAL(fw_finish(rs, err), 0);
	/* the same counters give the same text */
	counters_of(rs, &pk, &by, &pp, &pb);
	out = write_str(rs, -1, pk, by, pp, pb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, counted);
	free(out);
	/* no arrays: the counts as read */
	out = write_str(rs, -1, NULL, NULL, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(out, counted);
	free(out);
	/* new counts replace the old ones, nothing else changes */
	{
		const struct fw_chain *c =
			&rs->chains[fw_find_chain(rs, 1, "INPUT")];
		const struct fw_rule *r = &rs->rules[c->first_rule + 1];
		uint32_t k;

		for (k = r->first; k < r->first + r->n; k++)
			if (rs->exprs[k].kind == FW_X_COUNTER) {
				pk[rs->exprs[k].counter] = 9;
				by[rs->exprs[k].counter] = 99;
			}
		pp[fw_find_chain(rs, 1, "INPUT")] = 3;
		pb[fw_find_chain(rs, 1, "INPUT")] = 4;
		out = write_str(rs, -1, pk, by, pp, pb);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n[9:99] -A INPUT -m "
					      "comment --comment \"say "
					      "\\\"hi\\\"\" -j ACCEPT\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n:INPUT DROP [3:4]\n"));
		CU_ASSERT_PTR_NULL(strstr(out, "[7:700]"));
		CU_ASSERT_EQUAL(strlen(out), strlen(counted) - 3);
		free(out);
	}
	free(pk);
	free(by);
	free(pp);
	free(pb);
	fw_ruleset_free(rs);
}

/* Without -c: every rule gets its [PACKETS:BYTES]. */
static void test_counters_added(void)
{
	static const char in[] =
		"*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n"
		"COMMIT\n";
	static const char want[] =
		"*filter\n:INPUT ACCEPT [11:22]\n[7:700] -A INPUT -i lo -j "
		"ACCEPT\nCOMMIT\n";
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	char err[CT_ERRBUF_SIZE];
	uint64_t pk[1] = { 7 }, by[1] = { 700 }, pp[1] = { 11 }, pb[1] = { 22 };
	char *out;

	CU_ASSERT_EQUAL_FATAL(fw_ipt_read(rs, in, strlen(in), FW_FAM_IP,
					  "a.txt", err), 0);
	CU_ASSERT_EQUAL_FATAL(fw_finish(rs, err), 0);
	out = write_str(rs, -1, pk, by, pp, pb);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
	fw_ruleset_free(rs);
}

/* ------------------------------------------------------------------ */
/* the sample rulesets */

static char *slurp(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	*len = 0;
	snprintf(path, sizeof(path), "%s/tests/fw/ipt/%s", top ? top : ".",
		 name);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "\n%s: cannot open\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static size_t count_unknown(const struct fw_ruleset *rs)
{
	size_t i, n = 0;

	for (i = 0; i < rs->nrules; i++)
		n += rs->rules[i].unknown;
	return n;
}

static void test_samples(void)
{
	static const struct {
		const char *file;
		enum fw_family fam;
		size_t tables, rules, unknown;
	} samples[] = {
		/* -m addrtype and ! --ctstate RELATED,ESTABLISHED,DNAT
		 * (KUBE-FIREWALL) are read as matches: nothing unknown */
		{ "docker.txt", FW_FAM_IP, 2, 26, 0 },
		{ "kube-proxy.txt", FW_FAM_IP, 3, 61, 0 },
		{ "host6.txt", FW_FAM_IP6, 2, 11, 0 },
	};
	struct fw_ruleset *both = fw_ruleset_new(FW_SRC_IPTABLES);
	char err[CT_ERRBUF_SIZE];
	char *texts[CT_ARRAY_SIZE(samples)];
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(samples); i++) {
		struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
		size_t len;
		char *out;
		int rc;

		texts[i] = slurp(samples[i].file, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(texts[i]);
		rc = fw_ipt_read(rs, texts[i], len, samples[i].fam,
				 samples[i].file, err);
		if (rc == 0)
			rc = fw_finish(rs, err);
		if (rc)
			fprintf(stderr, "\n%s\n", err);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL(rs->ntables, samples[i].tables);
		CU_ASSERT_EQUAL(rs->nrules, samples[i].rules);
		CU_ASSERT_EQUAL(count_unknown(rs), samples[i].unknown);
		if (rs->nrules != samples[i].rules ||
		    count_unknown(rs) != samples[i].unknown)
			fprintf(stderr, "\n%s: %zu rules, %zu unknown\n",
				samples[i].file, rs->nrules, count_unknown(rs));
		/* the counters as read: the text again, but for the [0:0]
		 * kube-proxy.txt lacks */
		out = write_str(rs, -1, NULL, NULL, NULL, NULL);
		if (samples[i].fam == FW_FAM_IP6 ||
		    strcmp(samples[i].file, "docker.txt") == 0)
			CU_ASSERT_STRING_EQUAL(out, texts[i]);
		free(out);
		fw_ruleset_free(rs);
		/* all three into one ruleset (kube-proxy and docker share
		 * table names: only one of them) */
		if (i == 1)
			continue;
		rc = fw_ipt_read(both, texts[i], len, samples[i].fam,
				 samples[i].file, err);
		CU_ASSERT_EQUAL(rc, 0);
	}
	CU_ASSERT_EQUAL(fw_finish(both, err), 0);
	CU_ASSERT_EQUAL(both->ntables, 4);
	{
		char *out4 = write_str(both, FW_FAM_IP, NULL, NULL, NULL, NULL);
		char *out6 = write_str(both, FW_FAM_IP6, NULL, NULL, NULL,
				       NULL);

		CU_ASSERT_STRING_EQUAL(out4, texts[0]);
		CU_ASSERT_STRING_EQUAL(out6, texts[2]);
		free(out4);
		free(out6);
	}
	fw_ruleset_free(both);
	for (i = 0; i < CT_ARRAY_SIZE(samples); i++)
		free(texts[i]);
}

/* The same table of two families, and two families' keys apart. */
static void test_two_families(void)
{
	static const char v4[] = "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n"
				 "-A INPUT -s 1.2.3.4 -j X\nCOMMIT\n";
	static const char v6[] = "*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n"
				 "-A INPUT -s ::1 -j X\nCOMMIT\n";
	struct fw_ruleset *rs = fw_ruleset_new(FW_SRC_IPTABLES);
	char err[CT_ERRBUF_SIZE];
	int t4, t6;
	const struct fw_rule *r;

	CU_ASSERT_EQUAL_FATAL(fw_ipt_read(rs, v4, strlen(v4), FW_FAM_IP,
					  "4.txt", err), 0);
	CU_ASSERT_EQUAL_FATAL(fw_ipt_read(rs, v6, strlen(v6), FW_FAM_IP6,
					  "6.txt", err), 0);
	CU_ASSERT_EQUAL_FATAL(fw_finish(rs, err), 0);
	t4 = fw_find_table(rs, "filter", FW_FAM_IP);
	t6 = fw_find_table(rs, "filter", FW_FAM_IP6);
	CU_ASSERT(t4 >= 0 && t6 >= 0 && t4 != t6);
	r = &rs->rules[rs->chains[fw_find_chain(rs, t6, "INPUT")].first_rule];
	CU_ASSERT_EQUAL(rs->exprs[r->first + r->n - 1].target,
			fw_find_chain(rs, t6, "X"));
	CU_ASSERT_EQUAL(rs->keys[rs->exprs[r->first].key].offset, 64);
	r = &rs->rules[rs->chains[fw_find_chain(rs, t4, "INPUT")].first_rule];
	CU_ASSERT_EQUAL(rs->exprs[r->first + r->n - 1].target,
			fw_find_chain(rs, t4, "X"));
	CU_ASSERT_EQUAL(rs->keys[rs->exprs[r->first].key].offset, 96);
	/* the same table twice in one family is an error */
	CU_ASSERT_EQUAL(fw_ipt_read(rs, v4, strlen(v4), FW_FAM_IP, "4.txt",
				    err), CT_ERR_PARSE);
	CU_ASSERT_STRING_EQUAL(err, "4.txt:1: *filter: the table again (a ip "
			       "table was read before)");
	fw_ruleset_free(rs);
}

int test_ipt_register(void)
{
	CU_pSuite s = CU_add_suite("ipt_save", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "ip header part", test_ip_part) ||
	    !CU_add_test(s, "ports and tcp flags", test_ports) ||
	    !CU_add_test(s, "icmp and icmp6", test_icmp) ||
	    !CU_add_test(s, "state and conntrack", test_conntrack) ||
	    !CU_add_test(s, "other matches", test_other_matches) ||
	    !CU_add_test(s, "targets", test_targets) ||
	    !CU_add_test(s, "tables and chains", test_structure) ||
	    !CU_add_test(s, "errors name file and line", test_errors) ||
	    !CU_add_test(s, "counters round trip", test_counters_roundtrip) ||
	    !CU_add_test(s, "counters added", test_counters_added) ||
	    !CU_add_test(s, "sample rulesets", test_samples) ||
	    !CU_add_test(s, "two families", test_two_families))
		return -1;
	return 0;
}
