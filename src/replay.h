/* \summary: the replay driver: frames, instants, snapshots, end of capture */
#ifndef CTREPLAY_REPLAY_H
#define CTREPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "ct/engine.h"
#include "jobs.h"
#include "report/select.h"

/*
 * One loop replays a capture for every mode (the default run, -j and
 * --expect).  What it does with time:
 *
 *  - instants (--snapshot, --until, a recorded snapshot of --expect) are
 *    epoch seconds, +SECONDS after the first frame, or "end" (the last
 *    frame); +SECONDS resolve at the first frame (against 0 when there is
 *    none), and so does the origin of --from/--to;
 *  - a snapshot is taken when the clock reaches its instant: before the
 *    first frame stamped later than it (frames stamped exactly at it are
 *    included), every entry whose deadline came expired first;
 *  - the recording ends at the last frame, or at --until when that is
 *    later: the clock runs on to it without traffic and its expiries are
 *    reported like any other.  Every report of the end (-L, -S, the JSON
 *    entries still alive, --plot...) is made then;
 *  - a snapshot after the end still shows the table at its instant, every
 *    entry expired up to it, as reading /proc then would: the kernel goes
 *    on timing entries out after a recording stops.  But nothing of what
 *    happens after the end is reported (no event, no line of -L or JSON):
 *    a `conntrack -E` recording stopped with the capture, and looking at
 *    the table never changes what the other reports print.  Such a
 *    snapshot comes after the reports of the end.
 */

/* When an instant is. */
enum replay_at {
	REPLAY_AT_EPOCH = 0,   /* t: epoch, ns */
	REPLAY_AT_START,       /* t: offset after the first frame, ns */
	REPLAY_AT_END,         /* the last frame (--until: not given) */
};

struct replay_instant {
	enum replay_at at;
	ct_time t;
};

/* TIME as --snapshot and --until take it: epoch seconds[.fraction],
 * +SECONDS or end.  0, or -1 when it does not parse. */
int replay_parse_instant(const char *text, struct replay_instant *in);

struct replay_opts {
	const struct replay_instant *snaps;    /* taken in time order */
	size_t nsnaps;
	struct replay_instant until;   /* REPLAY_AT_END: no --until */
	struct report_select *sel;     /* origin of --from/--to; may be NULL */
	uint32_t shard, nshards;       /* --shard K/N (one engine; -j has its own) */
	bool progress;                 /* the progress line on standard error */

	/*
	 * The hooks: snapshot `i` of snaps at instant t (the clock is there),
	 * and the end of the recording (`frames` read).  They return 0, or -1
	 * when memory ran out, which stops the replay.
	 */
	int (*snapshot)(void *ctx, size_t i, struct ct_engine *eng, ct_time t);
	int (*end)(void *ctx, struct ct_engine *eng, uint64_t frames);
	void *ctx;
};

struct replay;

/*
 * A replay onto one engine, or onto the workers of -j (whose reporters
 * jobs.c attaches).  NULL when memory runs out or, for one engine, its
 * sinks are all taken.
 */
struct replay *replay_create(const struct replay_opts *o,
			     struct ct_engine *eng);
struct replay *replay_create_jobs(const struct replay_opts *o,
				  struct jobs *j);

/*
 * Report an engine's events (expectation events) to `sink` until the
 * recording ends; verdicts go to it directly.  One engine only.  0, or
 * CT_ERR_NOMEM when CT_MAX_SINKS are taken.
 */
int replay_add_sink(struct replay *r, const struct ct_sink *sink);
int replay_add_expect_sink(struct replay *r, const struct ct_exp_sink *sink);

/*
 * Replay the capture to its end and take every snapshot.  Returns 0, or
 * -1 when memory ran out (here or in a hook): the replay then stopped.
 */
int replay_run(struct replay *r, struct capture *cap);

void replay_destroy(struct replay *r);

#endif
