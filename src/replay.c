/* \summary: the replay driver: frames, instants, snapshots, end of capture */
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "readahead.h"
#include "replay.h"

/* A snapshot instant as the run resolves it. */
struct replay_snap {
	struct replay_instant in;      /* REPLAY_AT_EPOCH once resolved */
	bool done;
};

struct replay {
	struct replay_opts o;
	struct replay_snap *snaps;
	ct_time next_due;              /* earliest pending epoch snapshot */
	struct ct_engine *eng;         /* one engine, or */
	struct jobs *jobs;             /* the workers of -j */
	bool started;                  /* the first frame came */
	bool ended;                    /* the recording is over */
	uint64_t frames;
	/* one engine: what its events go to while the recording lasts */
	struct ct_sink sinks[CT_MAX_SINKS];
	int nsinks;
	struct ct_exp_sink xsinks[CT_MAX_SINKS];
	int nxsinks;
};

#define REPLAY_NEVER INT64_MAX

int replay_parse_instant(const char *text, struct replay_instant *in)
{
	memset(in, 0, sizeof(*in));
	if (strcmp(text, "end") == 0) {
		in->at = REPLAY_AT_END;
		return 0;
	}
	if (text[0] == '+') {
		in->at = REPLAY_AT_START;
		return ct_time_parse(text + 1, &in->t);
	}
	in->at = REPLAY_AT_EPOCH;
	return ct_time_parse(text, &in->t);
}

/* ------------------------------------------------------------------ */
/* the recording's sinks (one engine) */

static void replay_event(void *ctx, const struct ct_event *ev)
{
	struct replay *r = ctx;
	int i;

	if (r->ended)
		return;
	for (i = 0; i < r->nsinks; i++)
		r->sinks[i].event(r->sinks[i].ctx, ev);
}

static void replay_exp_event(void *ctx, const struct ct_exp_event *ev)
{
	struct replay *r = ctx;
	int i;

	if (r->ended)
		return;
	for (i = 0; i < r->nxsinks; i++)
		r->xsinks[i].event(r->xsinks[i].ctx, ev);
}

/* Events pass through the replay, which drops them once the recording
 * ended; verdicts (only frames make them) go straight to the sink. */
int replay_add_sink(struct replay *r, const struct ct_sink *sink)
{
	if (r->eng == NULL)
		return CT_ERR_NOMEM;
	if (sink->verdict) {
		struct ct_sink v = { sink->ctx, NULL, sink->verdict };

		if (ct_engine_add_sink(r->eng, &v) != 0)
			return CT_ERR_NOMEM;
	}
	if (sink->event) {
		if (r->nsinks >= CT_MAX_SINKS)
			return CT_ERR_NOMEM;
		r->sinks[r->nsinks++] = *sink;
	}
	return 0;
}

int replay_add_expect_sink(struct replay *r, const struct ct_exp_sink *sink)
{
	if (r->eng == NULL || r->nxsinks >= CT_MAX_SINKS)
		return CT_ERR_NOMEM;
	if (sink->event)
		r->xsinks[r->nxsinks++] = *sink;
	return 0;
}

/* ------------------------------------------------------------------ */
/* lifecycle */

static struct replay *replay_new(const struct replay_opts *o)
{
	struct replay *r = calloc(1, sizeof(*r));
	size_t i;

	if (r == NULL)
		return NULL;
	r->o = *o;
	r->next_due = REPLAY_NEVER;
	if (o->nsnaps) {
		r->snaps = calloc(o->nsnaps, sizeof(*r->snaps));
		if (r->snaps == NULL) {
			free(r);
			return NULL;
		}
	}
	for (i = 0; i < o->nsnaps; i++)
		r->snaps[i].in = o->snaps[i];
	r->o.snaps = NULL;
	return r;
}

struct replay *replay_create(const struct replay_opts *o,
			     struct ct_engine *eng)
{
	struct replay *r = replay_new(o);

	if (r == NULL)
		return NULL;
	r->eng = eng;
	{
		struct ct_sink s = { r, replay_event, NULL };
		struct ct_exp_sink x = { r, replay_exp_event };

		if (ct_engine_add_sink(eng, &s) != 0 ||
		    ct_engine_add_expect_sink(eng, &x) != 0) {
			replay_destroy(r);
			return NULL;
		}
	}
	return r;
}

struct replay *replay_create_jobs(const struct replay_opts *o,
				  struct jobs *j)
{
	struct replay *r = replay_new(o);

	if (r)
		r->jobs = j;
	return r;
}

void replay_destroy(struct replay *r)
{
	if (r == NULL)
		return;
	free(r->snaps);
	free(r);
}

/* ------------------------------------------------------------------ */
/* the clock */

static void replay_advance(struct replay *r, ct_time t)
{
	if (r->jobs)
		jobs_advance(r->jobs, t);
	else
		ct_engine_advance(r->eng, t);
}

/* The table to read: the workers' are merged (they are idle then). */
static struct ct_engine *replay_view(struct replay *r)
{
	return r->jobs ? jobs_view(r->jobs) : r->eng;
}

/* +SECONDS against the first frame's time (0 with none), "end" against
 * the clock at the last frame (only once it is known). */
static void replay_resolve(struct replay *r, ct_time origin, bool end,
			   ct_time now)
{
	size_t i;

	for (i = 0; i < r->o.nsnaps; i++) {
		struct replay_instant *in = &r->snaps[i].in;

		if (in->at == REPLAY_AT_START) {
			in->t += origin;
			in->at = REPLAY_AT_EPOCH;
		} else if (in->at == REPLAY_AT_END && end) {
			in->t = now;
			in->at = REPLAY_AT_EPOCH;
		}
		if (in->at == REPLAY_AT_EPOCH && !r->snaps[i].done &&
		    in->t < r->next_due)
			r->next_due = in->t;
	}
	if (r->o.until.at == REPLAY_AT_START) {
		r->o.until.t += origin;
		r->o.until.at = REPLAY_AT_EPOCH;
	}
}

