/* \summary: -j N: replay on N worker threads, output identical to one */
#ifndef CTREPLAY_JOBS_H
#define CTREPLAY_JOBS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "ct/engine.h"
#include "report/select.h"
#include "settings.h"

/*
 * The reporters -j supports: what main.c would attach to one engine.
 * Every worker gets its own instances writing into memory; the reader
 * thread merges their output into `out` and `json` in the order one
 * engine prints it.
 */
struct jobs_opts {
	unsigned nworkers;             /* >= 1 */
	bool events;                   /* -E to out */
	unsigned oflags;
	bool verdicts;                 /* --verdicts to out */
	FILE *json;                    /* --json, may be out; NULL: none */
	const struct report_select *sel;  /* shared, read only; may be NULL */
	uint32_t shard, nshards;       /* --shard K/N (nshards <= 1: all) */
};

struct jobs;

/*
 * Start the workers, each with an engine made from `set` (counters kept
 * when `counters`).  NULL when memory or threads run out.
 */
struct jobs *jobs_create(const struct jobs_opts *o,
			 const struct ct_settings *set, bool counters,
			 FILE *out);

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
 * are idle: after jobs_advance() or jobs_finish()). */
struct ct_engine *jobs_view(struct jobs *j);

/* Wait for all frames, then write the JSON lifetimes still alive. */
void jobs_json_finish(struct jobs *j);

/* Stop the workers and free everything (the view too). */
void jobs_destroy(struct jobs *j);

#endif
