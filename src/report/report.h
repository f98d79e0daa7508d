/* \summary: reporters: conntrack -E text, /proc snapshots, -L, JSON, verdicts, -S */
#ifndef CTREPLAY_REPORT_H
#define CTREPLAY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../ct/engine.h"
#include "../ct/event.h"

/* conntrack(8) -o flags. */
#define REPORT_O_TIMESTAMP 0x01
#define REPORT_O_EXTENDED  0x02
#define REPORT_O_ID        0x04

/*
 * Format the conntrack-tools text of one entry into buf (no newline):
 * what follows the "[NEW] " header in conntrack -E, or a conntrack -L
 * line.  Used by the event and list reporters.  Returns the length.
 */
enum report_style {
	REPORT_STYLE_EVENT,    /* conntrack -E: IPv6 compressed, no mark/use */
	REPORT_STYLE_LIST,     /* conntrack -L: + mark=, use= */
};

/* Event stream as `conntrack -E -o FLAGS` prints it. */
struct report_events;
struct report_events *report_events_create(FILE *out, unsigned oflags,
					   uint32_t hz);
void report_events_sink(struct report_events *r, struct ct_sink *sink);
void report_events_destroy(struct report_events *r);

/*
 * The table as /proc/net/nf_conntrack reads at the engine's current time,
 * preceded by "# snapshot LABEL"; then "# expect" and the expectations
 * when there are any.  Entries in creation order.
 */
void report_proc_snapshot(FILE *out, struct ct_engine *eng, const char *label);

/* The table as `conntrack -L -o FLAGS` prints it, then the summary line
 * on `summary` ("conntrack v1.4.7 (conntrack-tools): N flow entries have
 * been shown.") when summary is non-NULL. */
void report_list(FILE *out, FILE *summary, struct ct_engine *eng,
		 unsigned oflags);

/* One JSON object per connection lifetime (NDJSON), see ctreplay(1). */
struct report_json;
struct report_json *report_json_create(FILE *out, uint32_t hz);
void report_json_sink(struct report_json *r, struct ct_sink *sink);
/* Write the entries still alive at the end ("end": "alive"). */
void report_json_finish(struct report_json *r, struct ct_engine *eng);
void report_json_destroy(struct report_json *r);

/* One line per frame: FRAME CTSTATE DIR tuple [reason="..."]. */
struct report_verdicts;
struct report_verdicts *report_verdicts_create(FILE *out);
void report_verdicts_sink(struct report_verdicts *r, struct ct_sink *sink);
void report_verdicts_destroy(struct report_verdicts *r);

/*
 * --explain FRAME: for that one frame, the packet's fields, the verdict and
 * its reason, the entry it matched with its state before and after, the
 * events it caused, and the tracker's notes (for TCP the window bounds in
 * force and the check that failed).  Prints "frame N: not in the capture"
 * from report_explain_finish() when the frame never came.
 */
struct report_explain;
struct report_explain *report_explain_create(FILE *out, uint64_t frame,
					     uint32_t hz);
void report_explain_sink(struct report_explain *r, struct ct_sink *sink);
void report_explain_finish(struct report_explain *r);
void report_explain_destroy(struct report_explain *r);

/* conntrack -S line. */
void report_stats(FILE *out, struct ct_engine *eng);

#endif
