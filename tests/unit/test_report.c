/* \summary: CUnit suite for the reporters: lines byte-exact with the real tools */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ct/conn.h"
#include "ct/event.h"
#include "ct/l4proto.h"
#include "ct/tuple.h"
#include "report/format.h"
#include "report/report.h"
#include "tests.h"

/*
 * Expected lines are copied from output of Linux 6.18 + conntrack-tools
 * 1.4.7 (docs/formats.md, tests/golden, and a lab namespace on the
 * reference machine); only the connection ids, which the kernel derives
 * from a hash, and expiry timestamps, which the kernel stamps when its
 * garbage collector runs, are ctreplay's own.
 */

#define SEC(s) ((ct_time)(s) * CT_NSEC_PER_SEC)

/* Trackers of our own, so the suite does not depend on the real ones. */
static const char *const tcp_names[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

static const char *fake_tcp_state(const struct ct_conn *ct)
{
	return tcp_names[ct->proto.tcp.state];
}

static const struct ct_l4proto fake_tcp = {
	.l4num = 6, .name = "tcp", .state_name = fake_tcp_state,
};
static const struct ct_l4proto fake_udp = { .l4num = 17, .name = "udp" };
static const struct ct_l4proto fake_icmp = { .l4num = 1, .name = "icmp" };
static const struct ct_l4proto fake_icmpv6 = {
	.l4num = 58, .name = "icmpv6",
};
static const struct ct_l4proto fake_generic = {
	.l4num = 255, .name = "unknown",
};

static const struct ct_helper_rule ftp_helper = {
	.name = "ftp", .l4num = 6, .port = 21,
};

/*
 * An entry from src to dst.  For ICMP, a is the echo id and b the request
 * type; the reply tuple gets the matching reply type.  Its timeout was set
 * at `refreshed`.
 */
static void mk_conn(struct ct_conn *ct, const struct ct_l4proto *l4,
		    uint8_t l4num, const char *src, const char *dst,
		    uint16_t a, uint16_t b)
{
	struct ct_tuple *o = &ct->tuple[CT_DIR_ORIGINAL];
	struct ct_tuple *r = &ct->tuple[CT_DIR_REPLY];
	int l3;

	memset(ct, 0, sizeof(*ct));
	l3 = ct_addr_parse(src, o->src);
	CU_ASSERT_FATAL(l3 != 0);
	CU_ASSERT_FATAL(ct_addr_parse(dst, o->dst) == l3);
	o->l3num = (uint8_t)l3;
	o->l4num = l4num;
	*r = *o;
	memcpy(r->src, o->dst, sizeof(r->src));
	memcpy(r->dst, o->src, sizeof(r->dst));
	if (l4num == 1 || l4num == 58) {
		uint8_t reply = l4num == 1 ? 0 : 129;

		ct_tuple_set_icmp(o, (uint8_t)b, 0, a);
		ct_tuple_set_icmp(r, reply, 0, a);
	} else if (l4num == 6 || l4num == 17) {
		o->sport = a;
		o->dport = b;
		r->sport = b;
		r->dport = a;
	}
	ct->l4 = l4;
	ct->id = 1;
	ct->status = CT_IPS_CONFIRMED;
	ct->counted = true;
}

static void set_timer(struct ct_conn *ct, ct_time refreshed, uint32_t timeout)
{
	ct->refreshed = refreshed;
	ct->timeout = timeout;
}

/* ------------------------------------------------------------ /proc */

struct proc_case {
	const char *name;
	void (*build)(struct ct_conn *ct);
	ct_time now;
	const char *expect;
};

static void proc_tcp_time_wait(struct ct_conn *ct)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 34414, 8080);
	ct->proto.tcp.state = 7;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	set_timer(ct, SEC(1000), 120);
}

static void proc_udp_unreplied(struct ct_conn *ct)
{
	mk_conn(ct, &fake_udp, 17, "10.77.1.2", "10.77.2.2", 47236, 5353);
	set_timer(ct, SEC(1000), 30);
}

static void proc_icmp(struct ct_conn *ct)
{
	mk_conn(ct, &fake_icmp, 1, "10.77.1.2", "10.77.2.2", 6605, 8);
	ct->status |= CT_IPS_SEEN_REPLY;
	set_timer(ct, SEC(1000), 30);
}

static void proc_udp6(struct ct_conn *ct)
{
	mk_conn(ct, &fake_udp, 17, "fd77:1::2", "fd77:2::2", 55580, 5353);
	set_timer(ct, SEC(1000), 30);
}

static void proc_icmpv6(struct ct_conn *ct)
{
	mk_conn(ct, &fake_icmpv6, 58, "2001:db8::1", "2001:db8::2", 7, 128);
	ct->status |= CT_IPS_SEEN_REPLY;
	set_timer(ct, SEC(1000), 30);
}

static void proc_generic(struct ct_conn *ct)
{
	mk_conn(ct, &fake_generic, 50, "10.0.0.1", "10.0.0.2", 0, 0);
	set_timer(ct, SEC(1000), 600);
}

/* nf_conntrack_acct=1, nf_conntrack_timestamp=1: the packets=/bytes= and
 * delta-time= fields of net/netfilter/nf_conntrack_standalone.c,
 * ct_seq_show() (seq_print_acct(), ct_show_delta_time()) */
