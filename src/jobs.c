/* \summary: -j N: replay on N worker threads, output identical to one */
/*
 * The reader thread (the caller) copies frames into batches, decodes them
 * and picks each one's worker with ct_engine_shard_of() -- the split
 * --shard makes, so no entry, expectation or fragment queue is ever
 * needed by two workers.  Every worker sees every frame: it tracks its own
 * and only advances its clock on the others', so entries expire in every
 * worker exactly when one engine would expire them.
 *
 * Each worker has its own reporters, writing into memory through a stdio
 * stream; a sink in front of them cuts that output into records: one per
 * expiry (keyed by deadline and id) and one for the rest of a frame (its
 * own events and verdict).  One engine prints, at each frame, the
 * expiries due in (deadline, id) order, then the frame's events, then its
 * verdict; the reader merges the workers' records of a batch in exactly
 * that order.  Tables (snapshots, -L, the JSON survivors) are read while
 * the workers are idle, through a view engine merging them by id.
 *
 * Batches go round a ring of JOBS_RING; nothing is allocated per frame
 * once the buffers have grown to the largest batch.
 */
#if !defined(__APPLE__) && !defined(__FreeBSD__) && !defined(__NetBSD__) && \
	!defined(__OpenBSD__) && !defined(__DragonFly__)
#define _GNU_SOURCE 1          /* fopencookie() */
#define JOBS_FOPENCOOKIE 1
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "decode.h"
#include "jobs.h"

#define JOBS_BATCH 1024         /* frames per batch */
#define JOBS_RING 4             /* batches in flight */
#define JOBS_NOBODY UINT32_MAX  /* a frame of another --shard */
#define JOBS_REASON 64
/* Prefetch distances (frames ahead): the table slot, then the entry. */
#define JOBS_AHEAD_SLOT 10
#define JOBS_AHEAD_CONN 4

enum jobs_rec_kind { JOBS_REC_EXPIRY, JOBS_REC_FRAME };

/* A piece of one worker's output: what one sink call (and its followers
 * up to the next) printed. */
struct jobs_rec {
	uint32_t frame;        /* index in the batch */
	uint8_t kind;          /* enum jobs_rec_kind */
	ct_time deadline;      /* expiry: the order one engine keeps */
	uint64_t id;
	size_t out_off, out_end;
	size_t js_off, js_end;
};

struct jobs_buf {
	char *p;
	size_t len, cap;
};

struct jobs_out {
	struct jobs_buf out, js;
	struct jobs_rec *rec;
	size_t nrec, rcap;
	bool failed;           /* memory ran out: output incomplete */
};

struct jobs_slot {
	struct ct_pkt pkt;
	size_t off;            /* data in the batch arena */
	uint64_t number;
	ct_time ts;
	uint32_t caplen;
	int dlt;
	uint32_t owner;        /* worker, or JOBS_NOBODY */
	char reason[JOBS_REASON];  /* decode's reason may be overwritten */
};

struct jobs_batch {
	uint64_t seq;
	bool ready;            /* published, under the mutex */
	bool quit;
	bool advance;          /* no frames: every clock to advance_to */
	ct_time advance_to;
	unsigned pending;      /* workers still on it */
	size_t nframes;
	struct jobs_slot *slots;
	unsigned char *arena;
	size_t arena_len, arena_cap;
	struct jobs_out *outs; /* one per worker */
};

struct jobs_worker;

/* One memory stream of a worker: standard output's or the JSON file's. */
struct jobs_stream {
	struct jobs_worker *w;
	bool json;
};

struct jobs_worker {
	struct jobs *j;
	unsigned index;
	pthread_t thread;
	bool running;
	struct ct_engine *eng;
	struct report_set reps;        /* those that take events */
	struct ct_sink sinks[CT_MAX_SINKS];    /* in the table's order */
	bool selected[CT_MAX_SINKS];   /* the sink takes the selection */
	int nsinks;
	struct jobs_stream so, sj;
	FILE *fo, *fj;                 /* fj may be fo */
	struct jobs_out *cur;
	bool direct;                   /* after the run: straight through */
	uint32_t frame;
	bool rec_open;
	uint8_t rec_kind;
	uint32_t hash[JOBS_BATCH];     /* prefetch: tuple hash per frame */
};

