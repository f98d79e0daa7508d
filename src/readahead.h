/* \summary: read, copy and decode frames on a thread of their own, ahead of tracking */
#ifndef CTREPLAY_READAHEAD_H
#define CTREPLAY_READAHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "ct/engine.h"
#include "decode.h"

/*
 * One frame, read and decoded: its bytes are a copy (libpcap reuses its
 * buffer), so pkt points into buf (and its reason into itself) and stays
 * valid while the frame is handed out.
 */
struct ra_frame {
	struct ct_frame frame;
	struct ct_pkt pkt;
	bool mine;                 /* in this --shard */
	uint32_t hash;             /* ct_engine_prepare()'s when mine, or 0 */
	uint8_t *buf;
	size_t cap;
};

struct readahead;

/*
 * Start reading cap on a thread (or, should that fail, in the caller as
 * frames are asked for): frames in capture order, decoded, with `mine`
 * set for shard `shard` of `nshards` (all when nshards <= 1), and for
 * those ct_engine_prepare() done against eng.  The capture belongs to
 * the reader until readahead_stop().  NULL when out of memory.
 */
struct readahead *readahead_start(struct capture *cap,
				  const struct ct_engine *eng, uint32_t shard,
				  uint32_t nshards);

/*
 * The next frame, valid until the next call; NULL at the end of the
 * capture, or when memory ran out (readahead_nomem()).
 */
struct ra_frame *readahead_next(struct readahead *ra);

/*
 * The frame k places after the one readahead_next() returned last, when
 * it has been read already (else NULL): to prefetch for.  Read only.
 */
struct ra_frame *readahead_peek(struct readahead *ra, unsigned k);

/*
 * The same, waiting for the reader when the frame is not read yet (NULL
 * only past the end of the capture, or k too far for the ring): what a
 * decision taken on upcoming frames needs to be the same every run.
 */
struct ra_frame *readahead_peek_wait(struct readahead *ra, unsigned k);

/* Whether reading stopped because memory ran out. */
bool readahead_nomem(const struct readahead *ra);

/* Stop the reader (early or at the end), wait for it, free everything.
 * The capture can be queried again afterwards. */
void readahead_stop(struct readahead *ra);

#endif
