/* \summary: -j N: replay on N worker threads, output identical to one */
#ifndef CTREPLAY_JOBS_H
#define CTREPLAY_JOBS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "ct/engine.h"
#include "report/reporters.h"
#include "settings.h"

/*
 * The reporters of the table (report/reporters.h) that take events run
 * on every worker, each instance writing into memory; the reader thread
 * merges their output into reports->out and reports->json in the order
 * one engine prints it.  report_jobs_ok() says whether a choice of
 * reporters can run so.
 */
struct jobs_opts {
	unsigned nworkers;             /* >= 1 */
	const struct report_opts *reports;  /* copied; sel read only */
	uint32_t shard, nshards;       /* --shard K/N (nshards <= 1: all) */
};

struct jobs;

/*
 * Start the workers, each with an engine made from `set` (counters kept
 * when `counters`) and its reporters.  NULL when memory or threads run
 * out.
 */
struct jobs *jobs_create(const struct jobs_opts *o,
			 const struct ct_settings *set, bool counters);

/* Queue one frame (copied): decoded, sharded, tracked by its worker while
 * every other worker's clock follows.  0, or -1 when memory ran out. */
int jobs_frame(struct jobs *j, const struct ct_frame *f);

/*
 * Move every worker's clock to `t` (expiries printed) and wait until all
 * output so far is written; the workers are then idle and jobs_view() may
 * be read until the next jobs_frame().
 */
void jobs_advance(struct jobs *j, ct_time t);

/* An engine reporting the union of the workers' tables (only while they
 * are idle: after jobs_advance() or jobs_close()). */
struct ct_engine *jobs_view(struct jobs *j);

/* The recording ended (replay.h): wait for all frames; from now on the
 * workers' reporters get no more events. */
void jobs_close(struct jobs *j);

/*
 * The reports of the end (report_set_end()): those of `view`, made on
 * the merged table, and the workers', in the table's order.  0, or -1
 * when a write failed.
 */
int jobs_end(struct jobs *j, struct report_set *view, uint64_t backwards);

/* Stop the workers and free everything (the view too). */
void jobs_destroy(struct jobs *j);

#endif
