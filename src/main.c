/* \summary: ctreplay command line: read captures, replay them, report */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "check.h"
#include "common.h"
#include "ct/engine.h"
#include "fw/firewall.h"
#include "jobs.h"
#include "replay.h"
#include "report/report.h"
#include "report/reporters.h"
#include "report/select.h"
#include "settings.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define MAX_SNAPSHOTS 256

struct options {
	struct report_opts r;          /* the reports chosen */
	const char *filter;
	const char *expect_dir;        /* --expect DIR */
	bool update;                   /* --update */
	struct report_select *sel;     /* -p, -s, --state, --from ... */
	enum report_proc_format proc_format;  /* --proc-format */
	uint32_t shard, nshards;       /* --shard K/N; nshards 0: all */
	unsigned jobs;                 /* -j N: worker threads */
	struct replay_instant until;   /* REPLAY_AT_END when not given */
	struct replay_instant snaps[MAX_SNAPSHOTS];
	int nsnaps;
	char plot_title[256];
	/* --firewall and its files */
	struct fw_paths fw;
	bool have_fw;
	const char *counters_path;     /* --counters FILE */
	const char *log_path;          /* --log FILE */
	bool strict;                   /* --strict */
	uint64_t trace_frame;          /* --trace FRAME, 0: none */
};

/* Selection options: this + enum report_select_key (clear of long_only). */
#define OPT_SEL_BASE 1024

enum long_only {
	OPT_SNAPSHOT = 256,
	OPT_VERDICTS,
	OPT_JSON,
	OPT_SYSCTL,
	OPT_SET,
	OPT_HELPER,
	OPT_KERNEL,
	OPT_UNTIL,
	OPT_EXPLAIN,
	OPT_PROC_FORMAT,
	OPT_PLOT,
	OPT_ZONE_FROM,
	OPT_EXPECT,
	OPT_UPDATE,
	OPT_EXPECT_EVENTS,
	OPT_SHARD,
	OPT_FIREWALL,
	OPT_RULESET,
	OPT_ADDR,
	OPT_ROUTES,
	OPT_ROUTES6,
	OPT_IIF,
	OPT_COUNTERS,
	OPT_LOG,
	OPT_STRICT,
	OPT_TRACE,
};

/* -j: more threads than this buys nothing but memory */
#define MAX_JOBS 256

