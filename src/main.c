/* \summary: ctreplay command line: read captures, replay them, report */
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
#include "decode.h"
#include "jobs.h"
#include "progress.h"
#include "readahead.h"
#include "report/report.h"
#include "report/select.h"
#include "settings.h"

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define MAX_SNAPSHOTS 256

enum snap_kind { SNAP_ABS, SNAP_REL, SNAP_END };

struct snapshot {
	enum snap_kind kind;
	ct_time t;             /* absolute (resolved for SNAP_REL) */
	bool done;
};

struct options {
	bool events;
	bool expect_events;
	bool list;
	bool verdicts;
	bool stats;
	unsigned oflags;
	const char *json_path;
	const char *filter;
	const char *expect_dir;  /* --expect DIR */
	bool update;             /* --update */
	const char *until_text;  /* --until as given, for --expect */
	uint64_t explain_frame; /* 0: none */
	struct report_select *sel;      /* -p, -s, --state, --from ... */
	enum report_proc_format proc_format;  /* --proc-format */
	const char *plot_path;          /* --plot FILE.svg */
	uint32_t shard, nshards;        /* --shard K/N; nshards 0: all */
	unsigned jobs;                  /* -j N: worker threads */
	struct snapshot until; /* kind SNAP_END when not given */
	struct snapshot snaps[MAX_SNAPSHOTS];
	int nsnaps;
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
	{ "mark", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_MARK },
	{ "zone", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_ZONE },
	{ "from", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_FROM },
	{ "to", required_argument, NULL, OPT_SEL_BASE + REPORT_SEL_TO },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "update", no_argument, NULL, OPT_UPDATE },
	{ "expect-events", no_argument, NULL, OPT_EXPECT_EVENTS },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "jobs", required_argument, NULL, 'j' },
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
	      "      --kernel VERSION    TCP rules of another kernel (6, 5.10)\n"
	      "      --until TIME        the capture ran until TIME: entries expire up to it\n"
	      "      --zone-from vlan    each outermost VLAN id is its own conntrack zone\n"
	      "      --shard K/N         only flows of shard K (0..N-1) of N, split by address\n"
	      "                          pair; limits such as nf_conntrack_max hold per shard\n"
	      "  -j, --jobs N            track on N threads, flows split as --shard does;\n"
	      "                          same output, but nf_conntrack_max and expect_max\n"
	      "                          hold per thread (-E, -L, --verdicts, --snapshot,\n"
	      "                          --json; other reports run on one thread)\n"
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

/* TIME as --snapshot and --until take it: epoch, +SECONDS or end. */
static int parse_instant(struct snapshot *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	if (strcmp(text, "end") == 0) {
		s->kind = SNAP_END;
	} else if (text[0] == '+') {
		s->kind = SNAP_REL;
		if (ct_time_parse(text + 1, &s->t) != 0)
			return -1;
	} else {
		s->kind = SNAP_ABS;
		if (ct_time_parse(text, &s->t) != 0)
			return -1;
	}
	return 0;
}

static int add_snapshot(struct options *o, const char *text)
{
	if (o->nsnaps >= MAX_SNAPSHOTS)
		return -1;
	if (parse_instant(&o->snaps[o->nsnaps], text) != 0)
		return -1;
	o->nsnaps++;
	return 0;
}

static void print_snapshot(const struct options *o, struct ct_engine *eng,
			   ct_time t)
{
	char label[48];

	snprintf(label, sizeof(label), "%lld.%09lld",
		 (long long)(t / CT_NSEC_PER_SEC),
		 (long long)(t % CT_NSEC_PER_SEC));
	report_proc_snapshot_sel(stdout, eng, label, o->sel, o->proc_format);
}

/*
 * The earliest pending absolute snapshot before `limit` (any, when `all`),
 * or NULL: flush_snapshots() and jobs_flush_snapshots() take them in time
 * order.
 */