struct jobs {
	struct jobs_opts o;
	struct report_opts ro;
	FILE *out;                     /* ro.out */
	unsigned n;
	struct jobs_worker *w;
	struct ct_engine **engs;
	struct ct_engine *view;
	struct report_set **sets;      /* at the end: the view's, workers' */
	const struct report_select *sel;   /* NULL unless active */
	bool closed;                   /* the recording ended: no more events */
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct jobs_batch ring[JOBS_RING];
	uint64_t next_seq;             /* next batch to publish */
	uint64_t merged_seq;           /* batches written */
	struct jobs_batch *filling;
	size_t *cursor;                /* merge: per worker record */
};

/* ------------------------------------------------------------------ */
/* memory streams */

static bool buf_add(struct jobs_buf *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		char *q;

		while (cap < b->len + n)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return false;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return true;
}

static void stream_put(struct jobs_stream *s, const char *p, size_t n)
{
	struct jobs_worker *w = s->w;

	if (w->direct) {
		fwrite(p, 1, n, s->json ? w->j->ro.json : w->j->out);
		return;
	}
	if (!w->cur || !buf_add(s->json ? &w->cur->js : &w->cur->out, p, n)) {
		if (w->cur)
			w->cur->failed = true;
	}
}

#ifdef JOBS_FOPENCOOKIE
static ssize_t stream_write(void *c, const char *p, size_t n)
{
	stream_put(c, p, n);
	return (ssize_t)n;
}

static FILE *stream_open(struct jobs_stream *s)
{
	cookie_io_functions_t io = { NULL, stream_write, NULL, NULL };

	return fopencookie(s, "w", io);
}
#else
static int stream_write(void *c, const char *p, int n)
{
	stream_put(c, p, (size_t)n);
	return n;
}

static FILE *stream_open(struct jobs_stream *s)
{
	return funopen(s, NULL, stream_write, NULL, NULL);
}
#endif

/* ------------------------------------------------------------------ */
/* records */

static void rec_close(struct jobs_worker *w)
{
	struct jobs_rec *r;

	if (!w->rec_open)
		return;
	fflush(w->fo);
	if (w->fj && w->fj != w->fo)
		fflush(w->fj);
	r = &w->cur->rec[w->cur->nrec - 1];
	r->out_end = w->cur->out.len;
	r->js_end = w->cur->js.len;
	w->rec_open = false;
}

static void rec_open(struct jobs_worker *w, uint8_t kind, ct_time deadline,
		     uint64_t id)
{
	struct jobs_out *o = w->cur;
	struct jobs_rec *r;

	rec_close(w);
	if (o->nrec == o->rcap) {
		size_t cap = o->rcap ? 2 * o->rcap : 1024;
		struct jobs_rec *q = realloc(o->rec, cap * sizeof(*q));

		if (!q) {
			o->failed = true;
			return;
		}
		o->rec = q;
		o->rcap = cap;
	}
	r = &o->rec[o->nrec++];
	r->frame = w->frame;
	r->kind = kind;
	r->deadline = deadline;
	r->id = id;
	r->out_off = r->out_end = o->out.len;
	r->js_off = r->js_end = o->js.len;
	w->rec_open = true;
	w->rec_kind = kind;
}

/* Whether the open record holds the current frame's own output. */
static bool frame_rec_open(const struct jobs_worker *w)
{
	return w->rec_open && w->rec_kind == JOBS_REC_FRAME &&
	       w->cur->rec[w->cur->nrec - 1].frame == w->frame;
}

/* The worker's one engine sink: cut the record, select, report (nothing
 * once the recording ended: jobs_close()). */