static const struct option long_opts[] = {
	{ "events", no_argument, NULL, 'E' },
	{ "list", no_argument, NULL, 'L' },
	{ "output", required_argument, NULL, 'o' },
	{ "stats", no_argument, NULL, 'S' },
	{ "filter", required_argument, NULL, 'f' },
	{ "snapshot", required_argument, NULL, OPT_SNAPSHOT },
	{ "verdicts", no_argument, NULL, OPT_VERDICTS },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "sysctl", required_argument, NULL, OPT_SYSCTL },
	{ "set", required_argument, NULL, OPT_SET },
	{ "helper", required_argument, NULL, OPT_HELPER },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "proc-format", required_argument, NULL, OPT_PROC_FORMAT },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "zone-from", required_argument, NULL, OPT_ZONE_FROM },
	{ "proto", required_argument, NULL, 'p' },
	{ "src", required_argument, NULL, 's' },
	{ "dst", required_argument, NULL, 'd' },
	{ "reply-src", required_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_REPLY_SRC },
	{ "reply-dst", required_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_REPLY_DST },
	{ "sport", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_SPORT },
	{ "dport", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_DPORT },
	{ "reply-port-src", required_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_REPLY_SPORT },
	{ "reply-port-dst", required_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_REPLY_DPORT },
	{ "state", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_STATE },
	{ "status", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_STATUS },
	{ "src-nat", optional_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_SRC_NAT },
	{ "dst-nat", optional_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_DST_NAT },
	{ "any-nat", optional_argument, NULL,
	  OPT_SEL_BASE + REPORT_SEL_ANY_NAT },
	{ "mark", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_MARK },
	{ "zone", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_ZONE },
	{ "from", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_FROM },
	{ "to", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_TO },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "update", no_argument, NULL, OPT_UPDATE },
	{ "expect-events", no_argument, NULL, OPT_EXPECT_EVENTS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "jobs", required_argument, NULL, 'j' },
	{ "firewall", required_argument, NULL, OPT_FIREWALL },
	{ "ruleset", required_argument, NULL, OPT_RULESET },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "routes", required_argument, NULL, OPT_ROUTES },
	{ "routes6", required_argument, NULL, OPT_ROUTES6 },
	{ "iif", required_argument, NULL, OPT_IIF },
	{ "counters", required_argument, NULL, OPT_COUNTERS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fputs("Usage: ctreplay [OPTION]... FILE...\n"
	      "Replay pcap/pcapng captures through an emulation of Linux nf_conntrack.\n"
	      "\n"
	      "Reports (any combination; -E when none is given):\n"
	      "  -E, --events            events as `conntrack -E` prints them\n"
	      "  -o, --output FLAGS      conntrack -o flags: timestamp,extended,id,xml\n"
	      "      --expect-events     expectations as `conntrack -E expect` prints them\n"
	      "  -L, --list              the table at the end, as `conntrack -L`\n"
	      "      --snapshot TIME     the table as /proc/net/nf_conntrack at TIME:\n"
	      "                          epoch seconds[.fraction], +SECONDS, or end\n"
	      "      --verdicts          one line per frame: what `ct state` matched\n"
	      "      --json FILE         one JSON object per connection lifetime\n"
	      "      --proc-format FMT   snapshots as nf_conntrack (default) or ip_conntrack\n"
	      "  -S, --stats             counters at the end, as `conntrack -S`, and a summary\n"
	      "      --plot FILE.svg     the table over capture time, as an SVG picture\n"
	      "      --explain FRAME     why FRAME got its verdict: entry, states, window\n"
	      "\n"
	      "Regression (CI):\n"
	      "      --expect DIR        compare with DIR/events [proc verdicts list];\n"
	      "                          exit 1 on a difference\n"
	      "      --update            with --expect: rewrite DIR from this run\n"
	      "\n"
	      "Selection (as conntrack -L/-E; applies to -E, -L, --snapshot, --json, --verdicts):\n"
	      "  -p, --proto PROTO       protocol name or number\n"
	      "  -s, --src ADDR[/N]      original source    -d, --dst ADDR[/N] destination\n"
	      "      --reply-src ADDR[/N], --reply-dst ADDR[/N]   reply tuple addresses\n"
	      "      --sport PORT, --dport PORT                   original ports\n"
	      "      --reply-port-src PORT, --reply-port-dst PORT reply ports\n"
	      "      --state STATE[,..]  TCP state (ESTABLISHED, TIME_WAIT...)\n"
	      "      --status FLAGS      ASSURED,SEEN_REPLY,EXPECTED,CONFIRMED,UNREPLIED\n"
	      "      --mark N[/MASK]     --zone N\n"
	      "      --from TIME, --to TIME  only events and verdicts in this window\n"
	      "                          (epoch seconds[.fraction] or +SECONDS)\n"
	      "\n"
	      "Input and settings:\n"
	      "  -f, --filter EXPR       BPF filter; other frames are as if not captured\n"
	      "      --sysctl FILE       net.netfilter settings as `sysctl -a` prints them\n"
	      "      --set KEY=VALUE     one setting (tcp_timeout_established=3600)\n"
	      "      --helper NAME:PROTO/PORT  attach a helper (ftp:tcp/21, tftp:udp/69)\n"
	      "      --kernel VERSION    behave as that kernel: 5.10, 5.15, 6.1, 6.12, current\n"
	      "                          (6.18, the default), or auto (--firewall DIR's\n"
	      "                          uname, else current); -S says which ran\n"
	      "      --until TIME        the capture ran until TIME: entries expire up to it\n"
	      "      --zone-from vlan    each outermost VLAN id is its own conntrack zone\n"
	      "      --shard K/N         only flows of shard K (0..N-1) of N, split by address\n"
	      "                          pair; limits such as nf_conntrack_max hold per shard\n"
	      "  -j, --jobs N            track on N threads, flows split as --shard does;\n"
	      "                          same output, but nf_conntrack_max and expect_max\n"
	      "                          hold per thread (-E, -L, --verdicts, --snapshot,\n"
	      "                          --json; other reports run on one thread)\n"
	      "\n"
	      "Firewall (the ruleset around conntrack; see FIREWALL in ctreplay(1)):\n"
	      "      --firewall DIR      what ctreplay-collect wrote: ruleset.json (nft -j\n"
	      "                          list ruleset), addr.json, route.json, route6.json,\n"
	      "                          sysctl.txt; --verdicts then names the rule\n"
	      "      --ruleset FILE      nft -j list ruleset output (instead of DIR's)\n"
	      "      --addr FILE, --routes FILE, --routes6 FILE  ip -j addr / route output\n"
	      "      --iif NAME          the capture's frames came in on interface NAME\n"
	      "      --counters FILE     the ruleset with this replay's counters\n"
	      "      --log FILE          the kernel log lines of log rules\n"
	      "      --strict            a rule ctreplay cannot judge is an error\n"
	      "      --trace FRAME       FRAME's way through the chains, as nft monitor trace\n"
	      "  -h, --help              this text\n"
	      "  -V, --version           version\n"
	      "\n"
	      "FILE may be - for standard input; several files are merged by time.\n"
	      "Exit status: 0 success, 1 usage error, 2 an input could not be fully read.\n",
	      f);
}