static void proc_acct_tstamp(struct ct_conn *ct)
{
	mk_conn(ct, &fake_tcp, 6, "192.168.1.10", "192.168.1.20", 51000, 22);
	ct->proto.tcp.state = 3;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ct->acct = true;
	ct->tstamp = true;
	ct->packets[0] = 12;
	ct->bytes[0] = 2104;
	ct->packets[1] = 10;
	ct->bytes[1] = 3528;
	ct->start = SEC(958) - 300000000;
	set_timer(ct, SEC(1000), 432000);
}

/* the helper extension of the FTP control entries below */
static struct ct_conn_ext ftp_ext;

/* golden ftp-active-v4: the control entry with a live data child */
static void proc_ftp_master(struct ct_conn *ct)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 56294, 21);
	ct->proto.tcp.state = 7;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED | CT_IPS_HELPER;
	ct->ext = &ftp_ext;
	memset(&ftp_ext, 0, sizeof(ftp_ext));
	ftp_ext.helper = &ftp_helper;
	ftp_ext.use = 1;
	set_timer(ct, SEC(1000), 120);
}

static void proc_mark_zone(struct ct_conn *ct)
{
	proc_udp_unreplied(ct);
	ct->mark = 4711;
	ct->tuple[0].zone = 3;
	ct->tuple[1].zone = 3;
}

static const struct proc_case proc_cases[] = {
	{ "tcp TIME_WAIT", proc_tcp_time_wait, SEC(1002) - 1,
	  "ipv4     2 tcp      6 118 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 "
	  "sport=34414 dport=8080 src=10.77.2.2 dst=10.77.1.2 sport=8080 "
	  "dport=34414 [ASSURED] mark=0 zone=0 use=2" },
	{ "udp unreplied", proc_udp_unreplied, SEC(1001) + 500000000,
	  "ipv4     2 udp      17 28 src=10.77.1.2 dst=10.77.2.2 sport=47236 "
	  "dport=5353 [UNREPLIED] src=10.77.2.2 dst=10.77.1.2 sport=5353 "
	  "dport=47236 mark=0 zone=0 use=2" },
	{ "icmp", proc_icmp, SEC(1000) + 500000000,
	  "ipv4     2 icmp     1 29 src=10.77.1.2 dst=10.77.2.2 type=8 code=0 "
	  "id=6605 src=10.77.2.2 dst=10.77.1.2 type=0 code=0 id=6605 mark=0 "
	  "zone=0 use=2" },
	{ "udp ipv6 expanded", proc_udp6, SEC(1000) + 700000000,
	  "ipv6     10 udp      17 29 "
	  "src=fd77:0001:0000:0000:0000:0000:0000:0002 "
	  "dst=fd77:0002:0000:0000:0000:0000:0000:0002 sport=55580 dport=5353 "
	  "[UNREPLIED] src=fd77:0002:0000:0000:0000:0000:0000:0002 "
	  "dst=fd77:0001:0000:0000:0000:0000:0000:0002 sport=5353 "
	  "dport=55580 mark=0 zone=0 use=2" },
	{ "icmpv6", proc_icmpv6, SEC(1000) + 500000000,
	  "ipv6     10 icmpv6   58 29 "
	  "src=2001:0db8:0000:0000:0000:0000:0000:0001 "
	  "dst=2001:0db8:0000:0000:0000:0000:0000:0002 type=128 code=0 id=7 "
	  "src=2001:0db8:0000:0000:0000:0000:0000:0002 "
	  "dst=2001:0db8:0000:0000:0000:0000:0000:0001 type=129 code=0 id=7 "
	  "mark=0 zone=0 use=2" },
	{ "generic", proc_generic, SEC(1003) + 500000000,
	  "ipv4     2 unknown  50 596 src=10.0.0.1 dst=10.0.0.2 [UNREPLIED] "
	  "src=10.0.0.2 dst=10.0.0.1 mark=0 zone=0 use=2" },
	{ "acct and timestamp", proc_acct_tstamp, SEC(1000) + 500000000,
	  "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.1.10 "
	  "dst=192.168.1.20 sport=51000 dport=22 packets=12 bytes=2104 "
	  "src=192.168.1.20 dst=192.168.1.10 sport=22 dport=51000 packets=10 "
	  "bytes=3528 [ASSURED] mark=0 zone=0 delta-time=42 use=2" },
	{ "ftp master use=3, no helper", proc_ftp_master,
	  SEC(1000) + 500000000,
	  "ipv4     2 tcp      6 119 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 "
	  "sport=56294 dport=21 src=10.77.2.2 dst=10.77.1.2 sport=21 "
	  "dport=56294 [ASSURED] mark=0 zone=0 use=3" },
	{ "mark and zone", proc_mark_zone, SEC(1029) + 999999999,
	  "ipv4     2 udp      17 0 src=10.77.1.2 dst=10.77.2.2 sport=47236 "
	  "dport=5353 [UNREPLIED] src=10.77.2.2 dst=10.77.1.2 sport=5353 "
	  "dport=47236 mark=4711 zone=3 use=2" },
};

