/* \summary: shared pieces of the libFuzzer harnesses: settings selector and reporters */
#ifndef CTREPLAY_FUZZ_COMMON_H
#define CTREPLAY_FUZZ_COMMON_H

#include <stdint.h>

#include "ct/engine.h"
#include "settings.h"

/* Bits of the settings selector byte (see fuzz/README.md). */
#define FUZZ_SET_SMALL_TABLE  0x01  /* max=8: early drop and drop paths */
#define FUZZ_SET_HELPERS      0x02  /* ftp:tcp/21 and tftp:udp/69 */
#define FUZZ_SET_NO_LOOSE     0x04  /* tcp_loose=0: no mid-stream pickup */
#define FUZZ_SET_LIBERAL      0x08  /* tcp_be_liberal=1 */
#define FUZZ_SET_KERNEL_510   0x10  /* the 5.10 TCP window rules */
#define FUZZ_SET_NO_CHECKSUM  0x20  /* checksum=0 */
#define FUZZ_SET_SHORT_TIMERS 0x40  /* every timeout 1 s: expiry everywhere */
#define FUZZ_SET_OFLAGS       0x80  /* -o timestamp,extended,id */

/* The reporters every harness attaches, all writing to /dev/null. */
struct fuzz_reporters;

/*
 * Fill *set from the defaults and the selector bits.  Aborts when a
 * setting the harness relies on is no longer accepted: that is a harness
 * bug, not a finding.
 */
void fuzz_settings(struct ct_settings *set, uint8_t selector);

/* Engine with every reporter attached.  Aborts on allocation failure. */
struct fuzz_reporters *fuzz_reporters_attach(struct ct_engine *eng,
					     const struct ct_settings *set,
					     uint8_t selector);

/* A /proc snapshot mid-replay, as --snapshot TIME prints it. */
void fuzz_snapshot(struct fuzz_reporters *fr, struct ct_engine *eng);

/* End of input: snapshots (both /proc layouts, expectations), -L (text
 * and XML), a week of idle clock (--until), JSON leftovers, --explain,
 * -S and its summary, --plot; then free all. */
void fuzz_reporters_finish(struct fuzz_reporters *fr, struct ct_engine *eng);

/*
 * Copy a frame into a heap block of exactly caplen bytes so that
 * AddressSanitizer sees any read past the captured data (libpcap's own
 * buffer is larger than a record).  Free with free().
 */
uint8_t *fuzz_exact_copy(const uint8_t *data, uint32_t caplen);

#endif