static int parse_oflags(const char *text, unsigned *out)
{
	char buf[128];
	char *tok, *save = NULL;

	if (strlen(text) >= sizeof(buf))
		return -1;
	memcpy(buf, text, strlen(text) + 1);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "timestamp") == 0)
			*out |= REPORT_O_TIMESTAMP;
		else if (strcmp(tok, "extended") == 0)
			*out |= REPORT_O_EXTENDED;
		else if (strcmp(tok, "id") == 0)
			*out |= REPORT_O_ID;
		else if (strcmp(tok, "xml") == 0)
			*out |= REPORT_O_XML;
		else
			return -1;
	}
	return 0;
}

static int add_snapshot(struct options *o, const char *text)
{
	if (o->nsnaps >= MAX_SNAPSHOTS)
		return -1;
	if (replay_parse_instant(text, &o->snaps[o->nsnaps]) != 0)
		return -1;
	o->nsnaps++;
	return 0;
}

/* A whole number in [lo, hi] and nothing else.  0 or -1. */
static int parse_count(const char *text, unsigned long long lo,
		       unsigned long long hi, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(text, &end, 10);
	if (errno || text[0] == '-' || end == text || *end != '\0' ||
	    *out < lo || *out > hi)
		return -1;
	return 0;
}

/* --shard K/N: 0 <= K < N <= 65536. */
static int parse_shard(const char *text, uint32_t *k, uint32_t *n)
{
	char part[32];
	const char *slash = strchr(text, '/');
	unsigned long long kk, nn;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(part))
		return -1;
	memcpy(part, text, (size_t)(slash - text));
	part[slash - text] = '\0';
	if (parse_count(part, 0, 65535, &kk) != 0 ||
	    parse_count(slash + 1, 1, 65536, &nn) != 0 || kk >= nn)
		return -1;
	*k = (uint32_t)kk;
	*n = (uint32_t)nn;
	return 0;
}

/* --set KEY=VALUE */
static int parse_set(struct ct_settings *set, const char *text, char *errbuf)
{
	char key[128];
	const char *eq = strchr(text, '=');

	if (eq == NULL || (size_t)(eq - text) >= sizeof(key)) {
		fprintf(stderr, "ctreplay: --set '%s': expected KEY=VALUE\n",
			text);
		return -1;
	}
	memcpy(key, text, (size_t)(eq - text));
	key[eq - text] = '\0';
	if (ct_settings_set(set, key, eq + 1, errbuf) != 0) {
		fprintf(stderr, "ctreplay: --set: %s\n", errbuf);
		return -1;
	}
	return 0;
}

/*
 * The command line into o and set.  Returns -1 to go on, or the exit
 * status (an error was printed, or --help, --version).
 */
static int parse_args(int argc, char **argv, struct options *o,
		      struct ct_settings *set)
{
	char errbuf[CT_ERRBUF_SIZE];
	unsigned long long n;
	int c;

