/* \summary: read pcap/pcapng files through libpcap, merged by capture time */
#ifndef CTREPLAY_CAPTURE_H
#define CTREPLAY_CAPTURE_H

#include <stdint.h>

#include "common.h"

struct capture;

/* One frame as read, before decoding. */
struct ct_frame {
	uint64_t number;       /* 1, 2, ... across the merge */
	ct_time ts;            /* monotonic: never earlier than the previous */
	ct_time ts_orig;       /* as stamped in the file */
	int dlt;               /* libpcap link type of the file it came from */
	const uint8_t *data;   /* valid until the next capture_next() */
	uint32_t caplen;
	uint32_t wirelen;
	int file_index;        /* index into the names given to capture_open */
};

/*
 * Open every file ("-" is standard input) and compile `filter` (may be
 * NULL) for each.  Returns NULL with errbuf filled ("FILE: reason") when a
 * file cannot be opened, is not a capture, has a link type we cannot
 * decode, or the filter does not compile; *err then holds the ct_err.
 */
struct capture *capture_open(char *const *files, int nfiles, const char *filter,
			     int *err, char *errbuf);

/*
 * Next frame in time order (ties: argument order).  Returns 1 with *f
 * filled, 0 at the end of all inputs.  A read error in one file (truncated
 * record, garbage) ends that file only: the message ("FILE: reason") is
 * kept and capture_damaged() becomes non-zero, and the merge goes on with
 * the other files.
 */
int capture_next(struct capture *cap, struct ct_frame *f);

/* Number of files that ended in a read error; messages via capture_error(). */
int capture_damaged(const struct capture *cap);
const char *capture_error(const struct capture *cap, int i);

/* Frames whose timestamp went backwards (processed at the previous time). */
uint64_t capture_backwards(const struct capture *cap);

/* First frame's time (valid after the first capture_next()). */
ct_time capture_first_ts(const struct capture *cap);

/* Bytes read so far and total size of regular input files (0 if unknown). */
uint64_t capture_bytes_total(const struct capture *cap);

void capture_close(struct capture *cap);

#endif
