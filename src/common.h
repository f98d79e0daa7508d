/* \summary: types, limits and exit codes shared by every ctreplay module */
#ifndef CTREPLAY_COMMON_H
#define CTREPLAY_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Every exit status the program can return, in one place (tcpdump style). */
enum ct_exit {
	CT_EXIT_OK = 0,        /* everything read and reported */
	CT_EXIT_USAGE = 1,     /* bad command line */
	CT_EXIT_INPUT = 2,     /* an input could not be (fully) read */
};

/* Library return codes: 0 or a negative value. */
enum ct_err {
	CT_OK = 0,
	CT_ERR_NOMEM = -1,
	CT_ERR_IO = -2,        /* file could not be opened or read */
	CT_ERR_FORMAT = -3,    /* not a capture, or damaged */
	CT_ERR_LINKTYPE = -4,  /* link type we cannot decode */
	CT_ERR_FILTER = -5,    /* BPF expression did not compile */
	CT_ERR_PARSE = -6,     /* a setting or argument did not parse */
};

#define CT_ERRBUF_SIZE 512

/* Capture time: nanoseconds since the epoch.  Integer only, so no output
 * ever depends on floating-point rounding. */
typedef int64_t ct_time;
#define CT_NSEC_PER_SEC 1000000000LL

#define CT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *ct_strerror(int err);

/*
 * "1795343163.269844" (seconds, optional fraction) -> nanoseconds, exactly:
 * no floating point, digits past the ninth ignored.  Returns 0, or -1 when
 * the text is not SECONDS[.FRACTION] or does not fit.
 */
int ct_time_parse(const char *text, ct_time *out);

#endif