static void test_proc_lines(void)
{
	struct report_line l;
	struct ct_conn ct;
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(proc_cases); i++) {
		const struct proc_case *c = &proc_cases[i];

		c->build(&ct);
		report_line_init(&l);
		report_fmt_proc(&l, &ct, c->now, 250);
		if (strcmp(l.buf, c->expect) != 0)
			fprintf(stderr, "\n%s:\n got  %s\n want %s\n", c->name,
				l.buf, c->expect);
		CU_ASSERT_STRING_EQUAL(l.buf, c->expect);
	}
}

/* ----------------------------------------------------------- events */

struct event_case {
	const char *name;
	void (*build)(struct ct_conn *ct, struct ct_event *ev);
	unsigned oflags;
	const char *expect;
};

#define O_TE (REPORT_O_TIMESTAMP | REPORT_O_EXTENDED)

static void ev_init(struct ct_event *ev, const struct ct_conn *ct,
		    enum ct_ev_type type, uint32_t bits, ct_time ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->bits = bits;
	ev->ts = ts;
	ev->frame = 1;
	ev->ct = ct;
}

static void tcp_34414(struct ct_conn *ct, uint8_t state, uint32_t status)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 34414, 8080);
	ct->proto.tcp.state = state;
	ct->status |= status;
}

/* the microseconds are cut, not rounded: ...269844999 ns prints 269844 */
static void ev_tcp_new(struct ct_conn *ct, struct ct_event *ev)
{
	tcp_34414(ct, 1, 0);
	ev_init(ev, ct, CT_EV_NEW, CT_IPCT_NEW | CT_IPCT_PROTOINFO,
		1795343163269844999LL);
	ev->has_timeout = true;
	ev->timeout = 120;
	ev->has_protoinfo = true;
}

static void ev_tcp_syn_recv(struct ct_conn *ct, struct ct_event *ev)
{
	tcp_34414(ct, 2, CT_IPS_SEEN_REPLY);
	ev_init(ev, ct, CT_EV_UPDATE, CT_IPCT_REPLY | CT_IPCT_PROTOINFO,
		1795343163269999000LL);
	ev->has_timeout = true;
	ev->timeout = 60;
	ev->has_protoinfo = true;
}

static void ev_tcp_established(struct ct_conn *ct, struct ct_event *ev)
{
	tcp_34414(ct, 3, CT_IPS_SEEN_REPLY | CT_IPS_ASSURED);
	ev_init(ev, ct, CT_EV_UPDATE, CT_IPCT_ASSURED | CT_IPCT_PROTOINFO,
		1795343163270009000LL);
	ev->has_timeout = true;
	ev->timeout = 432000;
	ev->has_protoinfo = true;
}

/* refused: the RST kills the entry, the message keeps time left + state */
static void ev_tcp_refused(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 53144, 9999);
	ct->proto.tcp.state = 8;
	ev_init(ev, ct, CT_EV_DESTROY, CT_IPCT_DESTROY, 1795343163282534000LL);
	ev->has_timeout = true;
	ev->timeout = 120;
	ev->has_protoinfo = true;
	ev->cause = CT_DC_KILLED;
}

static void ev_icmpv6_new(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_icmpv6, 58, "fd77:1::2", "fd77:2::2", 5943, 128);
	ev_init(ev, ct, CT_EV_NEW, CT_IPCT_NEW, 1795343542336824000LL);
	ev->has_timeout = true;
	ev->timeout = 30;
}

/* an expired entry: no timeout field, and UDP has no state */
static void ev_udp_expired(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_udp, 17, "127.0.0.1", "127.0.0.1", 40355, 5353);
	ct->acct = true;
	ct->tstamp = true;
	ct->packets[0] = 1;
	ct->bytes[0] = 30;
	ct->start = 1795347661801199000LL;
	ev_init(ev, ct, CT_EV_DESTROY, CT_IPCT_DESTROY,
		1795347663801199000LL);
	ev->frame = 0;
	ev->cause = CT_DC_EXPIRED;
}

/* expired TIME_WAIT with acct, tstamp and -o id: state kept, no timeout */
static void ev_tcp_expired_id(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_tcp, 6, "127.0.0.1", "127.0.0.1", 55910, 7777);
	ct->proto.tcp.state = 7;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ct->acct = true;
	ct->tstamp = true;
	ct->packets[0] = 5;
	ct->bytes[0] = 274;
	ct->packets[1] = 3;
	ct->bytes[1] = 164;
	ct->id = 1805116485;
	ct->start = 1795347662112770000LL;
	ev_init(ev, ct, CT_EV_DESTROY, CT_IPCT_DESTROY,
		1795347665113089000LL);
	ev->has_protoinfo = true;
	ev->cause = CT_DC_EXPIRED;
}

/* REPLY-only UPDATE of a mid-stream pickup: no state in the message */
static void ev_update_no_state(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 53684, 8080);
	ct->proto.tcp.state = 3;
	ct->status |= CT_IPS_SEEN_REPLY;
	ev_init(ev, ct, CT_EV_UPDATE, CT_IPCT_REPLY, SEC(1795343200));
	ev->has_timeout = true;
	ev->timeout = 2;
}

static void ftp_ctl(struct ct_conn *ct)
{
	mk_conn(ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 56294, 21);
	ct->ext = &ftp_ext;
	memset(&ftp_ext, 0, sizeof(ftp_ext));
	ftp_ext.helper = &ftp_helper;
	ct->status |= CT_IPS_HELPER;
}

