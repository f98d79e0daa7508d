/* \summary: read, copy and decode frames on a thread of their own, ahead of tracking */
/*
 * Reading a capture through libpcap, copying each frame out of libpcap's
 * buffer, decoding it, verifying its checksum and hashing its tuple is
 * about half of a replay's time, and none of it depends on the tracker's
 * state.  So a reader thread does it into a ring
 * of RA_RING frames while the caller tracks: on two cores a replay costs
 * about the larger of the two, not their sum.  Frames are still tracked
 * one by one in capture order by the caller, so the output is the same
 * as reading in line (which is what happens when no thread can be made).
 *
 * The two sides exchange positions under a mutex once every RA_BATCH
 * frames (or when one must wait), not per frame.  Positions count frames
 * from the start: the reader has filled [0, tail); the caller has taken
 * [0, next), and the frame it took last (next - 1) is still in use, as
 * are those it peeks at, so the reader may fill frame t only while
 * t - (head - 1) < RA_RING, head being the caller's last published next.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "readahead.h"

#define RA_RING 1024           /* frames; a power of two */
#define RA_BATCH 64            /* frames between exchanges */

struct readahead {
	struct capture *cap;
	const struct ct_engine *eng;
	uint32_t shard, nshards;
	struct ra_frame *ring;
	bool threaded;
	pthread_t thread;

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t room;       /* the reader waits for room */
	pthread_cond_t data;       /* the caller waits for frames */
	uint64_t tail;             /* frames published by the reader */
	uint64_t head;             /* next published by the caller */
	bool eof;                  /* the reader is done (tail is final) */
	bool nomem;
	bool stop;                 /* the caller wants no more */

	/* the reader's own */
	uint64_t r_tail;
	uint64_t r_head;           /* head as last seen */
	bool r_done;

	/* the caller's own */
	uint64_t next;
	uint64_t avail;            /* tail as last seen */
};

/* Read, copy and decode frame number r_tail into its slot.  Returns 1,
 * 0 at the end, -1 when out of memory. */
static int ra_fill(struct readahead *ra)
{
	struct ra_frame *f = &ra->ring[ra->r_tail % RA_RING];
	size_t n;

	if (capture_next(ra->cap, &f->frame) != 1)
		return 0;
	if (f->frame.caplen > f->cap) {
		uint8_t *p;

		n = f->frame.caplen < 2048 ? 2048 : f->frame.caplen;
		p = realloc(f->buf, n);
		if (p == NULL)
			return -1;
		f->buf = p;
		f->cap = n;
	}
	if (f->frame.caplen)
		memcpy(f->buf, f->frame.data, f->frame.caplen);
	f->frame.data = f->buf;
	/* everything decode writes, its reason text too, is in f->pkt */
	ct_decode(f->frame.dlt, f->buf, f->frame.caplen, f->frame.number,
		  f->frame.ts, &f->pkt);
	f->mine = ra->nshards <= 1 ||
		  ct_engine_shard_of(&f->pkt, ra->nshards) == ra->shard;
	/* the checksum while the bytes are in this core's cache, and the
	 * hash, off the tracking thread */
	f->hash = f->mine ? ct_engine_prepare(ra->eng, &f->pkt) : 0;
	ra->r_tail++;
	return 1;
}

/* Hand what was read to the caller, and learn how far it got. */
static void ra_publish(struct readahead *ra, bool done, bool nomem)
{
	pthread_mutex_lock(&ra->mu);
	ra->tail = ra->r_tail;
	if (done) {
		ra->eof = true;
		ra->nomem = nomem;
	}
	ra->r_head = ra->head;
	pthread_cond_signal(&ra->data);
	pthread_mutex_unlock(&ra->mu);
}

static bool ra_full(const struct readahead *ra, uint64_t head)
{
	return ra->r_tail + 1 >= head + RA_RING;
}

static void *ra_thread(void *arg)
{
	struct readahead *ra = arg;
	int rc = 1;

	for (;;) {
		if (ra_full(ra, ra->r_head)) {
			bool stop;

			pthread_mutex_lock(&ra->mu);
			ra->tail = ra->r_tail;
			pthread_cond_signal(&ra->data);
			while (!ra->stop && ra_full(ra, ra->head))
				pthread_cond_wait(&ra->room, &ra->mu);
			ra->r_head = ra->head;
			stop = ra->stop;
			pthread_mutex_unlock(&ra->mu);
			if (stop)
				break;
		}
		rc = ra_fill(ra);
		if (rc != 1)
			break;
		if (ra->r_tail % RA_BATCH == 0)
			ra_publish(ra, false, false);
	}
	ra_publish(ra, true, rc < 0);
	return NULL;
}

