/* \summary: the reporters a run may choose, as one table */
#ifndef CTREPLAY_REPORT_REPORTERS_H
#define CTREPLAY_REPORT_REPORTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "select.h"

/*
 * What the command line chose, and where the reports go: the one input
 * of every reporter.  The table (reporters.c) lists them in the order
 * they get each event and write at the end: -E, --expect-events, -L,
 * --json, --verdicts, --explain, -S, --plot.
 */
struct report_opts {
	FILE *out;                     /* standard output, or a -j worker's */
	const char *json_path;         /* --json FILE; NULL: none */
	FILE *json;                    /* its stream (may be out) */
	const char *plot_path;         /* --plot FILE.svg; NULL: none */
	FILE *plot;                    /* its stream */
	const char *plot_title;
	unsigned oflags;               /* -o: REPORT_O_* */
	uint32_t hz;                   /* jiffies per second, for timeouts */
	uint32_t max;                  /* nf_conntrack_max, for --plot */
	bool events;                   /* -E */
	bool expect_events;            /* --expect-events */
	bool list;                     /* -L */
	bool verdicts;                 /* --verdicts */
	bool stats;                    /* -S */
	uint64_t explain_frame;        /* --explain FRAME; 0: none */
	const struct report_select *sel;  /* what -L lists; NULL: all */
};

/* Whether any reporter of the table was chosen. */
bool report_chosen(const struct report_opts *o);

/* Whether every reporter chosen can run under -j (one instance per
 * worker, their output merged, or one on the workers' merged table). */
bool report_jobs_ok(const struct report_opts *o);

/* Whether a chosen reporter shows entries' packet and byte counters. */
bool report_counters(const struct report_opts *o);

#define REPORT_NKINDS 8

/* Which of the chosen reporters a set holds. */
enum report_where {
	REPORT_ONE,            /* all of them, on one engine */
	REPORT_WORKER,         /* -j: those taking events, on a worker */
	REPORT_VIEW,           /* -j: the others, on the workers' table */
};

/* The reporters of one engine (or of one side of -j), made from the
 * table. */
struct report_set {
	struct report_opts o;
	bool on[REPORT_NKINDS];
	void *r[REPORT_NKINDS];
	/* -j: after every entry written at the end, so that the workers'
	 * lines come in the table's order (NULL: nothing) */
	void (*sync)(void *ctx);
	void *sync_ctx;
};

/* Make the reporters `where` names.  0, or CT_ERR_NOMEM (then
 * report_set_destroy() frees what was made). */
int report_set_init(struct report_set *s, const struct report_opts *o,
		    enum report_where where);

/*
 * Hand every reporter's sink to add(), in the table's order; `selected`:
 * the sink prints only what the selection (-p, -s ...) selects.  Then the
 * expectation sinks to add_exp().  0, or the first error either returned
 * (CT_ERR_NOMEM when add_exp is NULL and one is wanted).
 */
int report_set_sinks(struct report_set *s,
		     int (*add)(void *ctx, const struct ct_sink *sink,
				bool selected),
		     int (*add_exp)(void *ctx, const struct ct_exp_sink *sink),
		     void *ctx);

/*
 * The end of the recording, eng's table as it then is (a -j view for
 * several sets): each reporter of the table in turn, across the n sets,
 * writes what it writes at the end (-L, the JSON entries still alive, the
 * --explain verdict, -S, the picture).  `backwards`: the frames stamped
 * earlier than their predecessor (-S).  0, or -1 when a write failed.
 */
int report_set_end(struct report_set *const *sets, size_t n,
		   struct ct_engine *eng, uint64_t backwards);

void report_set_destroy(struct report_set *s);

#endif