static void ev_ftp_new(struct ct_conn *ct, struct ct_event *ev)
{
	ftp_ctl(ct);
	ct->proto.tcp.state = 1;
	ev_init(ev, ct, CT_EV_NEW,
		CT_IPCT_NEW | CT_IPCT_PROTOINFO | CT_IPCT_HELPER,
		1795347571254034000LL);
	ev->has_timeout = true;
	ev->timeout = 120;
	ev->has_protoinfo = true;
}

static void ev_ftp_established(struct ct_conn *ct, struct ct_event *ev)
{
	ftp_ctl(ct);
	ct->proto.tcp.state = 3;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ev_init(ev, ct, CT_EV_UPDATE, CT_IPCT_ASSURED | CT_IPCT_PROTOINFO,
		1795347571254106000LL);
	ev->has_timeout = true;
	ev->timeout = 432000;
	ev->has_protoinfo = true;
}

/* DESTROY messages never carry the helper */
static void ev_ftp_destroy(struct ct_conn *ct, struct ct_event *ev)
{
	ftp_ctl(ct);
	ct->proto.tcp.state = 7;
	ct->status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ev_init(ev, ct, CT_EV_DESTROY, CT_IPCT_DESTROY,
		1795347691257667000LL);
	ev->has_protoinfo = true;
	ev->cause = CT_DC_EXPIRED;
}

/* 6.2+: mark only when non-zero; zone only when not the default */
static void ev_mark_zone(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_udp, 17, "10.77.1.2", "10.77.2.2", 45523, 5005);
	ct->status |= CT_IPS_SEEN_REPLY;
	ct->mark = 7;
	ct->tuple[0].zone = 2;
	ct->tuple[1].zone = 2;
	ev_init(ev, ct, CT_EV_UPDATE, CT_IPCT_REPLY, 1795347550281214000LL);
	ev->has_timeout = true;
	ev->timeout = 30;
}

/* a capture stamped near the epoch: seconds padded to 8 digits */
static void ev_early_clock(struct ct_conn *ct, struct ct_event *ev)
{
	mk_conn(ct, &fake_icmp, 1, "192.0.2.1", "192.0.2.2", 1, 8);
	ev_init(ev, ct, CT_EV_NEW, CT_IPCT_NEW, SEC(5) + 1000);
	ev->has_timeout = true;
	ev->timeout = 30;
}

static const struct event_case event_cases[] = {
	{ "tcp NEW", ev_tcp_new, O_TE,
	  "[1795343163.269844]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT "
	  "src=10.77.1.2 dst=10.77.2.2 sport=34414 dport=8080 [UNREPLIED] "
	  "src=10.77.2.2 dst=10.77.1.2 sport=8080 dport=34414" },
	{ "tcp SYN_RECV", ev_tcp_syn_recv, O_TE,
	  "[1795343163.269999]\t [UPDATE] ipv4     2 tcp      6 60 SYN_RECV "
	  "src=10.77.1.2 dst=10.77.2.2 sport=34414 dport=8080 src=10.77.2.2 "
	  "dst=10.77.1.2 sport=8080 dport=34414" },
	{ "tcp ESTABLISHED", ev_tcp_established, O_TE,
	  "[1795343163.270009]\t [UPDATE] ipv4     2 tcp      6 432000 "
	  "ESTABLISHED src=10.77.1.2 dst=10.77.2.2 sport=34414 dport=8080 "
	  "src=10.77.2.2 dst=10.77.1.2 sport=8080 dport=34414 [ASSURED]" },
	{ "tcp refused DESTROY", ev_tcp_refused, O_TE,
	  "[1795343163.282534]\t[DESTROY] ipv4     2 tcp      6 120 CLOSE "
	  "src=10.77.1.2 dst=10.77.2.2 sport=53144 dport=9999 [UNREPLIED] "
	  "src=10.77.2.2 dst=10.77.1.2 sport=9999 dport=53144" },
	{ "icmpv6 NEW compressed", ev_icmpv6_new, O_TE,
	  "[1795343542.336824]\t    [NEW] ipv6     10 icmpv6   58 30 "
	  "src=fd77:1::2 dst=fd77:2::2 type=128 code=0 id=5943 [UNREPLIED] "
	  "src=fd77:2::2 dst=fd77:1::2 type=129 code=0 id=5943" },
	{ "udp expired, plain -E", ev_udp_expired, 0,
	  "[DESTROY] udp      17 src=127.0.0.1 dst=127.0.0.1 sport=40355 "
	  "dport=5353 packets=1 bytes=30 [UNREPLIED] src=127.0.0.1 "
	  "dst=127.0.0.1 sport=5353 dport=40355 packets=0 bytes=0 "
	  "delta-time=2" },
	{ "tcp expired, -o timestamp,extended,id", ev_tcp_expired_id,
	  O_TE | REPORT_O_ID,
	  "[1795347665.113089]\t[DESTROY] ipv4     2 tcp      6 TIME_WAIT "
	  "src=127.0.0.1 dst=127.0.0.1 sport=55910 dport=7777 packets=5 "
	  "bytes=274 src=127.0.0.1 dst=127.0.0.1 sport=7777 dport=55910 "
	  "packets=3 bytes=164 [ASSURED] delta-time=3 id=1805116485" },
	{ "UPDATE without state", ev_update_no_state, REPORT_O_EXTENDED,
	  " [UPDATE] ipv4     2 tcp      6 2 src=10.77.1.2 dst=10.77.2.2 "
	  "sport=53684 dport=8080 src=10.77.2.2 dst=10.77.1.2 sport=8080 "
	  "dport=53684" },
	{ "ftp NEW helper", ev_ftp_new, O_TE,
	  "[1795347571.254034]\t    [NEW] ipv4     2 tcp      6 120 SYN_SENT "
	  "src=10.77.1.2 dst=10.77.2.2 sport=56294 dport=21 [UNREPLIED] "
	  "src=10.77.2.2 dst=10.77.1.2 sport=21 dport=56294 helper=ftp" },
	{ "ftp ESTABLISHED helper", ev_ftp_established, O_TE,
	  "[1795347571.254106]\t [UPDATE] ipv4     2 tcp      6 432000 "
	  "ESTABLISHED src=10.77.1.2 dst=10.77.2.2 sport=56294 dport=21 "
	  "src=10.77.2.2 dst=10.77.1.2 sport=21 dport=56294 [ASSURED] "
	  "helper=ftp" },
	{ "ftp DESTROY no helper", ev_ftp_destroy, 0,
	  "[DESTROY] tcp      6 TIME_WAIT src=10.77.1.2 dst=10.77.2.2 "
	  "sport=56294 dport=21 src=10.77.2.2 dst=10.77.1.2 sport=21 "
	  "dport=56294 [ASSURED]" },
	{ "mark and zone", ev_mark_zone, 0,
	  " [UPDATE] udp      17 30 src=10.77.1.2 dst=10.77.2.2 sport=45523 "
	  "dport=5005 src=10.77.2.2 dst=10.77.1.2 sport=5005 dport=45523 "
	  "mark=7 zone=2" },
	{ "early clock", ev_early_clock, REPORT_O_TIMESTAMP,
	  "[00000005.000001]\t    [NEW] icmp     1 30 src=192.0.2.1 "
	  "dst=192.0.2.2 type=8 code=0 id=1 [UNREPLIED] src=192.0.2.2 "
	  "dst=192.0.2.1 type=0 code=0 id=1" },
};

