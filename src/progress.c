/* \summary: progress line on a terminal's stderr for long runs */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_DELAY_NS   1000000000LL   /* silent for the first second */
#define PROGRESS_PERIOD_NS   250000000LL   /* then at most 4 redraws/s */

struct progress {
	FILE *out;
	uint64_t bytes_total;
	int64_t start, last;   /* wall clock, ns */
	bool drawn;
};

static int64_t progress_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct progress *progress_create(FILE *out, uint64_t bytes_total)
{
	struct progress *p;

	if (!isatty(fileno(out)))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->out = out;
	p->bytes_total = bytes_total;
	p->start = p->last = progress_now();
	return p;
}

void progress_update(struct progress *p, uint64_t frames, uint64_t bytes,
		     uint64_t live)
{
	int64_t now, el;
	double rate;

	if (p == NULL || (frames & 255) != 0)
		return;
	now = progress_now();
	el = now - p->start;
	if (el < PROGRESS_DELAY_NS || now - p->last < PROGRESS_PERIOD_NS)
		return;
	p->last = now;
	rate = (double)frames * 1e9 / (double)el;
	if (p->bytes_total && bytes <= p->bytes_total)
		fprintf(p->out, "\rctreplay: %" PRIu64 " of %" PRIu64
			" MB (%d%%), %" PRIu64 " frames, %.0f frames/s, %"
			PRIu64 " entries\033[K", bytes >> 20,
			p->bytes_total >> 20,
			(int)(bytes * 100 / p->bytes_total), frames, rate,
			live);
	else
		fprintf(p->out, "\rctreplay: %" PRIu64 " MB, %" PRIu64
			" frames, %.0f frames/s, %" PRIu64 " entries\033[K",
			bytes >> 20, frames, rate, live);
	fflush(p->out);
	p->drawn = true;
}

void progress_finish(struct progress *p)
{
	if (p == NULL)
		return;
	if (p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	free(p);
}