static void tap_event(void *ctx, const struct ct_event *ev)
{
	struct jobs_worker *w = ctx;
	bool pass;
	int i;

	if (w->j->closed)
		return;
	if (ev->type == CT_EV_DESTROY && ev->cause == CT_DC_EXPIRED)
		rec_open(w, JOBS_REC_EXPIRY, ev->ts, ev->ct->id);
	else if (!frame_rec_open(w))
		rec_open(w, JOBS_REC_FRAME, 0, 0);
	pass = !w->j->sel || report_select_event(w->j->sel, ev);
	for (i = 0; i < w->nsinks; i++)
		if (w->sinks[i].event && (pass || !w->selected[i]))
			w->sinks[i].event(w->sinks[i].ctx, ev);
}

static void tap_verdict(void *ctx, const struct ct_verdict *v)
{
	struct jobs_worker *w = ctx;
	bool pass;
	int i;

	if (!frame_rec_open(w))
		rec_open(w, JOBS_REC_FRAME, 0, 0);
	pass = !w->j->sel || report_select_verdict(w->j->sel, v);
	for (i = 0; i < w->nsinks; i++)
		if (w->sinks[i].verdict && (pass || !w->selected[i]))
			w->sinks[i].verdict(w->sinks[i].ctx, v);
}

/* ------------------------------------------------------------------ */
/* workers */