static void test_event_lines(void)
{
	struct report_line l;
	struct ct_event ev;
	struct ct_conn ct;
	size_t i;

	for (i = 0; i < CT_ARRAY_SIZE(event_cases); i++) {
		const struct event_case *c = &event_cases[i];

		c->build(&ct, &ev);
		report_line_init(&l);
		report_fmt_event(&l, &ev, c->oflags);
		if (strcmp(l.buf, c->expect) != 0)
			fprintf(stderr, "\n%s:\n got  %s\n want %s\n", c->name,
				l.buf, c->expect);
		CU_ASSERT_STRING_EQUAL(l.buf, c->expect);
	}
}

/* Read back everything written to f. */
static char *slurp(FILE *f)
{
	long n;
	char *s;

	fflush(f);
	n = ftell(f);
	CU_ASSERT_FATAL(n >= 0);
	s = calloc(1, (size_t)n + 1);
	CU_ASSERT_FATAL(s != NULL);
	rewind(f);
	CU_ASSERT_FATAL(fread(s, 1, (size_t)n, f) == (size_t)n);
	return s;
}

/* The sink writes whole lines, in call order, to the FILE it was given. */
static void test_event_sink(void)
{
	struct report_events *r;
	struct ct_sink sink;
	struct ct_event ev;
	struct ct_conn ct;
	FILE *f = tmpfile();
	char *s;

	CU_ASSERT_FATAL(f != NULL);
	r = report_events_create(f, 0, 250);
	CU_ASSERT_FATAL(r != NULL);
	report_events_sink(r, &sink);
	CU_ASSERT_PTR_NULL(sink.verdict);
	ev_icmpv6_new(&ct, &ev);
	sink.event(sink.ctx, &ev);
	fputs("-- other reporter --\n", f);
	ev_tcp_refused(&ct, &ev);
	sink.event(sink.ctx, &ev);
	report_events_destroy(r);
	s = slurp(f);
	CU_ASSERT_STRING_EQUAL(s,
		"    [NEW] icmpv6   58 30 src=fd77:1::2 dst=fd77:2::2 "
		"type=128 code=0 id=5943 [UNREPLIED] src=fd77:2::2 "
		"dst=fd77:1::2 type=129 code=0 id=5943\n"
		"-- other reporter --\n"
		"[DESTROY] tcp      6 120 CLOSE src=10.77.1.2 dst=10.77.2.2 "
		"sport=53144 dport=9999 [UNREPLIED] src=10.77.2.2 "
		"dst=10.77.1.2 sport=9999 dport=53144\n");
	free(s);
	fclose(f);
}

/* ------------------------------------------------------ conntrack -L */