/*
 * Take, in time order (ties: the order given), every pending snapshot
 * before `limit` (at it too when `incl`), moving the clock to each
 * instant first.  0, or the hook's -1.
 */
static int replay_flush(struct replay *r, ct_time limit, bool incl)
{
	for (;;) {
		struct replay_snap *next = NULL;
		size_t i;

		r->next_due = REPLAY_NEVER;
		for (i = 0; i < r->o.nsnaps; i++) {
			struct replay_snap *s = &r->snaps[i];

			if (s->done || s->in.at != REPLAY_AT_EPOCH)
				continue;
			if (s->in.t > limit || (s->in.t == limit && !incl)) {
				if (s->in.t < r->next_due)
					r->next_due = s->in.t;
				continue;
			}
			if (next == NULL || s->in.t < next->in.t)
				next = s;
		}
		if (next == NULL)
			return 0;
		replay_advance(r, next->in.t);
		next->done = true;
		if (r->o.snapshot(r->o.ctx, (size_t)(next - r->snaps),
				  replay_view(r), next->in.t) != 0)
			return -1;
	}
}

/* Before tracking a frame stamped ts: the first frame fixes the origin,
 * and the snapshots before ts are due. */
static int replay_due(struct replay *r, ct_time ts)
{
	if (!r->started) {
		r->started = true;
		replay_resolve(r, ts, false, 0);
		if (r->o.sel)
			report_select_set_origin(r->o.sel, ts);
	}
	r->frames++;
	if (ts > r->next_due)
		return replay_flush(r, ts, false);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the frames */

/*
 * Prefetch distances for one engine (frames after the one being tracked;
 * readahead.c has them read and decoded by then).  Most of the time per
 * frame is cache misses in the table lookup: the table slot is warmed
 * AHEAD_SLOT frames early and the entry AHEAD_CONN frames early (as the
 * -j workers do).  Frames are still tracked one by one in capture order,
 * so the output is the same.
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

/* NAT's look at the frames after the current one (ct_engine_set_peek()):
 * k = 1 is the next frame. */
static const struct ct_pkt *ahead_peek(void *ctx, unsigned k)
{
	const struct ra_frame *f = readahead_peek_wait(ctx, k + 1);

	return f ? &f->pkt : NULL;
}

/* One engine: frames read and decoded ahead on a thread of their own. */
static int replay_frames_one(struct replay *r, struct capture *cap,
			     struct progress *prog)
{
	struct ct_engine *eng = r->eng;
	struct readahead *ra;
	struct ra_frame *f;
	uint64_t bytes = 24;   /* the pcap file header */
	int rc = 0;

	ra = readahead_start(cap, eng, r->o.shard, r->o.nshards);
	if (ra == NULL)
		return -1;
	ct_engine_set_peek(eng, ahead_peek, ra);
	while ((f = readahead_next(ra)) != NULL) {
		ahead_prefetch(ra, eng);
		if (replay_due(r, f->frame.ts) != 0) {
			rc = -1;
			break;
		}
		if (!f->mine)
			/* another shard's frame: only the clock moves */
			ct_engine_advance(eng, f->pkt.ts);
		else
			ct_engine_packet_hashed(eng, &f->pkt, f->hash);
		/* pcap record header + data: near enough for a progress bar */
		bytes += 16 + f->frame.caplen;
		progress_update(prog, f->frame.number, bytes,
				ct_engine_count(eng));
	}
	if (readahead_nomem(ra))
		rc = -1;
	ct_engine_set_peek(eng, NULL, NULL);
	/* the capture is the reader's until it stops */
	readahead_stop(ra);
	return rc;
}

/* -j: the workers track, this thread reads and merges. */
static int replay_frames_jobs(struct replay *r, struct capture *cap,
			      struct progress *prog)
{
	struct ct_frame frame;
	uint64_t bytes = 24;

	while (capture_next(cap, &frame) == 1) {
		if (replay_due(r, frame.ts) != 0 ||
		    jobs_frame(r->jobs, &frame) != 0)
			return -1;
		bytes += 16 + frame.caplen;
		progress_update(prog, frame.number, bytes, 0);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* the end */

/* After the last frame: "end" snapshots, the clock on to --until, the
 * reports of the end, then the snapshots after it (see replay.h). */
static int replay_finish(struct replay *r)
{
	ct_time now, end;

	if (!r->started)
		replay_resolve(r, 0, false, 0);
	now = ct_engine_now(replay_view(r));
	replay_resolve(r, 0, true, now);
	end = now;
	if (r->o.until.at == REPLAY_AT_EPOCH && r->o.until.t > end)
		end = r->o.until.t;
	if (replay_flush(r, end, true) != 0)
		return -1;
	if (r->o.until.at == REPLAY_AT_EPOCH)
		replay_advance(r, r->o.until.t);
	r->ended = true;
	if (r->jobs)
		jobs_close(r->jobs);
	if (r->o.end && r->o.end(r->o.ctx, replay_view(r), r->frames) != 0)
		return -1;
	return replay_flush(r, REPLAY_NEVER, true);
}

int replay_run(struct replay *r, struct capture *cap)
{
	struct progress *prog = NULL;
	int rc;

	if (r->o.progress)
		prog = progress_create(stderr, capture_bytes_total(cap));
	if (r->jobs)
		rc = replay_frames_jobs(r, cap, prog);
	else
		rc = replay_frames_one(r, cap, prog);
	progress_finish(prog);
	if (rc != 0)
		return -1;
	return replay_finish(r);
}