static void *worker_main(void *arg)
{
	struct jobs_worker *w = arg;
	struct jobs *j = w->j;
	uint64_t seq;

	for (seq = 0;; seq++) {
		struct jobs_batch *b = &j->ring[seq % JOBS_RING];
		size_t i;

		pthread_mutex_lock(&j->mu);
		while (!(b->ready && b->seq == seq))
			pthread_cond_wait(&j->work_cv, &j->mu);
		pthread_mutex_unlock(&j->mu);
		if (b->quit)
			break;
		w->cur = &b->outs[w->index];
		w->cur->out.len = w->cur->js.len = w->cur->nrec = 0;
		w->cur->failed = false;
		w->frame = 0;
		if (b->advance)
			ct_engine_advance(w->eng, b->advance_to);
		for (i = 0; i < b->nframes && i < JOBS_AHEAD_SLOT; i++)
			w->hash[i] = b->slots[i].owner == w->index
				? ct_engine_prefetch(w->eng, &b->slots[i].pkt, 0)
				: 0;
		for (i = 0; i < b->nframes; i++) {
			struct jobs_slot *s = &b->slots[i];
			size_t a = i + JOBS_AHEAD_SLOT, c = i + JOBS_AHEAD_CONN;

			/* the table lookup misses the cache: warm it for the
			 * frames coming (this worker's own) */
			if (a < b->nframes)
				w->hash[a] = b->slots[a].owner == w->index
					? ct_engine_prefetch(w->eng,
							     &b->slots[a].pkt, 0)
					: 0;
			if (c < b->nframes && w->hash[c])
				ct_engine_prefetch(w->eng, &b->slots[c].pkt,
						   w->hash[c]);
			w->frame = (uint32_t)i;
			if (s->owner == w->index)
				ct_engine_packet(w->eng, &s->pkt);
			else
				ct_engine_advance(w->eng, s->pkt.ts);
		}
		rec_close(w);
		w->cur = NULL;
		pthread_mutex_lock(&j->mu);
		if (--b->pending == 0)
			pthread_cond_broadcast(&j->done_cv);
		pthread_mutex_unlock(&j->mu);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* the reader's side */

static void rec_write(struct jobs *j, const struct jobs_out *o,
		      const struct jobs_rec *r)
{
	if (r->out_end > r->out_off)
		fwrite(o->out.p + r->out_off, 1, r->out_end - r->out_off,
		       j->out);
	if (r->js_end > r->js_off)
		fwrite(o->js.p + r->js_off, 1, r->js_end - r->js_off,
		       j->ro.json);
}

/* Write one finished batch: per frame, the expiries of every worker in
 * (deadline, id) order, then the frame's own records. */
static void batch_merge(struct jobs *j, struct jobs_batch *b)
{
	size_t nf = b->nframes ? b->nframes : 1, f;
	unsigned w;

	for (w = 0; w < j->n; w++) {
		j->cursor[w] = 0;
		if (b->outs[w].failed)
			fprintf(stderr, "ctreplay: -j: out of memory, output incomplete\n");
	}
	for (f = 0; f < nf; f++) {
		for (;;) {
			const struct jobs_rec *best = NULL;
			unsigned bw = 0;

			for (w = 0; w < j->n; w++) {
				const struct jobs_out *o = &b->outs[w];
				const struct jobs_rec *r;

				if (j->cursor[w] >= o->nrec)
					continue;
				r = &o->rec[j->cursor[w]];
				if (r->frame != f || r->kind != JOBS_REC_EXPIRY)
					continue;
				if (!best || r->deadline < best->deadline ||
				    (r->deadline == best->deadline &&
				     r->id < best->id)) {
					best = r;
					bw = w;
				}
			}
			if (!best)
				break;
			rec_write(j, &b->outs[bw], best);
			j->cursor[bw]++;
		}
		for (w = 0; w < j->n; w++) {
			const struct jobs_out *o = &b->outs[w];

			while (j->cursor[w] < o->nrec &&
			       o->rec[j->cursor[w]].frame == f)
				rec_write(j, o, &o->rec[j->cursor[w]++]);
		}
	}
}

/* Wait for the oldest published batch and write it. */
static void merge_one(struct jobs *j)
{
	struct jobs_batch *b = &j->ring[j->merged_seq % JOBS_RING];

	pthread_mutex_lock(&j->mu);
	while (b->pending > 0)
		pthread_cond_wait(&j->done_cv, &j->mu);
	pthread_mutex_unlock(&j->mu);
	batch_merge(j, b);
	pthread_mutex_lock(&j->mu);
	b->ready = false;
	pthread_mutex_unlock(&j->mu);
	j->merged_seq++;
}

/* The next batch to fill, free (its previous use written). */
static struct jobs_batch *batch_get(struct jobs *j)
{
	struct jobs_batch *b;

	while (j->merged_seq + JOBS_RING <= j->next_seq)
		merge_one(j);
	b = &j->ring[j->next_seq % JOBS_RING];
	b->nframes = 0;
	b->arena_len = 0;
	b->advance = false;
	b->quit = false;
	return b;
}

static void batch_publish(struct jobs *j, struct jobs_batch *b)
{
	pthread_mutex_lock(&j->mu);
	b->seq = j->next_seq++;
	b->pending = j->n;
	b->ready = true;
	pthread_cond_broadcast(&j->work_cv);
	pthread_mutex_unlock(&j->mu);
}

/* Which worker a frame goes to: the --shard split refined N ways, so a
 * frame of shard K goes to shard_of(N * workers) = K * workers + w. */
static uint32_t frame_owner(const struct jobs *j, const struct ct_pkt *pkt)
{
	uint32_t ns = j->o.nshards > 1 ? j->o.nshards : 1;
	uint32_t s = ct_engine_shard_of(pkt, ns * j->n);

	if (ns > 1 && s / j->n != j->o.shard)
		return JOBS_NOBODY;
	return s % j->n;
}

/* Decode the batch (the arena no longer moves) and publish it. */
static void batch_flush(struct jobs *j)
{
	struct jobs_batch *b = j->filling;
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nframes; i++) {
		struct jobs_slot *s = &b->slots[i];

		ct_decode(s->dlt, b->arena + s->off, s->caplen, s->number,
			  s->ts, &s->pkt);
		if (s->pkt.reason) {
			snprintf(s->reason, sizeof(s->reason), "%s",
				 s->pkt.reason);
			s->pkt.reason = s->reason;
		}
		s->owner = frame_owner(j, &s->pkt);
	}
	j->filling = NULL;
	batch_publish(j, b);
}

int jobs_frame(struct jobs *j, const struct ct_frame *f)
{
	struct jobs_batch *b = j->filling;
	struct jobs_slot *s;

	if (!b)
		b = j->filling = batch_get(j);
	if (b->arena_len + f->caplen > b->arena_cap) {
		size_t cap = b->arena_cap ? b->arena_cap : 1 << 20;
		unsigned char *a;

		while (cap < b->arena_len + f->caplen)
			cap *= 2;
		a = realloc(b->arena, cap);
		if (!a)
			return -1;
		b->arena = a;
		b->arena_cap = cap;
	}
	s = &b->slots[b->nframes++];
	s->off = b->arena_len;
	if (f->caplen)
		memcpy(b->arena + s->off, f->data, f->caplen);
	b->arena_len += f->caplen;
	s->number = f->number;
	s->ts = f->ts;
	s->caplen = f->caplen;
	s->dlt = f->dlt;
	if (b->nframes == JOBS_BATCH)
		batch_flush(j);
	return 0;
}

/* Publish what is queued and write everything: the workers go idle. */
static void jobs_drain(struct jobs *j)
{
	batch_flush(j);
	while (j->merged_seq < j->next_seq)
		merge_one(j);
}

void jobs_advance(struct jobs *j, ct_time t)
{
	struct jobs_batch *b;

	batch_flush(j);
	b = batch_get(j);
	b->advance = true;
	b->advance_to = t;
	batch_publish(j, b);
	jobs_drain(j);
}

struct ct_engine *jobs_view(struct jobs *j)
{
	jobs_drain(j);
	return j->view;
}

void jobs_close(struct jobs *j)
{
	jobs_drain(j);
	j->closed = true;
}

/* A worker's streams, straight through: what its reporters wrote so far
 * is in the output, in the order report_set_end() writes. */
static void worker_sync(void *ctx)
{
	struct jobs_worker *w = ctx;

	fflush(w->fo);
	if (w->fj != w->fo)
		fflush(w->fj);
}

int jobs_end(struct jobs *j, struct report_set *view, uint64_t backwards)
{
	unsigned w;
	int rc;

	jobs_drain(j);
	j->sets[0] = view;
	for (w = 0; w < j->n; w++) {
		j->w[w].direct = true;
		j->sets[w + 1] = &j->w[w].reps;
	}
	rc = report_set_end(j->sets, j->n + 1, j->view, backwards);
	for (w = 0; w < j->n; w++)
		worker_sync(&j->w[w]);
	return rc;
}

/* ------------------------------------------------------------------ */
/* lifecycle */

/* A reporter's sink, behind the tap. */
static int worker_add(void *ctx, const struct ct_sink *sink, bool selected)
{
	struct jobs_worker *w = ctx;

	if (w->nsinks >= CT_MAX_SINKS)
		return CT_ERR_NOMEM;
	w->selected[w->nsinks] = selected;
	w->sinks[w->nsinks++] = *sink;
	return 0;
}

static int worker_init(struct jobs *j, struct jobs_worker *w,
		       const struct ct_settings *set, bool counters)
{
	struct ct_sink tap = { w, tap_event, tap_verdict };
	struct report_opts ro = j->ro;

	w->j = j;
	w->eng = ct_engine_create(set);
	if (!w->eng)
		return -1;
	ct_engine_set_explain(w->eng, 0);
	ct_engine_set_counters(w->eng, counters);
	w->so.w = w->sj.w = w;
	w->sj.json = true;
	w->fo = stream_open(&w->so);
	if (!w->fo)
		return -1;
	setvbuf(w->fo, NULL, _IOFBF, 1 << 16);
	w->fj = w->fo;
	if (ro.json_path && ro.json != ro.out) {
		w->fj = stream_open(&w->sj);
		if (!w->fj)
			return -1;
		setvbuf(w->fj, NULL, _IOFBF, 1 << 16);
	}
	ro.out = w->fo;
	ro.json = w->fj;
	if (report_set_init(&w->reps, &ro, REPORT_WORKER) != 0 ||
	    report_set_sinks(&w->reps, worker_add, NULL, w) != 0)
		return -1;
	w->reps.sync = worker_sync;
	w->reps.sync_ctx = w;
	return ct_engine_add_sink(w->eng, &tap);
}

struct jobs *jobs_create(const struct jobs_opts *o,
			 const struct ct_settings *set, bool counters)
{
	struct jobs *j = calloc(1, sizeof(*j));
	unsigned i;

	if (!j)
		return NULL;
	j->o = *o;
	j->ro = *o->reports;
	j->out = j->ro.out;
	j->n = o->nworkers ? o->nworkers : 1;
	if (j->ro.sel && report_select_active(j->ro.sel))
		j->sel = j->ro.sel;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->work_cv, NULL);
	pthread_cond_init(&j->done_cv, NULL);
	j->w = calloc(j->n, sizeof(*j->w));
	j->engs = calloc(j->n, sizeof(*j->engs));
	j->cursor = calloc(j->n, sizeof(*j->cursor));
	j->sets = calloc(j->n + 1, sizeof(*j->sets));
	if (!j->w || !j->engs || !j->cursor || !j->sets)
		goto fail;
	for (i = 0; i < JOBS_RING; i++) {
		j->ring[i].slots = calloc(JOBS_BATCH, sizeof(*j->ring[i].slots));
		j->ring[i].outs = calloc(j->n, sizeof(*j->ring[i].outs));
		if (!j->ring[i].slots || !j->ring[i].outs)
			goto fail;
	}
	for (i = 0; i < j->n; i++) {
		j->w[i].index = i;
		if (worker_init(j, &j->w[i], set, counters) != 0)
			goto fail;
		j->engs[i] = j->w[i].eng;
	}
	j->view = ct_engine_create(set);
	if (!j->view)
		goto fail;
	ct_engine_set_peers(j->view, j->engs, j->n);
	for (i = 0; i < j->n; i++) {
		if (pthread_create(&j->w[i].thread, NULL, worker_main,
				   &j->w[i]) != 0)
			goto fail;
		j->w[i].running = true;
	}
	return j;

fail:
	jobs_destroy(j);
	return NULL;
}