static void test_list_lines(void)
{
	struct report_ctnl_attrs a;
	struct report_line l;
	struct ct_conn ct;

	/* conntrack -L -o extended,id on the lab machine */
	mk_conn(&ct, &fake_icmpv6, 58, "::1", "::1", 12089, 128);
	ct.status |= CT_IPS_SEEN_REPLY;
	ct.id = 1188647058;
	set_timer(&ct, SEC(2000), 30);
	report_list_attrs(&ct, SEC(2000) + 300000000, 250, &a);
	report_line_init(&l);
	report_fmt_ctnl(&l, &ct, &a, REPORT_O_EXTENDED | REPORT_O_ID);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"ipv6     10 icmpv6   58 29 src=::1 dst=::1 type=128 code=0 "
		"id=12089 src=::1 dst=::1 type=129 code=0 id=12089 mark=0 "
		"use=1 id=1188647058");

	/* conntrack -L */
	mk_conn(&ct, &fake_udp, 17, "127.0.0.1", "127.0.0.1", 56782, 5353);
	set_timer(&ct, SEC(2000), 30);
	report_list_attrs(&ct, SEC(2000) + 300000000, 250, &a);
	report_line_init(&l);
	report_fmt_ctnl(&l, &ct, &a, 0);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"udp      17 29 src=127.0.0.1 dst=127.0.0.1 sport=56782 "
		"dport=5353 [UNREPLIED] src=127.0.0.1 dst=127.0.0.1 sport=5353 "
		"dport=56782 mark=0 use=1");

	/* acct + timestamp: counters, delta-time in whole seconds of
	 * "now" minus whole seconds of the start */
	mk_conn(&ct, &fake_tcp, 6, "127.0.0.1", "127.0.0.1", 55910, 7777);
	ct.proto.tcp.state = 7;
	ct.status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ct.acct = true;
	ct.tstamp = true;
	ct.packets[0] = 5;
	ct.bytes[0] = 274;
	ct.packets[1] = 3;
	ct.bytes[1] = 164;
	ct.id = 1805116485;
	ct.start = SEC(2000) + 900000000;
	set_timer(&ct, SEC(2000) + 950000000, 3);
	report_list_attrs(&ct, SEC(2002) + 100000000, 250, &a);
	report_line_init(&l);
	report_fmt_ctnl(&l, &ct, &a, REPORT_O_EXTENDED | REPORT_O_ID);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"ipv4     2 tcp      6 1 TIME_WAIT src=127.0.0.1 dst=127.0.0.1 "
		"sport=55910 dport=7777 packets=5 bytes=274 src=127.0.0.1 "
		"dst=127.0.0.1 sport=7777 dport=55910 packets=3 bytes=164 "
		"[ASSURED] mark=0 delta-time=2 use=1 id=1805116485");

	/* the helper and the master's extra reference */
	ftp_ctl(&ct);
	ct.proto.tcp.state = 3;
	ct.status |= CT_IPS_SEEN_REPLY | CT_IPS_ASSURED;
	ftp_ext.use = 1;
	set_timer(&ct, SEC(2000), 432000);
	report_list_attrs(&ct, SEC(2000), 250, &a);
	report_line_init(&l);
	report_fmt_ctnl(&l, &ct, &a, 0);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"tcp      6 432000 ESTABLISHED src=10.77.1.2 dst=10.77.2.2 "
		"sport=56294 dport=21 src=10.77.2.2 dst=10.77.1.2 sport=21 "
		"dport=56294 [ASSURED] mark=0 helper=ftp use=2");
}

/* ------------------------------------------------------- conntrack -S */

static void test_stats_line(void)
{
	struct ct_stats st = { 0 };
	struct report_line l;

	report_line_init(&l);
	report_fmt_stats(&l, &st);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 "
		"early_drop=0 error=0 search_restart=0 clash_resolve=0 "
		"chaintoolong=0 ");

	st.found = 1;
	st.invalid = 2;
	st.insert = 3;
	st.insert_failed = 4;
	st.drop = 5;
	st.early_drop = 6;
	st.icmp_error = 7;
	st.search_restart = 8;
	st.clash_resolve = 9;
	st.chaintoolong = 10;
	st.expect_new = 99;
	report_line_init(&l);
	report_fmt_stats(&l, &st);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"cpu=0   \tfound=1 invalid=2 insert=3 insert_failed=4 drop=5 "
		"early_drop=6 error=7 search_restart=8 clash_resolve=9 "
		"chaintoolong=10 ");
}

/* --------------------------------------------------------- verdicts */

