/* \summary: --expect DIR: replay and compare with expected outputs; --update */
#ifndef CTREPLAY_CHECK_H
#define CTREPLAY_CHECK_H

#include <stdbool.h>

#include "ct/hook.h"
#include "replay.h"
#include "settings.h"

/* What --expect/--update need from the command line. */
struct check_opts {
	const char *dir;       /* DIR holding events, [proc], [verdicts], [list] */
	bool update;           /* rewrite DIR instead of comparing */
	const char *filter;    /* -f BPF expression, or NULL */
	struct replay_instant until;   /* --until; REPLAY_AT_END: none */
	unsigned oflags;       /* -o flags (REPORT_O_*), used by the list */
	const struct ct_firewall *fw;  /* --firewall, or NULL */
};

/* Exit status of check_run() when the outputs differ (also CT_EXIT_USAGE). */
#define CHECK_EXIT_MISMATCH 1

/*
 * Replay files[0..nfiles) with the settings `set` and compare what ctreplay
 * says with the expected outputs in o->dir: the event stream per flow
 * lifetime (timestamps ignored), /proc snapshots at the recorded instants
 * as multisets (timeouts within 1 s), verdicts exactly per frame, -L as a
 * multiset.  Differences go to standard output, notes and the summary to
 * standard error.  With o->update, the files of o->dir are rewritten from
 * this run instead (the directory is created when missing).
 *
 * Returns CT_EXIT_OK when everything matches (or was written),
 * CHECK_EXIT_MISMATCH on a difference, CT_EXIT_INPUT when a capture or an
 * expected file could not be read or written.
 */
int check_run(const struct check_opts *o, const struct ct_settings *set,
	      char *const *files, int nfiles);

#endif