void jobs_destroy(struct jobs *j)
{
	unsigned i;

	if (!j)
		return;
	if (j->w && j->w[0].running) {
		struct jobs_batch *b;

		jobs_drain(j);
		b = batch_get(j);
		b->quit = true;
		batch_publish(j, b);
	}
	for (i = 0; j->w && i < j->n; i++) {
		struct jobs_worker *w = &j->w[i];

		if (w->running)
			pthread_join(w->thread, NULL);
		/* whatever the reporters still write goes out directly */
		w->direct = true;
		report_set_destroy(&w->reps);
		if (w->fj && w->fj != w->fo)
			fclose(w->fj);
		if (w->fo)
			fclose(w->fo);
		ct_engine_destroy(w->eng);
	}
	for (i = 0; i < JOBS_RING; i++) {
		unsigned k;

		for (k = 0; j->ring[i].outs && k < j->n; k++) {
			free(j->ring[i].outs[k].out.p);
			free(j->ring[i].outs[k].js.p);
			free(j->ring[i].outs[k].rec);
		}
		free(j->ring[i].outs);
		free(j->ring[i].slots);
		free(j->ring[i].arena);
	}
	ct_engine_destroy(j->view);
	pthread_cond_destroy(&j->work_cv);
	pthread_cond_destroy(&j->done_cv);
	pthread_mutex_destroy(&j->mu);
	free(j->cursor);
	free(j->sets);
	free(j->engs);
	free(j->w);
	free(j);
}