static struct snapshot *next_snapshot(struct options *o, ct_time limit,
				      bool all)
{
	struct snapshot *next = NULL;
	int i;

	for (i = 0; i < o->nsnaps; i++) {
		struct snapshot *s = &o->snaps[i];

		if (s->done || s->kind == SNAP_END)
			continue;
		if (!all && s->t >= limit)
			continue;
		if (next == NULL || s->t < next->t)
			next = s;
	}
	return next;
}

/*
 * Print every pending absolute snapshot whose instant is before `limit`
 * (or all of them when all is set), in time order, moving the engine's
 * clock to each instant first.
 */
static void flush_snapshots(struct options *o, struct ct_engine *eng,
			    ct_time limit, bool all)
{
	struct snapshot *next;

	while ((next = next_snapshot(o, limit, all)) != NULL) {
		ct_engine_advance(eng, next->t);
		print_snapshot(o, eng, next->t);
		next->done = true;
	}
}

/* Pending snapshots before `limit` (all when `all`), as flush_snapshots()
 * does, with the workers of -j. */
static void jobs_flush_snapshots(struct options *o, struct jobs *j,
				 ct_time limit, bool all)
{
	struct snapshot *next;

	while ((next = next_snapshot(o, limit, all)) != NULL) {
		jobs_advance(j, next->t);
		print_snapshot(o, jobs_view(j), next->t);
		next->done = true;
	}
}

/*
 * Prefetch distances for the single-engine replay (frames after the one
 * being tracked; readahead.c has them read and decoded by then).  Most of
 * the time per frame is cache misses in the table lookup: the table slot
 * is warmed AHEAD_SLOT frames early and the entry AHEAD_CONN frames early
 * (as the -j workers do).  Frames are still tracked one by one in capture
 * order, so the output is the same.
 */
#define AHEAD_SLOT 10
#define AHEAD_CONN 4

static void ahead_prefetch(struct readahead *ra, const struct ct_engine *eng)
{
	const struct ra_frame *f = readahead_peek(ra, AHEAD_SLOT);

	if (f)
		ct_engine_prefetch_slot(eng, f->hash);
	f = readahead_peek(ra, AHEAD_CONN);
	if (f && f->hash)
		ct_engine_prefetch(eng, &f->pkt, f->hash);
}

/*
 * -j N: the replay of main()'s loop on worker threads (jobs.c), the
 * tables read through the workers' merged view.  Returns 0, or -1 when
 * memory ran out.
 */
static int replay_jobs(struct options *o, const struct ct_settings *set,
		       struct capture *cap, FILE *json_file)
{
	struct jobs_opts jo;
	struct jobs *j;
	struct ct_frame frame;
	struct progress *prog;
	uint64_t bytes_read = 24;
	bool first = true;
	int i, rc = 0;

	memset(&jo, 0, sizeof(jo));
	jo.nworkers = o->jobs;
	jo.events = o->events;
	jo.oflags = o->oflags;
	jo.verdicts = o->verdicts;
	jo.json = json_file;
	jo.sel = o->sel;
	jo.shard = o->shard;
	jo.nshards = o->nshards;
	j = jobs_create(&jo, set, set->acct || json_file != NULL, stdout);
	if (j == NULL)
		return -1;
	prog = progress_create(stderr, capture_bytes_total(cap));
	while (capture_next(cap, &frame) == 1) {
		if (first) {
			for (i = 0; i < o->nsnaps; i++) {
				if (o->snaps[i].kind == SNAP_REL) {
					o->snaps[i].t += frame.ts;
					o->snaps[i].kind = SNAP_ABS;
				}
			}
			if (o->until.kind == SNAP_REL) {
				o->until.t += frame.ts;
				o->until.kind = SNAP_ABS;
			}
			report_select_set_origin(o->sel, frame.ts);
			first = false;
		}
		if (o->nsnaps)
			jobs_flush_snapshots(o, j, frame.ts, false);
		if (jobs_frame(j, &frame) != 0) {
			rc = -1;
			break;
		}
		bytes_read += 16 + frame.caplen;
		progress_update(prog, frame.number, bytes_read, 0);
	}
	progress_finish(prog);
	for (i = 0; i < o->nsnaps; i++)
		if (o->snaps[i].kind == SNAP_END)
			print_snapshot(o, jobs_view(j),
				       ct_engine_now(jobs_view(j)));
	jobs_flush_snapshots(o, j, 0, true);
	if (o->until.kind == SNAP_ABS)
		jobs_advance(j, o->until.t);
	if (o->list)
		report_list_sel(stdout, stderr, jobs_view(j), o->oflags,
				o->sel);
	jobs_json_finish(j);
	jobs_destroy(j);
	return rc;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct options o;
	struct ct_settings set;
	char errbuf[CT_ERRBUF_SIZE];
	struct capture *cap = NULL;
	struct ct_engine *eng = NULL;
	struct report_events *rev = NULL;
	struct report_expect_events *rxe = NULL;
	struct report_verdicts *rvd = NULL;
	struct report_json *rjs = NULL;
	struct report_explain *rex = NULL;
	struct report_summary *rsum = NULL;
	struct report_plot *rplot = NULL;
	struct progress *prog = NULL;
	FILE *plot_file = NULL;
	uint64_t bytes_read = 24;  /* the pcap file header */
	FILE *json_file = NULL;
	struct readahead *ra = NULL;
	struct ra_frame *as;
	bool first = true, nomem = false;
	int c, err = 0, rc = CT_EXIT_OK, i;