static void test_verdict_lines(void)
{
	struct report_line l;
	struct ct_verdict v;
	struct ct_conn ct;

	tcp_34414(&ct, 3, CT_IPS_SEEN_REPLY);
	memset(&v, 0, sizeof(v));
	v.frame = 12;
	v.state = CT_STATE_ESTABLISHED;
	v.has_tuple = true;
	v.tuple = ct.tuple[CT_DIR_REPLY];
	v.ct = &ct;
	v.dir = CT_DIR_REPLY;
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"12 ESTABLISHED reply tcp src=10.77.2.2 dst=10.77.1.2 "
		"sport=8080 dport=34414");

	/* INVALID: no entry, reason quoted with its quotes escaped */
	v.frame = 13;
	v.state = CT_STATE_INVALID;
	v.ct = NULL;
	v.reason = "bad \"tcp\" flags";
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"13 INVALID - tcp src=10.77.2.2 dst=10.77.1.2 sport=8080 "
		"dport=34414 reason=\"bad \\\"tcp\\\" flags\"");

	/* ICMPv6 NEW, original direction, compressed addresses */
	mk_conn(&ct, &fake_icmpv6, 58, "fd77:1::2", "fd77:2::2", 5943, 128);
	memset(&v, 0, sizeof(v));
	v.frame = 1;
	v.state = CT_STATE_NEW;
	v.has_tuple = true;
	v.tuple = ct.tuple[CT_DIR_ORIGINAL];
	v.ct = &ct;
	v.reason = "ignored for NEW";
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"1 NEW original icmpv6 src=fd77:1::2 dst=fd77:2::2 type=128 "
		"code=0 id=5943");

	/* a protocol conntrack(8) has no name for: its number */
	mk_conn(&ct, &fake_generic, 50, "10.0.0.1", "10.0.0.2", 0, 0);
	v.frame = 2;
	v.tuple = ct.tuple[CT_DIR_ORIGINAL];
	v.reason = NULL;
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"2 NEW original 50 src=10.0.0.1 dst=10.0.0.2");

	/* never seen by conntrack: no tuple */
	memset(&v, 0, sizeof(v));
	v.frame = 3;
	v.state = CT_STATE_NONE;
	v.reason = "not IP";
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf, "3 - reason=\"not IP\"");

	/* a helper's drop: the state the chains saw, then who dropped it,
	 * where and why */
	tcp_34414(&ct, 3, CT_IPS_SEEN_REPLY);
	memset(&v, 0, sizeof(v));
	v.frame = 14;
	v.state = CT_STATE_ESTABLISHED;
	v.has_tuple = true;
	v.tuple = ct.tuple[CT_DIR_ORIGINAL];
	v.ct = &ct;
	v.action = CT_ACT_DROP;
	v.hook = CT_HOOK_POSTROUTING;
	v.helper_drop = "ftp";
	v.reason = "nf_ct_ftp: partial matching of `EPRT'";
	report_line_init(&l);
	report_fmt_verdict(&l, &v);
	CU_ASSERT_STRING_EQUAL(l.buf,
		"14 ESTABLISHED original tcp src=10.77.1.2 dst=10.77.2.2 "
		"sport=34414 dport=8080 "
		"reason=\"nf_ct_ftp: partial matching of `EPRT'\" "
		"action=drop hook=postrouting helper=ftp");
}

/* ------------------------------------------------------------- json */

static void test_time_format(void)
{
	char buf[REPORT_TIME_MAX];

	report_time_ns(buf, sizeof(buf), 1795343163269844999LL);
	CU_ASSERT_STRING_EQUAL(buf, "1795343163.269844999");
	report_time_ns(buf, sizeof(buf), SEC(7));
	CU_ASSERT_STRING_EQUAL(buf, "7.000000000");
	report_time_ns(buf, sizeof(buf), -1);
	CU_ASSERT_STRING_EQUAL(buf, "-1.999999999");
	CU_ASSERT_EQUAL(report_time_sec(-1), -1);
	CU_ASSERT_EQUAL(report_time_sec(SEC(3) + 5), 3);
}

/* A refused TCP connection: NEW then DESTROY; one object, written at the
 * DESTROY, with the whole lifetime. */
static void test_json_lifetime(void)
{
	struct report_json *r;
	struct ct_sink sink;
	struct ct_event ev;
	struct ct_conn ct, other;
	FILE *f = tmpfile();
	char *s;

	CU_ASSERT_FATAL(f != NULL);
	r = report_json_create(f, 250);
	CU_ASSERT_FATAL(r != NULL);
	report_json_sink(r, &sink);
	/* verdicts only matter with a firewall (the rules of a lifetime) */
	CU_ASSERT_PTR_NOT_NULL(sink.verdict);

	mk_conn(&ct, &fake_tcp, 6, "10.77.1.2", "10.77.2.2", 53144, 9999);
	ct.id = 7;
	ct.start = 1795343163282499000LL;
	ct.proto.tcp.state = 1;
	ct.packets[0] = 1;
	ct.bytes[0] = 60;
	ev_init(&ev, &ct, CT_EV_NEW, CT_IPCT_NEW | CT_IPCT_PROTOINFO,
		ct.start);
	ev.frame = 7;
	ev.has_timeout = true;
	ev.timeout = 120;
	ev.has_protoinfo = true;
	sink.event(sink.ctx, &ev);

	/* another entry's event in between must not disturb this one */
	mk_conn(&other, &fake_udp, 17, "10.0.0.1", "10.0.0.2", 1, 2);
	other.id = 5;
	ev_init(&ev, &other, CT_EV_NEW, CT_IPCT_NEW, ct.start + 1000);
	sink.event(sink.ctx, &ev);
	CU_ASSERT_EQUAL(ftell(f), 0);

	ct.proto.tcp.state = 8;
	ct.status |= CT_IPS_DYING;
	ct.packets[1] = 1;
	ct.bytes[1] = 40;
	ev_init(&ev, &ct, CT_EV_DESTROY, CT_IPCT_DESTROY,
		1795343163282534000LL);
	ev.frame = 8;
	ev.has_timeout = true;
	ev.timeout = 120;
	ev.has_protoinfo = true;
	ev.cause = CT_DC_KILLED;
	sink.event(sink.ctx, &ev);
	report_json_destroy(r);

	s = slurp(f);
	CU_ASSERT_STRING_EQUAL(s,
		"{\"counters\":{\"orig\":{\"bytes\":60,\"packets\":1},"
		"\"reply\":{\"bytes\":40,\"packets\":1}},"
		"\"end\":{\"how\":\"killed\",\"time\":\"1795343163.282534000\"},"
		"\"first_frame\":7,\"helper\":null,\"id\":7,\"l3\":\"ipv4\","
		"\"master\":null,"
		"\"orig\":{\"dport\":9999,\"dst\":\"10.77.2.2\",\"sport\":53144,"
		"\"src\":\"10.77.1.2\"},\"proto\":\"tcp\",\"protonum\":6,"
		"\"reply\":{\"dport\":53144,\"dst\":\"10.77.1.2\",\"sport\":9999,"
		"\"src\":\"10.77.2.2\"},\"start\":\"1795343163.282499000\","
		"\"transitions\":["
		"{\"bits\":[\"NEW\",\"PROTOINFO\"],\"event\":\"NEW\",\"frame\":7,"
		"\"state\":\"SYN_SENT\",\"status\":[\"CONFIRMED\"],"
		"\"time\":\"1795343163.282499000\",\"timeout\":120},"
		"{\"bits\":[\"DESTROY\"],\"event\":\"DESTROY\",\"frame\":8,"
		"\"state\":\"CLOSE\",\"status\":[\"CONFIRMED\",\"DYING\"],"
		"\"time\":\"1795343163.282534000\",\"timeout\":120}]}\n");
	free(s);
	fclose(f);
}