struct readahead *readahead_start(struct capture *cap,
				  const struct ct_engine *eng, uint32_t shard,
				  uint32_t nshards)
{
	struct readahead *ra = calloc(1, sizeof(*ra));

	if (ra == NULL)
		return NULL;
	ra->cap = cap;
	ra->eng = eng;
	ra->shard = shard;
	ra->nshards = nshards;
	ra->ring = calloc(RA_RING, sizeof(*ra->ring));
	if (ra->ring == NULL) {
		free(ra);
		return NULL;
	}
	if (pthread_mutex_init(&ra->mu, NULL) != 0) {
		free(ra->ring);
		free(ra);
		return NULL;
	}
	if (pthread_cond_init(&ra->room, NULL) != 0 ||
	    pthread_cond_init(&ra->data, NULL) != 0) {
		/* a condition variable that failed to initialise is never
		 * used: read in line */
		ra->threaded = false;
		return ra;
	}
	ra->threaded = pthread_create(&ra->thread, NULL, ra_thread, ra) == 0;
	return ra;
}

/* No thread: read up to a batch in the caller. */
static void ra_fill_inline(struct readahead *ra)
{
	int i, rc = 1;

	ra->r_head = ra->next;
	for (i = 0; i < RA_BATCH && !ra_full(ra, ra->r_head); i++) {
		rc = ra_fill(ra);
		if (rc != 1)
			break;
	}
	ra->tail = ra->r_tail;
	if (rc != 1) {
		ra->eof = true;
		ra->nomem = rc < 0;
	}
	ra->avail = ra->tail;
}

struct ra_frame *readahead_next(struct readahead *ra)
{
	if (ra->next == ra->avail || ra->next % RA_BATCH == 0) {
		if (!ra->threaded) {
			if (ra->next == ra->avail && !ra->eof)
				ra_fill_inline(ra);
		} else {
			pthread_mutex_lock(&ra->mu);
			ra->head = ra->next;
			pthread_cond_signal(&ra->room);
			while (ra->tail == ra->next && !ra->eof)
				pthread_cond_wait(&ra->data, &ra->mu);
			ra->avail = ra->tail;
			pthread_mutex_unlock(&ra->mu);
		}
		if (ra->next == ra->avail)
			return NULL;
	}
	return &ra->ring[ra->next++ % RA_RING];
}

struct ra_frame *readahead_peek(struct readahead *ra, unsigned k)
{
	uint64_t i = ra->next - 1 + k;

	if (ra->next == 0 || i >= ra->avail)
		return NULL;
	return &ra->ring[i % RA_RING];
}

struct ra_frame *readahead_peek_wait(struct readahead *ra, unsigned k)
{
	uint64_t i = ra->next - 1 + k;

	if (ra->next == 0 || k >= RA_RING / 2)
		return NULL;
	if (i >= ra->avail) {
		if (!ra->threaded) {
			while (i >= ra->avail && !ra->eof) {
				uint64_t before = ra->avail;

				ra_fill_inline(ra);
				if (ra->avail == before)
					break;
			}
		} else {
			pthread_mutex_lock(&ra->mu);
			while (ra->tail <= i && !ra->eof) {
				pthread_cond_signal(&ra->room);
				pthread_cond_wait(&ra->data, &ra->mu);
			}
			ra->avail = ra->tail;
			pthread_mutex_unlock(&ra->mu);
		}
	}
	if (i >= ra->avail)
		return NULL;
	return &ra->ring[i % RA_RING];
}

bool readahead_nomem(const struct readahead *ra)
{
	return ra->nomem;
}

void readahead_stop(struct readahead *ra)
{
	size_t i;

	if (ra == NULL)
		return;
	if (ra->threaded) {
		pthread_mutex_lock(&ra->mu);
		ra->stop = true;
		pthread_cond_signal(&ra->room);
		pthread_mutex_unlock(&ra->mu);
		pthread_join(ra->thread, NULL);
		pthread_cond_destroy(&ra->room);
		pthread_cond_destroy(&ra->data);
	}
	pthread_mutex_destroy(&ra->mu);
	for (i = 0; i < RA_RING; i++)
		free(ra->ring[i].buf);
	free(ra->ring);
	free(ra);
}
