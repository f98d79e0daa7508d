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
#define REPORT_O_XML       0x08  /* -o xml: conntrack-tools' XML */

struct report_select;   /* select.h: what -p, -s, --state ... select */

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
 * preceded by "# snapshot LABEL"; then, always, a "# expect" line and
 * /proc/net/nf_conntrack_expect (as the lab's recordings hold them).
 * Entries in creation order.
 */
void report_proc_snapshot(FILE *out, struct ct_engine *eng, const char *label);

/* /proc/net/nf_conntrack_expect at the engine's current time, in deadline
 * order (the kernel's is its hash order). */
void report_proc_expect(FILE *out, struct ct_engine *eng);

/* Expectation events as `conntrack -E expect -o FLAGS` prints them (only
 * REPORT_O_TIMESTAMP changes anything). */
struct report_expect_events;
struct report_expect_events *report_expect_events_create(FILE *out,
							 unsigned oflags);
void report_expect_events_sink(struct report_expect_events *r,
			       struct ct_exp_sink *sink);
void report_expect_events_destroy(struct report_expect_events *r);

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
/* The same for one entry alive at `now`, if this reporter saw it (-j:
 * each worker's reporter knows its own entries). */
void report_json_finish_one(struct report_json *r, const struct ct_conn *ct,
			    ct_time now);
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

/*
 * As report_proc_snapshot(), keeping only the entries sel selects (NULL:
 * all), in the layout fmt names: the 6.x /proc/net/nf_conntrack, or the
 * 2.6 /proc/net/ip_conntrack (no l3 columns, IPv4 only, no zone, use=1,
 * no expectations).
 */
enum report_proc_format {
	REPORT_PROC_NF_CONNTRACK = 0,
	REPORT_PROC_IP_CONNTRACK,
};
void report_proc_snapshot_sel(FILE *out, struct ct_engine *eng,
			      const char *label,
			      const struct report_select *sel,
			      enum report_proc_format fmt);

/* As report_list(), keeping only the entries sel selects (NULL: all);
 * REPORT_O_XML prints them as conntrack -L -o xml does. */
void report_list_sel(FILE *out, FILE *summary, struct ct_engine *eng,
		     unsigned oflags, const struct report_select *sel);

/*
 * -o xml: conntrack(8) opens its XML document (header and <conntrack>)
 * before the first flow it prints and closes it when it ends; this closes
 * it if any flow was printed.
 */
void report_xml_finish(FILE *out);

/*
 * The human summary printed after the conntrack -S line: every line
 * starts with "# ".  Counts frames by verdict, INVALID reasons, entries
 * created and destroyed by cause, and the peak table size.
 */
struct report_summary;
struct report_summary *report_summary_create(void);
void report_summary_sink(struct report_summary *r, struct ct_sink *sink);
/* kernel: the profile that ran (ct_kernel_info()->name) */
void report_summary_print(struct report_summary *r, FILE *out,
			  uint64_t backwards, const char *kernel);
void report_summary_destroy(struct report_summary *r);

/*
 * --plot: the table over capture time as an SVG picture (entries by state,
 * INVALID frames per second, nf_conntrack_max when in range), sampled in
 * at most REPORT_PLOT_BUCKETS buckets whose width doubles as the capture
 * grows.  `max` is nf_conntrack_max (0: none).
 */
#define REPORT_PLOT_BUCKETS 1024
struct report_plot;
struct report_plot *report_plot_create(uint32_t max);
void report_plot_sink(struct report_plot *r, struct ct_sink *sink);
/* Write the picture; title is plain text (escaped here).  0 or -1. */
int report_plot_write(struct report_plot *r, FILE *out, const char *title);
void report_plot_destroy(struct report_plot *r);

#endif
