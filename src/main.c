/* \summary: ctreplay command line: read captures, replay them, report */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "common.h"
#include "ct/engine.h"
#include "decode.h"
#include "report/report.h"
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
	bool list;
	bool verdicts;
	bool stats;
	unsigned oflags;
	const char *json_path;
	const char *filter;
	uint64_t explain_frame; /* 0: none */
	struct snapshot until; /* kind SNAP_END when not given */
	struct snapshot snaps[MAX_SNAPSHOTS];
	int nsnaps;
};

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
};

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
	      "  -o, --output FLAGS      conntrack -o flags: timestamp,extended,id\n"
	      "  -L, --list              the table at the end, as `conntrack -L`\n"
	      "      --snapshot TIME     the table as /proc/net/nf_conntrack at TIME:\n"
	      "                          epoch seconds[.fraction], +SECONDS, or end\n"
	      "      --verdicts          one line per frame: what `ct state` matched\n"
	      "      --json FILE         one JSON object per connection lifetime\n"
	      "  -S, --stats             counters at the end, as `conntrack -S`\n"
	      "      --explain FRAME     why FRAME got its verdict: entry, states, window\n"
	      "\n"
	      "Input and settings:\n"
	      "  -f, --filter EXPR       BPF filter; other frames are as if not captured\n"
	      "      --sysctl FILE       net.netfilter settings as `sysctl -a` prints them\n"
	      "      --set KEY=VALUE     one setting (tcp_timeout_established=3600)\n"
	      "      --helper NAME:PROTO/PORT  attach a helper (ftp:tcp/21, tftp:udp/69)\n"
	      "      --kernel VERSION    TCP rules of another kernel (6, 5.10)\n"
	      "      --until TIME        the capture ran until TIME: entries expire up to it\n"
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
		else
			return -1;
	}
	return 0;
}

/*
 * "1795343163.269844" -> nanoseconds, exactly (no floating point).
 * Returns 0, or -1 when the text is not SECONDS[.FRACTION].
 */
static int parse_time(const char *text, ct_time *out)
{
	ct_time sec = 0, frac = 0;
	int digits = 0, fdigits = 0;
	const char *p = text;

	while (*p >= '0' && *p <= '9') {
		if (sec > (INT64_MAX / CT_NSEC_PER_SEC) / 10)
			return -1;
		sec = sec * 10 + (*p - '0');
		digits++;
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (fdigits < 9) {
				frac = frac * 10 + (*p - '0');
				fdigits++;
			}
			p++;
		}
	}
	if (*p != '\0' || (digits == 0 && fdigits == 0))
		return -1;
	while (fdigits++ < 9)
		frac *= 10;
	*out = sec * CT_NSEC_PER_SEC + frac;
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
		if (parse_time(text + 1, &s->t) != 0)
			return -1;
	} else {
		s->kind = SNAP_ABS;
		if (parse_time(text, &s->t) != 0)
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

static void print_snapshot(FILE *out, struct ct_engine *eng, ct_time t)
{
	char label[48];

	snprintf(label, sizeof(label), "%lld.%09lld",
		 (long long)(t / CT_NSEC_PER_SEC),
		 (long long)(t % CT_NSEC_PER_SEC));
	report_proc_snapshot(out, eng, label);
}

/*
 * Print every pending absolute snapshot whose instant is before `limit`
 * (or all of them when all is set), in time order, moving the engine's
 * clock to each instant first.
 */
static void flush_snapshots(struct options *o, struct ct_engine *eng,
			    ct_time limit, bool all)
{
	for (;;) {
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
		if (next == NULL)
			return;
		ct_engine_advance(eng, next->t);
		print_snapshot(stdout, eng, next->t);
		next->done = true;
	}
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
	struct report_verdicts *rvd = NULL;
	struct report_json *rjs = NULL;
	struct report_explain *rex = NULL;
	FILE *json_file = NULL;
	struct ct_frame frame;
	struct ct_pkt pkt;
	bool first = true;
	int c, err = 0, rc = CT_EXIT_OK, i, r;

	memset(&o, 0, sizeof(o));
	o.until.kind = SNAP_END;
	ct_settings_init(&set);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	while ((c = getopt_long(argc, argv, "ELo:Sf:hV", long_opts, NULL)) != -1) {
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
	if (!o.events && !o.list && !o.verdicts && !o.stats && !o.json_path &&
	    o.nsnaps == 0 && o.explain_frame == 0)
		o.events = true;

	cap = capture_open(argv + optind, argc - optind, o.filter, &err, errbuf);
	if (cap == NULL) {
		fprintf(stderr, "ctreplay: %s\n", errbuf);
		return err == CT_ERR_FILTER ? CT_EXIT_USAGE : CT_EXIT_INPUT;
	}
	eng = ct_engine_create(&set);
	if (eng == NULL)
		goto out_nomem;
	if (o.events) {
		struct ct_sink sink = { 0 };

		rev = report_events_create(stdout, o.oflags, set.hz);
		if (rev == NULL)
			goto out_nomem;
		report_events_sink(rev, &sink);
		ct_engine_add_sink(eng, &sink);
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
		ct_engine_add_sink(eng, &sink);
	}
	if (o.verdicts) {
		struct ct_sink sink = { 0 };

		rvd = report_verdicts_create(stdout);
		if (rvd == NULL)
			goto out_nomem;
		report_verdicts_sink(rvd, &sink);
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

	while ((r = capture_next(cap, &frame)) == 1) {
		if (first) {
			for (i = 0; i < o.nsnaps; i++) {
				if (o.snaps[i].kind == SNAP_REL) {
					o.snaps[i].t += frame.ts;
					o.snaps[i].kind = SNAP_ABS;
				}
			}
			if (o.until.kind == SNAP_REL) {
				o.until.t += frame.ts;
				o.until.kind = SNAP_ABS;
			}
			first = false;
		}
		if (o.nsnaps)
			flush_snapshots(&o, eng, frame.ts, false);
		ct_decode(frame.dlt, frame.data, frame.caplen, frame.number,
			  frame.ts, &pkt);
		ct_engine_packet(eng, &pkt);
	}

	/* Snapshots after the last frame: the clock runs on without traffic,
	 * and so it does up to --until. */
	for (i = 0; i < o.nsnaps; i++)
		if (o.snaps[i].kind == SNAP_END)
			print_snapshot(stdout, eng, ct_engine_now(eng));
	flush_snapshots(&o, eng, 0, true);
	if (o.until.kind == SNAP_ABS)
		ct_engine_advance(eng, o.until.t);
	if (o.list)
		report_list(stdout, stderr, eng, o.oflags);
	if (rjs)
		report_json_finish(rjs, eng);
	if (rex)
		report_explain_finish(rex);
	if (o.stats)
		report_stats(stdout, eng);

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
	fflush(stdout);
	if (json_file && json_file != stdout && fclose(json_file) != 0) {
		fprintf(stderr, "ctreplay: --json %s: write error\n", o.json_path);
		rc = CT_EXIT_INPUT;
	}
	report_events_destroy(rev);
	report_verdicts_destroy(rvd);
	report_json_destroy(rjs);
	report_explain_destroy(rex);
	ct_engine_destroy(eng);
	capture_close(cap);
	if (ferror(stdout)) {
		fprintf(stderr, "ctreplay: write error on standard output\n");
		rc = CT_EXIT_INPUT;
	}
	return rc;
}