/* ICMP tuples, expiry (frame null, no timeout), many entries. */
static void test_json_icmp_expired(void)
{
	struct report_json *r;
	struct ct_sink sink;
	struct ct_event ev;
	struct ct_conn ct;
	FILE *f = tmpfile();
	char *s, *p, *line;
	uint64_t id;
	int lines = 0;

	CU_ASSERT_FATAL(f != NULL);
	r = report_json_create(f, 250);
	CU_ASSERT_FATAL(r != NULL);
	report_json_sink(r, &sink);

	/* enough live entries to make the table grow and compact */
	mk_conn(&ct, &fake_udp, 17, "10.0.0.1", "10.0.0.2", 1, 2);
	for (id = 100; id < 400; id++) {
		ct.id = id;
		ev_init(&ev, &ct, CT_EV_NEW, CT_IPCT_NEW, SEC(1));
		sink.event(sink.ctx, &ev);
		if (id % 3 == 0) {
			ev_init(&ev, &ct, CT_EV_DESTROY, CT_IPCT_DESTROY,
				SEC(2));
			sink.event(sink.ctx, &ev);
		}
	}

	mk_conn(&ct, &fake_icmp, 1, "10.77.1.2", "10.77.2.2", 6605, 8);
	ct.id = 1000;
	ct.start = SEC(10);
	ct.status |= CT_IPS_SEEN_REPLY;
	ev_init(&ev, &ct, CT_EV_DESTROY, CT_IPCT_DESTROY, SEC(40));
	ev.frame = 0;
	ev.cause = CT_DC_EXPIRED;
	sink.event(sink.ctx, &ev);
	report_json_destroy(r);

	s = slurp(f);
	for (p = s; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	/* ids 102, 105 ... 399 were destroyed, then the ICMP entry */
	CU_ASSERT_EQUAL(lines, 101);
	line = strstr(s, "{\"counters\":{\"orig\":{\"bytes\":0,\"packets\":0},"
			 "\"reply\":{\"bytes\":0,\"packets\":0}},"
			 "\"end\":{\"how\":\"expired\"");
	CU_ASSERT_PTR_NOT_NULL(line);
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"\"orig\":{\"code\":0,\"dst\":\"10.77.2.2\",\"id\":6605,"
		"\"src\":\"10.77.1.2\",\"type\":8},\"proto\":\"icmp\","
		"\"protonum\":1,\"reply\":{\"code\":0,\"dst\":\"10.77.1.2\","
		"\"id\":6605,\"src\":\"10.77.2.2\",\"type\":0}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s,
		"\"transitions\":[{\"bits\":[\"DESTROY\"],"
		"\"event\":\"DESTROY\",\"frame\":null,\"state\":null,"
		"\"status\":[\"SEEN_REPLY\",\"CONFIRMED\"],"
		"\"time\":\"40.000000000\",\"timeout\":null}]}\n"));
	free(s);
	fclose(f);
}

int test_report_register(void)
{
	CU_pSuite s = CU_add_suite("report", NULL, NULL);

	if (s == NULL)
		return CU_get_error();
	if (!CU_add_test(s, "/proc lines", test_proc_lines) ||
	    !CU_add_test(s, "conntrack -E lines", test_event_lines) ||
	    !CU_add_test(s, "event sink", test_event_sink) ||
	    !CU_add_test(s, "conntrack -L lines", test_list_lines) ||
	    !CU_add_test(s, "conntrack -S line", test_stats_line) ||
	    !CU_add_test(s, "verdict lines", test_verdict_lines) ||
	    !CU_add_test(s, "time format", test_time_format) ||
	    !CU_add_test(s, "json lifetime", test_json_lifetime) ||
	    !CU_add_test(s, "json icmp, expiry, growth",
			 test_json_icmp_expired))
		return CU_get_error();
	return 0;
}