	while ((c = getopt_long(argc, argv, "ELo:Sf:hVp:s:d:j:", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'E':
			o->r.events = true;
			break;
		case 'L':
			o->r.list = true;
			break;
		case 'o':
			if (parse_oflags(optarg, &o->r.oflags) != 0) {
				fprintf(stderr,
					"ctreplay: -o '%s': known flags are timestamp, extended, id, xml\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case 'S':
			o->r.stats = true;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case OPT_SNAPSHOT:
			if (add_snapshot(o, optarg) != 0) {
				fprintf(stderr,
					"ctreplay: --snapshot '%s': expected epoch seconds[.fraction], +SECONDS or end (at most %d)\n",
					optarg, MAX_SNAPSHOTS);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_UNTIL:
			if (replay_parse_instant(optarg, &o->until) != 0) {
				fprintf(stderr,
					"ctreplay: --until '%s': expected epoch seconds[.fraction], +SECONDS or end\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_EXPLAIN:
			if (parse_count(optarg, 1, UINT64_MAX, &n) != 0) {
				fprintf(stderr,
					"ctreplay: --explain '%s': expected a frame number (from 1)\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			o->r.explain_frame = n;
			break;
		case OPT_EXPECT_EVENTS:
			o->r.expect_events = true;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o->shard, &o->nshards) != 0) {
				fprintf(stderr,
					"ctreplay: --shard '%s': expected K/N with 0 <= K < N <= 65536\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case 'j':
			if (parse_count(optarg, 1, MAX_JOBS, &n) != 0) {
				fprintf(stderr,
					"ctreplay: -j '%s': expected a number of threads from 1 to %d\n",
					optarg, MAX_JOBS);
				return CT_EXIT_USAGE;
			}
			o->jobs = (unsigned)n;
			break;
		case OPT_EXPECT:
			o->expect_dir = optarg;
			break;
		case OPT_UPDATE:
			o->update = true;
			break;
		case OPT_VERDICTS:
			o->r.verdicts = true;
			break;
		case OPT_JSON:
			o->r.json_path = optarg;
			break;
		case OPT_SYSCTL:
			if (ct_settings_load_sysctl(set, optarg, stderr,
						    errbuf) != 0) {
				fprintf(stderr, "ctreplay: --sysctl %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_SET:
			if (parse_set(set, optarg, errbuf) != 0)
				return CT_EXIT_USAGE;
			break;
		case OPT_HELPER:
			if (ct_settings_add_helper(set, optarg, errbuf) != 0) {
				fprintf(stderr, "ctreplay: %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_KERNEL:
			/* chosen by kernel_prescan(), before any sysctl */
			break;
		case OPT_PROC_FORMAT:
			if (strcmp(optarg, "nf_conntrack") == 0) {
				o->proc_format = REPORT_PROC_NF_CONNTRACK;
			} else if (strcmp(optarg, "ip_conntrack") == 0) {
				o->proc_format = REPORT_PROC_IP_CONNTRACK;
			} else {
				fprintf(stderr,
					"ctreplay: --proc-format '%s': expected nf_conntrack or ip_conntrack\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_PLOT:
			o->r.plot_path = optarg;
			break;
		case OPT_ZONE_FROM:
			if (strcmp(optarg, "vlan") != 0) {
				fprintf(stderr,
					"ctreplay: --zone-from '%s': expected vlan\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			set->zone_from = CT_ZONE_FROM_VLAN;
			break;
		case 'p':
		case 's':
		case 'd':
		case OPT_SEL_BASE + REPORT_SEL_REPLY_SRC:
		case OPT_SEL_BASE + REPORT_SEL_REPLY_DST:
		case OPT_SEL_BASE + REPORT_SEL_SPORT:
		case OPT_SEL_BASE + REPORT_SEL_DPORT:
		case OPT_SEL_BASE + REPORT_SEL_REPLY_SPORT:
		case OPT_SEL_BASE + REPORT_SEL_REPLY_DPORT:
		case OPT_SEL_BASE + REPORT_SEL_STATE:
		case OPT_SEL_BASE + REPORT_SEL_STATUS:
		case OPT_SEL_BASE + REPORT_SEL_MARK:
		case OPT_SEL_BASE + REPORT_SEL_ZONE:
		case OPT_SEL_BASE + REPORT_SEL_FROM:
		case OPT_SEL_BASE + REPORT_SEL_TO:
		case OPT_SEL_BASE + REPORT_SEL_SRC_NAT:
		case OPT_SEL_BASE + REPORT_SEL_DST_NAT:
		case OPT_SEL_BASE + REPORT_SEL_ANY_NAT: {
			enum report_select_key key =
				c == 'p' ? REPORT_SEL_PROTO
				: c == 's' ? REPORT_SEL_SRC
				: c == 'd' ? REPORT_SEL_DST
				: (enum report_select_key)(c - OPT_SEL_BASE);

			if (report_select_parse(o->sel, key, optarg,
						errbuf) != 0) {
				fprintf(stderr, "ctreplay: %s: %s\n",
					argv[optind - 1], errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		}
		case OPT_FIREWALL:
			o->fw.dir = optarg;
			o->have_fw = true;
			break;
		case OPT_RULESET:
			o->fw.ruleset = optarg;
			o->have_fw = true;
			break;
		case OPT_ADDR:
			o->fw.addr = optarg;
			break;
		case OPT_ROUTES:
			o->fw.route = optarg;
			break;
		case OPT_ROUTES6:
			o->fw.route6 = optarg;
			break;
		case OPT_IIF:
			o->fw.iif = optarg;
			break;
		case OPT_COUNTERS:
			o->counters_path = optarg;
			break;
		case OPT_LOG:
			o->log_path = optarg;
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_TRACE: {
			char *end;
			unsigned long long fr = strtoull(optarg, &end, 10);

			if (*end || fr == 0) {
				fprintf(stderr, "ctreplay: --trace needs a "
					"frame number (from 1)\n");
				return CT_EXIT_USAGE;
			}
			o->trace_frame = fr;
			break;
		}
		case 'h':
			usage(stdout);
			return CT_EXIT_OK;
		case 'V':
			printf("ctreplay %s\n", PACKAGE_VERSION);
			return CT_EXIT_OK;
		default:
			usage(stderr);
			return CT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ctreplay: no capture file given\n");
		usage(stderr);
		return CT_EXIT_USAGE;
	}
	if (o->update && o->expect_dir == NULL) {
		fprintf(stderr, "ctreplay: --update needs --expect DIR\n");
		return CT_EXIT_USAGE;
	}
	return -1;
}

/* Whether the firewall has nat chains (NAT runs). */
static bool firewall_translates(struct fw_firewall *fw)
{
	struct ct_firewall hooks;

	fw_firewall_hooks(fw, &hooks);
	return hooks.nat4 || hooks.nat6;
}

static int open_firewall(struct options *o, struct fw_firewall **fw);

/* --expect DIR: no report of ours, only the comparison. */
static int run_expect(struct options *o, const struct ct_settings *set,
		      char *const *files, int nfiles)
{
	struct check_opts co = { .dir = o->expect_dir, .update = o->update,
				  .filter = o->filter, .until = o->until,
				  .oflags = o->r.oflags };
	struct fw_firewall *fw = NULL;
	struct ct_firewall hooks;
	int rc;

	if (report_chosen(&o->r) || o->nsnaps ||
	    report_select_active(o->sel)) {
		fprintf(stderr,
			"ctreplay: --expect compares whole reports: no other report or selection with it (-f restricts the capture)\n");
		return CT_EXIT_USAGE;
	}
	if (o->have_fw) {
		o->r.hz = set->hz;
		if (open_firewall(o, &fw) != 0)
			return CT_EXIT_INPUT;
		fw_firewall_hooks(fw, &hooks);
		co.fw = &hooks;
	}
	rc = check_run(&co, set, files, nfiles);
	fw_firewall_destroy(fw);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the run */

/* What the replay's hooks need. */
struct run {
	const struct options *o;
	struct capture *cap;
	struct replay *rp;
	struct jobs *jobs;             /* -j, or NULL */
	struct report_set reps;        /* one engine's, or the -j view's */
	bool write_error;
};

static int run_snapshot(void *ctx, size_t i, struct ct_engine *eng,
			ct_time t)
{
	const struct run *run = ctx;
	char label[48];

	(void)i;
	snprintf(label, sizeof(label), "%lld.%09lld",
		 (long long)(t / CT_NSEC_PER_SEC),
		 (long long)(t % CT_NSEC_PER_SEC));
	report_proc_snapshot_sel(stdout, eng, label, run->o->sel,
				 run->o->proc_format);
	return 0;
}

static int run_end(void *ctx, struct ct_engine *eng, uint64_t frames)
{
	struct run *run = ctx;
	struct report_set *set = &run->reps;
	uint64_t back = capture_backwards(run->cap);
	int rc;

	(void)frames;
	if (run->jobs)
		rc = jobs_end(run->jobs, set, back);
	else
		rc = report_set_end(&set, 1, eng, back);
	if (rc != 0)
		run->write_error = true;
	return 0;
}

static int run_add_sink(void *ctx, const struct ct_sink *sink, bool selected)
{
	struct run *run = ctx;
	struct ct_sink s = *sink;

	if (selected && report_select_wrap(run->o->sel, &s) != 0)
		return CT_ERR_NOMEM;
	return replay_add_sink(run->rp, &s);
}

static int run_add_exp_sink(void *ctx, const struct ct_exp_sink *sink)
{
	struct run *run = ctx;

	return replay_add_expect_sink(run->rp, sink);
}

/*
 * Replay cap with the reports of o, on one engine or, with -j and
 * reports that allow it, on worker threads.  CT_EXIT_OK, or
 * CT_EXIT_INPUT when memory ran out (said) or a report could not be
 * written.
 */
static int run_replay(const struct options *o, const struct ct_settings *set,
		      struct capture *cap, struct fw_firewall *fw)
{
	struct run run = { .o = o, .cap = cap };
	struct replay_opts ro = {
		.snaps = o->snaps, .nsnaps = (size_t)o->nsnaps,
		.until = o->until, .sel = o->sel,
		.shard = o->shard, .nshards = o->nshards, .progress = true,
		.snapshot = run_snapshot, .end = run_end, .ctx = &run,
	};
	/* counters cost 32 bytes an entry: only when something shows them */
	bool counters = set->acct || report_counters(&o->r);
	struct ct_engine *eng = NULL;
	int rc = -1;

	/* a firewall's state (counters, limits) is one for all flows: it
	 * runs on one thread */
	if (o->jobs > 1 && report_jobs_ok(&o->r) && fw == NULL) {
		struct jobs_opts jo = { .nworkers = o->jobs, .reports = &o->r,
					.shard = o->shard,
					.nshards = o->nshards };

		run.jobs = jobs_create(&jo, set, counters);
		if (run.jobs == NULL ||
		    report_set_init(&run.reps, &o->r, REPORT_VIEW) != 0)
			goto out;
		run.rp = replay_create_jobs(&ro, run.jobs);
	} else {
		eng = ct_engine_create(set);
		if (eng == NULL)
			goto out;
		/* tracker notes only for the frame --explain asks about */
		ct_engine_set_explain(eng, o->r.explain_frame);
		ct_engine_set_counters(eng, counters);
		if (fw) {
			struct ct_firewall hooks;

			fw_firewall_hooks(fw, &hooks);
			ct_engine_set_firewall(eng, &hooks);
		}
		if (report_set_init(&run.reps, &o->r, REPORT_ONE) != 0)
			goto out;
		run.rp = replay_create(&ro, eng);
		if (run.rp && report_set_sinks(&run.reps, run_add_sink,
					       run_add_exp_sink, &run) != 0)
			goto out;
	}
	if (run.rp)
		rc = replay_run(run.rp, cap);
	if (rc == 0 && fw && o->r.stats) {
		uint64_t unseen, unexpected;

		fflush(stdout);
		fw_state_summary(fw->st, stdout);
		fw_firewall_prediction(fw, &unseen, &unexpected);
		/* against the capture's outgoing frames, when it has them:
		 * a difference means the ruleset given is not the one that
		 * ran, or the capture lost frames */
		printf("  forwarded by the replay, never seen leaving: %llu\n"
		       "  seen leaving, not forwarded by the replay: %llu\n",
		       (unsigned long long)unseen,
		       (unsigned long long)unexpected);
	}
out:
	replay_destroy(run.rp);
	report_set_destroy(&run.reps);
	jobs_destroy(run.jobs);
	ct_engine_destroy(eng);
	if (rc != 0) {
		fprintf(stderr, "ctreplay: out of memory\n");
		return CT_EXIT_INPUT;
	}
	return run.write_error ? CT_EXIT_INPUT : CT_EXIT_OK;
}

/* --json FILE ("-": standard output) or --plot FILE: NULL when it cannot
 * be created (said). */
static FILE *open_output(const char *opt, const char *path, bool dash)
{
	FILE *f = dash && strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL)
		fprintf(stderr, "ctreplay: %s %s: %s\n", opt, path,
			strerror(errno));
	return f;
}

/* Close what open_output() opened: 0, or -1 on a write error (said). */
static int close_output(const char *opt, const char *path, FILE *f)
{
	bool bad;

	if (f == NULL || f == stdout)
		return 0;
	bad = ferror(f) != 0;
	if (fclose(f) != 0)
		bad = true;
	if (bad)
		fprintf(stderr, "ctreplay: %s %s: write error\n", opt, path);
	return bad ? -1 : 0;
}

/*
 * --kernel, before every other option: the profile decides the defaults
 * and which sysctl keys exist, whatever the order on the command line.
 * "auto" takes the version from --firewall DIR's uname (uname -r, written
 * by tools/ctreplay-collect), else the newest profile.  The last --kernel
 * counts.  Returns 0, or -1 (said).
 */
static int kernel_prescan(int argc, char **argv, struct ct_settings *set)
{
	const char *kernel = NULL, *dir = NULL, *path;
	char buf[4096], rel[256], errbuf[CT_ERRBUF_SIZE];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--kernel") == 0 && i + 1 < argc)
			kernel = argv[++i];
		else if (strncmp(argv[i], "--kernel=", 9) == 0)
			kernel = argv[i] + 9;
		else if (strcmp(argv[i], "--firewall") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strncmp(argv[i], "--firewall=", 11) == 0)
			dir = argv[i] + 11;
	}
	if (kernel == NULL)
		return 0;
	if (strcmp(kernel, "auto") == 0) {
		FILE *f;

		kernel = "current";
		path = dir ? fw_dir_file(dir, "uname", buf, sizeof(buf)) : NULL;
		f = path ? fopen(path, "r") : NULL;
		if (f != NULL) {
			if (fgets(rel, sizeof(rel), f) != NULL) {
				rel[strcspn(rel, "\r\n")] = '\0';
				if (isdigit((unsigned char)rel[0]))
					kernel = rel;
			}
			fclose(f);
		}
	}
	if (ct_settings_set_kernel(set, kernel, errbuf) != 0) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		return -1;
	}
	return 0;
}

/*
 * --firewall DIR without --sysctl: the firewall's own settings
 * (DIR/sysctl.txt) before any --set, which then change them.  Returns 0,
 * or -1 (said).
 */
static int firewall_sysctl(int argc, char **argv, struct ct_settings *set)
{
	const char *dir = NULL, *path;
	char buf[4096], errbuf[CT_ERRBUF_SIZE];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--sysctl") == 0 ||
		    strncmp(argv[i], "--sysctl=", 9) == 0)
			return 0;
		if (strcmp(argv[i], "--firewall") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strncmp(argv[i], "--firewall=", 11) == 0)
			dir = argv[i] + 11;
	}
	path = fw_dir_file(dir, "sysctl.txt", buf, sizeof(buf));
	if (!path)
		return 0;
	if (ct_settings_load_sysctl(set, path, stderr, errbuf) != 0) {
		fprintf(stderr, "ctreplay: --firewall %s\n", errbuf);
		return -1;
	}
	return 0;
}

/* Read the firewall, and open --log: 0, or -1 (said). */
static int open_firewall(struct options *o, struct fw_firewall **fw)
{
	char errbuf[CT_ERRBUF_SIZE];
	int r = fw_firewall_load(fw, &o->fw, errbuf);
	size_t i;

	if (r != 0) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		return -1;
	}
	fw_state_set_hz((*fw)->st, o->r.hz);
	if (o->trace_frame)
		fw_state_set_trace((*fw)->st, stdout, o->trace_frame);
	for (i = 0; o->strict && i < (*fw)->rs->nrules; i++) {
		const struct fw_rule *rule = &(*fw)->rs->rules[i];

		if (rule->unknown) {
			fprintf(stderr,
				"ctreplay: %s: chain %s, rule %llu: ctreplay "
				"cannot judge %s (--strict)\n",
				(*fw)->ruleset_file,
				(*fw)->rs->chains[rule->chain].name,
				(unsigned long long)rule->handle,
				rule->unknown_what ? rule->unknown_what : "it");
			return -1;
		}
	}
	if (o->log_path) {
		FILE *f = open_output("--log", o->log_path, true);

		if (!f)
			return -1;
		fw_firewall_set_log(*fw, f);
	}
	return 0;
}

/* --counters: the ruleset written back with this replay's counters. */
static int close_firewall(const struct options *o, struct fw_firewall *fw)
{
	FILE *f;
	int r;

	if (!o->counters_path)
		return 0;
	f = open_output("--counters", o->counters_path, true);
	if (!f)
		return -1;
	r = fw_firewall_write_counters(fw, f);
	if (r != 0)
		fprintf(stderr, "ctreplay: --counters %s: cannot write\n",
			o->counters_path);
	fflush(f);
	return close_output("--counters", o->counters_path, f) != 0 || r != 0
		       ? -1 : 0;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct options o;
	struct ct_settings set;
	char errbuf[CT_ERRBUF_SIZE];
	struct capture *cap = NULL;
	struct fw_firewall *fw = NULL;
	FILE *fwlog = NULL;
	int err = 0, rc, i;

	memset(&o, 0, sizeof(o));
	o.sel = report_select_create();
	if (o.sel == NULL) {
		fprintf(stderr, "ctreplay: out of memory\n");
		return CT_EXIT_INPUT;
	}
	o.until.at = REPLAY_AT_END;
	ct_settings_init(&set);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (kernel_prescan(argc, argv, &set) != 0) {
		report_select_destroy(o.sel);
		return CT_EXIT_USAGE;
	}
	if (firewall_sysctl(argc, argv, &set) != 0) {
		report_select_destroy(o.sel);
		return CT_EXIT_INPUT;
	}

	rc = parse_args(argc, argv, &o, &set);
	if (rc < 0 && o.expect_dir)
		rc = run_expect(&o, &set, argv + optind, argc - optind);
	if (rc >= 0) {
		report_select_destroy(o.sel);
		return rc;
	}
	/* no report chosen: the event stream, as conntrack -E */
	if (!report_chosen(&o.r) && o.nsnaps == 0 && o.trace_frame == 0)
		o.r.events = true;
	o.r.out = stdout;
	o.r.sel = o.sel;
	o.r.hz = set.hz;
	o.r.max = set.max;

	cap = capture_open(argv + optind, argc - optind, o.filter, &err, errbuf);
	if (cap == NULL) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		report_select_destroy(o.sel);
		return err == CT_ERR_FILTER ? CT_EXIT_USAGE : CT_EXIT_INPUT;
	}
	if (o.r.json_path)
		o.r.json = open_output("--json", o.r.json_path, true);
	if (o.r.plot_path && (!o.r.json_path || o.r.json)) {
		const char *base = strrchr(argv[optind], '/');

		o.r.plot = open_output("--plot", o.r.plot_path, false);
		snprintf(o.plot_title, sizeof(o.plot_title),
			 "ctreplay: conntrack table over capture time, %s%s",
			 base ? base + 1 : argv[optind],
			 argc - optind > 1 ? " and more" : "");
		o.r.plot_title = o.plot_title;
	}
	if (o.have_fw && open_firewall(&o, &fw) != 0) {
		rc = CT_EXIT_INPUT;
	} else if (fw && o.nshards > 1 && firewall_translates(fw)) {
		/* a shard owns a connection by its tuple, and NAT gives the
		 * two directions tuples no shard can pair before the replay
		 * chose the mapping */
		fprintf(stderr, "ctreplay: --shard: the firewall translates "
			"addresses (nat chains): a connection's two directions "
			"cannot be sharded apart from the replay\n");
		rc = CT_EXIT_USAGE;
	} else if ((o.r.json_path && !o.r.json) ||
		   (o.r.plot_path && !o.r.plot)) {
		rc = CT_EXIT_USAGE;
	} else {
		rc = run_replay(&o, &set, cap, fw);
		if (fw && rc == CT_EXIT_OK && close_firewall(&o, fw) != 0)
			rc = CT_EXIT_INPUT;
		for (i = 0; i < capture_damaged(cap); i++)
			fprintf(stderr, "ctreplay: %s\n", capture_error(cap, i));
		if (capture_damaged(cap))
			rc = CT_EXIT_INPUT;
	}
	if (close_output("--plot", o.r.plot_path, o.r.plot) != 0)
		rc = CT_EXIT_INPUT;
	report_xml_finish(stdout);
	fflush(stdout);
	report_select_destroy(o.sel);
	if (close_output("--json", o.r.json_path, o.r.json) != 0)
		rc = CT_EXIT_INPUT;
	capture_close(cap);
	if (fw && fw->log)
		fwlog = fw->log;
	fw_firewall_destroy(fw);
	if (fwlog && close_output("--log", o.log_path, fwlog) != 0)
		rc = CT_EXIT_INPUT;
	if (ferror(stdout)) {
		fprintf(stderr, "ctreplay: write error on standard output\n");
		rc = CT_EXIT_INPUT;
	}
	return rc;
}