	memset(&o, 0, sizeof(o));
	o.sel = report_select_create();
	if (o.sel == NULL) {
		fprintf(stderr, "ctreplay: out of memory\n");
		return CT_EXIT_INPUT;
	}
	o.until.kind = SNAP_END;
	ct_settings_init(&set);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	while ((c = getopt_long(argc, argv, "ELo:Sf:hVp:s:d:j:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'E':
			o.events = true;
			break;
		case 'L':
			o.list = true;
			break;
		case 'o':
			if (parse_oflags(optarg, &o.oflags) != 0) {
				fprintf(stderr,
					"ctreplay: -o '%s': known flags are timestamp, extended, id\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case 'S':
			o.stats = true;
			break;
		case 'f':
			o.filter = optarg;
			break;
		case OPT_SNAPSHOT:
			if (add_snapshot(&o, optarg) != 0) {
				fprintf(stderr,
					"ctreplay: --snapshot '%s': expected epoch seconds[.fraction], +SECONDS or end (at most %d)\n",
					optarg, MAX_SNAPSHOTS);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_UNTIL:
			o.until_text = optarg;
			if (parse_instant(&o.until, optarg) != 0) {
				fprintf(stderr,
					"ctreplay: --until '%s': expected epoch seconds[.fraction], +SECONDS or end\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_EXPLAIN: {
			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(optarg, &end, 10);
			if (errno || *end != '\0' || n == 0 || optarg[0] == '-') {
				fprintf(stderr,
					"ctreplay: --explain '%s': expected a frame number (from 1)\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			o.explain_frame = n;
			break;
		}
		case OPT_EXPECT_EVENTS:
			o.expect_events = true;
			break;
		case OPT_SHARD: {
			unsigned long k, n;
			char *end, *end2;

			errno = 0;
			k = strtoul(optarg, &end, 10);
			n = *end == '/' ? strtoul(end + 1, &end2, 10) : 0;
			if (errno || optarg[0] == '-' || *end != '/' ||
			    end[1] == '-' || *end2 != '\0' || n == 0 ||
			    n > 65536 || k >= n) {
				fprintf(stderr,
					"ctreplay: --shard '%s': expected K/N with 0 <= K < N <= 65536\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			o.shard = (uint32_t)k;
			o.nshards = (uint32_t)n;
			break;
		}
		case 'j': {
			char *end;
			unsigned long n;

			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || optarg[0] == '-' || *end != '\0' ||
			    n == 0 || n > MAX_JOBS) {
				fprintf(stderr,
					"ctreplay: -j '%s': expected a number of threads from 1 to %d\n",
					optarg, MAX_JOBS);
				return CT_EXIT_USAGE;
			}
			o.jobs = (unsigned)n;
			break;
		}
		case OPT_EXPECT:
			o.expect_dir = optarg;
			break;
		case OPT_UPDATE:
			o.update = true;
			break;
		case OPT_VERDICTS:
			o.verdicts = true;
			break;
		case OPT_JSON:
			o.json_path = optarg;
			break;
		case OPT_SYSCTL:
			if (ct_settings_load_sysctl(&set, optarg, stderr,
						    errbuf) != 0) {
				fprintf(stderr, "ctreplay: --sysctl %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_SET: {
			char key[128];
			const char *eq = strchr(optarg, '=');

			if (eq == NULL || (size_t)(eq - optarg) >= sizeof(key)) {
				fprintf(stderr,
					"ctreplay: --set '%s': expected KEY=VALUE\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			memcpy(key, optarg, (size_t)(eq - optarg));
			key[eq - optarg] = '\0';
			if (ct_settings_set(&set, key, eq + 1, errbuf) != 0) {
				fprintf(stderr, "ctreplay: --set: %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		}
		case OPT_HELPER:
			if (ct_settings_add_helper(&set, optarg, errbuf) != 0) {
				fprintf(stderr, "ctreplay: %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_KERNEL:
			if (ct_settings_set_kernel(&set, optarg, errbuf) != 0) {
				fprintf(stderr, "ctreplay: %s\n", errbuf);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_PROC_FORMAT:
			if (strcmp(optarg, "nf_conntrack") == 0) {
				o.proc_format = REPORT_PROC_NF_CONNTRACK;
			} else if (strcmp(optarg, "ip_conntrack") == 0) {
				o.proc_format = REPORT_PROC_IP_CONNTRACK;
			} else {
				fprintf(stderr,
					"ctreplay: --proc-format '%s': expected nf_conntrack or ip_conntrack\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			break;
		case OPT_PLOT:
			o.plot_path = optarg;
			break;
		case OPT_ZONE_FROM:
			if (strcmp(optarg, "vlan") != 0) {
				fprintf(stderr,
					"ctreplay: --zone-from '%s': expected vlan\n",
					optarg);
				return CT_EXIT_USAGE;
			}
			set.zone_from = CT_ZONE_FROM_VLAN;
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
		case OPT_SEL_BASE + REPORT_SEL_TO: {
			enum report_select_key key =
				c == 'p' ? REPORT_SEL_PROTO
				: c == 's' ? REPORT_SEL_SRC
				: c == 'd' ? REPORT_SEL_DST
				: (enum report_select_key)(c - OPT_SEL_BASE);

			if (report_select_parse(o.sel, key, optarg,
						errbuf) != 0) {
				fprintf(stderr, "ctreplay: %s: %s\n",
					argv[optind - 1], errbuf);
				return CT_EXIT_USAGE;
			}
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
	if (o.update && o.expect_dir == NULL) {
		fprintf(stderr, "ctreplay: --update needs --expect DIR\n");
		return CT_EXIT_USAGE;
	}
	if (o.expect_dir) {
		struct check_opts co = { .dir = o.expect_dir, .update = o.update,
					  .filter = o.filter, .until = o.until_text,
					  .oflags = o.oflags };

		bool other = o.events || o.list || o.verdicts || o.stats ||
			     o.json_path || o.expect_events || o.nsnaps ||
			     o.explain_frame || o.plot_path ||
			     report_select_active(o.sel);

		report_select_destroy(o.sel);
		if (other) {
			fprintf(stderr,
				"ctreplay: --expect compares whole reports: no other report or selection with it (-f restricts the capture)\n");
			return CT_EXIT_USAGE;
		}
		return check_run(&co, &set, argv + optind, argc - optind);
	}
	if (!o.events && !o.list && !o.verdicts && !o.stats && !o.json_path &&
	    !o.expect_events &&
	    o.nsnaps == 0 && o.explain_frame == 0)
		o.events = true;

	cap = capture_open(argv + optind, argc - optind, o.filter, &err, errbuf);
	if (cap == NULL) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		report_select_destroy(o.sel);
		return err == CT_ERR_FILTER ? CT_EXIT_USAGE : CT_EXIT_INPUT;
	}
	/* reports -j does not split run on one thread */
	if (o.jobs > 1 && (o.explain_frame || o.plot_path || o.stats ||
			   o.expect_events || (o.oflags & REPORT_O_XML)))
		o.jobs = 1;
	if (o.jobs > 1) {
		if (o.json_path) {
			json_file = strcmp(o.json_path, "-") == 0
					    ? stdout
					    : fopen(o.json_path, "w");
			if (json_file == NULL) {
				fprintf(stderr, "ctreplay: --json %s: %s\n",
					o.json_path, strerror(errno));
				rc = CT_EXIT_USAGE;
				goto out;
			}
		}
		if (replay_jobs(&o, &set, cap, json_file) != 0)
			goto out_nomem;
		goto damaged;
	}
	eng = ct_engine_create(&set);
	if (eng == NULL)
		goto out_nomem;
	/* tracker notes only for the frame --explain asks about */
	ct_engine_set_explain(eng, o.explain_frame);
	/* counters cost 32 bytes an entry: only when something shows them */
	ct_engine_set_counters(eng, set.acct || o.json_path != NULL);
	if (o.events) {
		struct ct_sink sink = { 0 };

		rev = report_events_create(stdout, o.oflags, set.hz);
		if (rev == NULL)
			goto out_nomem;
		report_events_sink(rev, &sink);
		report_select_wrap(o.sel, &sink);
		ct_engine_add_sink(eng, &sink);
	}
	if (o.expect_events) {
		struct ct_exp_sink xsink = { 0 };

		rxe = report_expect_events_create(stdout, o.oflags);
		if (rxe == NULL)
			goto out_nomem;
		report_expect_events_sink(rxe, &xsink);
		ct_engine_add_expect_sink(eng, &xsink);
	}
	if (o.json_path) {
		struct ct_sink sink = { 0 };

		json_file = strcmp(o.json_path, "-") == 0
				    ? stdout
				    : fopen(o.json_path, "w");
		if (json_file == NULL) {
			fprintf(stderr, "ctreplay: --json %s: %s\n", o.json_path,
				strerror(errno));
			rc = CT_EXIT_USAGE;
			goto out;
		}
		rjs = report_json_create(json_file, set.hz);
		if (rjs == NULL)
			goto out_nomem;
		report_json_sink(rjs, &sink);
		report_select_wrap(o.sel, &sink);
		ct_engine_add_sink(eng, &sink);
	}
	if (o.verdicts) {
		struct ct_sink sink = { 0 };

		rvd = report_verdicts_create(stdout);
		if (rvd == NULL)
			goto out_nomem;
		report_verdicts_sink(rvd, &sink);
		report_select_wrap(o.sel, &sink);
		ct_engine_add_sink(eng, &sink);
	}

	if (o.explain_frame) {
		struct ct_sink sink = { 0 };

		rex = report_explain_create(stdout, o.explain_frame, set.hz);
		if (rex == NULL)
			goto out_nomem;
		report_explain_sink(rex, &sink);
		ct_engine_add_sink(eng, &sink);
	}

	if (o.stats) {
		struct ct_sink sink = { 0 };

		rsum = report_summary_create();
		if (rsum == NULL)
			goto out_nomem;
		report_summary_sink(rsum, &sink);
		ct_engine_add_sink(eng, &sink);
	}
	if (o.plot_path) {
		struct ct_sink sink = { 0 };

		plot_file = fopen(o.plot_path, "w");
		if (plot_file == NULL) {
			fprintf(stderr, "ctreplay: --plot %s: %s\n", o.plot_path,
				strerror(errno));
			rc = CT_EXIT_USAGE;
			goto out;
		}
		rplot = report_plot_create(set.max);
		if (rplot == NULL)
			goto out_nomem;
		report_plot_sink(rplot, &sink);
		ct_engine_add_sink(eng, &sink);
	}
	prog = progress_create(stderr, capture_bytes_total(cap));

	ra = readahead_start(cap, eng, o.shard, o.nshards);
	if (ra == NULL)
		goto out_nomem;
	while ((as = readahead_next(ra)) != NULL) {
		const struct ct_frame *frame = &as->frame;

		ahead_prefetch(ra, eng);
		if (first) {
			for (i = 0; i < o.nsnaps; i++) {
				if (o.snaps[i].kind == SNAP_REL) {
					o.snaps[i].t += frame->ts;
					o.snaps[i].kind = SNAP_ABS;
				}
			}
			if (o.until.kind == SNAP_REL) {
				o.until.t += frame->ts;
				o.until.kind = SNAP_ABS;
			}
			report_select_set_origin(o.sel, frame->ts);
			first = false;
		}
		if (o.nsnaps)
			flush_snapshots(&o, eng, frame->ts, false);
		if (!as->mine)
			/* another shard's frame: only the clock moves */
			ct_engine_advance(eng, as->pkt.ts);
		else
			ct_engine_packet_hashed(eng, &as->pkt, as->hash);
		/* pcap record header + data: near enough for a progress bar */
		bytes_read += 16 + frame->caplen;
		progress_update(prog, frame->number, bytes_read,
				ct_engine_count(eng));
	}
	nomem = readahead_nomem(ra);
	/* the capture is the reader's until it stops */
	readahead_stop(ra);
	ra = NULL;
	if (nomem)
		goto out_nomem;
	progress_finish(prog);
	prog = NULL;

	/* Snapshots after the last frame: the clock runs on without traffic,
	 * and so it does up to --until. */
	for (i = 0; i < o.nsnaps; i++)
		if (o.snaps[i].kind == SNAP_END)
			print_snapshot(&o, eng, ct_engine_now(eng));
	flush_snapshots(&o, eng, 0, true);
	if (o.until.kind == SNAP_ABS)
		ct_engine_advance(eng, o.until.t);
	if (o.list)
		report_list_sel(stdout, stderr, eng, o.oflags, o.sel);
	if (rjs)
		report_json_finish(rjs, eng);
	if (rex)
		report_explain_finish(rex);
	if (o.stats)
		report_stats(stdout, eng);
	if (rsum)
		report_summary_print(rsum, stdout, capture_backwards(cap));
	if (rplot) {
		char title[256];
		int nfiles = argc - optind;
		const char *base = strrchr(argv[optind], '/');

		snprintf(title, sizeof(title),
			 "ctreplay: conntrack table over capture time, %s%s",
			 base ? base + 1 : argv[optind],
			 nfiles > 1 ? " and more" : "");
		if (report_plot_write(rplot, plot_file, title) != 0 ||
		    fclose(plot_file) != 0) {
			fprintf(stderr, "ctreplay: --plot %s: write error\n",
				o.plot_path);
			rc = CT_EXIT_INPUT;
		}
		plot_file = NULL;
	}

damaged:
	if (capture_damaged(cap)) {
		for (i = 0; i < capture_damaged(cap); i++)
			fprintf(stderr, "ctreplay: %s\n", capture_error(cap, i));
		rc = CT_EXIT_INPUT;
	}
	goto out;

out_nomem:
	fprintf(stderr, "ctreplay: out of memory\n");
	rc = CT_EXIT_INPUT;
out:
	progress_finish(prog);
	report_xml_finish(stdout);
	fflush(stdout);
	if (plot_file)
		fclose(plot_file);
	report_summary_destroy(rsum);
	report_plot_destroy(rplot);
	report_select_destroy(o.sel);
	if (json_file && json_file != stdout && fclose(json_file) != 0) {
		fprintf(stderr, "ctreplay: --json %s: write error\n", o.json_path);
		rc = CT_EXIT_INPUT;
	}
	report_events_destroy(rev);
	report_expect_events_destroy(rxe);
	report_verdicts_destroy(rvd);
	report_json_destroy(rjs);
	report_explain_destroy(rex);
	readahead_stop(ra);
	ct_engine_destroy(eng);
	capture_close(cap);
	if (ferror(stdout)) {
		fprintf(stderr, "ctreplay: write error on standard output\n");
		rc = CT_EXIT_INPUT;
	}
	return rc;
}
