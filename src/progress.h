/* \summary: progress line on a terminal's stderr for long runs */
#ifndef CTREPLAY_PROGRESS_H
#define CTREPLAY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * A one-line progress display: bytes read of the total, frames per second
 * and live entries, redrawn at most four times a second once the run has
 * taken more than a second.  It reads the wall clock, for this display
 * only: nothing it sees reaches any output.  Inactive (every call returns
 * at once) unless `out` is a terminal.
 */
struct progress;

/* NULL when out is not a terminal (or memory runs out): no display. */
struct progress *progress_create(FILE *out, uint64_t bytes_total);

/*
 * Called once per frame; cheap (looks at the clock every 256 frames).
 * bytes: input bytes consumed so far (an estimate is fine).
 */
void progress_update(struct progress *p, uint64_t frames, uint64_t bytes,
		     uint64_t live);

/* Erase the line if one was drawn, and free p.  NULL is fine. */
void progress_finish(struct progress *p);

#endif
